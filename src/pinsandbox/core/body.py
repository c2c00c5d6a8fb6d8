"""Request text no database can store: lone UTF-16 surrogates and NUL characters.

JSON may spell a lone surrogate (`"\\ud800"`): Python's json module decodes it into a str that no UTF-8
encoder accepts, so it would fail later, where it is stored (SQLite, PostgreSQL) or echoed, as a 500.
Pydantic refuses it only in constrained strings. JSON may also spell a NUL (`"\\u0000"`), which PostgreSQL's
text and jsonb refuse (a 500 there, and stored as is on SQLite). `unstorable_string_at` finds either before
the body is used: a cheap byte scan first (most bodies hold no such escape at all; emoji sent as escaped pairs
do hold surrogate escapes), then, only when an escape is there, a walk of the decoded JSON that names where
it is. `nul_in_parameters` does the same for the query string and the path (`%00`).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)")
_BAD = re.compile("[\ud800-\udfff\x00]")
LONE_SURROGATE = "a string holds a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape), which is not valid Unicode"
NUL = "a string holds a NUL character (\\u0000), which no text field takes"


def unstorable_string_at(body: bytes) -> tuple[str, str] | None:
    """(where, what) for the first string (or key) of the JSON `body` that holds a lone surrogate or a NUL:
    where is "body", "name", "items[2].title", ...; None when there is none or the body is not JSON (its
    parser reports that)."""
    if not _ESCAPE.search(body):
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return _find(value, "")


def lone_surrogate_at(body: bytes) -> str | None:
    """Where the JSON `body` holds a lone surrogate (see unstorable_string_at), or None."""
    found = unstorable_string_at(body)
    return found[0] if found is not None and found[1] == LONE_SURROGATE else None


def _what(text: str) -> str | None:
    bad = _BAD.search(text)
    if bad is None:
        return None
    return NUL if bad.group() == "\x00" else LONE_SURROGATE


def _find(value: Any, path: str) -> tuple[str, str] | None:
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            what = _what(item)
            if what:
                return where or "body", what
        elif isinstance(item, dict):
            for key in item:
                what = _what(key)
                if what:
                    return where or "body", what
            # reversed: the first offending field in document order is the one named
            stack.extend((child, f"{where}.{key}" if where else str(key)) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in reversed(list(enumerate(item))))
    return None


def nul_in_parameters(path: str, query_string: bytes) -> str | None:
    """The message for a NUL in the path or in a query parameter (`%00`), naming the parameter; else None."""
    if "\x00" in path:
        return "Invalid request: the path holds a NUL character (%00)."
    if b"%00" not in query_string and b"\x00" not in query_string:
        return None
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if "\x00" in value or "\x00" in name:
            shown = unquote(name).replace("\x00", "")
            return f"Invalid parameter '{shown}': {NUL}."
    return None
