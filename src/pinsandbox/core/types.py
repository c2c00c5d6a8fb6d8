"""Shared constrained types for parameters and bodies (pattern and bounds as the spec gives them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import StringConstraints

NumericId = Annotated[str, StringConstraints(pattern=r"^\d+$", max_length=18)]

AdAccountIdPath = Annotated[str, Path(pattern=r"^\d+$", max_length=18, description="Unique identifier of an ad account.")]
AdAccountIdQuery = Annotated[str | None, Query(pattern=r"^\d+$", max_length=18,
                                               description="Unique identifier of an ad account.")]


def id_path(description: str) -> Path:
    return Path(pattern=r"^\d+$", max_length=18, description=description)
