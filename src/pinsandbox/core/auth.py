"""Tokens, scopes and the caller of a request.

Access tokens look like Pinterest's (`pina_…`), refresh tokens `pinr_…`; only their sha256 is
stored. Every `/v5` router requires a valid token (attached in `api.py`); each route then names
the scopes the spec lists for it with `require("ads:read", ...)`, which answers 401 code 3 when the
token lacks one (what Pinterest answers).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from fastapi import Depends, Request

from pinsandbox.core.access import NOT_PERMITTED
from pinsandbox.core.clock import real_time
from pinsandbox.core.errors import AuthenticationFailed, Forbidden, InsufficientScope
from pinsandbox.core.tables import tokens

ALL_SCOPES: tuple[str, ...] = (
    "ads:read", "ads:write", "billing:read", "billing:write", "biz_access:read", "biz_access:write",
    "boards:read", "boards:read_secret", "boards:write", "boards:write_secret", "catalogs:read",
    "catalogs:write", "pins:read", "pins:read_secret", "pins:write", "pins:write_secret",
    "user_accounts:read", "user_accounts:write",
)

ACCESS_PREFIX = "pina_"
REFRESH_PREFIX = "pinr_"
CONVERSION_PREFIX = "pinc_"
_CACHE_SECONDS = 2.0
_PATH_ID = re.compile(r"[0-9]{1,18}")  # a path id as its pattern (core/types.py DIGITS) takes it


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's user, app and scopes."""

    user_id: int
    app_id: int | None
    scopes: frozenset[str]
    kind: str = "access"  # access | conversion
    ad_account_id: int | None = None  # set for conversion tokens only

    def has(self, *scopes: str) -> bool:
        return all(s in self.scopes for s in scopes)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(text: str) -> list[str]:
    """Scopes as Pinterest writes them: comma separated (spaces accepted too); "all" = every scope."""
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError("give at least one scope, or 'all'")
    if parts == ["all"]:
        return list(ALL_SCOPES)
    unknown = [p for p in parts if p not in ALL_SCOPES]
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(ALL_SCOPES)}")
    return sorted(set(parts), key=ALL_SCOPES.index)


def _new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(48).replace("-", "").replace("_", "")[:60]


def issue_token(conn: sa.Connection, *, kind: str, user_id: int | None, app_id: int | None,
                scopes: list[str] | tuple[str, ...], now: int, ttl_seconds: int | None,
                ad_account_id: int | None = None) -> tuple[str, int | None]:
    prefix = {"access": ACCESS_PREFIX, "refresh": REFRESH_PREFIX, "conversion": CONVERSION_PREFIX}[kind]
    token = _new_token(prefix)
    expires_at = now + ttl_seconds if ttl_seconds is not None else None
    conn.execute(sa.insert(tokens).values(
        token_hash=hash_token(token), kind=kind, user_id=user_id, app_id=app_id, ad_account_id=ad_account_id,
        scopes=",".join(scopes), expires_at=expires_at, created_time=now))
    return token, expires_at


def lookup(conn: sa.Connection, token: str, *, kind: str) -> sa.Row | None:
    return conn.execute(sa.select(tokens).where(tokens.c.token_hash == hash_token(token),
                                                tokens.c.kind == kind)).first()


