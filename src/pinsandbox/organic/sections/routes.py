"""Board sections over HTTP: board_sections list/create/update/delete/list_pins (under /boards/{board_id})."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from pinsandbox.app import store_of
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.pagination import Page
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdQuery, id_path
from pinsandbox.organic.boards.service import viewer
from pinsandbox.organic.pins import service as pins_service
from pinsandbox.organic.pins.routes import render_pins
from pinsandbox.organic.pins.schemas import PinList
from pinsandbox.organic.sections import service
from pinsandbox.organic.sections.schemas import BoardSection, BoardSectionList, BoardSectionWrite

router = APIRouter(tags=["boards"])

BoardIdPath = Annotated[str, id_path("Unique identifier of a board.")]
SectionIdPath = Annotated[str, id_path("Unique identifier of a board section.")]


@router.get("/boards/{board_id}/sections", response_model=BoardSectionList, **op("board_sections/list", "org_read"))
async def board_sections_list(request: Request, board_id: BoardIdPath, page: Page,
                              ad_account_id: AdAccountIdQuery = None, caller: Caller = require("boards:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        rows, bookmark = service.list_(conn, viewer=who, board_id=board_id, page=page, secret=store.secret)
        return Json(page_body([service.render(r) for r in rows], bookmark))


@router.post("/boards/{board_id}/sections", response_model=BoardSection, status_code=201,
             **op("board_sections/create", "org_write"))
async def board_sections_create(request: Request, board_id: BoardIdPath, body: Annotated[BoardSectionWrite, Body()],
                                ad_account_id: AdAccountIdQuery = None,
                                caller: Caller = require("boards:read", "boards:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.create(conn, viewer=who, board_id=board_id, name=body.name, now=store.clock.epoch_seconds())
        return Json(service.render(row), status_code=201)


@router.patch("/boards/{board_id}/sections/{section_id}", response_model=BoardSection,
              **op("board_sections/update", "org_write"))
async def board_sections_update(request: Request, board_id: BoardIdPath, section_id: SectionIdPath,
                                body: Annotated[BoardSectionWrite, Body()], ad_account_id: AdAccountIdQuery = None,
                                caller: Caller = require("boards:read", "boards:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.update(conn, viewer=who, board_id=board_id, section_id=section_id, name=body.name,
                             now=store.clock.epoch_seconds())
        return Json(service.render(row))


@router.delete("/boards/{board_id}/sections/{section_id}", status_code=204, response_class=Response,
               **op("board_sections/delete", "org_write"))
async def board_sections_delete(request: Request, board_id: BoardIdPath, section_id: SectionIdPath,
                                ad_account_id: AdAccountIdQuery = None,
                                caller: Caller = require("boards:read", "boards:write")) -> Response:
    store = store_of(request)
    with store.write() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        service.delete(conn, viewer=who, board_id=board_id, section_id=section_id, now=store.clock.epoch_seconds())
    return Response(status_code=204)


@router.get("/boards/{board_id}/sections/{section_id}/pins", response_model=PinList,
            **op("board_sections/list_pins", "org_read"))
async def board_sections_list_pins(request: Request, board_id: BoardIdPath, section_id: SectionIdPath, page: Page,
                                   ad_account_id: AdAccountIdQuery = None,
                                   caller: Caller = require("boards:read", "pins:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        rows, bookmark = pins_service.list_on_board(conn, viewer=who, board_id=board_id, section_id=section_id,
                                                    page=page, secret=store.secret)
        return Json(page_body(render_pins(conn, rows, who=who, pin_metrics=False, store=store), bookmark))
