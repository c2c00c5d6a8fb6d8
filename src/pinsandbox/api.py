"""Every router, included once. /v5 routers get the token check (and rate limit) as a group, so a
new route is protected unless it is made public here on purpose."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from pinsandbox.core.auth import authenticated


def v5_routers() -> tuple[list[APIRouter], list[APIRouter]]:
    """(public, protected) routers of the /v5 API, each a flat list of its routes."""
    from pinsandbox.ads.ad_accounts.routes import router as ad_accounts
    from pinsandbox.ads.ad_groups.routes import router as ad_groups
    from pinsandbox.ads.analytics.routes import router as analytics
    from pinsandbox.ads.ads.routes import router as ads
    from pinsandbox.ads.campaigns.routes import router as campaigns
    from pinsandbox.ads.conversions.routes import router as conversions
    from pinsandbox.ads.keywords.routes import router as keywords
    from pinsandbox.oauth.routes import token_router
    from pinsandbox.organic.boards.routes import router as boards
    from pinsandbox.organic.pins.routes import router as pins
    from pinsandbox.organic.user_account.routes import router as user_account

    # Public on purpose: the token endpoint authenticates the app with HTTP Basic itself.
    public = [token_router]
    protected = [user_account, ad_accounts, campaigns, ad_groups, ads, analytics, keywords, conversions, boards, pins]
    return public, protected


def api_routes() -> list[APIRoute]:
    """Every /v5 route the sandbox implements (paths without the /v5 prefix)."""
    public, protected = v5_routers()
    return [r for router in public + protected for r in router.routes if isinstance(r, APIRoute)]


def spec_path(path: str) -> str:
    """A route path as the spec writes it: `{campaign_id:digits}` -> `{campaign_id}`."""
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path)


def include_routers(app: FastAPI) -> None:
    from pinsandbox.ads.conversions.routes import sandbox_router as conversions_sandbox
    from pinsandbox.core.unimplemented import unimplemented_router
    from pinsandbox.oauth import routes as oauth_routes
    from pinsandbox.sandbox.routes import router as sandbox

    public, protected = v5_routers()
    v5 = APIRouter(prefix="/v5")
    for router in public:
        v5.include_router(router)
    for router in protected:
        v5.include_router(router, dependencies=[Depends(authenticated)])
    # Operations of the spec not built yet: a clear 501 naming them, never a silent stub.
    implemented = {(m, spec_path(r.path)) for r in api_routes() for m in r.methods}
    v5.include_router(unimplemented_router(implemented))

    app.include_router(v5)
    app.include_router(oauth_routes.authorize_router)  # GET /oauth/ (Pinterest serves it on www.pinterest.com)
    if hasattr(oauth_routes, "sandbox_router"):
        app.include_router(oauth_routes.sandbox_router)
    app.include_router(sandbox)
    app.include_router(conversions_sandbox)  # /_sandbox/ad_accounts/{id}/conversion_tags/{tag_id}
