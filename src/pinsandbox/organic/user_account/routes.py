from __future__ import annotations

import logging
from typing import Annotated

import duckdb
from fastapi import APIRouter, Body, Path, Query, Request
from starlette.responses import Response

from pinsandbox.app import store_of
from pinsandbox.core.access import operation_user
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.pagination import Page
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdQuery, IntIdPath
from pinsandbox.organic.boards import service as boards_service
from pinsandbox.organic.user_account import follows, service, websites
from pinsandbox.organic.user_account.schemas import (
    Account, BoardList, FollowUserRequest, InterestList, LinkedBusiness, SandboxInterests, SandboxWebsite,
    UserFollowingFeedType, UserSummary, UserSummaryList, UserWebsiteSummary, UserWebsiteSummaryList,
    UserWebsiteVerificationCode, UserWebsiteVerifyRequest,
)

router = APIRouter(tags=["user_account"])
log = logging.getLogger("pinsandbox")

UsernamePath = Annotated[str, Path(description="A valid username")]
ExplicitFollowing = Annotated[bool, Query(description="Only explicit follows (no follows implied by a board or "
                                                      "user follow).")]


@router.get("/user_account", response_model=Account, **op("user_account/get", "org_read"))
async def user_account_get(request: Request, ad_account_id: AdAccountIdQuery = None,
                           caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        user_id = operation_user(conn, user_id=caller.user_id, ad_account_id=ad_account_id)
    try:
        views = service.monthly_views(store.facts, user_id=user_id, today=store.clock.today())
    except duckdb.IOException as exc:  # the facts file is held by another process: the count is unknown
        log.warning("monthly_views unavailable: %s", exc)
        views = None  # nullable in the spec
    with store.read() as conn:
        return Json(service.get(conn, user_id=user_id, monthly_views=views))


@router.get("/user_account/businesses", response_model=list[LinkedBusiness],
            **op("linked_business_accounts/get", "org_read"))
async def linked_business_accounts_get(request: Request, caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        return Json(service.linked_businesses(conn, user_id=caller.user_id))


# -- follows ----------------------------------------------------------------------------------------------
@router.get("/user_account/followers", response_model=UserSummaryList, **op("followers/list", "ads_read"))
async def followers_list(request: Request, page: Page, caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        items, bookmark = follows.list_followers(conn, user_id=caller.user_id, page=page, secret=store.secret)
        return Json(page_body(items, bookmark))


@router.get("/user_account/following", response_model=UserSummaryList, **op("user_following/get", "org_read"))
async def user_following_get(request: Request, page: Page,
                             feed_type: Annotated[UserFollowingFeedType, Query()] = UserFollowingFeedType.ALL,
                             explicit_following: ExplicitFollowing = False, ad_account_id: AdAccountIdQuery = None,
                             caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        user_id = operation_user(conn, user_id=caller.user_id, ad_account_id=ad_account_id)
        items, bookmark = follows.list_following(conn, user_id=user_id, feed_type=feed_type.value,
                                                 explicit=explicit_following, page=page, secret=store.secret)
        return Json(page_body(items, bookmark))


@router.get("/user_account/following/boards", response_model=BoardList,
            **op("boards_user_follows/list", "org_read"))
async def boards_user_follows_list(request: Request, page: Page, explicit_following: ExplicitFollowing = False,
                                   ad_account_id: AdAccountIdQuery = None,
                                   caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        user_id = operation_user(conn, user_id=caller.user_id, ad_account_id=ad_account_id)
        rows, bookmark = follows.list_following_boards(conn, user_id=user_id, explicit=explicit_following,
                                                       page=page, secret=store.secret)
        return Json(page_body([boards_service.render(conn, r) for r in rows], bookmark))


@router.post("/user_account/following/{username}", response_model=UserSummary,
             **op("follow_user/update", "org_write"))
async def follow_user_update(request: Request, username: UsernamePath,
                             body: Annotated[FollowUserRequest | None, Body()] = None,
                             caller: Caller = require("user_accounts:write")) -> Json:
    store = store_of(request)
    body = body or FollowUserRequest()
    with store.write() as conn:
        target = follows.follow_user(conn, follower_id=caller.user_id, username=username,
                                     auto_follow=body.auto_follow, now=store.clock.epoch_seconds())
        return Json(follows.summary(target.username))


@router.get("/users/{username}/interests/follow", response_model=InterestList,
            **op("user_account/followed_interests", "org_read"))
async def user_account_followed_interests(request: Request, username: UsernamePath, page: Page,
                                          caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        user = follows.user_by_name(conn, username)
        items, bookmark = service.list_interests(conn, user_id=user.id, page=page, secret=store.secret)
        return Json(page_body(items, bookmark))


# -- websites ---------------------------------------------------------------------------------------------
@router.post("/user_account/websites", response_model=UserWebsiteSummary, **op("verify_website/update", "org_write"))
async def verify_website_update(request: Request, body: Annotated[UserWebsiteVerifyRequest, Body()],
                                caller: Caller = require("user_accounts:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        return Json(websites.verify(conn, user_id=caller.user_id, website=body.website,
                                    method=body.verification_method.value, secret=store.secret,
                                    now=store.clock.now()))


@router.get("/user_account/websites", response_model=UserWebsiteSummaryList, **op("user_websites/get", "org_read"))
async def user_websites_get(request: Request, page: Page, caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        items, bookmark = websites.list_(conn, user_id=caller.user_id, page=page, secret=store.secret)
        return Json(page_body(items, bookmark))


@router.delete("/user_account/websites", status_code=204, response_class=Response,
               **op("unverify_website/delete", "org_write"))
async def unverify_website_delete(request: Request,
                                  website: Annotated[str, Query(description="Website with path or domain only")],
                                  caller: Caller = require("user_accounts:write")) -> Response:
    store = store_of(request)
    with store.write() as conn:
        websites.unverify(conn, user_id=caller.user_id, website=website, now=store.clock.epoch_seconds())
    return Response(status_code=204)


@router.get("/user_account/websites/verification", response_model=UserWebsiteVerificationCode,
            **op("website_verification/get", "org_read"))
async def website_verification_get(request: Request, caller: Caller = require("user_accounts:read")) -> Json:
    return Json(websites.verification(store_of(request).secret, caller.user_id))


# -- sandbox controls (docs/sandbox.md): the other side of follows and websites ----------------------------------
sandbox_router = APIRouter(prefix="/_sandbox", tags=["sandbox"])


@sandbox_router.put("/websites", operation_id="sandbox/website_serve")
async def sandbox_website_serve(request: Request, body: SandboxWebsite) -> Json:
    """Play a website: what it serves for verification (meta tags of its page, a file at its root, the
    TXT records of its host). Replaces what it served before."""
    store = store_of(request)
    with store.write() as conn:
        return Json(websites.serve(conn, website=body.website, meta_tag=body.meta_tag,
                                   file_name=body.file.name if body.file else None,
                                   file_content=body.file.content if body.file else None,
                                   dns_txt=body.dns_txt, now=store.clock.epoch_seconds()))


@sandbox_router.delete("/websites", operation_id="sandbox/website_take_down", status_code=204,
                       response_class=Response)
async def sandbox_website_take_down(request: Request, website: Annotated[str, Query()]) -> Response:
    """The website stops serving anything (verifying it then answers 400 code 75)."""
    store = store_of(request)
    with store.write() as conn:
        websites.take_down(conn, website=website)
    return Response(status_code=204)


def _sandbox_user(conn, username: str):
    return follows.user_by_name(conn, username)


@sandbox_router.put("/users/{username}/following/boards/{board_id}", operation_id="sandbox/board_follow")
async def sandbox_board_follow(request: Request, username: str, board_id: IntIdPath) -> Json:
    """The user follows a public board of another user (Pinterest's API has no operation for it)."""
    store = store_of(request)
    with store.write() as conn:
        user = _sandbox_user(conn, username)
        board = follows.follow_board(conn, user_id=user.id, board_id=board_id, now=store.clock.epoch_seconds())
        return Json({"username": user.username, "board_id": str(board.id), "following": True})


@sandbox_router.delete("/users/{username}/following/boards/{board_id}", operation_id="sandbox/board_unfollow")
async def sandbox_board_unfollow(request: Request, username: str, board_id: IntIdPath) -> Json:
    store = store_of(request)
    with store.write() as conn:
        user = _sandbox_user(conn, username)
        was = follows.unfollow_board(conn, user_id=user.id, board_id=board_id)
        return Json({"username": user.username, "board_id": str(board_id), "following": False, "was_following": was})


@sandbox_router.put("/users/{username}/following/{target}", operation_id="sandbox/user_follow")
async def sandbox_user_follow(request: Request, username: str, target: str) -> Json:
    """`username` follows `target` (what POST /v5/user_account/following/{target} does with their token)."""
    store = store_of(request)
    with store.write() as conn:
        user = _sandbox_user(conn, username)
        followee = follows.follow_user(conn, follower_id=user.id, username=target, auto_follow=False,
                                       now=store.clock.epoch_seconds())
        return Json({"username": user.username, "target": followee.username, "following": True})


@sandbox_router.delete("/users/{username}/following/{target}", operation_id="sandbox/user_unfollow")
async def sandbox_user_unfollow(request: Request, username: str, target: str) -> Json:
    """`username` stops following `target` (Pinterest's API has no unfollow operation)."""
    store = store_of(request)
    with store.write() as conn:
        user = _sandbox_user(conn, username)
        was = follows.unfollow_user(conn, follower_id=user.id, username=target)
        return Json({"username": user.username, "target": target, "following": False, "was_following": was})


@sandbox_router.put("/users/{username}/interests", operation_id="sandbox/interests_set")
async def sandbox_interests_set(request: Request, username: str, body: SandboxInterests) -> Json:
    """The interests the user follows, exactly (ids or names of the sandbox's interest vocabulary)."""
    store = store_of(request)
    with store.write() as conn:
        user = _sandbox_user(conn, username)
        ids = service.resolve_interests(body.interests)
        service.set_interests(conn, user_id=user.id, interest_ids=ids, now=store.clock.epoch_seconds())
        return Json({"username": user.username, "interests": [service.render_interest(i) for i in ids]})
