from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.app import store_of
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.pagination import Page
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdQuery, id_path
from pinsandbox.organic.boards import service
from pinsandbox.organic.boards.schemas import Board, BoardCreate, BoardList, BoardListPrivacy

router = APIRouter(tags=["boards"])

BoardIdPath = Annotated[str, id_path("Unique identifier of a board.")]


@router.get("/boards", response_model=BoardList, **op("boards/list", "org_read"))
async def boards_list(request: Request, page: Page, ad_account_id: AdAccountIdQuery = None,
                      privacy: Annotated[BoardListPrivacy | None, Query()] = None,
                      caller: Caller = require("boards:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        who = service.viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        rows, bookmark = service.list_(conn, viewer=who, privacy=privacy.value if privacy else None,
                                       page=page, secret=store.secret)
        return Json(page_body([service.render(conn, r) for r in rows], bookmark))


@router.post("/boards", response_model=Board, status_code=201, **op("boards/create", "org_write"))
async def boards_create(request: Request, body: Annotated[BoardCreate, Body()], ad_account_id: AdAccountIdQuery = None,
                        caller: Caller = require("boards:read", "boards:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        who = service.viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.create(conn, viewer=who, name=body.name, description=body.description,
                             privacy=body.privacy.value, now=store.clock.epoch_seconds())
        return Json(service.render(conn, row), status_code=201)


@router.get("/boards/{board_id}", response_model=Board, **op("boards/get", "org_read"))
async def boards_get(request: Request, board_id: BoardIdPath, ad_account_id: AdAccountIdQuery = None,
                     caller: Caller = require("boards:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        who = service.viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        return Json(service.render(conn, service.get(conn, viewer=who, board_id=board_id)))
