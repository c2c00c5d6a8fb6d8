"""Bulk: `BulkDownloadRequest`, `BulkDownloadResponse`, `BulkUpsertRequest`, `BulkUpsertResponse`,
`BulkUpsertStatusResponse`, as the spec names them.

The download request is validated whole (a bad entity type, format, timestamp or filter is a 400
code 1 naming the field). The upsert request is validated in two steps, like the batch endpoints:
its frame here (`create` / `update` objects holding arrays of objects; at least one row, at most
`MAX_UPSERT_ROWS`) — a bad frame is a 400 for the whole request — then each row on its own, when the
job runs, with the very models and service functions of the single endpoints, so a bad row becomes
that row's exception and the others land.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from pinsandbox.ads.campaigns.schemas import ObjectiveType, SummaryStatus
from pinsandbox.core.types import NumericId

MAX_ENTITY_IDS = 1000      # the spec gives no bound; a sandbox limit, documented in docs/bulk.md
MAX_UPSERT_ROWS = 5000     # rows of one upsert request, all lists together (ditto)


class BulkEntityType(str, Enum):
    CAMPAIGN = "CAMPAIGN"
    AD_GROUP = "AD_GROUP"
    PRODUCT_GROUP = "PRODUCT_GROUP"
    AD = "AD"
    KEYWORD = "KEYWORD"


ENTITY_TYPES = tuple(t.value for t in BulkEntityType)


class BulkOutputFormat(str, Enum):
    CSV = "CSV"
    JSON = "JSON"


class BulkUpsertStatus(str, Enum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


def _unix_string(value: Any) -> Any:
    """Unix timestamps are strings of digits in the spec; a JSON integer is taken as the same number."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return value


UnixTime = Annotated[str, BeforeValidator(_unix_string), StringConstraints(pattern=r"^\d{1,12}$")]


class CampaignFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start_time: UnixTime | None = None
    end_time: UnixTime | None = None
    name: str | None = Field(None, max_length=255)
    campaign_status: list[SummaryStatus] | None = None
    objective_type: list[ObjectiveType] | None = None


class BulkDownloadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_types: list[BulkEntityType] | None = Field(None, min_length=1, max_length=5)
    entity_ids: list[NumericId] | None = Field(None, max_length=MAX_ENTITY_IDS)
    updated_since: UnixTime | None = None
    campaign_filter: CampaignFilter | None = None
    output_format: BulkOutputFormat = BulkOutputFormat.JSON


class BulkDownloadResponse(BaseModel):
    request_id: str


Rows = list[dict[str, Any]] | None


class BulkUpsertRows(BaseModel):
    """BulkUpsertRequestCreate / BulkUpsertRequestUpdate: the rows of each entity type, unchecked here."""

    model_config = ConfigDict(extra="forbid")
    campaigns: Rows = None
    ad_groups: Rows = None
    ads: Rows = None
    product_groups: Rows = None
    keywords: Rows = None


class BulkUpsertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    create: BulkUpsertRows | None = None
    update: BulkUpsertRows | None = None


class BulkUpsertResponse(BaseModel):
    request_id: str


class BulkUpsertStatusResponse(BaseModel):
    status: BulkUpsertStatus
    result_url: str | None = Field(None, description="Present once the request SUCCEEDED: a signed link to the "
                                                     "result file, valid for 5 minutes.")
    details: dict[str, Any] | None = Field(None, description="With include_details=true: the per-row results of an "
                                                             "upsert, the entity counts of a download, or the error "
                                                             "of a FAILED request.")
