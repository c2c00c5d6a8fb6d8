"""Rendering: plain JSON bodies, fast (routes return these; response models document the shape)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response


class Json(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def page_body(items: list[Any], bookmark: str | None) -> dict[str, Any]:
    return {"items": items, "bookmark": bookmark}
