"""Test databases: a fresh SQLite directory, or a fresh PostgreSQL database dropped afterwards.

PostgreSQL: the server at 127.0.0.1:5432 (trust auth; role `postgres`, else `root`, else the
PINSANDBOX_TEST_PG_URL admin URL). Every use gets its own database `pinsandbox_test_<random>`, so runs
that share the server (CI and a developer's checkout on one machine) never see each other's schema.
When no server answers, PostgreSQL cases are skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from pinsandbox.settings import Settings

PG_ADMIN_URLS = [u for u in (os.environ.get("PINSANDBOX_TEST_PG_URL"),
                             "postgresql://postgres@127.0.0.1:5432/postgres",
                             "postgresql://root@127.0.0.1:5432/postgres") if u]


def _pg_admin() -> tuple[str | None, str]:
    """A URL of a role that may create databases, or (None, why not)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return None, "psycopg is not installed"
    reasons = []
    for url in PG_ADMIN_URLS:
        try:
            with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
                row = conn.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
                if row and row[0]:
                    return url, ""
                reasons.append(f"{url}: role may not create databases")
        except Exception as exc:  # noqa: BLE001 - any failure means "not usable here"
            reasons.append(f"{url}: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}")
    return None, "; ".join(reasons)


_PG_ADMIN, _PG_WHY = _pg_admin()


@contextmanager
def fresh_database(kind: str, tmp_path) -> Iterator[Settings]:
    if kind == "sqlite":
        yield Settings(data_dir=tmp_path / "sqlite")
        return
    if _PG_ADMIN is None:
        pytest.skip(f"PostgreSQL unreachable at 127.0.0.1:5432 ({_PG_WHY})")
    import psycopg

    name = f"pinsandbox_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Settings(data_dir=tmp_path / "pg", database_url=_PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(_PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
