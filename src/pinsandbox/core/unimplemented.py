"""Operations of the spec that pinsandbox does not serve yet answer 501 with a message naming them.

Never a silent stub: a client sees at once that the sandbox lacks the operation (see docs/COVERAGE.md).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from pinsandbox.core.errors import NotImplementedYet
from pinsandbox.core.spec_operations import OPERATIONS


def _handler(operation_id: str):
    async def handler(request: Request) -> None:
        raise NotImplementedYet(f"pinsandbox does not implement the operation '{operation_id}' "
                                f"({request.method} {request.url.path}) yet; see docs/COVERAGE.md.")

    return handler


def unimplemented_router(implemented: set[tuple[str, str]]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for method, path, operation_id in OPERATIONS:
        if (method, path) in implemented:
            continue

        router.add_api_route(path, _handler(operation_id), methods=[method],
                             operation_id=f"unimplemented:{operation_id}")
    return router
