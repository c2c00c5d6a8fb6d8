"""Fact fixtures: CSV / Parquet / JSON rows, validated, loaded all or nothing."""

from __future__ import annotations

import datetime as dt
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pinsandbox.reporting import fixtures
from pinsandbox.reporting.fixtures import FactsError
from tests.simdata import advertiser

IDS = "ad_account_id,campaign_id,ad_group_id"


def table_rows(store, table: str) -> list[dict]:
    cur = store.facts.cursor().execute(f"SELECT * FROM {table} ORDER BY 1, ad_id")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def test_csv_with_string_ids_times_and_defaults(client, store, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        f"hour,ad_id,{IDS},pin_id,impression_1,clickthrough_1,gender,country,location,keyword,people_n\n"
        f'2026-01-05T14:00:00Z,"228000000000000001",11,22,33,,1000,12,female,US,501,"garden, ideas",900\n'
        f"2026-01-05 15:00:00+01:00,228000000000000002,11,22,33,44,5,,,,,,\n"
        f"2026-01-06,228000000000000002,11,22,33,44,7,1,unknown,DE,,,0\n")
    assert fixtures.load_facts(store, path) == 3
    got = table_rows(store, "delivery")
    assert [r["hour"] for r in got] == [dt.datetime(2026, 1, 5, 14), dt.datetime(2026, 1, 5, 14),
                                        dt.datetime(2026, 1, 6)]
    first = next(r for r in got if r["ad_id"] == 228000000000000001)
    assert (first["ad_account_id"], first["campaign_id"], first["ad_group_id"], first["pin_id"]) == (11, 22, 33, 0)
    assert (first["impression_1"], first["clickthrough_1"], first["people_n"]) == (1000, 12, 900)
    assert (first["gender"], first["country"], first["location"], first["keyword"]) == ("female", "US", "501",
                                                                                       "garden, ideas")
    assert first["spend_micro"] == 0 and first["impression_2"] == 0 and first["source"] == "fixture"
    second = next(r for r in got if r["ad_id"] == 228000000000000002 and r["impression_1"] == 5)
    assert second["pin_id"] == 44 and second["clickthrough_1"] == 0 and second["gender"] is None


def test_parquet_types_inference_and_conversion_defaults(client, store):
    buf = io.BytesIO()
    pq.write_table(pa.table({
        "ad_id": pa.array([5, 6], pa.int64()), "ad_account_id": [1, 1], "campaign_id": ["2", "2"],
        "ad_group_id": [3, 3], "action_type": ["CLICK", "VIEW"], "event_type": ["CHECKOUT", "PAGE_VISIT"],
        "action_time": pa.array([dt.datetime(2026, 1, 5, 10, 30), dt.datetime(2026, 1, 5, 11)],
                                pa.timestamp("us", tz="UTC")),
        "conversion_time": pa.array([dt.datetime(2026, 1, 6, 9), dt.datetime(2026, 1, 5, 11)], pa.timestamp("us")),
        "value_micro": pa.array([12_500_000.0, None]), "quantity": [2, None],
    }), buf)
    assert fixtures.load_facts(store, io.BytesIO(buf.getvalue())) == 2
    got = table_rows(store, "conversions")
    assert [(r["ad_id"], r["channel"], r["action_device"], r["conversion_device"], r["attribution"], r["quantity"],
             r["value_micro"]) for r in got] == [(5, "WEB", "MOBILE", "MOBILE", "INDIVIDUAL", 2, 12_500_000),
                                                 (6, "WEB", "MOBILE", "MOBILE", "INDIVIDUAL", 1, 0)]
    assert got[0]["action_time"] == dt.datetime(2026, 1, 5, 10, 30)


def test_hierarchy_comes_from_the_sandbox_ad(client, store):
    adv = advertiser(client, username="fixtureads")
    group = adv.ad_group(adv.campaign())
    ad = adv.ad(group)
    n = fixtures.load_rows(store, None, [{"hour": "2026-03-02T05:00:00Z", "ad_id": ad["id"], "impression_1": 3}])
    assert n == 1
    row = table_rows(store, "delivery")[0]
    assert [str(row[k]) for k in ("ad_account_id", "campaign_id", "ad_group_id", "pin_id")] == [
        ad["ad_account_id"], ad["campaign_id"], ad["ad_group_id"], ad["pin_id"]]


def csv_error(store, text: str, table: str | None = None) -> str:
    with pytest.raises(FactsError) as exc:
        fixtures.load_facts(store, text.encode(), table=table)
    assert store.facts.fetch("SELECT count(*) FROM delivery")[0][0] == 0
    assert store.facts.fetch("SELECT count(*) FROM conversions")[0][0] == 0
    return str(exc.value)


ROW = f"2026-01-05T14:00:00Z,9,1,2,3"
HEAD = f"hour,ad_id,{IDS}"


