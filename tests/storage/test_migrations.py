"""Migrations: after `upgrade`, the schema equals the tables the code declares (SQLite and PostgreSQL).

Several branches of migrations are written side by side; this catches a table or column that a module
declares but no migration creates (or the reverse), and a column whose type differs, before it reaches a
user's database.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import pinsandbox.models  # noqa: F401  (registers every table)
from pinsandbox.core import db
from tests.databases import fresh_database as _database


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_schema_after_upgrade_matches_declared_tables(kind, tmp_path):
    with _database(kind, tmp_path) as settings:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = db.create_db_engine(settings.resolved_database_url())
        try:
            db.upgrade(engine)
            db.upgrade(engine)  # idempotent
            with engine.connect() as conn:
                diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        finally:
            engine.dispose()
    assert diffs == [], f"migrations and declared tables differ: {diffs}"


def test_migration_ids_are_unique_and_reach_the_first_revision():
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    ids = [r.revision for r in revisions]
    assert len(ids) == len(set(ids))
    bases = script.get_bases()
    assert bases == ["0001"], f"one root migration expected, found {bases}"