class TokenCache:
    """A tiny per-process cache of validated tokens (real-time TTL); cleared on reset."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Caller, int | None, float]] = {}

    def get(self, token_hash: str) -> tuple[Caller, int | None] | None:
        hit = self._entries.get(token_hash)
        if hit is None or real_time() - hit[2] > _CACHE_SECONDS:
            return None
        return hit[0], hit[1]

    def put(self, token_hash: str, caller: Caller, expires_at: int | None) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[token_hash] = (caller, expires_at, real_time())

    def clear(self) -> None:
        self._entries.clear()


def _store_of(request: Request):
    """`pinsandbox.app.store_of` (importing it here would be circular; a call-time import costs ~1 µs)."""
    return request.app.state.store


def bearer_token(request: Request) -> str:
    header = ""
    for key, raw in request.scope["headers"]:  # what request.headers.get() does, without building Headers
        if key == b"authorization":
            header = raw.decode("latin-1")
            break
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthenticationFailed()
    return value.strip()


def authenticate(request: Request) -> Caller:
    """Resolve the bearer token to a Caller, or raise 401 code 2."""
    token = bearer_token(request)
    store = _store_of(request)
    key = hash_token(token)
    cached = store.token_cache.get(key)
    if cached is None:
        with store.read() as conn:
            row = conn.execute(sa.select(tokens).where(tokens.c.token_hash == key)).first()
        if row is None or row.kind not in ("access", "conversion"):
            raise AuthenticationFailed()
        caller = Caller(user_id=row.user_id, app_id=row.app_id,
                        scopes=frozenset(s for s in row.scopes.split(",") if s),
                        kind=row.kind, ad_account_id=row.ad_account_id)
        store.token_cache.put(key, caller, row.expires_at)
        expires_at = row.expires_at
    else:
        caller, expires_at = cached
    if expires_at is not None and store.clock.timestamp() >= expires_at:
        raise AuthenticationFailed()
    request.state.caller = caller
    return caller


async def current_caller(request: Request) -> Caller:
    caller = getattr(request.state, "caller", None)
    return caller if caller is not None else authenticate(request)


def check_conversion_binding(request: Request, caller: Caller) -> None:
    """A conversion token is bound to the ad account it was issued for: the path's `ad_account_id` must be it.

    403 code 29 otherwise. A path id that is not numeric is left to parameter validation (400 code 1).
    """
    path_account = str(request.path_params.get("ad_account_id", ""))
    # what the path's pattern (ASCII digits, at most 18) takes; not str.isdigit(), which also takes "²" (int()
    # refuses it: a 500 instead of the 400 of parameter validation)
    numeric = _PATH_ID.fullmatch(path_account) is not None
    if (path_account and not numeric) or (numeric and int(path_account) == caller.ad_account_id):
        return
    raise Forbidden(f"{NOT_PERMITTED} This conversion token was issued for ad account {caller.ad_account_id}, "
                    f"not {path_account or 'this resource'}.", code=29)


class ScopeCheck:
    """Dependency: the caller, after checking that the token holds every scope of the operation."""

    def __init__(self, *scopes: str, accept_conversion: bool = False):
        """`accept_conversion`: the operation also takes a conversion token (security `conversion_token`),
        bound to the path's ad account; the route still checks Business Access for the token's user."""
        for s in scopes:
            assert s in ALL_SCOPES, s
        self.scopes = scopes
        self.accept_conversion = accept_conversion

    async def __call__(self, request: Request) -> Caller:
        caller = getattr(request.state, "caller", None) or authenticate(request)
        if caller.kind == "conversion":
            # Conversion tokens (made in Ads Manager) serve only the conversion events endpoint.
            if not self.accept_conversion:
                raise AuthenticationFailed()
            check_conversion_binding(request, caller)
            return caller
        missing = [s for s in self.scopes if s not in caller.scopes]
        if missing:
            raise InsufficientScope(
                "Authorization failed: your access token has insufficient permissions for this operation. "
                f"It lacks the scope(s) {', '.join(missing)}; ask the user to grant "
                f"{', '.join(self.scopes)}.")
        return caller


def require(*scopes: str, accept_conversion: bool = False) -> Caller:
    """`caller: Caller = require("ads:read")` in a route signature."""
    return Depends(ScopeCheck(*scopes, accept_conversion=accept_conversion))


async def authenticated(request: Request) -> None:
    """Router-level dependency: every /v5 route needs a valid token unless made public on purpose.

    It also counts the request against the route's rate-limit category (`x-ratelimit-category`).
    """
    caller = getattr(request.state, "caller", None) or authenticate(request)
    route = request.scope.get("route")
    extra = getattr(route, "openapi_extra", None) or {}
    category = extra.get("x-ratelimit-category", "org_read")
    _store_of(request).limiter.hit(user_id=caller.user_id, app_id=caller.app_id, category=category)


def op(operation_id: str, category: str, **kwargs):
    """Route keyword arguments for one spec operation: its operationId and rate-limit category."""
    return {"operation_id": operation_id, "openapi_extra": {"x-ratelimit-category": category}, **kwargs}