@pytest.mark.parametrize("text, words", [
    (f"{HEAD},impression_1,clicks\n{ROW},1,1\n", ["unknown columns for delivery: clicks"]),
    (f"{HEAD},impression_1\n{ROW},5\n{ROW},12x\n", ["row 2", "impression_1", "'12x'", "not an integer"]),
    (f"{HEAD},impression_1\n{ROW},1.5\n", ["row 1", "impression_1", "not an integer"]),
    (f"{HEAD},spend_micro\n{ROW},-3\n", ["row 1", "spend_micro", "-3", "below 0"]),
    (f"{HEAD},impression_1\n{ROW},99999999999999999999\n", ["impression_1", "64-bit"]),
    (f"{HEAD},impression_1,impression_2,people_n\n{ROW},5,2,8\n", ["row 1", "people_n", "8", "7 impressions"]),
    (f"{HEAD}\n2026-01-05T14:20:00Z,9,1,2,3\n", ["row 1", "hour", "not on the hour"]),
    (f"{HEAD}\nsoon,9,1,2,3\n", ["row 1", "hour", "'soon'", "ISO-8601"]),
    (f"{HEAD}\n,9,1,2,3\n", ["row 1", "hour", "required"]),
    (f"{HEAD},gender\n{ROW},F\n", ["row 1", "gender", "'F'"]),
    (f"{HEAD},country\n{ROW},USA\n", ["row 1", "country", "two-letter"]),
    (f"{HEAD},location\n{ROW},NYC\n", ["row 1", "location", "metro"]),
    (f"{HEAD},apptype\n{ROW},iphone\n{ROW},blackberry\n", ["row 2", "apptype", "blackberry"]),
    (f"hour,ad_id\n2026-01-05T14:00:00Z,9\n", ["row 1", "ad_account_id", "ad 9 is not an ad of the sandbox"]),
    (f"hour,{IDS}\n2026-01-05T14:00:00Z,1,2,3\n", ["'ad_id'"]),
    (f"hour,ad_id,{IDS}\n2026-01-05T14:00:00Z,,1,2,3\n", ["row 1", "ad_id", "required"]),
    (f"ad_id,{IDS}\n9,1,2,3\n", ["cannot tell the table"]),
    (f"hour,conversion_time,ad_id\n", ["both 'hour'"]),
    (f"{HEAD},impression_1\n{ROW},1\n", ["unknown columns for conversions: hour"], ),
    ("", ["no header"]),
    (f"hour,hour\n", ["repeats columns: hour"]),
])
def test_bad_csv_names_row_and_column(client, store, text, words):
    table = "conversions" if words == ["unknown columns for conversions: hour"] else None
    message = csv_error(store, text, table)
    for w in words:
        assert w in message, message


CONV = f"ad_id,{IDS},action_type,event_type,action_time,conversion_time"


@pytest.mark.parametrize("line, extra, words", [
    ("9,1,2,3,CLICK,CHECKOUT,2026-01-05T14:00:00Z,2026-01-05T13:59:59Z", "", ["row 1", "conversion_time", "before"]),
    ("9,1,2,3,TAP,CHECKOUT,2026-01-05T14:00:00Z,2026-01-05T15:00:00Z", "", ["action_type", "'TAP'"]),
    ("9,1,2,3,CLICK,,2026-01-05T14:00:00Z,2026-01-05T15:00:00Z", "", ["row 1", "event_type", "required"]),
    ("9,1,2,3,CLICK,CHECKOUT,2026-01-05T14:00:00Z,2026-01-05T15:00:00Z,FAMILY", ",attribution",
     ["attribution", "'FAMILY'"]),
    ("9,1,2,3,CLICK,CHECKOUT,2026-01-05T14:00:00Z,2026-01-05T15:00:00Z,PHONE", ",conversion_device",
     ["conversion_device", "'PHONE'"]),
    ("9,1,2,3,CLICK,CHECKOUT,2026-01-05T14:00:00Z,2026-01-05T15:00:00Z,-1", ",quantity", ["quantity", "-1"]),
    ("9,1,2,3,CLICK,CHECKOUT,2026-01-05T14:00:00Z,2026-01-05T15:00:00Z,0", ",conversion_key",
     ["row 1", "conversion_key", "below 1"]),
    ("9,1,2,3,CLICK,CHECKOUT,2026-01-05T14:00:00Z,2026-01-05T15:00:00Z,k7", ",conversion_key",
     ["conversion_key", "'k7'", "not an integer"]),
])
def test_bad_conversions(client, store, line, extra, words):
    message = csv_error(store, f"{CONV}{extra}\n{line}\n")
    for w in words:
        assert w in message, message


def test_missing_conversion_columns(client, store):
    assert "'action_type'" in csv_error(store, f"ad_id,{IDS},event_type,action_time,conversion_time\n"
                                               "9,1,2,3,CHECKOUT,2026-01-05T14:00:00Z,2026-01-05T15:00:00Z\n")


def test_json_rows_and_source(client, store):
    rows = [{"hour": "2026-01-05T14:00:00Z", "ad_id": 9, "ad_account_id": 1, "campaign_id": 2, "ad_group_id": 3,
             "impression_1": 10.0, "source": "golden"}]
    assert fixtures.load_rows(store, "delivery", rows) == 1
    assert table_rows(store, "delivery")[0]["source"] == "golden"
    with pytest.raises(FactsError, match="row 1, column 'impression_1'"):
        fixtures.load_rows(store, "delivery", [{**rows[0], "impression_1": [1]}])
    with pytest.raises(FactsError, match="row 2: each row must be an object"):
        fixtures.load_rows(store, "delivery", [rows[0], "x"])
    assert store.facts.fetch("SELECT count(*) FROM delivery")[0][0] == 1


def test_conversion_key_groups_candidates_and_is_null_when_blank(client, store):
    rows = [{"ad_id": 9, "ad_account_id": 1, "campaign_id": 2, "ad_group_id": 3, "action_type": a,
             "event_type": "CHECKOUT", "action_time": t, "conversion_time": "2026-01-05T20:00:00Z",
             "conversion_key": k} for a, t, k in (("CLICK", "2026-01-02T10:00:00Z", 77),
                                                  ("VIEW", "2026-01-05T18:00:00Z", "77"),
                                                  ("VIEW", "2026-01-05T19:00:00Z", ""))]
    assert fixtures.load_rows(store, "conversions", rows) == 3
    got = sorted((r["action_type"], r["action_time"].hour, r["conversion_key"]) for r in table_rows(store, "conversions"))
    assert got == [("CLICK", 10, 77), ("VIEW", 18, 77), ("VIEW", 19, None)]
