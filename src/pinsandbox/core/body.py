"""Request bodies: lone UTF-16 surrogates.

JSON may spell a lone surrogate (`"\\ud800"`); Python's json module decodes it into a str that no UTF-8
encoder accepts, so it would fail later, where it is stored (SQLite, PostgreSQL) or echoed, as a 500.
Pydantic refuses it only in constrained strings. `lone_surrogate_at` finds it before the body is used: a
cheap byte scan first (most bodies hold no `\\uD8..`-`\\uDF..` escape at all; emoji sent as escaped pairs
do), then, only when an escape is there, a walk of the decoded JSON that names where it is.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE = re.compile("[\ud800-\udfff]")


def lone_surrogate_at(body: bytes) -> str | None:
    """Where the JSON `body` holds a string with a lone surrogate ("body", "name", "items[2].title", or a
    key's path), or None: none, or the body is not JSON (its parser reports that)."""
    if not _SURROGATE_ESCAPE.search(body):
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return _find(value, "")


def _find(value: Any, path: str) -> str | None:
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if _LONE.search(item):
                return where or "body"
        elif isinstance(item, dict):
            if any(_LONE.search(key) for key in item):
                return where or "body"
            # reversed: the first offending field in document order is the one named
            stack.extend((child, f"{where}.{key}" if where else str(key)) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in reversed(list(enumerate(item))))
    return None
