"""Attribution of Conversions API events to earlier ad actions of the same person.

A stored event (`ads.conversions` table `conversion_events`) names its person by `user_key` (the
hashed external_id / email / MAID / phone, or sha256 of "ip|user agent"). The person's id in the ad
account's person space is `person_id(user_key) = int(sha256(user_key)) mod 2**24`, the same space
the delivery facts' people blocks live in.

Who did what inside a delivery row's block `[people_lo, people_lo + people_n)`: the first
`clickthrough_1` people clicked, the next `engagement_1 - clickthrough_1` engaged, the rest viewed.

Candidate actions. A delivery row is an hour; when inside it the person acted is not known, so a row
is an action before the event only when its whole hour is: `hour + 1 h <= event time` (an action in
the event's own hour never counts, it may have come after the conversion). Of the person's rows in
the 60 days (the longest window) before the event, the latest CLICK, the latest ENGAGEMENT and the
latest VIEW (ties: lower ad id, then lower block start) each become one conversion fact, all three
with `conversion_key` = the event's id: candidate attributions of one conversion. The query layer
counts, per conversion_key, the candidate the request's windows allow, a click before an engagement
before a view (reporting/query.py), so a short click window falls back to a view within the view
window. The latest action of each type is enough: if any action of a type is within a window, its
latest one is.

Each fact carries that row's ad, hierarchy and segment, `action_time` = the row's hour, `conversion_time`
= the event's time, event type and channel from the event (web -> WEB, app_android/app_ios -> INAPP,
offline -> OFFLINE), action device from the row's app type and conversion device from the event's
source (app -> MOBILE; web -> MOBILE when the user agent says Mobile, else DESKTOP; offline -> DESKTOP),
attribution INDIVIDUAL, quantity and value as stored. An event with no matching ad action makes no
fact. Either way the event is marked attributed (processed) so it is looked at once: delivery facts
loaded later do not re-attribute it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pyarrow as pa

from pinsandbox.reporting.facts import DIMENSIONS, ENTITY_COLUMNS

PEOPLE_SPACE = 1 << 24
MAX_WINDOW_DAYS = 60
EVENT_TYPES = {"checkout": "CHECKOUT", "add_to_cart": "ADD_TO_CART", "page_visit": "PAGE_VISIT", "signup": "SIGNUP",
               "watch_video": "WATCH_VIDEO", "lead": "LEAD", "search": "SEARCH", "view_category": "VIEW_CATEGORY",
               "custom": "CUSTOM", "app_install": "APP_INSTALL"}
CHANNELS = {"web": "WEB", "app_android": "INAPP", "app_ios": "INAPP", "offline": "OFFLINE"}
DEVICE_OF_APPTYPE = {"iphone": "MOBILE", "android_mobile": "MOBILE", "web_mobile": "MOBILE", "ipad": "TABLET",
                     "android_tablet": "TABLET", "web": "DESKTOP"}


def person_id(user_key: str) -> int:
    return int.from_bytes(hashlib.sha256(user_key.encode()).digest()[:8], "big") % PEOPLE_SPACE


def _conversion_device(action_source: str, raw: dict[str, Any]) -> str:
    if action_source in ("app_android", "app_ios"):
        return "MOBILE"
    ua = ((raw.get("user_data") or {}).get("client_user_agent") or "")
    return "MOBILE" if action_source == "web" and "Mobile" in ua else "DESKTOP"


def attribute_pending(store: Any, ad_account_id: int | None = None) -> int:
    """Attribute every unprocessed event (of one account, or all); returns conversion facts written."""
    from pinsandbox.ads.conversions import service as conversions

    with store.read() as conn:
        pending = conversions.unattributed_events(conn, ad_account_id=ad_account_id)
    if not pending:
        return 0
    rows: list[dict[str, Any]] = []
    dims = list(DIMENSIONS.values())
    select = ", ".join(list(ENTITY_COLUMNS) + dims + ["hour", "people_lo", "clickthrough_1", "engagement_1"])
    for ev in pending:
        if not ev.user_key:
            continue
        person = person_id(ev.user_key)
        when = dt.datetime.fromtimestamp(ev.event_time, dt.timezone.utc).replace(tzinfo=None)
        found = store.facts.fetch(
            f"SELECT {select}, action_rank FROM (SELECT *, CASE WHEN ? - people_lo < clickthrough_1 THEN 0 "
            "WHEN ? - people_lo < GREATEST(engagement_1, clickthrough_1) THEN 1 ELSE 2 END AS action_rank "
            "FROM delivery WHERE ad_account_id = ? AND people_n > 0 AND people_lo <= ? AND ? < people_lo + people_n "
            "AND hour + INTERVAL 1 HOUR <= ? AND hour >= ?) "
            "QUALIFY row_number() OVER (PARTITION BY action_rank ORDER BY hour DESC, ad_id, people_lo) = 1 "
            "ORDER BY action_rank",
            [person, person, ev.ad_account_id, person, person, when, when - dt.timedelta(days=MAX_WINDOW_DAYS)])
        raw = ev.raw or {}
        n = len(ENTITY_COLUMNS) + len(dims)
        for r in found:
            fact: dict[str, Any] = dict(zip(list(ENTITY_COLUMNS) + dims, r[:n]))
            hour, rank = r[n], r[-1]
            fact.update(action_type=("CLICK", "ENGAGEMENT", "VIEW")[rank], action_time=hour, conversion_time=when,
                        event_type=EVENT_TYPES.get(ev.event_name, "UNKNOWN"),
                        channel=CHANNELS.get(ev.action_source, "WEB"),
                        action_device=DEVICE_OF_APPTYPE.get(fact.get("apptype") or "", "MOBILE"),
                        conversion_device=_conversion_device(ev.action_source, raw), attribution="INDIVIDUAL",
                        quantity=int(ev.quantity or 1), value_micro=int(ev.value_micro_currency or 0),
                        conversion_key=int(ev.id), source="capi")
            rows.append(fact)
    # Facts (one DuckDB transaction), then the marks (one state-DB transaction). The two databases
    # cannot commit together: a crash between them would attribute these events again next time, which
    # writes the same candidates again under the same conversion_key; the query layer counts one
    # candidate per key, so the conversion still counts once.
    if rows:
        store.facts.append("conversions", pa.Table.from_pylist(rows))
    with store.write() as conn:
        conversions.mark_attributed(conn, [ev.id for ev in pending])
    return len(rows)
