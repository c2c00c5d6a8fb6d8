"""A request handler for the common route shape, with FastAPI's semantics at a fraction of its cost.

FastAPI resolves a route's parameters and dependencies on every request by walking the dependency
tree generically (for each field: its aliases, whether it is a sequence, its kind of source, ...),
which costs ~100-170 µs on a GET of this API: more than the rest of the request. Almost all of our
GET routes have one shape: path and query parameters, `Request`, `async def` dependencies of the
same shape (the token check, the scope check, the page parameters) and an `async def` endpoint that
returns a Response (`Json`). For that shape `FastRoute` works out once, when the route is built,
what FastAPI works out per request, and then does per request what `solve_dependencies` does:

* dependencies first, in declaration order, each after its own parameters; a dependency whose
  parameters fail validation is not called and its errors are kept; a callable already solved in
  this request is not called again (FastAPI's `use_cache`); an exception a dependency raises (401,
  403, ...) propagates at once;
* then the route's own path and query parameters, validated by the same pydantic fields
  (`ModelField.validate`), with the same defaults, locations and error dicts;
* any error: `RequestValidationError` with all of them (rendered as 400 code 1), else the endpoint
  is called with the values and its Response is returned.

Any route outside that shape (a body, headers, cookies, security scopes, generator or sync
dependencies, a return that is not a Response, ...) keeps FastAPI's own handler, and so does every
request while `app.dependency_overrides` is in use or FastAPI's request telemetry is on.
tests/unit/test_handler.py checks the two handlers answer alike.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any, Union, get_args, get_origin

from fastapi import params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

try:  # one helper FastAPI itself uses to tell `?x=1&x=2` lists apart (present since FastAPI 0.100)
    from fastapi._compat import field_annotation_is_sequence
except ImportError:  # pragma: no cover - a FastAPI without it keeps its own handler everywhere
    field_annotation_is_sequence = None

_UNSUPPORTED_DEPENDANT = ("header_params", "cookie_params", "body_params", "websocket_param_name",
                          "response_param_name", "background_tasks_param_name", "security_scopes_param_name",
                          "own_oauth_scopes", "parent_oauth_scopes", "security_requirements", "concurrency")
_MISSING = object()
_IMMUTABLE = (type(None), str, int, float, bool, bytes, tuple, frozenset)


class _Unsupported(Exception):
    pass


def _is_async(call: Any) -> bool:
    if inspect.isasyncgenfunction(call) or inspect.isgeneratorfunction(call):
        return False
    if inspect.iscoroutinefunction(call):
        return True
    method = getattr(call, "__call__", None)  # a callable instance, like core.auth.ScopeCheck
    return (not inspect.isfunction(call) and not inspect.isclass(call) and inspect.iscoroutinefunction(method)
            and not inspect.isasyncgenfunction(method))


def _is_model(annotation: Any) -> bool:
    if get_origin(annotation) is Union or type(annotation).__name__ == "UnionType":
        return any(_is_model(a) for a in get_args(annotation))
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


class _Field:
    """One path or query parameter, as FastAPI reads and validates it."""

    __slots__ = ("field", "name", "alias", "source", "sequence", "loc", "required", "default", "copy_default",
                 "validate_default")

    def __init__(self, field: Any, source: str):
        info = field.field_info
        if getattr(info, "validation_alias", None) is not None or _is_model(info.annotation):
            raise _Unsupported("aliases and parameter models")
        if any(type(m).__name__ == "Json" for m in getattr(info, "metadata", ())):
            raise _Unsupported("Json parameters")
        kind = params.Path if source == "path" else params.Query
        if not isinstance(info, kind):
            raise _Unsupported(f"{type(info).__name__} in {source}")
        self.field = field
        self.name = field.name
        self.alias = field.alias
        self.source = source
        self.sequence = source == "query" and field_annotation_is_sequence(info.annotation)
        self.loc = (source, field.alias)
        self.required = info.is_required()
        self.default = field.default
        self.copy_default = not isinstance(field.default, _IMMUTABLE)
        self.validate_default = bool(getattr(info, "validate_default", False))


class _Plan:
    """What solving one dependant takes, worked out once."""

    __slots__ = ("call", "name", "use_cache", "subs", "path", "query", "request_names")

    def __init__(self, dependant: Any):
        for attr in _UNSUPPORTED_DEPENDANT:
            if getattr(dependant, attr, None):
                raise _Unsupported(attr)
        call = dependant.call
        if call is None or not _is_async(call):
            raise _Unsupported("a dependency that is not `async def`")
        if isinstance(call, SecurityBase):
            raise _Unsupported("security schemes")
        self.call = call
        self.name = dependant.name
        self.use_cache = dependant.use_cache
        self.subs = [_Plan(sub) for sub in dependant.dependencies]
        self.path = [_Field(f, "path") for f in dependant.path_params]
        self.query = [_Field(f, "query") for f in dependant.query_params]
        self.request_names = [n for n in (dependant.request_param_name, dependant.http_connection_param_name) if n]


def _read(fields: list[_Field], source: Any, values: dict[str, Any], errors: list[Any]) -> None:
    """FastAPI's `request_params_to_args` for plain path and query fields."""
    for f in fields:
        if f.sequence:
            value = source.getlist(f.alias)
            if not value:
                value = _MISSING
        else:
            value = source.get(f.alias)
            if value is None:
                value = _MISSING
        if value is _MISSING:
            if f.required:
                errors.append({"type": "missing", "loc": f.loc, "msg": "Field required", "input": None})
                continue
            value = copy.deepcopy(f.default) if f.copy_default else f.default
            if not f.validate_default:
                values[f.name] = value
                continue
        value, errs = f.field.validate(value, values, loc=f.loc)
        if errs:
            errors.extend(errs)
        else:
            values[f.name] = value


