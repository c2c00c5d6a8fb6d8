"""Shared parameter handling: id lists, numeric ids, enums given as repeated or comma-joined params."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pinsandbox.core.errors import InvalidParameter

_NUMERIC = re.compile(r"[0-9]+")  # ASCII digits, whole value (fullmatch): not "١٢", not "12\n"


def split_list(values: Iterable[str] | None) -> list[str] | None:
    """Accept `?x=1&x=2` and `?x=1,2` alike (Pinterest clients send both)."""
    if values is None:
        return None
    out = [v.strip() for raw in values for v in raw.split(",") if v.strip()]
    return out


def id_list(name: str, values: Iterable[str] | None, *, min_items: int = 1, max_items: int = 100) -> list[int] | None:
    items = split_list(values)
    if items is None:
        return None
    if len(items) < min_items:
        raise InvalidParameter(f"Invalid parameter '{name}': give at least {min_items} id(s).")
    if len(items) > max_items:
        raise InvalidParameter(f"Invalid parameter '{name}': at most {max_items} ids are allowed, got {len(items)}.")
    for v in items:
        if not _NUMERIC.fullmatch(v) or len(v) > 18:
            raise InvalidParameter(f"Invalid parameter '{name}': {v!r} must match the pattern ^\\d+$ "
                                   "(at most 18 digits).")
    return [int(v) for v in items]


def enum_list(name: str, values: Iterable[str] | None, allowed: Iterable[str], *, max_items: int | None = None
              ) -> list[str] | None:
    items = split_list(values)
    if items is None:
        return None
    allowed = tuple(allowed)
    for v in items:
        if v not in allowed:
            raise InvalidParameter(f"Invalid parameter '{name}': {v!r} is not one of {', '.join(allowed)}.")
    if max_items is not None and len(items) > max_items:
        raise InvalidParameter(f"Invalid parameter '{name}': at most {max_items} values are allowed.")
    return items


def numeric_id(name: str, value: str) -> int:
    if not _NUMERIC.fullmatch(value) or len(value) > 18:
        raise InvalidParameter(f"Invalid parameter '{name}': {value!r} must match the pattern ^\\d+$ "
                               "(at most 18 digits).")
    return int(value)
