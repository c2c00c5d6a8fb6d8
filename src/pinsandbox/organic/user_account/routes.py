from __future__ import annotations

from fastapi import APIRouter, Request

from pinsandbox.app import store_of
from pinsandbox.core.access import operation_user
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.responses import Json
from pinsandbox.core.types import AdAccountIdQuery
from pinsandbox.organic.user_account import service
from pinsandbox.organic.user_account.schemas import Account

router = APIRouter(tags=["user_account"])


@router.get("/user_account", response_model=Account, **op("user_account/get", "org_read"))
async def user_account_get(request: Request, ad_account_id: AdAccountIdQuery = None,
                           caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        user_id = operation_user(conn, user_id=caller.user_id, ad_account_id=ad_account_id)
        return Json(service.get(conn, user_id=user_id))
