"""Terms and terms of service: response models named as the spec names them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RelatedTermsItem(BaseModel):
    term: str
    related_terms: list[str]


class RelatedTerms(BaseModel):
    id: str
    related_term_count: int
    related_terms_list: list[RelatedTermsItem]


class TermsOfService(BaseModel):
    id: str
    html: str | None
    has_accepted: bool
    ad_account_id: str


class SandboxTermsAcceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tos_type: str = Field("ADVERTISING", description="ADVERTISING, LEAD_ADS or CONVERSIONS.")
    accepted: bool
