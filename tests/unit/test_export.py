"""The async report writer (`reporting.export`) over a hand-built in-memory fact store: the JSON and CSV
layouts, zero rows omitted, the same numbers as the query layer (sync analytics), levels, targeting,
keywords, filters, attribute lookups, and streaming in batches."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pyarrow as pa
import pytest

from pinsandbox.reporting import export
from pinsandbox.reporting.catalog import CATALOG
from pinsandbox.reporting.columns import ASYNC_COLUMNS
from pinsandbox.reporting.facts import FactStore
from pinsandbox.reporting.query import AnalyticsQuery, run_query

ACCT = 1
# ad -> (campaign, ad group, pin)
ADS = {1000: (10, 100, 5000), 1001: (10, 100, 5001), 2000: (20, 200, 5002)}
NOW = dt.datetime(2026, 3, 20)
D1, D2, D3 = dt.date(2026, 3, 10), dt.date(2026, 3, 11), dt.date(2026, 3, 12)


def _ids(ad: int) -> dict[str, int]:
    c, g, p = ADS[ad]
    return {"ad_account_id": ACCT, "campaign_id": c, "ad_group_id": g, "ad_id": ad, "pin_id": p}


def _delivery(ad: int, hour: dt.datetime, **kw: Any) -> dict[str, Any]:
    row = {"hour": hour, **_ids(ad), "impression_1": 0, "impression_2": 0, "clickthrough_1": 0, "clickthrough_2": 0,
           "spend_micro": 0, "people_lo": 0, "people_n": 0, "gender": None, "country": None, "keyword": None}
    row.update(kw)
    return row


def _conversion(ad: int, action: str, action_time: dt.datetime, conversion_time: dt.datetime, event: str,
                **kw: Any) -> dict[str, Any]:
    row = {**_ids(ad), "action_type": action, "action_time": action_time, "conversion_time": conversion_time,
           "event_type": event, "quantity": 1, "value_micro": 0, "attribution": "INDIVIDUAL", "gender": None}
    row.update(kw)
    return row


@pytest.fixture(scope="module")
def facts():
    f = FactStore(None)
    f.append("delivery", pa.Table.from_pylist([
        _delivery(1000, dt.datetime(2026, 3, 10, 10), impression_1=100, clickthrough_1=4, spend_micro=2_000_000,
                  gender="female", country="US", keyword="red shoes", people_lo=0, people_n=80),
        _delivery(1000, dt.datetime(2026, 3, 11, 9), impression_1=50, clickthrough_1=1, spend_micro=1_000_000,
                  gender="male", country="US", keyword="blue shoes", people_lo=50, people_n=50),
        _delivery(1001, dt.datetime(2026, 3, 10, 15), impression_1=200, spend_micro=500_000, gender="female",
                  country="CA", people_lo=1000, people_n=150),
        _delivery(2000, dt.datetime(2026, 3, 12, 0), impression_1=30, impression_2=10, clickthrough_1=3,
                  clickthrough_2=1, spend_micro=3_000_000, gender="unknown", people_lo=5000, people_n=30),
        # a row whose requested metrics are all zero (only earned impressions)
        _delivery(1001, dt.datetime(2026, 3, 12, 4), impression_2=5, gender="male"),
    ]))
    f.append("conversions", pa.Table.from_pylist([
        _conversion(1000, "CLICK", dt.datetime(2026, 3, 10, 10, 20), dt.datetime(2026, 3, 10, 18), "CHECKOUT",
                    quantity=2, value_micro=25_000_000, gender="female"),
        _conversion(1000, "CLICK", dt.datetime(2026, 3, 10, 10, 30), dt.datetime(2026, 3, 13, 10), "CHECKOUT",
                    value_micro=5_000_000),
        _conversion(2000, "VIEW", dt.datetime(2026, 3, 12, 0, 10), dt.datetime(2026, 3, 12, 5), "SIGNUP",
                    attribution="HOUSEHOLD"),
    ]))
    yield f
    f.close()


def spec(level: str = "CAMPAIGN", columns: list[str] | None = None, **kw: Any) -> export.ReportSpec:
    base = dict(ad_account_id=ACCT, level=level, start=D1, end=D3, granularity="DAY",
                columns=columns or ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CTR", "TOTAL_CONVERSIONS"], now=NOW)
    base.update(kw)
    return export.ReportSpec(**base)


def write(facts, tmp_path, s: export.ReportSpec, lookups: export.Lookups | None = None, **kw: Any):
    path = tmp_path / f"report.{s.report_format.lower()}"
    w = export.write(facts, s, path, lookups, **kw)
    assert w.size == path.stat().st_size
    text = path.read_text()
    return (json.loads(text) if s.report_format == "JSON" else list(csv.DictReader(io.StringIO(text)))), w, text


def test_json_layout_keyed_by_entity_not_zero_filled(facts, tmp_path):
    body, w, _ = write(facts, tmp_path, spec())
    assert body == {
        "10": [{"CAMPAIGN_ID": "10", "DATE": "2026-03-10", "SPEND_IN_MICRO_DOLLAR": 2_500_000, "PAID_IMPRESSION": 300,
                "CTR": pytest.approx(4 / 300), "TOTAL_CONVERSIONS": 2},
               {"CAMPAIGN_ID": "10", "DATE": "2026-03-11", "SPEND_IN_MICRO_DOLLAR": 1_000_000, "PAID_IMPRESSION": 50,
                "CTR": pytest.approx(1 / 50)}],  # TOTAL_CONVERSIONS 0: left out (JSON is not zero-filled)
        "20": [{"CAMPAIGN_ID": "20", "DATE": "2026-03-12", "SPEND_IN_MICRO_DOLLAR": 3_000_000, "PAID_IMPRESSION": 30,
                "CTR": pytest.approx(3 / 30), "TOTAL_CONVERSIONS": 1}],
    }
    # campaign 10 on 2026-03-12 had only earned impressions: every requested column 0, so no row
    assert w.rows == 3
    assert isinstance(body["10"][0]["SPEND_IN_MICRO_DOLLAR"], int)


def test_csv_zero_filled_with_display_name_headers(facts, tmp_path):
    rows, w, text = write(facts, tmp_path, spec(report_format="CSV"))
    assert text.splitlines()[0] == "Campaign ID,Date,Spend (micro-currency),Paid impressions,Pin click rate," \
                                   "Total conversions"
    assert [(r["Campaign ID"], r["Date"], r["Total conversions"]) for r in rows] == [
        ("10", "2026-03-10", "2"), ("10", "2026-03-11", "0"), ("20", "2026-03-12", "1")]
    assert w.rows == 3 and text.endswith("\n") and text.count("\n") == 4


def test_csv_and_json_of_one_report_agree(facts, tmp_path):
    cols = ["SPEND_IN_DOLLAR", "PAID_IMPRESSION", "TOTAL_IMPRESSION", "CTR", "ECTR", "CPC_IN_MICRO_DOLLAR",
            "TOTAL_IMPRESSION_USER", "TOTAL_CONVERSIONS", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "CHECKOUT_ROAS"]
    for level in ("ADVERTISER", "CAMPAIGN", "AD_GROUP", "PIN_PROMOTION"):
        for gran in ("TOTAL", "DAY", "HOUR"):
            s = spec(level, cols, granularity=gran)
            js, _, _ = write(facts, tmp_path, s)
            s.report_format = "CSV"
            cs, _, _ = write(facts, tmp_path, s)
            id_col = export.LEVELS[level].id_column
            flat = [r for rows in js.values() for r in rows]
            assert len(flat) == len(cs) > 0
            for j, c in zip(flat, cs):
                assert c[export.csv_header(id_col)] == j[id_col]
                if gran != "TOTAL":
                    assert c["Date"] == j["DATE"]
                for name in cols:
                    assert float(c[export.csv_header(name)]) == pytest.approx(j.get(name, 0)), (level, gran, name)


@pytest.mark.parametrize("level,qlevel", [("ADVERTISER", "AD_ACCOUNT"), ("CAMPAIGN", "CAMPAIGN"),
                                          ("AD_GROUP", "AD_GROUP"), ("PIN_PROMOTION", "AD")])
@pytest.mark.parametrize("gran", ["TOTAL", "DAY", "HOUR", "WEEK", "MONTH"])
def test_numbers_equal_the_query_layer(facts, tmp_path, level, qlevel, gran):
    cols = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CLICKTHROUGH", "CTR", "TOTAL_IMPRESSION_USER",
            "TOTAL_IMPRESSION_FREQUENCY", "TOTAL_CONVERSIONS", "TOTAL_VIEW_SIGNUP", "TOTAL_CHECKOUT_QUANTITY"]
    for windows in ((30, 30, 1), (1, 1, 0), (0, 0, 0)):
        for report_time in ("TIME_OF_AD_ACTION", "TIME_OF_CONVERSION"):
            s = spec(level, cols, granularity=gran, click_window_days=windows[0], engagement_window_days=windows[1],
                     view_window_days=windows[2], conversion_report_time=report_time, start=dt.date(2026, 3, 9),
                     end=dt.date(2026, 3, 14))
            body, _, _ = write(facts, tmp_path, s)
            q = AnalyticsQuery(ad_account_id=ACCT, level=qlevel, start=s.start, end=s.end, granularity=gran,
                               metrics=cols, now=NOW, click_window_days=windows[0], engagement_window_days=windows[1],
                               view_window_days=windows[2], conversion_report_time=report_time)
            expected = [r for r in run_query(facts, q) if any(r.get(c) for c in cols)]
            got = [r for rows in body.values() for r in rows]
            assert len(got) == len(expected)
            key = {"AD_ACCOUNT": "ad_account_id", "CAMPAIGN": "campaign_id", "AD_GROUP": "ad_group_id",
                   "AD": "ad_id"}[qlevel]
            for g, e in zip(got, expected):
                assert g[export.LEVELS[level].id_column] == str(e[key])
                for c in cols:
                    assert g.get(c, 0) == pytest.approx(e.get(c, 0)), (level, gran, windows, report_time, c)


def test_targeting_level_rows_per_type_and_value(facts, tmp_path):
    s = spec("PIN_PROMOTION_TARGETING", ["PAID_IMPRESSION"], granularity="TOTAL", targeting_types=["GENDER", "COUNTRY"])
    body, _, _ = write(facts, tmp_path, s)
    assert body == {
        "1000": [{"AD_ID": "1000", "TARGETING_TYPE": "GENDER", "TARGETING_VALUE": "female", "PAID_IMPRESSION": 100},
                 {"AD_ID": "1000", "TARGETING_TYPE": "GENDER", "TARGETING_VALUE": "male", "PAID_IMPRESSION": 50},
                 {"AD_ID": "1000", "TARGETING_TYPE": "COUNTRY", "TARGETING_VALUE": "US", "PAID_IMPRESSION": 150}],
        "1001": [{"AD_ID": "1001", "TARGETING_TYPE": "GENDER", "TARGETING_VALUE": "female", "PAID_IMPRESSION": 200},
                 {"AD_ID": "1001", "TARGETING_TYPE": "COUNTRY", "TARGETING_VALUE": "CA", "PAID_IMPRESSION": 200}],
        "2000": [{"AD_ID": "2000", "TARGETING_TYPE": "GENDER", "TARGETING_VALUE": "unknown", "PAID_IMPRESSION": 30}],
    }
    s.report_format = "CSV"
    _, _, text = write(facts, tmp_path, s)
    assert text.splitlines()[:2] == ["Ad ID,Targeting Type,Targeting Value,Paid impressions", "1000,GENDER,female,100"]


def test_keyword_level_is_keyed_by_keyword_id(facts, tmp_path):
    lookups = export.Lookups(keywords=pa.table({"ad_group_id": pa.array([100, 100], pa.int64()),
                                                 "value": ["red shoes", "blue shoes"],
                                                 "keyword_id": pa.array([7001, 7002], pa.int64())}))
    body, _, _ = write(facts, tmp_path, spec("KEYWORD", ["PAID_IMPRESSION", "SPEND_IN_DOLLAR"]), lookups)
    assert body == {"7001": [{"KEYWORD_ID": "7001", "DATE": "2026-03-10", "PAID_IMPRESSION": 100, "SPEND_IN_DOLLAR": 2.0}],
                    "7002": [{"KEYWORD_ID": "7002", "DATE": "2026-03-11", "PAID_IMPRESSION": 50, "SPEND_IN_DOLLAR": 1.0}]}
    # without keywords in the account: nothing to key rows by, an empty report
    assert write(facts, tmp_path, spec("KEYWORD", ["PAID_IMPRESSION"]))[0] == {}


@pytest.mark.parametrize("level", ["PRODUCT_GROUP", "PRODUCT_ITEM", "PRODUCT_GROUP_TARGETING"])
def test_product_levels_give_a_valid_empty_report(facts, tmp_path, level):
    s = spec(level, ["PAID_IMPRESSION", "CAMPAIGN_NAME"], targeting_types=["GENDER"])
    assert write(facts, tmp_path, s)[0] == {}
    s.report_format = "CSV"
    rows, w, text = write(facts, tmp_path, s)
    assert rows == [] and w.rows == 0
    assert text.splitlines()[0].startswith("Product ")


def test_entity_and_metric_filters(facts, tmp_path):
    cols = ["PAID_IMPRESSION"]
    body, _, _ = write(facts, tmp_path, spec("PIN_PROMOTION", cols, granularity="TOTAL",
                                             filters={"ad_group_id": [100], "ad_id": [1001, 2000]}))
    assert body == {"1001": [{"AD_ID": "1001", "PAID_IMPRESSION": 200}]}
    assert write(facts, tmp_path, spec("PIN_PROMOTION", cols, granularity="TOTAL", filters={"campaign_id": []}))[0] == {}
    body, _, _ = write(facts, tmp_path, spec("PIN_PROMOTION", cols, granularity="TOTAL",
                                             metric_filters=[("SPEND_IN_DOLLAR", "GREATER_THAN", 1.0)]))
    assert sorted(body) == ["1000", "2000"]  # 3.0 and 3.0 spent; 1001 spent 0.5
    body, _, _ = write(facts, tmp_path, spec("PIN_PROMOTION", cols, granularity="TOTAL",
                                             metric_filters=[("TOTAL_IMPRESSION", "LESS_THAN", 100.0),
                                                             ("TOTAL_IMPRESSION", "GREATER_THAN", 10.0)]))
    assert sorted(body) == ["2000"]


def test_attribute_columns_from_lookups_and_row_filters(facts, tmp_path):
    lookups = export.Lookups(
        attributes={"campaign_id": pa.table({"id": pa.array([10, 20], pa.int64()),
                                             "CAMPAIGN_NAME": ['Spring, "big"', "Summer"],
                                             "CAMPAIGN_DAILY_SPEND_CAP": pa.array([5_000_000, None], pa.int64())})},
        constants={"AD_ACCOUNT_ID": "1"})
    cols = ["CAMPAIGN_NAME", "AD_ACCOUNT_ID", "CAMPAIGN_DAILY_SPEND_CAP", "PAID_IMPRESSION"]
    body, _, _ = write(facts, tmp_path, spec("AD_GROUP", cols, granularity="TOTAL"), lookups)
    assert body == {
        "100": [{"AD_GROUP_ID": "100", "CAMPAIGN_NAME": 'Spring, "big"', "AD_ACCOUNT_ID": "1",
                 "CAMPAIGN_DAILY_SPEND_CAP": 5_000_000, "PAID_IMPRESSION": 350}],
        "200": [{"AD_GROUP_ID": "200", "CAMPAIGN_NAME": "Summer", "AD_ACCOUNT_ID": "1", "PAID_IMPRESSION": 30}]}
    rows, _, text = write(facts, tmp_path, spec("AD_GROUP", cols, granularity="TOTAL", report_format="CSV"), lookups)
    assert '"Spring, ""big"""' in text and rows[0]["Campaign name"] == 'Spring, "big"'
    assert rows[1]["Campaign daily spend cap"] == ""  # attributes are not zero-filled
    # template filters: attribute text and metric numbers
    for filters, expected in (([export.RowFilter("CAMPAIGN_NAME", "contains_substring", "big")], ["100"]),
                              ([export.RowFilter("CAMPAIGN_NAME", "~", "^Sum")], ["200"]),
                              ([export.RowFilter("CAMPAIGN_NAME", "!=", "Summer")], ["100"]),
                              ([export.RowFilter("PAID_IMPRESSION", ">", 100)], ["100"]),
                              ([export.RowFilter("CTR", "<", 0.05)], ["100"]),  # a hidden column
                              ([export.RowFilter("PAID_IMPRESSION", "in", [30, 31])], ["200"]),
                              ([export.RowFilter("CAMPAIGN_NAME", "not_in", ["Summer"])], ["100"])):
        body, _, _ = write(facts, tmp_path, spec("AD_GROUP", cols, granularity="TOTAL", row_filters=filters), lookups)
        assert sorted(body) == expected, filters
        assert "CTR" not in body[expected[0]][0]


