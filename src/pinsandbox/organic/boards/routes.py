"""Boards over HTTP.

- `router` (/v5): boards list/create/get/update/delete and boards/list_pins.
- `sandbox_router` (/_sandbox): group boards — add or remove a collaborator (the API has no operation
  for inviting one), see docs/sandbox.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from pinsandbox.app import store_of
from pinsandbox.core import identity
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.errors import NotFound
from pinsandbox.core.pagination import Page
from pinsandbox.core.params import enum_list
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdQuery, id_path
from pinsandbox.organic.boards import service
from pinsandbox.organic.boards.schemas import Board, BoardCreate, BoardList, BoardListPrivacy, BoardUpdate
from pinsandbox.organic.pins import service as pins_service
from pinsandbox.organic.pins.routes import CreativeTypes, PinMetrics, render_pins
from pinsandbox.organic.pins.schemas import LIST_CREATIVE_TYPES, PinList

router = APIRouter(tags=["boards"])
sandbox_router = APIRouter(prefix="/_sandbox", tags=["sandbox"])

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


@router.patch("/boards/{board_id}", response_model=Board, **op("boards/update", "org_write"))
async def boards_update(request: Request, board_id: BoardIdPath, body: Annotated[BoardUpdate, Body()],
                        ad_account_id: AdAccountIdQuery = None,
                        caller: Caller = require("boards:read", "boards:write")) -> Json:
    store = store_of(request)
    fields = {k: (v.value if hasattr(v, "value") else v) for k, v in body.model_dump(exclude_unset=True).items()}
    with store.write() as conn:
        who = service.viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.update(conn, viewer=who, board_id=board_id, fields=fields, now=store.clock.epoch_seconds())
        return Json(service.render(conn, row))


@router.delete("/boards/{board_id}", status_code=204, response_class=Response, **op("boards/delete", "org_write"))
async def boards_delete(request: Request, board_id: BoardIdPath, ad_account_id: AdAccountIdQuery = None,
                        caller: Caller = require("boards:read", "boards:write")) -> Response:
    store = store_of(request)
    with store.write() as conn:
        who = service.viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        service.delete(conn, viewer=who, board_id=board_id)
    return Response(status_code=204)


@router.get("/boards/{board_id}/pins", response_model=PinList, **op("boards/list_pins", "org_read"))
async def boards_list_pins(request: Request, board_id: BoardIdPath, page: Page, creative_types: CreativeTypes = None,
                           ad_account_id: AdAccountIdQuery = None, pin_metrics: PinMetrics = False,
                           caller: Caller = require("boards:read", "pins:read")) -> Json:
    store = store_of(request)
    types = enum_list("creative_types", creative_types, LIST_CREATIVE_TYPES)
    with store.read() as conn:
        who = service.viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        rows, bookmark = pins_service.list_on_board(conn, viewer=who, board_id=board_id, creative_types=types,
                                                    page=page, secret=store.secret)
        return Json(page_body(render_pins(conn, rows, who=who, pin_metrics=pin_metrics, store=store), bookmark))


# -- sandbox: group boards ----------------------------------------------------------------------
class CollaboratorRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=1, max_length=100)]


def _collaborators_body(conn, row) -> dict:
    return {"board_id": str(row.id), "owner": service.username(conn, row.owner_user_id),
            "collaborators": service.collaborator_names(conn, row.id)}


@sandbox_router.put("/boards/{board_id}/collaborators", operation_id="sandbox/board_collaborator_add")
async def board_collaborator_add(request: Request, board_id: BoardIdPath, body: CollaboratorRequest) -> Json:
    """Share a board with a user (a group board): the user becomes a collaborator."""
    store = store_of(request)
    with store.write() as conn:
        user = identity.get_user_by_name(conn, body.username)
        if user is None:
            raise NotFound(f"User not found. No user {body.username!r} (username).", code=30)
        row = service.add_collaborator(conn, board_id=board_id, user_id=user.id, now=store.clock.epoch_seconds())
        return Json(_collaborators_body(conn, row))


@sandbox_router.delete("/boards/{board_id}/collaborators/{username}",
                       operation_id="sandbox/board_collaborator_remove")
async def board_collaborator_remove(request: Request, board_id: BoardIdPath, username: str) -> Json:
    """Stop sharing a board with a user."""
    store = store_of(request)
    with store.write() as conn:
        user = identity.get_user_by_name(conn, username)
        if user is None:
            raise NotFound(f"User not found. No user {username!r} (username).", code=30)
        service.remove_collaborator(conn, board_id=board_id, user_id=user.id)
        return Json(_collaborators_body(conn, service.load(conn, board_id)))
