"""ASGI middleware: a request id (`x-pinterest-rid`) and Pinterest's cache headers on every answer.

It is also where an unexpected exception becomes Pinterest's 500 (code 12): Starlette answers
exceptions that no handler takes in its outermost `ServerErrorMiddleware`, outside every user
middleware, so that answer would carry neither the request id nor the cache headers. Here the 500
goes through the same `send` as every other answer, and the log record names the same request id.
"""

from __future__ import annotations

import logging
from random import getrandbits as _random_bits

from pinsandbox.core.errors import INTERNAL_ERROR_BODY

log = logging.getLogger("pinsandbox")

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

        try:
            return await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unexpected error answering %s %s (x-pinterest-rid %s)", scope.get("method"),
                          scope.get("path"), rid, extra={"request_id": rid})
            if started:  # part of an answer is out: nothing to do but let the server drop the connection
                raise
            await send_with_headers({"type": "http.response.start", "status": 500, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(INTERNAL_ERROR_BODY)).encode())]})
            await send_with_headers({"type": "http.response.body", "body": INTERNAL_ERROR_BODY})
