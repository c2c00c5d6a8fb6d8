"""Conversion tags and the Conversions API: `ConversionTagCreate`, `ConversionTagResponse`,
`ConversionTagListResponse`, `ConversionEventResponse`, `ConversionTagsOcpmEligibleResponse`,
`ConversionEvents`, `ConversionApiResponse`, `DetailedError`, as the spec names them.

The events body is validated in two steps, like the ads batches: the envelope (`{"data": [1..1000
objects]}`, nothing else) by FastAPI — a bad envelope is a 400 code 1 for the whole request — then each
event on its own with `ConversionEvent` (in the service), so one bad event fails alone with an
`error_message` naming its field while the others are processed.

Event models are strict (a JSON string is not an integer, a number is not a string) except where the
service accepts a near miss with a warning (`value`, `item_price` sent as numbers). Fields the spec does
not list are kept aside (`extra="allow"`) and reported in `warning_message` — the spec's definition of a
warning is "fields in the event which are not standard" — rather than failing the event.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from pinsandbox.core.enums import EntityStatus

MAX_EVENTS = 1000

EventName = Literal["add_to_cart", "checkout", "custom", "lead", "page_visit", "search", "signup", "view_category",
                    "watch_video"]
ActionSource = Literal["app_android", "app_ios", "web", "offline"]


# -- conversion tags -------------------------------------------------------------------------------
class EnhancedMatchStatus(str, Enum):
    UNKNOWN = "UNKNOWN"
    NOT_VALIDATED = "NOT_VALIDATED"
    VALIDATING_IN_PROGRESS = "VALIDATING_IN_PROGRESS"
    VALIDATION_COMPLETE = "VALIDATION_COMPLETE"


class ConversionTagType(str, Enum):
    PAGE_LOAD = "PAGE_LOAD"
    UNKNOWN = "UNKNOWN"
    INITIALIZED = "INITIALIZED"
    PAGE_VISIT = "PAGE_VISIT"
    SIGNUP = "SIGNUP"
    CHECKOUT = "CHECKOUT"
    CUSTOM = "CUSTOM"
    VIEW_CATEGORY = "VIEW_CATEGORY"
    SEARCH = "SEARCH"
    ADD_TO_CART = "ADD_TO_CART"
    WATCH_VIDEO = "WATCH_VIDEO"
    LEAD = "LEAD"
    APP_INSTALL = "APP_INSTALL"
    WEB_SESSION = "WEB_SESSION"
    EXTERNAL_MEASUREMENT = "EXTERNAL_MEASUREMENT"


MdFrequency = Annotated[float, Field(ge=0, le=1, description="Metadata ingestion frequency (a share, 0..1).")]


class ConversionTagConfigs(BaseModel):
    aem_enabled: bool | None = False
    md_frequency: float | None = 1
    aem_fnln_enabled: bool | None = False
    aem_ph_enabled: bool | None = False
    aem_ge_enabled: bool | None = False
    aem_db_enabled: bool | None = False
    aem_loc_enabled: bool | None = False


AEM_FLAGS = ("aem_enabled", "aem_fnln_enabled", "aem_ph_enabled", "aem_ge_enabled", "aem_db_enabled",
             "aem_loc_enabled")


class ConversionTagCreate(BaseModel):
    """The tag's name and its configs, flat (the spec's allOf of ConversionTagConfigs); null = default."""

    model_config = ConfigDict(extra="ignore", strict=True)
    name: str = Field(min_length=1, max_length=255, description="Conversion tag name.")
    aem_enabled: bool | None = None
    md_frequency: MdFrequency | None = None
    aem_fnln_enabled: bool | None = None
    aem_ph_enabled: bool | None = None
    aem_ge_enabled: bool | None = None
    aem_db_enabled: bool | None = None
    aem_loc_enabled: bool | None = None


class ConversionTagResponse(BaseModel):
    ad_account_id: str
    code_snippet: str
    enhanced_match_status: EnhancedMatchStatus | None
    id: str
    last_fired_time_ms: int | None
    name: str
    status: EntityStatus
    version: str
    configs: ConversionTagConfigs


class ConversionTagListResponse(BaseModel):
    items: list[ConversionTagResponse]


class ConversionEventResponse(BaseModel):
    conversion_event: ConversionTagType
    conversion_tag_id: str
    ad_account_id: str
    created_time: int


class ConversionTagsOcpmEligibleResponse(RootModel[dict[str, list[ConversionEventResponse]]]):
    """{ad_account_id: [the (tag, event type) pairs eligible for oCPM]}."""


class PageVisitConversionTagList(BaseModel):
    items: list[ConversionEventResponse]
    bookmark: str | None = None


# -- Conversions API -------------------------------------------------------------------------------
class ConversionEvents(BaseModel):
    """The request envelope: 1..1000 events (each checked on its own by the service)."""

    model_config = ConfigDict(extra="forbid")
    data: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_EVENTS)]


Hashes = list[str]


class UserData(BaseModel):
    """ConversionEventsUserData: at least one of em, hashed_maids, or client_ip_address with client_user_agent
    (checked by the service, which names what is missing)."""

    model_config = ConfigDict(extra="allow", strict=True)
    em: Hashes | None = None
    hashed_maids: Hashes | None = None
    client_ip_address: str | None = None
    client_user_agent: str | None = None
    ph: Hashes | None = None
    ge: Hashes | None = None
    db: Hashes | None = None
    ln: Hashes | None = None
    fn: Hashes | None = None
    ct: Hashes | None = None
    st: Hashes | None = None
    zp: Hashes | None = None
    country: Hashes | None = None
    external_id: Hashes | None = None
    click_id: str | None = None
    partner_id: str | None = None


HASHED_FIELDS = ("em", "hashed_maids", "ph", "ge", "db", "ln", "fn", "ct", "st", "zp", "country", "external_id")

Amount = str | int | float  # the spec: a string "parsed into a double"; numbers are accepted with a warning


class ContentItem(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    id: str | None = None
    item_price: Amount | None = None
    quantity: int | None = None
    item_name: str | None = None
    item_category: str | None = None
    item_brand: str | None = None


class CustomData(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    currency: str | None = None
    value: Amount | None = None
    content_ids: list[str] | None = None
    content_name: str | None = None
    content_category: str | None = None
    content_brand: str | None = None
    contents: list[ContentItem] | None = None
    num_items: int | None = None
    order_id: Annotated[str, Field(max_length=256)] | None = None
    search_string: str | None = None
    opt_out_type: str | None = None
    np: str | None = None


class ConversionEvent(BaseModel):
    """One item of `data`."""

    model_config = ConfigDict(extra="allow", strict=True)
    event_name: EventName
    action_source: ActionSource
    event_time: int
    event_id: Annotated[str, Field(min_length=1, max_length=256)]
    event_source_url: str | None = None
    opt_out: bool | None = None
    partner_name: str | None = None
    user_data: UserData
    custom_data: CustomData | None = None
    app_id: str | None = None
    app_name: str | None = None
    app_version: str | None = None
    device_brand: str | None = None
    device_carrier: str | None = None
    device_model: str | None = None
    device_type: str | None = None
    os_version: str | None = None
    wifi: bool | None = None
    language: str | None = None


class EventResult(BaseModel):
    status: Literal["failed", "processed"]
    error_message: str | None = None
    warning_message: str | None = None


class ConversionApiResponse(BaseModel):
    num_events_received: int
    num_events_processed: int
    events: list[EventResult]


class DetailedError(BaseModel):
    """The 422 body: which events failed is in `details` (a ConversionApiResponse)."""

    code: int
    message: str
    details: ConversionApiResponse
