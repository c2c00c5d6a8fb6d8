"""ASGI middleware: a request id (`x-pinterest-rid`) and Pinterest's cache headers on every answer."""

from __future__ import annotations

from random import getrandbits as _random_bits


class RequestIdMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = f"{_random_bits(64):016x}"  # an id, not a secret: no system call per request
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-pinterest-rid", rid.encode()))
                headers.append((b"cache-control", b"no-cache, no-store, must-revalidate"))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        return await self.app(scope, receive, send_with_headers)
