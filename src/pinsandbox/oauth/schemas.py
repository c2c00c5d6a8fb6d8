"""OAuth: token responses (spec OauthAccessTokenResponse*, discriminated by `response_type`) and the
sandbox requests that register apps and mint conversion tokens.

The token request is a form (`application/x-www-form-urlencoded`, spec OauthAccessTokenRequest*). Every
field is an optional string here, so the app's HTTP Basic credentials are checked (401) before the body,
and the service names the missing or bad field for the grant type.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class OauthAccessTokenRequest(BaseModel):
    """OauthAccessTokenRequestCode | OauthAccessTokenRequestRefresh | client_credentials (from 5.14)."""

    model_config = ConfigDict(extra="ignore")
    grant_type: str | None = Field(None, description="authorization_code, refresh_token or client_credentials.")
    code: str | None = Field(None, description="authorization_code: the code from the redirect.")
    redirect_uri: str | None = Field(None, description="authorization_code: the redirect_uri the code was issued for.")
    refresh_token: str | None = Field(None, description="refresh_token: a pinr_ token.")
    scope: str | None = Field(None, description="refresh_token (narrowing only) or client_credentials: comma separated.")
    refresh_on: str | None = Field(None, description="refresh_token: true for continuous refresh (everlasting_refresh).")


class OauthAccessTokenResponseBase(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    scope: str


class OauthAccessTokenResponseCode(OauthAccessTokenResponseBase):
    response_type: Literal["authorization_code"] = "authorization_code"
    refresh_token: str
    refresh_token_expires_in: int


class OauthAccessTokenResponseRefresh(OauthAccessTokenResponseBase):
    response_type: Literal["refresh_token"] = "refresh_token"


class OauthAccessTokenResponseEverlastingRefresh(OauthAccessTokenResponseBase):
    response_type: Literal["everlasting_refresh"] = "everlasting_refresh"
    refresh_token: str
    refresh_token_expires_in: int
    refresh_token_expires_at: int


class OauthAccessTokenResponseClientCredentials(OauthAccessTokenResponseBase):
    response_type: Literal["client_credentials"] = "client_credentials"


OauthAccessTokenResponse = Annotated[
    OauthAccessTokenResponseCode | OauthAccessTokenResponseRefresh | OauthAccessTokenResponseEverlastingRefresh
    | OauthAccessTokenResponseClientCredentials,
    Field(discriminator="response_type"),
]


class AppCreate(BaseModel):
    """POST /_sandbox/apps: register an OAuth app (what the developer portal does)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=256)]
    redirect_uris: Annotated[list[str], Field(min_length=1, max_length=50)]
    owner_username: Annotated[str | None, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")] = None


class AppCreated(BaseModel):
    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str]
    owner_username: str | None


class ConversionTokenCreated(BaseModel):
    access_token: str
    token_type: str = "bearer"
    ad_account_id: str
    user_id: str
