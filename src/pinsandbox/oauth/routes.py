"""OAuth over HTTP.

- `token_router` (under /v5, public on purpose): POST /v5/oauth/token, app authenticated by HTTP Basic.
- `authorize_router` (at the root): GET /oauth/, Pinterest's www.pinterest.com/oauth/ consent page; the
  sandbox has no login, so it consents at once for `username` (a sandbox extension) and redirects.
- `sandbox_router` (/_sandbox): register apps, mint Ads Manager conversion tokens.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Body, Form, Query, Request
from fastapi.responses import RedirectResponse

from pinsandbox.app import store_of
from pinsandbox.core.auth import op
from pinsandbox.core.responses import Json
from pinsandbox.core.types import AdAccountIdPath
from pinsandbox.oauth import service
from pinsandbox.oauth.schemas import (AppCreate, AppCreated, ConversionTokenCreated, OauthAccessTokenRequest,
                                     OauthAccessTokenResponse)

token_router = APIRouter(tags=["oauth"])
authorize_router = APIRouter(tags=["oauth"])
sandbox_router = APIRouter(prefix="/_sandbox", tags=["sandbox"])

def basic_credentials(request: Request) -> tuple[str | None, str | None]:
    """(client_id, client_secret) from `Authorization: Basic base64(id:secret)`, or (None, None)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None, None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else (None, None)


@token_router.post("/oauth/token", response_model=OauthAccessTokenResponse, **op("oauth/token", "org_read"))
async def oauth_token(request: Request, form: Annotated[OauthAccessTokenRequest, Form()]) -> Json:
    """Generate an OAuth access token (authorization_code, refresh_token, client_credentials)."""
    store = store_of(request)
    client_id, client_secret = basic_credentials(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    with store.write() as conn:
        app = service.authenticate_client(conn, client_id=client_id, client_secret=client_secret)
        body = service.token(conn, app=app, grant_type=form.grant_type, code=form.code,
                             redirect_uri=form.redirect_uri, refresh_token=form.refresh_token, scope=form.scope,
                             refresh_on=form.refresh_on,
                             now=store.clock.epoch_seconds(), access_ttl=store.settings.access_token_ttl_seconds,
                             refresh_ttl=store.settings.refresh_token_ttl_seconds,
                             form_encoded=content_type in ("application/x-www-form-urlencoded", "multipart/form-data"))
    return Json(body)


@authorize_router.get("/oauth/", operation_id="oauth/authorize", response_class=RedirectResponse, status_code=302,
                      responses={302: {"description": "Redirect to redirect_uri with code and state."}})
async def oauth_authorize(request: Request, client_id: Annotated[str | None, Query()] = None,
                          redirect_uri: Annotated[str | None, Query()] = None,
                          response_type: Annotated[str | None, Query()] = None,
                          scope: Annotated[str | None, Query(description="Comma-separated scopes.")] = None,
                          state: Annotated[str | None, Query()] = None,
                          username: Annotated[str | None, Query(
                              description="Sandbox extension: who consents (created if needed); "
                                          f"default {service.DEFAULT_USERNAME!r}.")] = None) -> RedirectResponse:
    """The consent page: the sandbox consents at once and redirects with `code` and `state`."""
    store = store_of(request)
    with store.write() as conn:
        location = service.authorize(conn, client_id=client_id, redirect_uri=redirect_uri,
                                     response_type=response_type, scope=scope, state=state, username=username,
                                     now=store.clock.epoch_seconds())
    return RedirectResponse(location, status_code=302)


@sandbox_router.post("/apps", response_model=AppCreated, operation_id="sandbox/app_create")
async def app_create(request: Request, body: Annotated[AppCreate, Body()]) -> Json:
    """Register an OAuth app: its client_id, client_secret and redirect URIs."""
    store = store_of(request)
    with store.write() as conn:
        app, owner = service.register_app(conn, name=body.name, redirect_uris=body.redirect_uris,
                                          owner_username=body.owner_username, now=store.clock.epoch_seconds())
        return Json(service.render_app(app, owner))


@sandbox_router.post("/ad_accounts/{ad_account_id}/conversion_token", response_model=ConversionTokenCreated,
                     operation_id="sandbox/conversion_token_create")
async def conversion_token_create(request: Request, ad_account_id: AdAccountIdPath) -> Json:
    """A conversion token for POST /v5/ad_accounts/{ad_account_id}/events, as Ads Manager makes it."""
    store = store_of(request)
    with store.write() as conn:
        return Json(service.conversion_token(conn, ad_account_id=int(ad_account_id),
                                             now=store.clock.epoch_seconds()))
