"""Terms of service of an ad account: the text of a terms type and whether the advertiser accepted it.

The sandbox knows three terms types (`tos_type`, case-insensitive; default ADVERTISING). Their text is
the sandbox's own short terms, written for it — not Pinterest's legal text. An ad account accepts the
ADVERTISING terms when it is created (Ads Manager has the advertiser accept them to make the account);
the other types are accepted with `PUT /_sandbox/ad_accounts/{id}/terms_of_service`, which can also
withdraw an acceptance. `include_html=true` returns the text as HTML, else as plain text.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pinsandbox.core.errors import InvalidParameter
from pinsandbox.organic.terms.tables import terms_of_service_acceptances


@dataclass(frozen=True)
class Terms:
    id: str
    accepted_by_default: bool
    html: str


TERMS: dict[str, Terms] = {
    "ADVERTISING": Terms("7301200000001", True, (
        "<h1>pinsandbox advertising terms</h1>"
        "<p>These terms govern ads placed in this pinsandbox instance, a local test double of Pinterest's API.</p>"
        "<ol><li>Ads created here are never shown to anyone and nothing is ever billed.</li>"
        "<li>Delivery, spend and conversions are simulated or loaded as fixtures by the sandbox's operator.</li>"
        "<li>The operator may reset all data at any time.</li></ol>")),
    "LEAD_ADS": Terms("7301200000002", False, (
        "<h1>pinsandbox lead ads terms</h1>"
        "<p>Lead forms collect the personal data people submit.</p>"
        "<ol><li>Only collect what your privacy policy names, and link that policy in the form.</li>"
        "<li>Use submitted data only for the purpose the form states.</li>"
        "<li>In this sandbox, leads are test data: never contact anyone from them.</li></ol>")),
    "CONVERSIONS": Terms("7301200000003", False, (
        "<h1>pinsandbox conversion data terms</h1>"
        "<p>Conversion events you send are matched to ad activity to measure results.</p>"
        "<ol><li>Hash personal identifiers (email, phone) with SHA-256 before sending them.</li>"
        "<li>Send only events of people who agreed to it where the law requires their consent.</li>"
        "<li>In this sandbox, events are test data and stay on this machine.</li></ol>")),
}
DEFAULT_TYPE = "ADVERTISING"


def check_type(value: str | None) -> str:
    if value is None or not value.strip():
        return DEFAULT_TYPE
    key = value.strip().upper()
    if key not in TERMS:
        raise InvalidParameter(f"Invalid parameter 'tos_type': {value[:40]!r} is not a terms type; expected one of "
                               f"{', '.join(TERMS)}.")
    return key


def plain_text(markup: str) -> str:
    text = re.sub(r"</(p|h1|li)>", "\n", markup)
    text = re.sub(r"<li>", "- ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html_lib.unescape("\n".join(line.strip() for line in text.splitlines() if line.strip()))


def accepted(conn: sa.Connection, *, ad_account_id: int, tos_type: str) -> bool:
    row = conn.execute(sa.select(terms_of_service_acceptances.c.accepted).where(
        terms_of_service_acceptances.c.ad_account_id == ad_account_id,
        terms_of_service_acceptances.c.tos_type == tos_type)).first()
    return TERMS[tos_type].accepted_by_default if row is None else bool(row.accepted)


def get(conn: sa.Connection, *, ad_account_id: int, tos_type: str, include_html: bool) -> dict[str, Any]:
    terms = TERMS[tos_type]
    return {"id": terms.id, "html": terms.html if include_html else plain_text(terms.html),
            "has_accepted": accepted(conn, ad_account_id=ad_account_id, tos_type=tos_type),
            "ad_account_id": str(ad_account_id)}


def set_accepted(conn: sa.Connection, *, ad_account_id: int, tos_type: str, value: bool, now: int) -> None:
    table = terms_of_service_acceptances
    updated = conn.execute(sa.update(table).where(table.c.ad_account_id == ad_account_id, table.c.tos_type == tos_type)
                           .values(accepted=value, updated_time=now))
    if updated.rowcount == 0:
        conn.execute(sa.insert(table).values(ad_account_id=ad_account_id, tos_type=tos_type, accepted=value,
                                             updated_time=now))
