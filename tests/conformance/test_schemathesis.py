"""Conformance: schemathesis, driven by the OFFICIAL Pinterest spec, against a real pinsandbox server.

Every operation the running server implements (its own /v5/openapi.json, minus the 501 stand-ins)
that the official spec has is tested, so a new operation joins as soon as its route exists. Each
answer must be no 5xx, have a status code and content type the spec documents for the operation,
and a body that validates against the spec's response schema.

schemathesis's engine (what `schemathesis run` uses: examples, coverage and fuzzing phases) runs
once per session over all those operations; each operation is then one test here that shows the
failing calls (check, server answer, curl to reproduce). The engine is used rather than schemathesis'
pytest plugin because the plugin's lazy fixture loader (needed: the spec is narrowed to what the
live server serves) does not work with pytest >= 9.1 (it writes `Node._nodeid`).

Generation is seeded and derandomized (reproducible) and bounded (MAX_EXAMPLES per operation, no
shrinking) so the whole run stays well under two minutes. Ids the server knows (an ad account and,
when their routes exist, a campaign, ad group, ad, board and pin) are fed to schemathesis as
dictionaries for the matching path/query parameters, so most calls reach the handlers instead of
ending in 404. The seeded ad has analytics facts (every targeting type, conversions; `_seed_facts`), the
analytics calls mostly ask for dates those facts cover and the entity-level ones for the seeded entity,
so the analytics answers checked against the spec hold real rows (HOUR rows included). The organic API gets
a world with history (`_seed_organic`): a processed video upload and its Pin, protected and secret boards,
carousel, product and saved Pins, a group board shared by another user, follows, a verified website and 90
days of organic facts, so boards, Pins, media, search, terms, follows, websites and Pin and user account
analytics answer real items and numbers; `query` and `term` are words of the seeded titles.

Run alone: `python -m pytest tests/conformance -m conformance -p no:randomly`.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass, field

import httpx
import pytest

from tests.live import SPEC_PATH, implemented_operation_ids, live_server, mint_token  # noqa: F401

if not SPEC_PATH.exists():
    pytest.skip(f"the official spec is absent ({SPEC_PATH}): conformance cannot run without "
                "../shared/spec/openapi-5.12.0.json beside the repository", allow_module_level=True)

import schemathesis  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.engine import Status, events, from_schema  # noqa: E402

# one schemathesis run per session: under xdist every test of it goes to the same worker (--dist loadgroup)
pytestmark = [pytest.mark.conformance, pytest.mark.xdist_group("conformance")]

MAX_EXAMPLES = int(os.environ.get("PINSANDBOX_CONFORMANCE_EXAMPLES", "30"))
SEED = int(os.environ.get("PINSANDBOX_CONFORMANCE_SEED", "20240512"))
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")

# Operations that are implemented but are not part of this run, and why.
EXCLUDED: dict[str, str] = {}


def _post(client: httpx.Client, url: str, body, headers) -> dict | None:
    """A seeding call; None when the route is not there yet (501) or refuses (the run goes on without it)."""
    r = client.post(url, json=body, headers=headers)
    if r.status_code not in (200, 201):
        return None
    data = r.json()
    if isinstance(data, dict) and "items" in data:  # bulk create: {"items": [{"data": ..., "exceptions": []}]}
        item = (data["items"] or [{}])[0]
        return item.get("data") or None
    return data


def seed(root: str) -> dict:
    """Create what the generated calls can refer to; return {parameter name: id} (and `organic`: {parameter
    name: [values]}, see _seed_organic)."""
    ids: dict = {}
    with httpx.Client(base_url=root, timeout=30) as c:
        _seed_organic(c, ids)  # first: it creates the conformance user, in the past
    token = mint_token(root, "conformance")
    headers = {"Authorization": f"Bearer {token}"}
    ids["token"] = token
    with httpx.Client(base_url=root, timeout=30) as c:
        account = _post(c, "/v5/ad_accounts", {"name": "Conformance", "country": "US"}, headers)
        assert account, "POST /v5/ad_accounts must work for the conformance run"
        acct = ids["ad_account_id"] = account["id"]
        # sandbox/delete deletes the account it is called on: it gets an account of its own (see _config)
        doomed = _post(c, "/v5/ad_accounts", {"name": "Conformance (deleted)", "country": "US"}, headers)
        if doomed:
            ids["doomed_ad_account_id"] = doomed["id"]
        tag = _post(c, f"/v5/ad_accounts/{acct}/conversion_tags", {"name": "Conformance tag"}, headers)
        if tag:
            ids["conversion_tag_id"] = tag["id"]
        board = _post(c, "/v5/boards", {"name": "Conformance board"}, headers)
        if board:
            ids["board_id"] = board["id"]
            pin = _post(c, "/v5/pins", {"board_id": board["id"], "title": "Conformance pin",
                                        "link": "https://example.com/p",
                                        "media_source": {"source_type": "image_url",
                                                         "url": "https://example.com/i.jpg"}}, headers)
            if pin:
                ids["pin_id"] = pin["id"]
            section = _post(c, f"/v5/boards/{board['id']}/sections", {"name": "Conformance section"}, headers)
            if section:
                ids["section_id"] = section["id"]
                _post(c, "/v5/pins", {"board_id": board["id"], "board_section_id": section["id"],
                                      "title": "Lighthouse section pin", "media_source": {
                                          "source_type": "image_url", "url": "https://example.com/s.jpg"}}, headers)
            # the deletes get objects of their own (see _config), so the seeded ones live through the run
            doomed_pin = _post(c, "/v5/pins", {"board_id": board["id"], "media_source": {
                "source_type": "image_url", "url": "https://example.com/d.jpg"}}, headers)
            if doomed_pin:
                ids["doomed_pin_id"] = doomed_pin["id"]
            doomed_section = _post(c, f"/v5/boards/{board['id']}/sections", {"name": "Conformance (deleted)"},
                                   headers)
            if doomed_section:
                ids["doomed_section_id"] = doomed_section["id"]
        doomed_board = _post(c, "/v5/boards", {"name": "Conformance board (deleted)"}, headers)
        if doomed_board:
            ids["doomed_board_id"] = doomed_board["id"]
        media = _post(c, "/v5/media", {"media_type": "video"}, headers)
        if media:  # left 'registered' (media/list shows both states); the dictionary's is the finished one
            ids["registered_media_id"] = media["media_id"]
        campaign = _post(c, f"/v5/ad_accounts/{acct}/campaigns",
                         [{"ad_account_id": acct, "name": "Conformance campaign", "objective_type": "CONSIDERATION"}],
                         headers)
        if campaign:
            ids["campaign_id"] = campaign["id"]
            ad_group = _post(c, f"/v5/ad_accounts/{acct}/ad_groups",
                             [{"campaign_id": campaign["id"], "name": "Conformance ad group",
                               "billable_event": "CLICKTHROUGH", "bid_strategy_type": "AUTOMATIC_BID",
                               "budget_in_micro_currency": 10_000 * 1_000_000}], headers)
            if ad_group:
                ids["ad_group_id"] = ad_group["id"]
                if "pin_id" in ids:
                    ad = _post(c, f"/v5/ad_accounts/{acct}/ads",
                               [{"ad_group_id": ad_group["id"], "creative_type": "REGULAR", "pin_id": ids["pin_id"],
                                 "name": "Conformance ad", "status": "ACTIVE"}], headers)
                    if ad:
                        ids["ad_id"] = ad["id"]
        template = _post(c, f"/_sandbox/ad_accounts/{acct}/templates", {
            "name": "Conformance template", "report_level": "CAMPAIGN", "columns": ["SPEND_IN_DOLLAR"],
            "granularity": "DAY", "date_range": {"relative_date_range": {"start_days_in_past": 7,
                                                                       "end_days_in_past": 1}}}, {})
        if template:
            ids["template_id"] = template["id"]
        app = _post(c, "/_sandbox/apps", {"name": "Conformance app", "redirect_uris": ["https://example.com/cb"],
                                          "owner_username": "conformance"}, {})
        if app:
            ids["basic"] = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
        # another user to follow / read the interests of (username path parameters); they follow back
        friend = _post(c, "/_sandbox/tokens", {"username": "conformance-friend"}, {})
        if friend:
            ids["username"] = friend["username"]
            c.put("/_sandbox/users/conformance-friend/following/conformance")
            c.put("/_sandbox/users/conformance-friend/interests", json={"interests": ["Travel", "Art"]})
        _seed_facts(c, headers, ids)
        _seed_jobs(c, headers, ids)
    return ids


# The organic world of the conformance user (_seed_organic): words in its titles that the search and terms
# dictionaries use, the user who owns the group board and the followed board, and the websites it verifies.
ORGANIC_WORDS = ("lighthouse", "travel")
CREATOR = "conformance-creator"
WEBSITE, DOOMED_WEBSITE = "conformance.test", "conformance-doomed.test"
HISTORY_DAYS = 92  # the organic content is made this many days before now; analytics reach back 90


def _seed_organic(c: httpx.Client, ids: dict) -> None:
    """Organic content with history, made first because it creates the conformance user: organic facts may
    not predate a Pin or its owner's account, and user account analytics call the days before the account
    BEFORE_BUSINESS_CREATED. So the sandbox clock is set HISTORY_DAYS back, the conformance user and CREATOR
    are created then, with

    * a video upload processed to `succeeded` (registered, an MP4 posted to its upload_url, the clock moved
      past processing) and a video Pin made from it;
    * PUBLIC, PROTECTED and SECRET boards of the conformance user with Pins (the token has every scope, the
      `*_secret` ones included), and a PROTECTED and a SECRET board outside the dictionaries, whose Pins keep
      the privacy filters answering whatever boards/update does to the others;
    * a carousel Pin, a product Pin (`pin_url`, linking into the verified website) and a saved Pin
      (pins/save of CREATOR's Pin: `parent_pin_id`), made 20 days before now (created_in_last_n_days=30);
    * CREATOR's public board with a Pin linking into the conformance user's website (OTHER_PINS), and a
      group board of CREATOR shared with the conformance user (PUT /_sandbox/boards/{id}/collaborators),
      on which the conformance user has a Pin;

    then the clock is given back as it was (so _seed_facts and _seed_jobs read today's dates), and the
    conformance user follows CREATOR, CREATOR's public board and interests, verifies WEBSITE and
    DOOMED_WEBSITE (unverify_website/delete's own), and the Pins get organic facts (POST /_sandbox/facts,
    table organic) for every day of the last 90 before today, video counters and PAID rows for the video
    Pin, CLAIMED rows for the Pins linking into WEBSITE. `ids["organic"]` holds the dictionary values."""
    import datetime as dt

    from tests.factories import mp4, upload

    def ok(r: httpx.Response, what: str) -> dict:
        assert r.status_code in (200, 201, 204), f"the conformance seed could not {what}: {r.status_code} {r.text}"
        return r.json() if r.content else {}

    def set_clock(at: dt.datetime) -> None:
        ok(c.put("/_sandbox/clock", json={"now": at.isoformat()}), "set the sandbox clock")

    def token_of(username: str) -> dict[str, str]:
        r = ok(c.post("/_sandbox/tokens", json={"username": username}), f"mint a token for {username}")
        return {"Authorization": f"Bearer {r['access_token']}"}

    def pin(headers: dict[str, str], board: str, title: str, **fields) -> str:
        body = {"board_id": board, "title": title, "description": f"{title}: a conformance Pin",
                "media_source": {"source_type": "image_url", "url": f"https://example.com/{len(title)}.jpg"},
                **fields}
        return ok(c.post("/v5/pins", json=body, headers=headers), f"create the Pin {title!r}")["id"]

    def board(headers: dict[str, str], name: str, privacy: str = "PUBLIC") -> str:
        return ok(c.post("/v5/boards", json={"name": name, "privacy": privacy, "description": f"{name} (conformance)"},
                         headers=headers), f"create the board {name!r}")["id"]

    clock = ok(c.get("/_sandbox/clock"), "read the sandbox clock")
    started, now = time.monotonic(), dt.datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))
    set_clock(now - dt.timedelta(days=HISTORY_DAYS))
    me, creator = token_of("conformance"), token_of(CREATOR)

    # a finished video upload and its Pin
    form = ok(c.post("/v5/media", json={"media_type": "video"}, headers=me), "register a video upload")
    ok(upload(c, form, mp4(1080, 1920, 21_000)), "upload the video")
    ok(c.put("/_sandbox/clock", json={"advance_seconds": 10}), "move the clock past processing")
    status = ok(c.get(f"/v5/media/{form['media_id']}", headers=me), "read the upload")["status"]
    assert status == "succeeded", f"the seeded video upload is {status}"
    travel = board(me, "Lighthouse travel board")
    protected = board(me, "Lighthouse protected board", "PROTECTED")
    secret = board(me, "Lighthouse secret board", "SECRET")
    kept_protected = board(me, "Lighthouse protected archive", "PROTECTED")
    kept_secret = board(me, "Lighthouse secret archive", "SECRET")
    video = pin(me, travel, "Lighthouse travel video", media_source={
        "source_type": "video_id", "media_id": form["media_id"], "cover_image_url": "https://example.com/cover.jpg"})
    pins = {"video": video,
            "protected": pin(me, protected, "Lighthouse protected travel notes"),
            "secret": pin(me, secret, "Lighthouse secret travel plans"),
            "kept_protected": pin(me, kept_protected, "Lighthouse protected archive pin"),
            "kept_secret": pin(me, kept_secret, "Lighthouse secret archive pin")}
    creator_board = board(creator, "Lighthouse travel picks")
    creator_pin = pin(creator, creator_board, "Lighthouse travel pick", link=f"https://{WEBSITE}/picks/lighthouse")
    group = board(creator, "Lighthouse group board")
    ok(c.put(f"/_sandbox/boards/{group}/collaborators", json={"username": "conformance"}), "share the group board")
    pins["group"] = pin(me, group, "Lighthouse group travel tip")

    # 20 days ago: a carousel, a product Pin and a saved Pin
    set_clock(now - dt.timedelta(days=20))
    me = token_of("conformance")
    pins["carousel"] = pin(me, travel, "Lighthouse travel carousel", media_source={
        "source_type": "multiple_image_urls", "index": 0, "items": [
            {"title": f"Lighthouse stop {n}", "description": "A travel stop", "link": f"https://example.com/stop/{n}",
             "url": f"https://example.com/stop/{n}.jpg"} for n in (1, 2, 3)]})
    pins["product"] = pin(me, travel, "Lighthouse travel lamp", link=f"https://{WEBSITE}/products/lamp",
                          media_source={"source_type": "pin_url", "is_affiliate_link": False})
    saved = ok(c.post(f"/v5/pins/{creator_pin}/save", json={"board_id": travel}, headers=me), "save a Pin")
    assert saved["parent_pin_id"] == creator_pin, saved
    pins["saved"] = saved["id"]

    # the clock as it was
    if clock["frozen"]:
        ok(c.put("/_sandbox/clock", json={"now": clock["now"], "frozen": True}), "give the clock back")
    elif clock["offset_seconds"] == 0:
        ok(c.put("/_sandbox/clock", json={"real": True}), "give the clock back")
    else:
        set_clock(now + dt.timedelta(seconds=time.monotonic() - started))
    now = dt.datetime.fromisoformat(ok(c.get("/_sandbox/clock"), "read the clock")["now"].replace("Z", "+00:00"))
    me = token_of("conformance")
    user_id = ok(c.get("/v5/user_account", headers=me), "read the user account")["id"]

    # follows and websites
    ok(c.put(f"/_sandbox/users/conformance/following/{CREATOR}"), "follow a user")
    ok(c.put(f"/_sandbox/users/conformance/following/boards/{creator_board}"), "follow a board")
    ok(c.put("/_sandbox/users/conformance/interests", json={"interests": ["Travel", "Home Decor", "Art"]}),
       "follow interests")
    meta = ok(c.get("/v5/user_account/websites/verification", headers=me), "read the verification code")["metatag"]
    for site in (WEBSITE, DOOMED_WEBSITE):
        ok(c.put("/_sandbox/websites", json={"website": f"https://{site}", "meta_tag": meta}), "serve a website")
        r = ok(c.post("/v5/user_account/websites", json={"website": site, "verification_method": "METATAG"},
                      headers=me), f"verify {site}")
        assert r["status"] == "success", r

    # organic facts: every day of the 90 before today since each Pin's creation day (secret Pins have none,
    # as with the simulator), video counters and PAID rows for the video Pin, CLAIMED rows for WEBSITE's Pins
    created = {key: dt.datetime.fromisoformat(ok(c.get(f"/v5/pins/{pin_id}", headers=me), "read a Pin")["created_at"]
                                              .replace("Z", "+00:00")).date() for key, pin_id in pins.items()}
    created["creator"] = (now - dt.timedelta(days=HISTORY_DAYS)).date()
    today = now.date()
    rows = []
    for n, key in enumerate(["video", "protected", "kept_protected", "group", "carousel", "product", "saved",
                             "creator"]):
        pin_id = creator_pin if key == "creator" else pins[key]
        first = max(created[key] + dt.timedelta(days=1), today - dt.timedelta(days=90))
        for d in range((today - first).days):
            day = first + dt.timedelta(days=d)
            for app, share in (("MOBILE", 3), ("WEB", 1)):
                imp = share * (40 + 7 * ((d + n) % 9) + 3 * n)
                row = {"day": day.isoformat(), "pin_id": pin_id, "app_type": app, "impression": imp,
                       "save": imp // 20, "pin_click": imp // 10, "outbound_click": imp // 25,
                       "total_comments": int((d + n) % 3 == 0), "total_reactions": (d + n) % 2}
                if key in ("product", "creator"):
                    row["claimant_user_id"] = user_id
                if key == "video":
                    row.update(video_start=imp // 2, video_mrc_view=imp // 3, video_10s_view=imp // 5,
                               quartile_95_percent_view=imp // 8, video_v50_watch_time_ms=imp * 900)
                rows.append(row)
            if key == "video" and d % 3 == 0:
                rows.append({"day": day.isoformat(), "pin_id": pin_id, "app_type": "TABLET", "content_type": "PAID",
                             "pin_format": "ADS_VIDEO", "impression": 120, "save": 4, "pin_click": 9,
                             "outbound_click": 3, "video_start": 60, "video_mrc_view": 41, "video_10s_view": 22,
                             "quartile_95_percent_view": 12, "video_v50_watch_time_ms": 150_000})
    ok(c.post("/_sandbox/facts", json={"table": "organic", "rows": rows}), "load organic facts")

    # the seed answers: analytics with real numbers, the privacy filters, search and terms with items
    window = {"start_date": (today - dt.timedelta(days=90)).isoformat(), "end_date": today.isoformat()}
    r = ok(c.get(f"/v5/pins/{video}/analytics", headers=me, params={
        **window, "metric_types": "IMPRESSION,VIDEO_START,VIDEO_AVG_WATCH_TIME"}), "read Pin analytics")
    assert r["all"]["summary_metrics"]["VIDEO_START"] > 0, r["all"]["summary_metrics"]
    r = ok(c.get("/v5/user_account/analytics/top_video_pins", headers=me, params={**window, "sort_by": "IMPRESSION"}),
           "read top video Pins")
    assert [p["pin_id"] for p in r["pins"]] == [video], r
    for params, expected in (({"created_in_last_n_days": 30}, {pins["carousel"], pins["product"], pins["saved"]}),
                             ({"source": "OTHER_PINS"}, {creator_pin})):
        r = ok(c.get("/v5/user_account/analytics/top_pins", headers=me, params={**window, "sort_by": "SAVE", **params}),
               "read top Pins")
        assert {p["pin_id"] for p in r["pins"]} == expected, (params, r)
    for params, expected in (({"pin_type": "PRIVATE"}, {"secret", "kept_secret"}),
                             ({"include_protected_pins": "true"}, {"protected", "kept_protected"})):
        got = {p["id"] for p in ok(c.get("/v5/pins", headers=me, params=params), "list Pins")["items"]}
        assert {pins[k] for k in expected} <= got, (params, got)
    for url, params in (("/v5/search/pins", {"query": ORGANIC_WORDS[0]}),
                        ("/v5/search/boards", {"query": ORGANIC_WORDS[1]}),
                        ("/v5/search/partner/pins", {"term": ORGANIC_WORDS[0], "country_code": "US"}),
                        ("/v5/terms/suggested", {"term": ORGANIC_WORDS[0]}),
                        ("/v5/terms/related", {"terms": ORGANIC_WORDS[1]})):
        body = ok(c.get(url, headers=me, params=params), f"call {url}")
        found = body if isinstance(body, list) else body.get("items") or [
            t for item in body.get("related_terms_list", []) for t in item["related_terms"]]
        assert found, (url, body)
    ids["organic"] = {
        "pin_id": [video, pins["carousel"], pins["product"], pins["saved"], pins["group"], pins["protected"],
                   pins["secret"]],
        "board_id": [travel, protected, secret, group, creator_board],
        "media_id": [form["media_id"]], "video_pin_id": [video],
        "query": list(ORGANIC_WORDS), "term": list(ORGANIC_WORDS), "country_code": ["US"],
        "doomed_website": [DOOMED_WEBSITE]}


# Analytics facts for the seeded ad, so the analytics operations answer real rows (every targeting type,
# conversions of each action type), and the dates the generated calls use mostly (see _config).
SEED_KEYWORDS = ("conformance shoes", "running shoes")


def _seed_facts(c: httpx.Client, headers: dict[str, str], ids: dict[str, str]) -> None:
    """Delivery and conversion facts for the seeded ad (POST /_sandbox/facts; the ad's hierarchy comes from
    the state database): one row every other day over the last 89 days of the sandbox clock and one every
    hour of the last 3 days, each naming a value of all 12 targeting types (KEYWORD values are keywords
    created for the ad group through POST .../keywords), and conversions of each action type. The range the
    generated calls mostly ask for (`start_date`, `end_date`: 3 days back to yesterday) is valid for every
    granularity, HOUR included."""
    import datetime as dt

    if "ad_id" not in ids:
        return
    acct, group = ids["ad_account_id"], ids["ad_group_id"]
    r = c.post(f"/v5/ad_accounts/{acct}/keywords", headers=headers, json={
        "parent_id": group, "keywords": [{"match_type": "BROAD", "value": k} for k in SEED_KEYWORDS]})
    assert r.status_code == 200, f"the conformance seed could not create keywords: {r.text}"
    now = dt.datetime.fromisoformat(c.get("/_sandbox/clock").json()["now"].replace("Z", "+00:00"))
    top = now.replace(minute=0, second=0, microsecond=0)
    hours = [top - dt.timedelta(days=d, hours=7) for d in range(1, 90, 2)] + \
            [top - dt.timedelta(hours=h) for h in range(1, 3 * 24)]
    segments = [  # (gender, age, apptype, country, location, region, geo, placement)
        ("female", "25-34", "iphone", "US", "501", "US-NY", "US:10001", "SEARCH"),
        ("male", "35-44", "web", "US", "803", "US-CA", "US:90012", "BROWSE"),
        ("unknown", "65+", "android_mobile", "CA", None, "CA-ON", "CA:M5V", "OTHER")]
    delivery, conversions = [], []
    for i, hour in enumerate(hours):
        gender, age, app, country, location, region, geo, placement = segments[i % len(segments)]
        imp = 200 + 37 * (i % 11)
        delivery.append({
            "ad_id": ids["ad_id"], "hour": hour.isoformat(), "gender": gender, "age_bucket": age, "apptype": app,
            "country": country, "location": location, "region": region, "geo": geo, "placement": placement,
            "keyword": SEED_KEYWORDS[i % 2] if placement == "SEARCH" else None,
            "targeted_interest": "Travel", "pinner_interest": ("Travel", "Home Decor")[i % 2],
            "audience_include": "271828182845", "impression_1": imp, "impression_2": imp // 10,
            "clickthrough_1": 3 + i % 5, "clickthrough_2": i % 2, "outbound_click_1": 2 + i % 3, "repin_1": i % 4,
            "engagement_1": 9 + i % 6, "engagement_2": 1, "spend_micro": 1_500_000 + 10_000 * i,
            "video_p0_combined_1": 5, "video_watchtime_ms_1": 12_000, "people_lo": 1000 * i, "people_n": imp // 2})
        if i % 3 == 0:
            action = ("CLICK", "ENGAGEMENT", "VIEW")[i % 9 // 3]
            conversions.append({
                "ad_id": ids["ad_id"], "action_type": action, "action_time": (hour + dt.timedelta(minutes=20)).isoformat(),
                "conversion_time": min(hour + dt.timedelta(hours=5), now).isoformat(),
                "event_type": ("CHECKOUT", "SIGNUP", "PAGE_VISIT", "ADD_TO_CART")[i % 4], "quantity": 1 + i % 2,
                "value_micro": 20_000_000, "gender": gender, "age_bucket": age, "apptype": app, "country": country,
                "location": location, "region": region, "geo": geo, "placement": placement,
                "attribution": ("INDIVIDUAL", "HOUSEHOLD")[i % 5 == 0]})
    for table, rows in (("delivery", delivery), ("conversions", conversions)):
        r = c.post("/_sandbox/facts", json={"table": table, "rows": rows})
        assert r.status_code == 200, f"the conformance seed could not load {table} facts: {r.text}"
    yesterday = (now - dt.timedelta(days=1)).date()
    ids["start_date"], ids["end_date"] = (yesterday - dt.timedelta(days=2)).isoformat(), yesterday.isoformat()
    # the facts answer: every targeting type has rows in that range, and the history covers the 90 days
    types = ["KEYWORD", "APPTYPE", "GENDER", "LOCATION", "PLACEMENT", "COUNTRY", "TARGETED_INTEREST",
             "PINNER_INTEREST", "AUDIENCE_INCLUDE", "GEO", "AGE_BUCKET", "REGION"]
    r = c.get(f"/v5/ad_accounts/{acct}/ad_groups/targeting_analytics", headers=headers, params={
        "ad_group_ids": group, "targeting_types": ",".join(types), "granularity": "HOUR", "columns": "SPEND_IN_DOLLAR",
        "start_date": ids["start_date"], "end_date": ids["end_date"]})
    assert r.status_code == 200 and {d["targeting_type"] for d in r.json()["data"]} == set(types), r.text[:500]
    r = c.get(f"/v5/ad_accounts/{acct}/analytics", headers=headers, params={
        "granularity": "DAY", "columns": "SPEND_IN_DOLLAR,TOTAL_CONVERSIONS", "start_date": str(now.date() - dt.timedelta(
            days=90)), "end_date": str(now.date())})
    assert r.status_code == 200 and len(r.json()) >= 45, r.text[:500]


# Finished jobs, so the polls answer FINISHED / SUCCEEDED (url, size, result_url) to some generated calls:
# seeded id -> (operation, parameter location, dictionary of finished ids it draws from).
JOB_PARAMETERS = (("report_token", "analytics/get_report", "query.token", "finished_report_tokens"),
                  ("mmm_token", "analytics/get_mmm_report", "query.token", "finished_mmm_tokens"),
                  ("bulk_download_id", "bulk_request/get", "path.bulk_request_id", "finished_bulk_request_ids"),
                  ("bulk_upsert_id", "bulk_request/get", "path.bulk_request_id", "finished_bulk_request_ids"))


def _seed_jobs(c: httpx.Client, headers: dict[str, str], ids: dict[str, str]) -> None:
    """An async report, an MMM report, a bulk download and a bulk upsert of the seeded account, run to the
    end (POST /_sandbox/jobs/run: the live server has no job workers) and checked FINISHED. Their ids join
    `ids`; `_job_operations` feeds them to the polling operations. Results live an hour: the run is shorter."""
    import datetime as dt

    acct = ids["ad_account_id"]
    today = dt.datetime.now(dt.timezone.utc).date()
    start, end = (today - dt.timedelta(days=7)).isoformat(), (today - dt.timedelta(days=1)).isoformat()
    report = _post(c, f"/v5/ad_accounts/{acct}/reports", {
        "level": "CAMPAIGN", "granularity": "DAY", "start_date": start, "end_date": end,
        "columns": ["SPEND_IN_DOLLAR", "PAID_IMPRESSION", "CAMPAIGN_NAME"]}, headers)
    mmm = _post(c, f"/v5/ad_accounts/{acct}/mmm_reports", {
        "report_name": "Conformance MMM", "start_date": start, "end_date": end, "granularity": "DAY",
        "level": "CAMPAIGN_TARGETING", "targeting_types": ["GENDER"], "columns": ["SPEND_IN_DOLLAR"]}, headers)
    download = _post(c, f"/v5/ad_accounts/{acct}/bulk/download", {"entity_types": ["CAMPAIGN", "AD_GROUP"]}, headers)
    upsert = _post(c, f"/v5/ad_accounts/{acct}/bulk/upsert", {"create": {"campaigns": [{
        "ad_account_id": acct, "name": "Conformance bulk campaign", "objective_type": "AWARENESS"}]}}, headers)
    assert report and mmm and download and upsert, "the conformance seed could not queue its jobs"
    assert c.post("/_sandbox/jobs/run").status_code == 200
    found = {"report_token": report["token"], "mmm_token": mmm["data"]["token"],
             "bulk_download_id": download["request_id"], "bulk_upsert_id": upsert["request_id"]}
    polled = {
        "report_token": c.get(f"/v5/ad_accounts/{acct}/reports", params={"token": found["report_token"]},
                              headers=headers).json()["report_status"],
        "mmm_token": c.get(f"/v5/ad_accounts/{acct}/mmm_reports", params={"token": found["mmm_token"]},
                           headers=headers).json()["data"]["report_status"],
        "bulk_download_id": c.get(f"/v5/ad_accounts/{acct}/bulk/{found['bulk_download_id']}",
                                  headers=headers).json()["status"],
        "bulk_upsert_id": c.get(f"/v5/ad_accounts/{acct}/bulk/{found['bulk_upsert_id']}",
                                headers=headers).json()["status"]}
    assert polled == {"report_token": "FINISHED", "mmm_token": "FINISHED", "bulk_download_id": "SUCCEEDED",
                      "bulk_upsert_id": "SUCCEEDED"}, polled
    ids.update(found)


def _job_operations(seeded: dict[str, str], dictionaries: dict) -> list[dict]:
    """Per polling operation: its token / request id drawn mostly (85%) from the finished ones."""
    by_operation: dict[tuple[str, str, str], list[str]] = {}
    for key, operation_id, location, dictionary in JOB_PARAMETERS:
        if key in seeded:
            by_operation.setdefault((operation_id, location, dictionary), []).append(seeded[key])
    operations = []
    for (operation_id, location, dictionary), values in by_operation.items():
        dictionaries[dictionary] = {"values": values}
        operations.append({"include-operation-id": operation_id,
                           "parameters": {location: {"dictionary": dictionary, "probability": 0.85}}})
    return operations


def spec_operation_ids() -> set[str]:
    spec = json.loads(SPEC_PATH.read_text())
    return {op["operationId"] for item in spec["paths"].values() for op in item.values()
            if isinstance(op, dict) and "operationId" in op}


@pytest.fixture(scope="session")
def seeded(live_server):  # noqa: F811
    ids = seed(live_server.root)
    if "basic" not in ids:
        EXCLUDED["oauth/token"] = ("no OAuth app could be registered (POST /_sandbox/apps), so the token "
                                   "endpoint can only answer 401 to every generated call")
    return ids


def in_process_operation_ids() -> list[str]:
    """The operations to test, known at collection time (the same app the live server runs)."""
    import tempfile
    from pathlib import Path

    from pinsandbox.app import create_app
    from pinsandbox.settings import Settings

    with tempfile.TemporaryDirectory() as d:
        app = create_app(Settings(data_dir=Path(d)))
        doc = app.openapi()
        app.state.store.dispose()
    ids = {o["operationId"] for p, item in doc["paths"].items() if p.startswith("/v5/")
           for o in item.values() if isinstance(o, dict) and not o.get("operationId", "").startswith("unimplemented:")}
    return sorted(ids & spec_operation_ids())


OPERATIONS = in_process_operation_ids()


@dataclass
class Finding:
    check: str
    title: str
    message: str
    curl: str
    status: int | None
    body: str

    def __str__(self) -> str:
        first = self.message.strip().split("\n\n")[0][:500]
        return (f"[{self.check}] {self.title}: {first}\n"
                f"    answered {self.status}: {self.body[:800]}\n    reproduce: {self.curl[:2000]}")


@dataclass
class ConformanceRun:
    tested: set[str]
    labels: dict[str, str]  # operationId -> "METHOD /path"
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # label -> findings
    scenarios: dict[str, int] = field(default_factory=dict)  # label -> number of generated cases
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    transport_refusals: int = 0  # requests uvicorn refused before the app (see UVICORN_REFUSAL)


# The analytics operations' id lists and the seeded entity whose facts they should read.
ANALYTICS_ID_LISTS = (("campaigns/analytics", "campaign_ids", "campaign_id"),
                      ("campaign_targeting_analytics/get", "campaign_ids", "campaign_id"),
                      ("ad_groups/analytics", "ad_group_ids", "ad_group_id"),
                      ("ad_groups_targeting_analytics/get", "ad_group_ids", "ad_group_id"),
                      ("ads/analytics", "ad_ids", "ad_id"), ("ad_targeting_analytics/get", "ad_ids", "ad_id"))


def _analytics_operations(seeded: dict[str, str]) -> list[dict]:
    """Per entity-level analytics operation: its id list is the seeded entity (an array parameter cannot draw
    from a dictionary of scalar ids), so the generated calls read the seeded facts (_seed_facts)."""
    return [{"include-operation-id": operation_id, "parameters": {f"query.{parameter}": [seeded[key]]}}
            for operation_id, parameter, key in ANALYTICS_ID_LISTS if key in seeded]


# Operations that take a board_id and a section_id: the board is the seeded section's (a section of another
# board is a 404), so they draw board_id from a dictionary of that board alone.
SECTION_OPERATIONS = ("board_sections/create", "board_sections/list", "board_sections/update", "board_sections/delete",
                      "board_sections/list_pins")


def _organic_operations(seeded: dict) -> dict[str, dict]:
    """Per operation, the parameters the organic seed (_seed_organic) binds for it alone: the section
    operations' board, unverify_website/delete's own verified website, pins/analytics' video Pin, and
    terms/related's `terms` from the `term` dictionary: `terms` is an array, which a dictionary of strings
    cannot feed in schemathesis' positive cases, but its negative cases take them, and with `explode: false`
    `terms=travel` is a list of one term to the server (a fixed value would lose the generated cases)."""
    organic = seeded.get("organic", {})
    bound: dict[str, dict] = {}
    if "board_id" in seeded:
        for operation_id in SECTION_OPERATIONS:
            bound[operation_id] = {"path.board_id": {"dictionary": "section_board_id", "probability": 0.85}}
    if "doomed_website" in organic:
        bound["unverify_website/delete"] = {"query.website": {"dictionary": "doomed_website", "probability": 0.85}}
    if "term" in organic:
        bound["terms_related/list"] = {"query.terms": {"dictionary": "term", "probability": 0.85}}
    if "video_pin_id" in organic:
        # the spec's metric_types items are a oneOf of two enums that share the standard metrics, so a valid
        # list holds video metrics only: the video Pin is the one whose answers are not all 0
        bound["pins/analytics"] = {"path.pin_id": {"dictionary": "video_pin_id", "probability": 0.85}}
    return bound


def _config(live_api: str, seeded: dict) -> SchemathesisConfig:
    dictionaries, parameters = {}, {}
    organic = seeded.get("organic", {})
    for name in ("ad_account_id", "campaign_id", "ad_group_id", "ad_id", "board_id", "pin_id", "conversion_tag_id",
                 "username", "section_id", "media_id", "template_id", "start_date", "end_date", "query", "term",
                 "country_code"):
        values = [seeded[name]] if name in seeded else []
        values += [v for v in organic.get(name, []) if v not in values]
        if values:
            dictionaries[name] = {"values": values}
            for location in ("path", "query"):
                # Mostly a known id (reach the handler), sometimes a generated one (400/404 paths).
                parameters[f"{location}.{name}"] = {"dictionary": name, "probability": 0.85}
    if "board_id" in seeded:
        dictionaries["section_board_id"] = {"values": [seeded["board_id"]]}
    for name in ("doomed_website", "video_pin_id"):
        if name in organic:
            dictionaries[name] = {"values": organic[name]}
    data = {
        "seed": SEED,
        "base-url": live_api,
        "request-timeout": 30,
        "workers": 1,
        "headers": {"Authorization": f"Bearer {seeded['token']}"},
        "dictionaries": dictionaries,
        "parameters": parameters,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
        "checks": {"enabled": False, **{check: {"enabled": True} for check in CHECKS}},
    }
    operations = []
    if "basic" in seeded:
        # The token endpoint authenticates the app (HTTP Basic), not a user.
        operations.append({"include-operation-id": "oauth/token",
                           "headers": {"Authorization": f"Basic {seeded['basic']}"}})
    if "doomed_ad_account_id" in seeded:
        # Deleting the seeded account would turn every later call into a 404: sandbox/delete gets its own.
        operations.append({"include-operation-id": "sandbox/delete",
                           "parameters": {"path.ad_account_id": seeded["doomed_ad_account_id"]}})
    bound = _organic_operations(seeded)
    for operation_id, location, key in (("boards/delete", "path.board_id", "doomed_board_id"),
                                        ("pins/delete", "path.pin_id", "doomed_pin_id"),
                                        ("board_sections/delete", "path.section_id", "doomed_section_id")):
        if key in seeded:
            bound.setdefault(operation_id, {})[location] = seeded[key]
    operations += [{"include-operation-id": operation_id, "parameters": parameters_}
                   for operation_id, parameters_ in bound.items()]
    operations += _job_operations(seeded, dictionaries)
    operations += _analytics_operations(seeded)
    if operations:
        data["operations"] = operations
    return SchemathesisConfig.from_dict(data)


# uvicorn's HTTP parser refuses a request line it cannot take (a URL past ~64 KB: e.g. 2,000 generated
# keywords of multi-byte characters, percent-encoded, for keywords/metrics, whose spec allows 2,000 items of
# any length) with its own plain-text 400 before the app is called; Pinterest's front end refuses such URLs
# too (414), which the spec does not document either. Not the app's answer, so not a finding.
UVICORN_REFUSAL = "Invalid HTTP request received."


def _refused_by_the_http_layer(finding: Finding) -> bool:
    return (finding.check == "content_type_conformance" and finding.status == 400
            and finding.body.strip() == UVICORN_REFUSAL)


def run_conformance(live_api: str, seeded: dict[str, str], operation_ids: set[str]) -> ConformanceRun:
    """One schemathesis engine run (examples, coverage and fuzzing phases) over `operation_ids`."""
    spec = json.loads(SPEC_PATH.read_text())
    labels = {op["operationId"]: f"{method.upper()} {path}" for path, item in spec["paths"].items()
              for method, op in item.items() if isinstance(op, dict) and "operationId" in op}
    # The whole spec is loaded (so methods of not-yet-implemented operations are not "unexpected"),
    # then narrowed to the operations under test. By exclusion: an include filter would be OR-ed with the
    # one the config's `operations` entries make (which selects every operation), so it would narrow nothing.
    schema = schemathesis.openapi.from_dict(spec, config=_config(live_api, seeded))
    schema = schema.exclude(operation_id=sorted(set(labels) - set(operation_ids)))
    run = ConformanceRun(tested=set(operation_ids), labels=labels)
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            run.scenarios[recorder.label] = run.scenarios.get(recorder.label, 0) + len(recorder.cases)
            seen = {(f.check, f.title, f.status) for f in run.findings.get(recorder.label, [])}
            for case_id, nodes in recorder.checks.items():
                for node in nodes:
                    if node.status != Status.FAILURE or node.failure_info is None:
                        continue
                    info = node.failure_info
                    response = recorder.find_response(case_id=case_id)
                    finding = Finding(check=node.name, title=info.failure.title, message=info.failure.message or "",
                                      curl=info.code_sample, status=getattr(response, "status_code", None),
                                      body=(getattr(response, "text", "") or "") if response is not None else "")
                    if _refused_by_the_http_layer(finding):
                        run.transport_refusals += 1
                        continue
                    key = (finding.check, finding.title, finding.status)
                    if key not in seen:
                        seen.add(key)
                        run.findings.setdefault(recorder.label, []).append(finding)
        elif isinstance(event, events.NonFatalError):
            run.errors.append(f"{event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            run.errors.append(f"fatal: {event.exception!r}")
    run.seconds = time.monotonic() - started
    return run


@pytest.fixture(scope="session")
def conformance_run(live_server, seeded) -> ConformanceRun:  # noqa: F811
    implemented = implemented_operation_ids(live_server.root) & spec_operation_ids()
    tested = implemented - set(EXCLUDED)
    assert tested, f"the server implements no operation of the spec: {sorted(implemented)}"
    run = run_conformance(live_server.api, seeded, tested)
    print(f"\nconformance: {sum(run.scenarios.values())} generated calls over {len(tested)} operations "
          f"in {run.seconds:.1f}s (seeded: {', '.join(k for k in seeded if k.endswith('_id'))}; organic: "
          f"{', '.join(f'{k} x{len(v)}' for k, v in seeded.get('organic', {}).items())}; "
          f"{run.transport_refusals} refused by the HTTP layer)")
    return run


def test_the_run_covers_every_implemented_operation(live_server, conformance_run):  # noqa: F811
    """The live server's implemented operations (its /v5/openapi.json) are exactly the ones tested,
    and are the ones this module parametrizes over; the core ones are always there."""
    implemented = implemented_operation_ids(live_server.root) & spec_operation_ids()
    assert conformance_run.tested == implemented - set(EXCLUDED)
    assert sorted(implemented) == OPERATIONS
    assert {"ad_accounts/get", "ad_accounts/create", "ad_accounts/list", "user_account/get"} <= implemented
    assert not conformance_run.errors, "\n".join(conformance_run.errors)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_conforms_to_the_official_spec(operation_id, conformance_run):
    """No 5xx; status code, content type and response body as the official spec documents them."""
    if operation_id in EXCLUDED:
        pytest.skip(f"{operation_id}: {EXCLUDED[operation_id]}")
    label = conformance_run.labels[operation_id]
    assert conformance_run.scenarios.get(label), f"schemathesis generated no call for {label}"
    findings = conformance_run.findings.get(label, [])
    assert not findings, f"{label} breaks the official spec:\n" + "\n".join(str(f) for f in findings)
