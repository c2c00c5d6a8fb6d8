"""Keywords: `KeywordsRequest`, `KeywordUpdateBody`, `KeywordsResponse`, `Keyword`,
`KeywordsMetricsArrayResponse`, as the spec names them.

Request bodies are validated whole by FastAPI: a bad shape anywhere (type, enum, pattern, length,
bounds, a missing field) is a 400 code 1 naming the field (`keywords.2.value`). Rules across
entities (the parent, duplicates, bid floors) are decided per keyword in the service, and a failing
keyword lands in the response's `errors` without stopping the others.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pinsandbox.core.types import NumericId

MAX_KEYWORDS = 2000  # per request (the spec gives no bound; the metrics endpoint's is reused)
MAX_VALUE_LENGTH = 120  # "Keyword value (120 chars max)."
MAX_BID = 10**12  # one million units of currency, in micro-currency

_SPACES = re.compile(r"\s+")


class MatchType(str, Enum):
    BROAD = "BROAD"
    PHRASE = "PHRASE"
    EXACT = "EXACT"
    EXACT_NEGATIVE = "EXACT_NEGATIVE"
    PHRASE_NEGATIVE = "PHRASE_NEGATIVE"


MATCH_TYPES = tuple(m.value for m in MatchType)
NEGATIVE_MATCH_TYPES = frozenset({"EXACT_NEGATIVE", "PHRASE_NEGATIVE"})


def clean_value(value: str) -> str:
    """A keyword as stored: trimmed, inner runs of whitespace as one space."""
    return _SPACES.sub(" ", value).strip()


def _keyword_value(value: str) -> str:
    value = clean_value(value)
    # invisible: whitespace, and format or control characters (a zero-width space is not str.isspace())
    if all(unicodedata.category(c)[0] in ("Z", "C") for c in value):
        raise ValueError("a keyword cannot be empty or only whitespace or invisible characters")
    if len(value) > MAX_VALUE_LENGTH:
        raise ValueError(f"a keyword has at most {MAX_VALUE_LENGTH} characters (got {len(value)})")
    return value


KeywordValue = Annotated[str, AfterValidator(_keyword_value)]
Bid = Annotated[int, Field(strict=True, ge=1, le=MAX_BID)]  # strict: true is not a bid
ParentId = Annotated[str, Field(pattern=r"^(AG|C)?\d{1,18}$")]


class KeywordsCommon(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bid: Bid | None = None
    match_type: MatchType
    value: KeywordValue


class KeywordsRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    keywords: list[KeywordsCommon] = Field(min_length=1, max_length=MAX_KEYWORDS)
    parent_id: ParentId


class KeywordUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: NumericId
    archived: Annotated[bool, Field(strict=True)] | None = None
    bid: Bid | None = None  # null: inherit the ad group's bid; absent: keep


class KeywordUpdateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    keywords: list[KeywordUpdate] = Field(min_length=1, max_length=MAX_KEYWORDS)


class Keyword(BaseModel):
    archived: bool
    id: str
    parent_id: str
    parent_type: str
    type: str = "keyword"
    bid: int | None
    match_type: MatchType
    value: str


class KeywordList(BaseModel):
    items: list[Keyword]
    bookmark: str | None = None


class KeywordErrorData(BaseModel):
    """The keyword as sent (create) or as stored (update); unknown fields are left out rather than null."""

    archived: bool | None = None
    id: str | None = None
    parent_id: str | None = None
    parent_type: str | None = None
    type: str = "keyword"
    bid: int | None = None
    match_type: MatchType
    value: str


class KeywordError(BaseModel):
    data: KeywordErrorData
    error_messages: list[str]


class KeywordsResponse(BaseModel):
    keywords: list[Keyword]
    errors: list[KeywordError]


class KeywordMetrics(BaseModel):
    avg_cpc_in_micro_currency: int
    keyword_query_volume: str


class KeywordMetricsResponse(BaseModel):
    keyword: str
    metrics: KeywordMetrics


class KeywordsMetricsArrayResponse(BaseModel):
    data: list[KeywordMetricsResponse]
