"""Pinterest-shaped errors: every failure is rendered once, as {"code": int, "message": str}.

Domains raise these (or subclasses); `install_error_handlers` renders them, turns FastAPI's
422 validation errors into Pinterest's 400 code 1, and keeps 404/405 in the same body shape.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

# error bodies render through core.responses: starlette's JSONResponse fails on a lone surrogate echoed from a
# request ("\ud800" is valid JSON, not valid UTF-8)
from pinsandbox.core.responses import Json as JSONResponse

log = logging.getLogger("pinsandbox")

INTERNAL_ERROR = {"code": 12, "message": "Something went wrong on our end. Sorry about that."}
INTERNAL_ERROR_BODY = json.dumps(INTERNAL_ERROR, separators=(",", ":")).encode()


class ApiError(Exception):
    """An error Pinterest would answer with: HTTP status, Pinterest code, message naming the field."""

    status: int = 400
    code: int = 1

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None,
                 headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


class InvalidParameter(ApiError):
    """400 code 1: a bad parameter or body (type, enum, bound, pattern, missing field)."""

    status, code = 400, 1


class AuthenticationFailed(ApiError):
    """401 code 2: missing, unknown or expired token. Pinterest adds "status": "failure"."""

    status, code = 401, 2

    def __init__(self, message: str = "Authentication failed."):
        super().__init__(message, extra={"status": "failure"})


class InsufficientScope(ApiError):
    """401 code 3: the token lacks a scope the operation needs (what Pinterest answers)."""

    status, code = 401, 3


class Forbidden(ApiError):
    """403: the operation user has no (sufficient) access to that ad account or object."""

    status, code = 403, 403


class NotFound(ApiError):
    status, code = 404, 404


class Conflict(ApiError):
    status, code = 409, 409


class RateLimited(ApiError):
    status, code = 429, 8


class NotImplementedYet(ApiError):
    """An operation of the spec that the sandbox does not serve yet (never a silent stub)."""

    status, code = 501, 501


def _loc_name(loc: tuple | list) -> str:
    # Only the first element says where (body, query, ...): a field may itself be named "query".
    rest = loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else loc
    parts = [str(p) for p in rest]
    # pydantic adds the union/model tag names in some locations; keep field-ish names only
    parts = [p for p in parts if not p.startswith("function-") and "[" not in p]
    return ".".join(parts) if parts else "body"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """A Pinterest-style message naming the first offending field."""
    if not errors:
        return "Invalid request."
    err = errors[0]
    loc = tuple(err.get("loc", ()))
    where = loc[0] if loc else "body"
    name = _loc_name(loc)
    etype = err.get("type", "")
    msg = err.get("msg", "invalid")
    if etype == "json_invalid":
        return "Invalid request body: malformed JSON."
    if etype == "missing":
        kind = "Parameter" if where in ("query", "path", "header") else "Field"
        return f"{kind} '{name}' is required."
    if etype in ("enum", "literal_error"):
        expected = err.get("ctx", {}).get("expected", "")
        if expected.count(",") > 12:
            expected = "one of the values the API reference lists for it"
        msg = f"{err.get('input')!r} is not valid; expected {expected}"
    if where in ("query", "path", "header"):
        return f"Invalid parameter '{name}': {msg}."
    if name == "body":
        return f"Invalid request body: {msg}."
    return f"Invalid field '{name}': {msg}."


def body_parse_message(exc: StarletteHTTPException) -> str:
    """The message of a 400 raised while reading the body (FastAPI answers "There was an error parsing the
    body" for anything but a JSONDecodeError, e.g. a RecursionError on JSON nested thousands deep)."""
    if isinstance(exc.__cause__, RecursionError):
        return "Invalid request body: the JSON is nested too deeply to be parsed."
    if isinstance(exc.__cause__, ValueError) and "integer string conversion" in str(exc.__cause__):
        return "Invalid request body: a number in the JSON has more digits than any field takes (4,300 or more)."
    detail = str(exc.detail or "").strip().rstrip(".")
    if not detail or detail == "There was an error parsing the body":
        return "Invalid request body: it could not be parsed."
    return f"Invalid request body: {detail}."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        message = validation_message(errors)
        if errors and tuple(errors[0].get("loc", ()))[:1] == ("body",) and isinstance(errors[0].get("input"), bytes):
            # the body was not read as JSON: its content type is not JSON's
            ctype = request.headers.get("content-type") or "none"
            message = (f"Invalid request body: send JSON with the header 'Content-Type: application/json' "
                       f"(the content type was {ctype!r}).")
        return JSONResponse({"code": 1, "message": message}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            body = {"code": 404, "message": "Not found: no such resource."}
        elif exc.status_code == 405:
            body = {"code": 405, "message": "Method not allowed for this resource."}
        elif exc.status_code == 400:  # FastAPI/Starlette could not read the body: a bad body is code 1
            body = {"code": 1, "message": body_parse_message(exc)}
        else:
            body = {"code": exc.status_code, "message": str(exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    # Unexpected exceptions are answered (500 code 12, with the request id) and logged by
    # core/middleware.py RequestIdMiddleware. This handler, which Starlette runs outside every user
    # middleware, is the last resort for an exception raised in a middleware itself.
    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - logged, never disguised
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(INTERNAL_ERROR, status_code=500)
