"""Sandbox controls, outside /v5: health, reset, clock, identities. Documented in docs/sandbox.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pinsandbox.app import store_of
from pinsandbox.core.auth import parse_scopes
from pinsandbox.core.clock import UTC, ClockRangeError
from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core import identity
from pinsandbox.core.responses import Json
from pinsandbox.core.tables import ad_accounts
from pinsandbox.core.types import IntIdPath

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
    from starlette.concurrency import run_in_threadpool

    body = body or ResetRequest()
    # in a thread: a reset waits for a running simulation (any process), which must not stall the event loop
    await run_in_threadpool(store_of(request).reset, keep_identities=body.keep_identities)
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
    advance_seconds: float | None = Field(None, allow_inf_nan=False,
                                          description="Move the clock on (or back, if negative).")
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
        try:
            clock.set(now, frozen=body.frozen)
        except ClockRangeError as exc:
            raise InvalidParameter(f"Invalid field 'now': {exc}.") from None
    else:
        try:
            clock.advance(body.advance_seconds)
        except ClockRangeError as exc:
            raise InvalidParameter(f"Invalid field 'advance_seconds': {exc}.") from None
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
    username: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]
    roles: list[str]


@router.put("/ad_accounts/{ad_account_id}/members", operation_id="sandbox/ad_account_member_set")
async def member_set(request: Request, ad_account_id: IntIdPath, body: GrantRequest) -> Json:
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
    return Json({"ad_account_id": str(ad_account_id), "username": body.username,
                 "roles": list(dict.fromkeys(body.roles))})


# ---- analytics facts: simulation and fixtures (docs/sandbox.md "Analytics facts") -------------------
MAX_SIMULATE_DAYS = 1100  # async reports reach 914 days back; a little more is allowed


class SimulateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(..., ge=0, le=MAX_SIMULATE_DAYS, description="How many days before `end` to simulate.")
    seed: int | None = Field(None, ge=0, le=2**63 - 1,
                             description="Random seed (default: the seed of the last simulation, else 1).")
    end: dt.datetime | None = Field(None, description="End of the range (ISO-8601, floored to the hour; naive = "
                                                      "UTC). Default: the sandbox clock's current hour.")


@router.post("/simulate", operation_id="sandbox/simulate")
async def simulate(request: Request, body: SimulateRequest) -> Json:
    """Simulate delivery and conversion facts for the `days` before `end`, and keep simulating the hours
    that pass from then on (catch-up before each analytics query)."""
    from starlette.concurrency import run_in_threadpool

    from pinsandbox.reporting import simulator

    store = store_of(request)
    try:
        end = simulator.resolve_end(store, body.end)
    except ValueError as exc:
        raise InvalidParameter(f"Invalid field 'end': {exc}.") from None
    start = end - dt.timedelta(days=body.days)
    seed = body.seed
    if seed is None:
        stored = simulator.status(store)["seed"]
        seed = stored if stored is not None else 1
    result = await run_in_threadpool(simulator.simulate, store, start=start, end=end, seed=seed)
    return Json(result.as_dict())


def _facts_error(exc: Exception) -> InvalidParameter:
    return InvalidParameter(f"Invalid facts: {exc}")


@router.post("/facts", operation_id="sandbox/facts_load")
async def facts_load(request: Request, table: str | None = None) -> Json:
    """Load fact fixtures: a JSON body `{"table": ..., "rows": [...]}`, a multipart upload (field `file`,
    optional field `table`) or a raw CSV / Parquet body (`?table=` optional). All rows or none."""
    import json

    import duckdb
    from starlette.concurrency import run_in_threadpool

    from pinsandbox.reporting import fixtures

    store = store_of(request)
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    try:
        if ctype == "application/json":
            try:
                payload = json.loads(await request.body() or b"null")
            except ValueError:
                raise InvalidParameter("Invalid request body: malformed JSON.") from None
            except RecursionError:
                raise InvalidParameter("Invalid request body: JSON nested too deeply.") from None
            if not isinstance(payload, dict):
                raise InvalidParameter("Invalid request body: expected an object {\"table\": ..., \"rows\": [...]}.")
            extra = sorted(set(payload) - {"table", "rows"})
            if extra:
                raise InvalidParameter(f"Invalid request body: unknown field '{extra[0]}' (expected 'table' and "
                                       "'rows').")
            if "rows" not in payload:
                raise InvalidParameter("Field 'rows' is required.")
            name = payload.get("table", table)
            if name is not None and not isinstance(name, str):
                raise InvalidParameter("Invalid field 'table': expected 'delivery' or 'conversions'.")
            written, data_table = await run_in_threadpool(_load_table, store, fixtures.rows_table(payload["rows"]), name)
        elif ctype == "multipart/form-data":
            try:
                form = await request.form()
            except Exception as exc:  # malformed multipart bodies raise several types
                raise InvalidParameter(f"Invalid request body: unreadable multipart form ({exc}).") from None
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InvalidParameter("Field 'file' is required: upload the CSV or Parquet file as 'file'.")
            name = form.get("table") or table
            if name is not None and not isinstance(name, str):
                raise InvalidParameter("Invalid field 'table': expected text ('delivery', 'conversions' or "
                                       "'organic'), not a file.")
            raw = await upload.read()
            written, data_table = await run_in_threadpool(_load_file, store, raw, name)
        elif ctype in ("text/csv", "application/csv", "application/octet-stream", "application/vnd.apache.parquet",
                       "application/x-parquet"):
            raw = await request.body()
            written, data_table = await run_in_threadpool(_load_file, store, raw, table)
        else:
            raise InvalidParameter(f"Invalid request: content type {ctype or 'none'!r} is not accepted; send JSON, "
                                   "multipart/form-data (field 'file'), text/csv or Parquet.")
    except fixtures.FactsError as exc:
        raise _facts_error(exc) from None
    except (duckdb.ConstraintException, duckdb.ConversionException) as exc:
        raise _facts_error(exc) from None
    return Json({"table": data_table, "rows": written})


def _load_file(store, raw: bytes, table: str | None) -> tuple[int, str]:
    from pinsandbox.reporting import fixtures

    if not raw:
        raise fixtures.FactsError("the file is empty")
    return _load_table(store, fixtures.read_table(raw), table)


def _load_table(store, data, table: str | None) -> tuple[int, str]:
    from pinsandbox.reporting import fixtures

    name = table or fixtures.infer_table(data.column_names)
    return fixtures.insert(store, name, fixtures.prepare(name, data, store=store)), name


@router.get("/facts/summary", operation_id="sandbox/facts_summary")
async def facts_summary(request: Request) -> Json:
    """Row counts per table and source, time ranges, and the simulation state."""
    from pinsandbox.reporting import simulator

    store = store_of(request)
    facts = store.facts

    def iso(t: dt.datetime | None) -> str | None:
        return None if t is None else t.isoformat(timespec="seconds") + "Z"

    d_rows, d_min, d_max = facts.fetch("SELECT count(*), min(hour), max(hour) FROM delivery")[0]
    c_rows, c_min, c_max, conv_max = facts.fetch(
        "SELECT count(*), min(action_time), max(action_time), max(conversion_time) FROM conversions")[0]
    d_src = dict(facts.fetch("SELECT source, count(*) FROM delivery GROUP BY source ORDER BY source"))
    c_src = dict(facts.fetch("SELECT source, count(*) FROM conversions GROUP BY source ORDER BY source"))
    sim = simulator.status(store)
    if sim["watermark"] is not None:
        sim["watermark"] = sim["watermark"] + "Z"
    return Json({
        "delivery": {"rows": d_rows, "min_hour": iso(d_min), "max_hour": iso(d_max), "by_source": d_src},
        "conversions": {"rows": c_rows, "min_action_time": iso(c_min), "max_action_time": iso(c_max),
                        "max_conversion_time": iso(conv_max), "by_source": c_src},
        "simulation": sim,
    })
