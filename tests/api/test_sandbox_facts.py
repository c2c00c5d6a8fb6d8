"""/_sandbox/simulate, /_sandbox/facts and /_sandbox/facts/summary through HTTP."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.simdata import T0, advertiser, set_clock

DAY = 86_400


def summary(client) -> dict:
    r = client.get("/_sandbox/facts/summary")
    assert r.status_code == 200, r.text
    return r.json()


def bad(r, *words: str) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == 1, body
    for w in words:
        assert w in body["message"], body["message"]


@pytest.fixture
def live_ads(client):
    adv = advertiser(client, username="factsapi")
    camp = adv.campaign()
    group = adv.ad_group(camp, targeting_spec={"LOCATION": ["US"]})
    ads = [adv.ad(group), adv.ad(group)]
    return adv, camp, group, ads


def test_simulate_then_summary(client, live_ads):
    set_clock(client, T0.replace(day=5, hour=13, minute=25))
    r = client.post("/_sandbox/simulate", json={"days": 3, "seed": 11})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["start"] == "2026-03-02T13:00:00Z" and body["end"] == "2026-03-05T13:00:00Z"
    assert body["seed"] == 11 and body["ads"] == 2
    assert body["rows"]["delivery"] > 0 and body["rows"]["conversions"] > 0
    assert body["seconds"] >= 0
    s = summary(client)
    assert s["delivery"]["rows"] == body["rows"]["delivery"]
    assert s["delivery"]["by_source"] == {"sim": body["rows"]["delivery"]}
    assert s["conversions"]["rows"] == body["rows"]["conversions"]
    # ad groups start when created (T0): nothing before
    assert s["delivery"]["min_hour"] == "2026-03-02T13:00:00Z" and s["delivery"]["max_hour"] == "2026-03-05T12:00:00Z"
    assert s["simulation"] == {"enabled": True, "seed": 11, "watermark": "2026-03-05T13:00:00Z"}
    # again, with the stored seed and an explicit end: the same range gives the same rows
    again = client.post("/_sandbox/simulate", json={"days": 3, "end": "2026-03-05T13:59:00Z"})
    assert again.status_code == 200, again.text
    assert again.json()["seed"] == 11 and again.json()["rows"] == body["rows"]
    assert summary(client)["delivery"]["rows"] == body["rows"]["delivery"]


@pytest.mark.parametrize("payload, words", [
    ({"days": -1}, ["days"]),
    ({"days": 5000}, ["days"]),
    ({"days": "many"}, ["days"]),
    ({}, ["days"]),
    ({"days": 1, "end": "yesterday"}, ["end"]),
    # out of the clock's range (2000-2200), and times that overflow once moved to UTC: never a 500
    ({"days": 0, "end": "1900-01-01T00:00:00Z"}, ["end"]),
    ({"days": 1, "end": "0001-01-01T00:00:00+14:00"}, ["end"]),
    ({"days": 1100, "end": "0001-01-01T00:00:00Z"}, ["end"]),
    ({"days": 1, "end": "9999-12-31T23:00:00-14:00"}, ["end"]),
    ({"days": 1, "end": "2200-01-01T00:00:00Z"}, ["end"]),
    ({"days": 1, "seed": -3}, ["seed"]),
    ({"days": 1, "speed": 2}, ["speed"]),
])
def test_simulate_bad_input(client, payload, words):
    bad(client.post("/_sandbox/simulate", json=payload), *words)
    assert summary(client)["delivery"]["rows"] == 0


def test_facts_json_rows(client, live_ads):
    _, camp, group, ads = live_ads
    rows = [
        {"hour": "2026-03-02T10:00:00Z", "ad_id": ads[0]["id"], "impression_1": 1000, "clickthrough_1": 12,
         "spend_micro": 5_000_000, "gender": "female", "people_lo": 0, "people_n": 800},
        {"hour": "2026-03-02T11:00:00+01:00", "ad_id": int(ads[1]["id"]), "ad_group_id": group["id"],
         "campaign_id": camp["id"], "ad_account_id": ads[1]["ad_account_id"], "impression_1": 10},
    ]
    r = client.post("/_sandbox/facts", json={"table": "delivery", "rows": rows})
    assert r.status_code == 200, r.text
    assert r.json() == {"table": "delivery", "rows": 2}
    s = summary(client)
    assert s["delivery"]["by_source"] == {"fixture": 2}
    assert s["delivery"]["min_hour"] == s["delivery"]["max_hour"] == "2026-03-02T10:00:00Z"
    conv = [{"ad_id": ads[0]["id"], "action_type": "CLICK", "event_type": "CHECKOUT",
             "action_time": "2026-03-02T10:20:00Z", "conversion_time": "2026-03-03T08:00:00Z", "value_micro": 25_000_000}]
    r = client.post("/_sandbox/facts", json={"rows": conv})  # table from the columns
    assert r.status_code == 200, r.text
    assert r.json() == {"table": "conversions", "rows": 1}
    assert summary(client)["conversions"]["max_conversion_time"] == "2026-03-03T08:00:00Z"


@pytest.mark.parametrize("body, words", [
    ({"table": "delivery", "rows": [{"hour": "2026-03-02T10:00:00Z", "ad_id": "1", "ad_account_id": 1,
                                     "campaign_id": 2, "ad_group_id": 3, "impression_1": -4}]},
     ["row 1", "impression_1", "-4"]),
    ({"table": "delivery", "rows": [{"hour": "2026-03-02T10:00:00Z", "ad_id": "1", "ad_account_id": 1,
                                     "campaign_id": 2, "ad_group_id": 3},
                                    {"hour": "2026-03-02T10:30:00Z", "ad_id": "1", "ad_account_id": 1,
                                     "campaign_id": 2, "ad_group_id": 3}]},
     ["row 2", "hour", "not on the hour"]),
    ({"rows": [{"hour": "2026-03-02T10:00:00Z", "ad_id": 1, "ad_account_id": 1, "campaign_id": 2,
                "ad_group_id": 3, "clicks": 4}]}, ["unknown columns", "clicks"]),
    ({"table": "impressions", "rows": [{"ad_id": 1}]}, ["impressions"]),
    ({"rows": [{"ad_id": 1}]}, ["cannot tell the table"]),
    ({"rows": "nope"}, ["rows"]),
    ({"rows": [7]}, ["row 1"]),
    ({"table": "delivery"}, ["rows"]),
    ({"table": "delivery", "rows": [], "extra": 1}, ["extra"]),
    ({"rows": [{"ad_id": 9, "ad_account_id": 1, "campaign_id": 2, "ad_group_id": 3, "action_type": "CLICK",
                "event_type": "BUY", "action_time": "2026-03-02T10:00:00Z",
                "conversion_time": "2026-03-02T11:00:00Z"}]}, ["row 1", "event_type", "BUY"]),
    ({"rows": [{"ad_id": 9, "ad_account_id": 1, "campaign_id": 2, "ad_group_id": 3, "action_type": "CLICK",
                "event_type": "CHECKOUT", "action_time": "2026-03-02T10:00:00Z",
                "conversion_time": "2026-03-02T09:00:00Z"}]}, ["row 1", "conversion_time", "before"]),

    # times that overflow when moved to UTC, lone surrogates, counters past 2^53 - 1: 400s, never 500s
    ({"table": "delivery", "rows": [{"hour": "0001-01-01T00:00:00+01:00", "ad_id": 1, "ad_account_id": 1,
                                     "campaign_id": 2, "ad_group_id": 3}]}, ["row 1", "hour", "out of range"]),
    ({"table": "delivery", "rows": [{"hour": "9999-12-31T23:00:00-01:00", "ad_id": 1, "ad_account_id": 1,
                                     "campaign_id": 2, "ad_group_id": 3}]}, ["row 1", "hour", "out of range"]),
    ({"table": "delivery", "rows": [{"hour": "2026-03-02T10:00:00Z", "ad_id": "\ud800", "ad_account_id": 1,
                                     "campaign_id": 2, "ad_group_id": 3}]}, ["row 1", "ad_id", "Unicode"]),
    ({"table": "delivery", "rows": [{"hour": "2026-03-02T10:00:00Z", "ad_id": 1, "\ud800": 1}]}, ["Unicode"]),
    ({"table": "delivery", "rows": [{"hour": "2026-03-02T10:00:00Z", "ad_id": 1, "ad_account_id": 1,
                                     "campaign_id": 2, "ad_group_id": 3, "impression_1": 2**53}]},
     ["row 1", "impression_1", "above"]),
])
def test_facts_bad_json(client, body, words):
    # json.dumps escapes a lone surrogate as \\ud800, as a client's JSON encoder may (httpx's refuses it)
    bad(client.post("/_sandbox/facts", content=json.dumps(body), headers={"content-type": "application/json"}),
        *words)
    s = summary(client)
    assert s["delivery"]["rows"] == 0 and s["conversions"]["rows"] == 0


def test_facts_bad_json_nesting_and_organic_counter_overflow(client, store):
    deep = b'{"rows": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    bad(client.post("/_sandbox/facts", content=deep, headers={"content-type": "application/json"}), "nested")
    # save + pin_click once wrapped around int64 into a negative engagement that was stored
    r = client.post("/_sandbox/facts", json={"table": "organic", "rows": [
        {"day": "2026-03-02", "pin_id": 5, "owner_user_id": 7, "app_type": "WEB", "save": 2**63 - 1,
         "pin_click": 1}]})
    bad(r, "row 1", "save", "above")
    assert store.facts.fetch("SELECT count(*) FROM organic")[0][0] == 0


def test_facts_upload_csv_and_parquet(client, live_ads):
    _, _, _, ads = live_ads
    csv = (f"hour,ad_id,impression_1,clickthrough_1,country\n"
           f"2026-03-02 10:00:00,{ads[0]['id']},100,3,US\n"
           f"2026-03-02T11:00:00Z,{ads[1]['id']},50,,\n").encode()
    r = client.post("/_sandbox/facts", files={"file": ("d.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text
    assert r.json() == {"table": "delivery", "rows": 2}
    buf = io.BytesIO()
    pq.write_table(pa.table({"ad_id": [int(ads[0]["id"])], "action_type": ["VIEW"], "event_type": ["PAGE_VISIT"],
                             "action_time": pa.array([1772445600], pa.timestamp("s")),
                             "conversion_time": pa.array([1772449200], pa.timestamp("s"))}), buf)
    r = client.post("/_sandbox/facts", files={"file": ("c.parquet", buf.getvalue())}, data={"table": "conversions"})
    assert r.status_code == 200, r.text
    assert r.json() == {"table": "conversions", "rows": 1}
    raw = client.post("/_sandbox/facts?table=delivery", content=csv, headers={"content-type": "text/csv"})
    assert raw.status_code == 200, raw.text
    s = summary(client)
    assert s["delivery"]["rows"] == 4 and s["conversions"]["rows"] == 1


def test_facts_bad_uploads_write_nothing(client, live_ads):
    _, _, _, ads = live_ads
    good = f"2026-03-02T10:00:00Z,{ads[0]['id']},100,50"
    csv = f"hour,ad_id,impression_1,people_n\n{good}\n{good}\n2026-03-02T12:00:00Z,{ads[0]['id']},10,50\n".encode()
    bad(client.post("/_sandbox/facts", files={"file": ("d.csv", csv)}), "row 3", "people_n")
    bad(client.post("/_sandbox/facts", files={"file": ("d.csv", b"")}), "empty")
    bad(client.post("/_sandbox/facts", files={"nofile": ("d.csv", csv)}), "file")
    bad(client.post("/_sandbox/facts", files={"file": ("d.parquet", b"PAR1garbage")}), "Parquet")
    bad(client.post("/_sandbox/facts", content=b"{not json", headers={"content-type": "application/json"}),
        "malformed JSON")
    bad(client.post("/_sandbox/facts", content=b"hello", headers={"content-type": "text/plain"}), "content type")
    bad(client.post("/_sandbox/facts", files={"file": ("d.csv", b"hour,ad_id,ad_account_id,campaign_id,ad_group_id\nsoon,5,1,2,3\n")}), "row 1", "hour", "soon")
    # CR-only line ends, a header cell past the csv module's field limit, a 'table' sent as a file
    bad(client.post("/_sandbox/facts", files={"file": ("d.csv", b"hour,ad_id\r2026-03-02T10:00:00Z,5\r")}), "CSV")
    bad(client.post("/_sandbox/facts", files={"file": ("d.csv", b"x" * 200_000 + b",ad_id\n1,2\n")}), "CSV")
    bad(client.post("/_sandbox/facts", files={"file": ("d.csv", csv), "table": ("t.txt", b"delivery")}), "table")
    assert summary(client)["delivery"]["rows"] == 0


def test_simulate_zero_days_turns_catch_up_on(client, live_ads):
    set_clock(client, T0.replace(day=3, hour=6, minute=10))
    r = client.post("/_sandbox/simulate", json={"days": 0, "seed": 4})
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == {"delivery": 0, "conversions": 0}
    assert r.json()["start"] == r.json()["end"] == "2026-03-03T06:00:00Z"
    assert summary(client)["simulation"] == {"enabled": True, "seed": 4, "watermark": "2026-03-03T06:00:00Z"}
