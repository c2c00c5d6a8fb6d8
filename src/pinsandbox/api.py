"""Every router, included once. /v5 routers get the token check (and rate limit) as a group, so a
new route is protected unless it is made public here on purpose."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from pinsandbox.core.auth import authenticated
from pinsandbox.core.dispatch import add_routes


def v5_routers() -> tuple[list[APIRouter], list[APIRouter]]:
    """(public, protected) routers of the /v5 API, each a flat list of its routes."""
    from pinsandbox.ads.ad_accounts.routes import router as ad_accounts
    from pinsandbox.ads.ad_groups.routes import router as ad_groups
    from pinsandbox.ads.analytics.routes import router as analytics
    from pinsandbox.ads.ads.routes import router as ads
    from pinsandbox.ads.bulk.routes import router as bulk
    from pinsandbox.ads.campaigns.routes import router as campaigns
    from pinsandbox.ads.conversions.routes import router as conversions
    from pinsandbox.ads.keywords.routes import router as keywords
    from pinsandbox.ads.mmm.routes import router as mmm_reports
    from pinsandbox.ads.reports.routes import router as reports
    from pinsandbox.oauth.routes import token_router
    from pinsandbox.organic.analytics.routes import router as organic_analytics
    from pinsandbox.organic.boards.routes import router as boards
    from pinsandbox.organic.media.routes import router as media
    from pinsandbox.organic.pins.routes import router as pins
    from pinsandbox.organic.search.routes import router as search
    from pinsandbox.organic.sections.routes import router as board_sections
    from pinsandbox.organic.terms.routes import router as terms
    from pinsandbox.organic.user_account.routes import router as user_account

    # Public on purpose: the token endpoint authenticates the app with HTTP Basic itself.
    public = [token_router]
    protected = [user_account, ad_accounts, campaigns, ad_groups, ads, analytics, keywords, conversions, boards, pins,
                 board_sections, media, reports, organic_analytics, search, terms, mmm_reports, bulk]
    return public, protected


def api_routes() -> list[APIRoute]:
    """Every /v5 route the sandbox implements (paths without the /v5 prefix)."""
    public, protected = v5_routers()
    return [r for router in public + protected for r in router.routes if isinstance(r, APIRoute)]


def spec_path(path: str) -> str:
    """A route path as the spec writes it: `{campaign_id:digits}` -> `{campaign_id}`."""
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path)


def _has_digits_param(route) -> bool:
    return isinstance(route, APIRoute) and ":digits}" in route.path


def _plain_params(path: str) -> str:
    """`{campaign_id:digits}` -> `{campaign_id}` (other convertors kept)."""
    return re.sub(r"\{(\w+):digits\}", r"{\1}", path)


def include_routers(app: FastAPI) -> None:
    from pinsandbox.ads.conversions.routes import sandbox_router as conversions_sandbox
    from pinsandbox.core.unimplemented import unimplemented_router
    from pinsandbox.oauth import routes as oauth_routes
    from pinsandbox.sandbox.routes import router as sandbox

    # Flat: each router's routes are copied onto the app's router (see core/dispatch.py), which
    # `create_app` then indexes; `app.include_router` would nest them and match every level twice.
    public, protected = v5_routers()
    for router in public:
        add_routes(app.router, router, prefix="/v5")
    for router in protected:
        add_routes(app.router, router, prefix="/v5", dependencies=[Depends(authenticated)])
    # Operations of the spec not built yet: a clear 501 naming them, never a silent stub.
    implemented = {(m, spec_path(r.path)) for r in api_routes() for m in r.methods}
    add_routes(app.router, unimplemented_router(implemented), prefix="/v5")
    # A `{name:digits}` parameter matches ASCII digits only, so that sibling paths (`/campaigns/analytics`)
    # reach their own routes (or their 501s, just above). Anything else in its place ("abc", "١٢") would
    # then be a bare 404: after every other /v5 route, those operations are registered once more with a
    # plain parameter, whose pattern answers 400 code 1 naming it (after the token and scope checks).
    for router in protected:
        add_routes(app.router, router, prefix="/v5", dependencies=[Depends(authenticated)], only=_has_digits_param,
                   path=_plain_params, include_in_schema=False)

    add_routes(app.router, oauth_routes.authorize_router)  # GET /oauth/ (Pinterest serves it on www.pinterest.com)
    if hasattr(oauth_routes, "sandbox_router"):
        add_routes(app.router, oauth_routes.sandbox_router)
    add_routes(app.router, sandbox)
    add_routes(app.router, conversions_sandbox)  # /_sandbox/ad_accounts/{id}/conversion_tags/{tag_id}
    from pinsandbox.jobs.routes import router as jobs_sandbox

    add_routes(app.router, jobs_sandbox)  # /_sandbox/jobs, /_sandbox/jobs/run, /_sandbox/files/{job_id}
    from pinsandbox.organic.boards.routes import sandbox_router as boards_sandbox
    from pinsandbox.organic.media.routes import sandbox_router as media_sandbox

    add_routes(app.router, boards_sandbox)  # /_sandbox/boards/{id}/collaborators (group boards)
    add_routes(app.router, media_sandbox)  # /_sandbox/media/upload (the upload_url of media/create)
    from pinsandbox.ads.reports.routes import sandbox_router as reports_sandbox

    add_routes(app.router, reports_sandbox)  # /_sandbox/ad_accounts/{id}/templates (Ads Manager templates)
    from pinsandbox.organic.terms.routes import sandbox_router as terms_sandbox
    from pinsandbox.organic.user_account.routes import sandbox_router as user_account_sandbox

    add_routes(app.router, user_account_sandbox)  # /_sandbox/websites, /_sandbox/users/{name}/following|interests
    add_routes(app.router, terms_sandbox)  # /_sandbox/ad_accounts/{id}/terms_of_service
