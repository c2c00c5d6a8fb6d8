"""Sandbox controls, outside /v5: health, reset, clock, identities. Documented in docs/sandbox.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pinsandbox.app import store_of
from pinsandbox.core.auth import parse_scopes
from pinsandbox.core.clock import UTC
from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core import identity
from pinsandbox.core.responses import Json
from pinsandbox.core.tables import ad_accounts

router = APIRouter(prefix="/_sandbox", tags=["sandbox"])


@router.get("/health", operation_id="sandbox/health")
async def health(request: Request) -> Json:
    store = store_of(request)
    with store.read() as conn:
        conn.exec_driver_sql("SELECT 1")
    return Json({"status": "ok"})


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep_identities: bool = Field(True, description="Keep users, apps and tokens (and the clock).")


@router.post("/reset", operation_id="sandbox/reset")
async def reset(request: Request, body: ResetRequest | None = None) -> Json:
    body = body or ResetRequest()
    store_of(request).reset(keep_identities=body.keep_identities)
    return Json({"status": "ok", "kept_identities": body.keep_identities})


def _clock_body(request: Request) -> dict:
    clock = store_of(request).clock
    state = clock.state()
    return {"now": clock.now().isoformat().replace("+00:00", "Z"), "frozen": state.frozen_at is not None,
            "offset_seconds": round(state.offset_seconds, 3)}


@router.get("/clock", operation_id="sandbox/clock_get")
async def clock_get(request: Request) -> Json:
    return Json(_clock_body(request))


class ClockUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    now: dt.datetime | None = Field(None, description="Set the sandbox's now (ISO-8601; naive = UTC).")
    advance_seconds: float | None = Field(None, description="Move the clock on (or back, if negative).")
    frozen: bool = Field(False, description="With `now`: stop the clock there instead of letting it run.")
    real: bool = Field(False, description="Go back to real time.")

    @model_validator(mode="after")
    def _one(self):
        given = [x for x in (self.now is not None, self.advance_seconds is not None, self.real) if x]
        if len(given) != 1:
            raise ValueError("give exactly one of 'now', 'advance_seconds' or 'real'")
        return self


@router.put("/clock", operation_id="sandbox/clock_set")
async def clock_set(request: Request, body: ClockUpdate) -> Json:
    clock = store_of(request).clock
    if body.real:
        clock.reset()
    elif body.now is not None:
        now = body.now if body.now.tzinfo else body.now.replace(tzinfo=UTC)
        clock.set(now, frozen=body.frozen)
    else:
        clock.advance(body.advance_seconds)
    return Json(_clock_body(request))


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]
    scopes: str = Field("all", description="Comma-separated scopes, or 'all'.")
    account_type: str = Field("BUSINESS", pattern="^(BUSINESS|PINNER)$")


@router.post("/tokens", operation_id="sandbox/token_create")
async def token_create(request: Request, body: TokenRequest) -> Json:
    """Mint an access token for a user (created if needed): what `pinsandbox token` does."""
    store = store_of(request)
    try:
        scopes = parse_scopes(body.scopes)
    except ValueError as exc:
        raise InvalidParameter(f"Invalid field 'scopes': {exc}.") from None
    with store.write() as conn:
        now = store.clock.epoch_seconds()
        user = identity.ensure_user(conn, body.username, now=now, account_type=body.account_type)
        token = identity.mint_access_token(conn, user_id=user.id, scopes=scopes, now=now,
                                           ttl_seconds=store.settings.access_token_ttl_seconds)
    return Json({"access_token": token, "user_id": str(user.id), "username": user.username, "scope": ",".join(scopes)})


class GrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str
    roles: list[str]


@router.put("/ad_accounts/{ad_account_id}/members", operation_id="sandbox/ad_account_member_set")
async def member_set(request: Request, ad_account_id: int, body: GrantRequest) -> Json:
    """Business Access: give a user roles on an ad account (an empty list removes the user)."""
    store = store_of(request)
    with store.write() as conn:
        if conn.execute(ad_accounts.select().where(ad_accounts.c.id == ad_account_id)).first() is None:
            raise NotFound(f"Ad account {ad_account_id} not found.", code=2)
        user = identity.get_user_by_name(conn, body.username)
        if user is None:
            raise NotFound(f"User {body.username!r} not found.", code=30)
        try:
            identity.grant(conn, ad_account_id=ad_account_id, user_id=user.id, roles=body.roles)
        except ValueError as exc:
            raise InvalidParameter(f"Invalid field 'roles': {exc}.") from None
    return Json({"ad_account_id": str(ad_account_id), "username": body.username, "roles": body.roles})
