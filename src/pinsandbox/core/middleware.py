"""ASGI middleware: a request id (`x-pinterest-rid`) and Pinterest's cache headers on every answer.

It is also where an unexpected exception becomes Pinterest's 500 (code 12): Starlette answers
exceptions that no handler takes in its outermost `ServerErrorMiddleware`, outside every user
middleware, so that answer would carry neither the request id nor the cache headers. Here the 500
goes through the same `send` as every other answer, and the log record names the same request id.
"""

from __future__ import annotations

import logging
from random import getrandbits as _random_bits

from pinsandbox.core.body import nul_in_parameters
from pinsandbox.core.errors import INTERNAL_ERROR_BODY
from pinsandbox.core.responses import dumps

log = logging.getLogger("pinsandbox")

# The largest request body the API (/v5, /oauth) reads: far above any real request (1,000 conversion events
# with their hashed user data are a few MB), low enough that one request cannot make the server hold hundreds of
# MB. Media files go to the sandbox's upload endpoint (/_sandbox), which has its own limit, as do fact fixtures.
MAX_API_BODY_BYTES = 32 * 1024 * 1024
_LIMITED_PREFIXES = ("/v5/", "/oauth/")


class _BodyTooLarge(BaseException):
    """Raised from `receive` while the body is read; a BaseException so that the handlers between here and
    the reading code (FastAPI turns any Exception there into "error parsing the body") let it through."""


def _too_large_body() -> bytes:
    return (b'{"code":413,"message":"Invalid request body: it is larger than %d MB, the most this sandbox '
            b'reads."}' % (MAX_API_BODY_BYTES // (1024 * 1024)))


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None

_CACHE_HEADERS = ((b"cache-control", b"no-cache, no-store, must-revalidate"), (b"x-content-type-options", b"nosniff"))


class RequestIdMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = f"{_random_bits(64):016x}"  # an id, not a secret: no system call per request
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-pinterest-rid", rid.encode()))
                headers.extend(_CACHE_HEADERS)
                message["headers"] = headers
            await send(message)

        query = scope.get("query_string", b"")
        if b"%00" in query or "\x00" in scope["path"]:  # no database stores it, nothing takes it: say so
            message = nul_in_parameters(scope["path"], query)
            if message is not None:
                return await self._answer(send_with_headers, 400, {"code": 1, "message": message})
        if scope.get("method") in ("POST", "PUT", "PATCH") and scope["path"].startswith(_LIMITED_PREFIXES):
            declared = _declared_length(scope)
            if declared is not None and declared > MAX_API_BODY_BYTES:
                return await self._answer_too_large(send_with_headers)
            receive = _counting(receive)
        try:
            return await self.app(scope, receive, send_with_headers)
        except _BodyTooLarge:  # a body without (or past) its content-length grew past the limit while read
            if started:
                raise
            return await self._answer_too_large(send_with_headers)
        except Exception:
            log.exception("unexpected error answering %s %s (x-pinterest-rid %s)", scope.get("method"),
                          scope.get("path"), rid, extra={"request_id": rid})
            if started:  # part of an answer is out: nothing to do but let the server drop the connection
                raise
            await send_with_headers({"type": "http.response.start", "status": 500, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(INTERNAL_ERROR_BODY)).encode())]})
            await send_with_headers({"type": "http.response.body", "body": INTERNAL_ERROR_BODY})

    @staticmethod
    async def _answer_too_large(send) -> None:
        body = _too_large_body()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def _answer(send, status: int, content: dict) -> None:
        body = dumps(content)
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _counting(receive):
    """`receive`, raising _BodyTooLarge once the body read so far passes MAX_API_BODY_BYTES."""
    seen = 0

    async def counted():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_API_BODY_BYTES:
                raise _BodyTooLarge()
        return message

    return counted
