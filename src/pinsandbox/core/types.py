"""Shared constrained types for parameters and bodies (pattern and bounds as the spec gives them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field, StringConstraints
from starlette.convertors import Convertor, register_url_convertor

# The spec's `^\d+$`, as ASCII digits: pydantic's (Rust) regex and Python's `re` both read `\d` as any Unicode
# decimal digit, so "١٢" (Arabic-Indic) would pass and int() would read it as 12.
DIGITS = r"^[0-9]+$"

NumericId = Annotated[str, StringConstraints(pattern=DIGITS, max_length=18)]

AdAccountIdPath = Annotated[str, Path(pattern=DIGITS, max_length=18, description="Unique identifier of an ad account.")]
AdAccountIdQuery = Annotated[str | None, Query(pattern=DIGITS, max_length=18,
                                               description="Unique identifier of an ad account.")]


# A Unix time in seconds in a body (campaign and ad group start_time / end_time): no later than the end of year
# 9999, so every date and every int64 the engine makes of it exists (2**63 was once stored, then broke the
# delivery simulator, and with it every account's analytics).
UnixSeconds = Annotated[int, Field(ge=0, le=253_402_300_799)]

# An id path parameter of the sandbox's own routes (read as an int): bounded to what the database stores, so
# an over-long id is a 400 naming it, not a 500 from the driver.
IntIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


def id_path(description: str) -> Path:
    return Path(pattern=DIGITS, max_length=18, description=description)


class DigitsConvertor(Convertor):
    """`{campaign_id:digits}`: a route matches numeric ids only, so that sibling paths such as
    `/campaigns/analytics` reach their own route (or the 501 of an unimplemented one) instead of
    failing here as a bad campaign id."""

    regex = "[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("digits", DigitsConvertor())
