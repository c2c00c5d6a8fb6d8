"""ads/bulk/service.py without HTTP: request frames, the campaign filter, the CSV layout, statuses, and
which tables the sandbox delete reaches."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest

from pinsandbox.ads.bulk import service
from pinsandbox.ads.bulk.schemas import BulkUpsertRequest
from pinsandbox.core.errors import InvalidParameter

DAY = 86_400


def campaign_row(**data):
    status = data.pop("status", "ACTIVE")
    created = data.pop("created_time", 1_000 * DAY)
    return SimpleNamespace(id=1, status=status, created_time=created,
                           data={"name": "Spring Tools", "objective_type": "AWARENESS", **data})


@pytest.mark.parametrize("flt, matches", [
    ({"name": "TOOLS"}, True), ({"name": "boots"}, False),
    ({"objective_type": ["AWARENESS", "VIDEO_VIEW"]}, True), ({"objective_type": ["CONSIDERATION"]}, False),
    ({"campaign_status": ["RUNNING"]}, True), ({"campaign_status": ["PAUSED", "NOT_STARTED"]}, False),
    ({"start_time": 999 * DAY}, True), ({"end_time": 999 * DAY}, False),  # open-ended from its creation
    ({"start_time": 2000 * DAY, "end_time": 2001 * DAY}, True),
])
def test_campaign_filter_on_a_campaign_without_dates(flt, matches):
    assert service._campaign_matches(campaign_row(), flt, now=1_500 * DAY) is matches


def test_campaign_filter_window_uses_the_campaign_dates():
    row = campaign_row(start_time=1_010 * DAY, end_time=1_020 * DAY)
    match = service._campaign_matches
    assert match(row, {"start_time": 1_015 * DAY, "end_time": 1_016 * DAY}, now=0)
    assert match(row, {"start_time": 1_020 * DAY}, now=0)  # touching the end still overlaps
    assert not match(row, {"start_time": 1_021 * DAY}, now=0)
    assert not match(row, {"end_time": 1_009 * DAY}, now=0)
    assert match(row, {"campaign_status": ["NOT_STARTED"]}, now=1_005 * DAY)
    assert match(row, {"campaign_status": ["COMPLETED"]}, now=1_025 * DAY)
    assert not match(campaign_row(status="PAUSED"), {"campaign_status": ["RUNNING"]}, now=0)


def test_upsert_params_keeps_rows_as_sent_and_checks_the_frame():
    request = BulkUpsertRequest.model_validate({"create": {"campaigns": [{"name": "x", "extra": 1}]},
                                                "update": {"keywords": [{"id": "1"}], "ads": []}})
    assert service.upsert_params(request) == {"create": {"campaigns": [{"name": "x", "extra": 1}]},
                                              "update": {"ads": [], "keywords": [{"id": "1"}]}}
    for empty in ({}, {"create": {}}, {"update": {"ads": []}}):
        with pytest.raises(InvalidParameter, match="at least one row"):
            service.upsert_params(BulkUpsertRequest.model_validate(empty))
    too_many = BulkUpsertRequest.model_validate({"create": {"campaigns": [{}] * 3000},
                                                 "update": {"campaigns": [{}] * 2001}})
    with pytest.raises(InvalidParameter, match="at most 5000 rows"):
        service.upsert_params(too_many)


def test_csv_layout(tmp_path):
    entities = {
        "CAMPAIGN": [{"id": "1", "ad_account_id": "9", "name": "C", "status": "ACTIVE", "tracking_urls": None,
                      "is_automated_campaign": False, "objective_type": "AWARENESS"}],
        "KEYWORD": [{"id": "2", "parent_id": "1", "match_type": "BROAD", "value": 'say "hi", ok', "bid": 5,
                     "archived": True}],
    }
    columns = service.csv_columns(entities, entities)
    assert columns[:5] == ["entity_type", "id", "ad_account_id", "parent_id", "parent_type"]
    assert "objective_type" in columns and "match_type" in columns and "targeting_spec" not in columns
    assert len(columns) == len(set(columns))
    path = tmp_path / "out.csv"
    service.write_csv(path, entities)
    text = path.read_bytes().decode("utf-8")
    assert text.count("\r\n") == 3  # header and two entities
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["entity_type"] == "CAMPAIGN" and rows[0]["is_automated_campaign"] == "false"
    assert rows[0]["tracking_urls"] == "" and rows[0]["match_type"] == ""
    assert rows[1]["value"] == 'say "hi", ok' and rows[1]["archived"] == "true" and rows[1]["bid"] == "5"
    assert service._cell({"click": ["u"]}) == '{"click":["u"]}' and service._cell([1, 2]) == "[1,2]"


def test_bulk_status_of_every_job_state():
    assert {s: service.bulk_status(s) for s in ("QUEUED", "RUNNING", "FINISHED", "FAILED", "CANCELLED", "EXPIRED")} \
        == {"QUEUED": "RUNNING", "RUNNING": "RUNNING", "FINISHED": "SUCCEEDED", "FAILED": "FAILED",
            "CANCELLED": "FAILED", "EXPIRED": "FAILED"}
    job = SimpleNamespace(status="FAILED", error="Ad account 1 no longer exists.")
    assert service.failure_reason(job) == "Ad account 1 no longer exists."
    assert "expired" in service.failure_reason(SimpleNamespace(status="EXPIRED", error=None))


def test_the_sandbox_delete_reaches_every_table_of_an_account_children_first():
    names = [t.name for t in service.account_tables()]
    for table in ("campaigns", "ad_groups", "ads", "keywords", "conversion_tags", "conversion_events",
                  "ad_account_members", "jobs", "tokens"):
        assert table in names
    assert "ad_accounts" not in names
    assert names.index("ads") < names.index("ad_groups") < names.index("campaigns")
    assert names.index("keywords") < names.index("ad_groups")
