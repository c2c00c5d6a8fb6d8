"""The application factory: mounts /v5 and /_sandbox, installs the one error handler."""

from __future__ import annotations

from fastapi import FastAPI, Request

from pinsandbox import SPEC_VERSION, __version__
from pinsandbox.core.dispatch import install_route_index
from pinsandbox.core.errors import install_error_handlers
from pinsandbox.core.middleware import RequestIdMiddleware
from pinsandbox.core.store import Store
from pinsandbox.settings import Settings

DESCRIPTION = (
    "pinsandbox serves Pinterest's REST API v5 (" + SPEC_VERSION + ") with real, persistent state. "
    "The API lives under `/v5`; sandbox controls (health, reset, clock, ...) under `/_sandbox`."
)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    store = store or Store(settings or Settings())
    app = FastAPI(
        title="pinsandbox: Pinterest REST API v5",
        version=f"{SPEC_VERSION}+pinsandbox.{__version__}",
        description=DESCRIPTION,
        openapi_url="/v5/openapi.json",
        docs_url="/v5/docs",
        redoc_url=None,
        # FastAPI's native telemetry checks on every request whether OpenTelemetry is configured;
        # PINSANDBOX_TELEMETRY=1 turns it on for those who collect traces.
        telemetry=None if store.settings.telemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.state.store = store
    install_error_handlers(app)
    app.add_middleware(RequestIdMiddleware)

    from pinsandbox.api import include_routers

    include_routers(app)
    install_route_index(app.router)  # after every route is added: see core/dispatch.py
    return app


def store_of(request: Request) -> Store:
    return request.app.state.store
