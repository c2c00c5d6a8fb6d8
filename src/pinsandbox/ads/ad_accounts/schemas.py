from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pinsandbox.core.enums import Country, Currency


class AdAccountCreate(BaseModel):
    """AdAccountCreateRequest."""

    model_config = ConfigDict(extra="ignore")
    country: Country | None = None
    name: str | None = Field(None, max_length=256)
    owner_user_id: str | None = Field(None, pattern=r"^[0-9]+$")


class AdAccountOwner(BaseModel):
    username: str | None = None
    id: str | None = None


class AdAccount(BaseModel):
    id: str
    name: str
    owner: AdAccountOwner
    country: Country
    currency: Currency
    permissions: list[str]
    created_time: int | None
    updated_time: int | None


class AdAccountList(BaseModel):
    items: list[AdAccount]
    bookmark: str | None = None
