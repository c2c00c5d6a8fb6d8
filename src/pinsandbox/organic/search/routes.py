from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from pinsandbox.app import store_of
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.errors import InvalidParameter
from pinsandbox.core.pagination import DEFAULT_PAGE_SIZE, Page, PageParams
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdQuery
from pinsandbox.organic.boards import service as boards_service
from pinsandbox.organic.pins import service as pins_service
from pinsandbox.organic.search import service
from pinsandbox.organic.search.schemas import BoardSearchList, PinSearchList, SummaryPinList

router = APIRouter(tags=["search"])

Bookmark = Annotated[str | None, Query(description="Cursor used to fetch the next page of items")]
QUERY_TEXT = "Search query. Can contain pin description keywords or comma-separated pin IDs."


@router.get("/search/boards", response_model=BoardSearchList, **op("search_user_boards/get", "org_read"))
async def search_user_boards_get(request: Request, page: Page, ad_account_id: AdAccountIdQuery = None,
                                 query: Annotated[str | None, Query(description=QUERY_TEXT)] = None,
                                 caller: Caller = require("boards:read", "boards:read_secret")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        who = boards_service.viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        rows, bookmark = service.search_boards(conn, viewer=who, query=query, page=page, secret=store.secret)
        return Json(page_body([boards_service.render(conn, r) for r in rows], bookmark))


@router.get("/search/pins", response_model=PinSearchList, **op("search_user_pins/list", "org_read"))
async def search_user_pins_list(request: Request,
                                # required; checked here, as FastAPI's error for a parameter named "query"
                                # would not name it (its location is "query" too)
                                query: Annotated[str | None, Query(description=QUERY_TEXT)] = None,
                                ad_account_id: AdAccountIdQuery = None, bookmark: Bookmark = None,
                                caller: Caller = require("boards:read", "boards:read_secret", "pins:read",
                                                         "pins:read_secret")) -> Json:
    store = store_of(request)
    if query is None:
        raise InvalidParameter("Parameter 'query' is required.")
    page = PageParams(page_size=DEFAULT_PAGE_SIZE, bookmark=bookmark or None)  # the operation has no page_size
    with store.read() as conn:
        who = boards_service.viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        rows, next_bookmark = service.search_pins(conn, viewer=who, query=query, page=page, secret=store.secret)
        return Json(page_body([pins_service.render(conn, r, viewer=who) for r in rows], next_bookmark))


@router.get("/search/partner/pins", response_model=SummaryPinList, **op("search_partner_pins", "org_read"))
async def search_partner_pins(request: Request,
                              term: Annotated[str, Query(description="Search term to look up pins.")],
                              country_code: Annotated[str, Query(description="Two letter country code "
                                                                             "(ISO 3166-1 alpha-2)")],
                              bookmark: Bookmark = None,
                              locale: Annotated[str | None, Query(description="Search locale.")] = None,
                              limit: Annotated[int, Query(ge=1, le=50, description="Max search result size")] = 10,
                              caller: Caller = require("boards:read", "pins:read")) -> Json:
    store = store_of(request)
    country = service.check_country(country_code)
    lang = service.check_locale(locale)
    page = PageParams(page_size=limit, bookmark=bookmark or None)
    with store.read() as conn:
        rows, next_bookmark = service.search_partner_pins(conn, term=term, country=country, locale=lang, page=page,
                                                          secret=store.secret)
        return Json(page_body([service.render_summary_pin(r) for r in rows], next_bookmark))