def test_row_filter_on_the_level_id_column(facts, tmp_path):
    for column in (["PAID_IMPRESSION"], ["CAMPAIGN_ID", "PAID_IMPRESSION"]):
        s = spec("CAMPAIGN", column, granularity="TOTAL", row_filters=[export.RowFilter("CAMPAIGN_ID", "=", "20")])
        assert write(facts, tmp_path, s)[0] == {"20": [{"CAMPAIGN_ID": "20", "PAID_IMPRESSION": 30}]}


def test_only_attribute_columns_keep_rows(facts, tmp_path):
    body, _, _ = write(facts, tmp_path, spec("CAMPAIGN", ["AD_ACCOUNT_ID"], granularity="TOTAL"),
                       export.Lookups(constants={"AD_ACCOUNT_ID": "1"}))
    assert body == {"10": [{"CAMPAIGN_ID": "10", "AD_ACCOUNT_ID": "1"}],
                    "20": [{"CAMPAIGN_ID": "20", "AD_ACCOUNT_ID": "1"}]}


def test_requested_id_column_is_not_repeated(facts, tmp_path):
    body, _, text = write(facts, tmp_path, spec("CAMPAIGN", ["CAMPAIGN_ID", "PAID_IMPRESSION"], granularity="TOTAL",
                                                report_format="CSV"))
    assert text.splitlines()[0] == "Campaign ID,Paid impressions"