async def _solve(plan: _Plan, request: Request, cache: dict[Any, Any]) -> tuple[dict[str, Any], list[Any]]:
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for sub in plan.subs:
        sub_values, sub_errors = await _solve(sub, request, cache)
        if sub_errors:
            errors.extend(sub_errors)
            continue
        if sub.use_cache and sub.call in cache:
            solved = cache[sub.call]
        else:
            solved = await sub.call(**sub_values)
        if sub.name is not None:
            values[sub.name] = solved
        if sub.call not in cache:
            cache[sub.call] = solved
    if plan.path:
        _read(plan.path, request.path_params, values, errors)
    if plan.query:
        _read(plan.query, request.query_params, values, errors)
    for name in plan.request_names:
        values[name] = request
    return values, errors


def _returns_response(endpoint: Callable[..., Any]) -> bool:
    from fastapi.dependencies.utils import get_typed_return_annotation

    try:
        annotation = get_typed_return_annotation(endpoint)
    except Exception:  # noqa: BLE001 - an annotation FastAPI cannot resolve: keep its handler
        return False
    return inspect.isclass(annotation) and issubclass(annotation, Response)


def plan_for(route: APIRoute) -> _Plan | None:
    """The route's plan, or None when the route is not of the shape this handler serves."""
    if field_annotation_is_sequence is None or route.body_field is not None or not _returns_response(route.endpoint):
        return None
    try:
        return _Plan(route.dependant)
    except _Unsupported:
        return None


class FastRoute(APIRoute):
    """An APIRoute that serves requests with `FastRoute.handler` when its shape allows (see above)."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        standard = super().get_route_handler()
        plan = plan_for(self)
        if plan is None:
            return _checking_body(standard) if self.body_field is not None else standard
        overrides = self.dependency_overrides_provider
        endpoint = plan.call

        async def handler(request: Request) -> Response:
            if (overrides is not None and getattr(overrides, "dependency_overrides", None)) or \
                    request.scope.get("fastapi.telemetry") is not None:
                return await standard(request)
            values, errors = await _solve(plan, request, {})
            if errors:
                raise RequestValidationError(errors, body=None)
            response = await endpoint(**values)
            if not isinstance(response, Response):
                raise TypeError(f"{endpoint.__qualname__} is annotated to return a Response and returned "
                                f"{type(response).__name__}")
            return response

        handler.fast_plan = plan  # for tests: this route is served by the plan
        return handler



def _checking_body(standard: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """FastAPI's handler, after a check that the JSON body holds no string a database cannot store (a lone
    surrogate, a NUL: core/body.py): a 400 naming where, instead of a 500 where the string is stored or
    echoed. The body read here is the one FastAPI then parses (starlette keeps it on the request)."""
    from pinsandbox.core.body import nul_in_parameters, unstorable_string_at
    from pinsandbox.core.errors import InvalidParameter

    async def handler(request: Request) -> Response:
        body = await request.body()
        ctype = request.headers.get("content-type", "").lower()
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")) \
                and request.url.path.startswith("/v5/"):  # the API's forms (the OAuth token endpoint) take text only
            if b"\x00" in body:
                raise InvalidParameter(f"Invalid request body: a form field holds a NUL character, which no field "
                                       "takes.")
            if b"%00" in body and ctype.startswith("application/x-www-form-urlencoded"):
                message = nul_in_parameters("", body)  # named as a field
                if message is not None:
                    raise InvalidParameter(message.replace("Invalid parameter", "Invalid field", 1))
        found = unstorable_string_at(body)
        if found is not None:
            where, what = found
            field = "Invalid request body" if where == "body" else f"Invalid field '{where}'"
            raise InvalidParameter(f"{field}: {what}.")
        return await standard(request)

    return handler
