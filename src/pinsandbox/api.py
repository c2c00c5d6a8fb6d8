"""Every router, included once. /v5 routers get the token check (and rate limit) as a group, so a
new route is protected unless it is made public here on purpose."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from pinsandbox.core.auth import authenticated


def include_routers(app: FastAPI) -> None:
    from pinsandbox.ads.ad_accounts.routes import router as ad_accounts
    from pinsandbox.ads.ad_groups.routes import router as ad_groups
    from pinsandbox.ads.ads.routes import router as ads
    from pinsandbox.ads.campaigns.routes import router as campaigns
    from pinsandbox.core.unimplemented import unimplemented_router
    from pinsandbox.oauth.routes import authorize_router, token_router
    from pinsandbox.organic.boards.routes import router as boards
    from pinsandbox.organic.pins.routes import router as pins
    from pinsandbox.organic.user_account.routes import router as user_account
    from pinsandbox.sandbox.routes import router as sandbox

    v5 = APIRouter(prefix="/v5")
    # Public on purpose: the token endpoint authenticates the app with HTTP Basic itself.
    v5.include_router(token_router)

    protected = APIRouter(dependencies=[Depends(authenticated)])
    for router in (user_account, ad_accounts, campaigns, ad_groups, ads, boards, pins):
        protected.include_router(router)
    v5.include_router(protected)
    # Operations of the spec not built yet: a clear 501 naming them, never a silent stub.
    implemented = {(m, r.path.removeprefix("/v5")) for r in v5.routes for m in getattr(r, "methods", ())}
    v5.include_router(unimplemented_router(implemented), prefix="")

    app.include_router(v5)
    app.include_router(authorize_router)  # GET /oauth/ (Pinterest serves it on www.pinterest.com)
    app.include_router(sandbox)