def test_json_streams_in_batches(facts, tmp_path):
    s = spec("PIN_PROMOTION", ["PAID_IMPRESSION", "SPEND_IN_DOLLAR"], granularity="HOUR")
    whole = write(facts, tmp_path, s)[2]
    assert write(facts, tmp_path, s, batch_rows=1)[2] == whole
    assert json.loads(whole)["1000"][0]["DATE"] == "2026-03-10T10:00:00"


def test_csv_headers_are_unique_over_every_async_column():
    headers = [export.csv_header(c) for c in ASYNC_COLUMNS] + [export.csv_header(c) for c in export.SPECIAL_HEADERS]
    assert len(headers) == len(set(headers))
    assert export.csv_header("ADVERTISER_ID") == "Advertiser" and export.csv_header("CAMPAIGN_ID") == "Campaign ID"
    for level in export.LEVELS.values():
        assert level.id_column in CATALOG or level.id_column in export.SPECIAL_HEADERS


class _OutOfMemoryAfter:
    """A batch-engine cursor that lets `ok` statements through, then fails as DuckDB does when a query does
    not fit its memory limit (after part of the file may already be written)."""

    def __init__(self, cur, ok: int = 0):
        self._cur, self._ok = cur, ok

    def __getattr__(self, name):
        return getattr(self._cur, name)

    def _fail(self):
        import duckdb

        if self._ok <= 0:
            raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data of size 32.0 MiB")
        self._ok -= 1

    def execute(self, *a, **k):
        self._fail()
        return self._cur.execute(*a, **k)

    def sql(self, *a, **k):
        self._fail()
        return self._cur.sql(*a, **k)


