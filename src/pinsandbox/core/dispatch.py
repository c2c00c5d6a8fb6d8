"""Routing at the cost of a few dict lookups instead of a regex per route.

The app serves ~200 routes (the implemented operations, the 501s of the others, the sandbox
controls). FastAPI matches a request by trying every route's regex in order, and a router mounted
with `include_router` adds a level of matching per inclusion (FastAPI >= 0.16x keeps included routers
nested and matches them twice): that was a third of a simple GET's CPU. So:

* `add_routes` copies a router's routes onto the app's own router (full path, the group's
  dependencies first), as `include_router` did in earlier FastAPI versions: one flat, ordered list.
  The copies are `core.handler.FastRoute`s (FastAPI's parameter and dependency solving, worked out
  once per route instead of per request).
* `RouteIndex` files each route under its path's segments (a trie: static segments by name,
  parameters as wildcards). The candidates for a request are the routes whose segments fit its
  path, in registration order; each candidate's own `matches()` still decides (regex, convertors,
  method), so the first FULL match is exactly the route FastAPI's loop would pick.
* `install_route_index` puts the lookup in front of the app router's own loop. Anything it does not
  settle with a FULL match (404, 405, the trailing-slash redirect, routes added later, a root_path,
  FastAPI's request telemetry) goes to FastAPI's loop unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match, Route

from pinsandbox.core.handler import FastRoute

_WILDCARD_CONVERTORS = {"str", "int", "float", "uuid", "digits"}  # each fits within one segment


def add_routes(target: APIRouter, router: APIRouter, *, prefix: str = "", dependencies: Sequence[Any] = (),
               only: Callable[[BaseRoute], bool] | None = None, path: Callable[[str], str] | None = None,
               include_in_schema: bool | None = None) -> None:
    """Every route of `router` onto `target` under `prefix`, with `dependencies` run before its own.

    `only` picks some of the routes, `path` rewrites their paths, `include_in_schema` overrides theirs
    (api.py uses the three to register the `{name:digits}` routes once more with plain parameters)."""
    for route in router.routes:
        if only is not None and not only(route):
            continue
        if isinstance(route, APIRoute):
            target.add_api_route(
                prefix + (path(route.path) if path else route.path), route.endpoint, response_model=route.response_model,
                status_code=route.status_code, tags=list(route.tags or []),
                dependencies=[*dependencies, *route.dependencies], summary=route.summary,
                description=route.description, response_description=route.response_description,
                responses=dict(route.responses or {}), deprecated=route.deprecated, methods=set(route.methods or ()),
                operation_id=route.operation_id, response_model_include=route.response_model_include,
                response_model_exclude=route.response_model_exclude,
                response_model_by_alias=route.response_model_by_alias,
                response_model_exclude_unset=route.response_model_exclude_unset,
                response_model_exclude_defaults=route.response_model_exclude_defaults,
                response_model_exclude_none=route.response_model_exclude_none,
                include_in_schema=route.include_in_schema if include_in_schema is None else include_in_schema,
                response_class=route.response_class, name=route.name,
                route_class_override=FastRoute if type(route) is APIRoute else type(route),
                callbacks=route.callbacks, openapi_extra=route.openapi_extra,
                generate_unique_id_function=route.generate_unique_id_function)
        elif isinstance(route, Route) and not dependencies and path is None:
            target.add_route(prefix + route.path, route.endpoint, methods=list(route.methods or ()), name=route.name,
                             include_in_schema=route.include_in_schema)
        else:
            raise TypeError(f"cannot flatten route {route!r} of {router!r}")


def _segments(route: BaseRoute) -> list[str | None] | None:
    """The route's path as segments (None: a parameter), or None when it cannot be filed by segment."""
    path = getattr(route, "path", None)
    if not isinstance(route, Route) or not isinstance(path, str) or not path.startswith("/"):
        return None
    out: list[str | None] = []
    for part in path.split("/")[1:]:
        if "{" not in part:
            out.append(part)
            continue
        if part.startswith("{") and part.endswith("}") and part.count("{") == 1:
            name, _, convertor = part[1:-1].partition(":")
            if (convertor or "str") not in _WILDCARD_CONVERTORS:
                return None  # a `path` (or custom) convertor may span segments
            out.append(None)
        else:
            if ":" in part and ":path}" in part:
                return None
            out.append(None)  # text and a parameter in one segment: the route's regex decides
    return out


class _Node:
    __slots__ = ("static", "param", "routes")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.routes: list[tuple[int, BaseRoute]] = []


class RouteIndex:
    """The routes that could match a path, in registration order (a superset of those that do)."""

    def __init__(self, routes: Iterable[BaseRoute]):
        self._root = _Node()
        self._always: list[tuple[int, BaseRoute]] = []
        for order, route in enumerate(routes):
            segments = _segments(route)
            if segments is None:
                self._always.append((order, route))
                continue
            node = self._root
            for segment in segments:
                if segment is None:
                    node.param = node.param or _Node()
                    node = node.param
                else:
                    node = node.static.setdefault(segment, _Node())
            node.routes.append((order, route))

    def candidates(self, path: str) -> list[BaseRoute]:
        parts = path.split("/")[1:] if path.startswith("/") else None
        if parts is None:
            return [r for _, r in self._always]
        found: list[tuple[int, BaseRoute]] = []
        level = [self._root]
        for part in parts:
            following = []
            for node in level:
                child = node.static.get(part)
                if child is not None:
                    following.append(child)
                if part and node.param is not None:
                    following.append(node.param)
            if not following:
                level = following
                break
            level = following
        for node in level:
            found.extend(node.routes)
        if self._always:
            found.extend(self._always)
        if len(found) > 1:
            found.sort(key=lambda item: item[0])
        return [r for _, r in found]


class IndexedDispatch:
    """The app router's entry point: the index's first FULL match, else FastAPI's own routing."""

    def __init__(self, router: APIRouter, fallback: Any):
        self.router = router
        self.fallback = fallback
        self.index = RouteIndex(router.routes)
        # Router-level form limits are applied by FastAPI's loop only: leave such apps to it.
        self.enabled = not getattr(router, "form_limits", None)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (self.enabled and scope["type"] == "http" and not scope.get("root_path")
                and scope.get("fastapi.telemetry") is None):
            for route in self.index.candidates(scope["path"]):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    if "router" not in scope:
                        scope["router"] = self.router
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await self.fallback(scope, receive, send)


def install_route_index(router: APIRouter) -> IndexedDispatch | None:
    """Route `router`'s requests through a RouteIndex of its current routes (see the module docstring).

    Starlette's Router calls `self.middleware_stack`; without that attribute (or with router middleware
    in it) nothing changes."""
    stack = getattr(router, "middleware_stack", None)
    if isinstance(stack, IndexedDispatch):
        stack = stack.fallback
    if stack is None or stack != router.app:  # absent, or wrapped in router middleware: leave it alone
        return None
    dispatch = IndexedDispatch(router, stack)
    router.middleware_stack = dispatch
    return dispatch