@pytest.mark.parametrize("fmt", ["CSV", "JSON"])
def test_a_report_too_big_for_the_batch_engine_is_written_in_the_main_engine(facts, tmp_path, monkeypatch, fmt):
    (tmp_path / "a").mkdir()
    expected, _, expected_text = write(facts, tmp_path / "a", spec(report_format=fmt))
    tried = []
    real = FactStore.batch_cursor

    def failing(self):
        tried.append(1)
        return _OutOfMemoryAfter(real(self))

    monkeypatch.setattr(FactStore, "batch_cursor", failing)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / f"report.{fmt.lower()}").write_text("left over from the failed attempt" * 100)
    body, w, text = write(facts, tmp_path / "b", spec(report_format=fmt))
    assert tried == [1]
    assert text == expected_text and body == expected and w.rows == 3


def test_reports_run_in_the_batch_engine(facts, tmp_path, monkeypatch):
    used = []
    real = FactStore.batch_cursor

    def spy(self):
        used.append("batch")
        return real(self)

    monkeypatch.setattr(FactStore, "batch_cursor", spy)
    monkeypatch.setattr(FactStore, "cursor", lambda self: pytest.fail("a report used the main engine"))
    body, _, _ = write(facts, tmp_path, spec())
    assert used == ["batch"] and set(body) == {"10", "20"}
