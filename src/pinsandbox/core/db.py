"""Storage: one SQLAlchemy metadata, engines for SQLite (WAL) and PostgreSQL, migrations, transactions.

Domains declare their tables on `metadata` in their own `tables.py`; `pinsandbox.models` imports
them all so Alembic and `reset` see every table. Services receive a `Connection` that is already
inside a transaction (one per request, opened by the route with `store.read()` / `store.write()`);
they never commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

sandbox_state = sa.Table(
    "sandbox_state",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def entity_columns() -> list[sa.Column]:
    """The columns every stored API object shares: numeric id, the object's fields as JSON, times.

    Fields that the API filters, joins or checks rules on are real columns beside these; the rest of
    Pinterest's wide objects live in `data`, validated by the pydantic schemas on the way in.
    """
    return [
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("created_time", sa.BigInteger, nullable=False),
        sa.Column("updated_time", sa.BigInteger, nullable=False),
    ]


def create_db_engine(url: str, *, echo: bool = False) -> sa.Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False},
                                  pool_size=8, max_overflow=16)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
            # Take transaction control from pysqlite so BEGIN happens where SQLAlchemy says.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: sa.Connection) -> None:
            # Writers take the write lock up front (no deadlock on lock upgrade); readers do not block.
            write = conn.get_execution_options().get("pinsandbox_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return sa.create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command

    import pinsandbox.models  # noqa: F401  (registers every table)

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def get_state(conn: sa.Connection, key: str) -> str | None:
    return conn.execute(sa.select(sandbox_state.c.value).where(sandbox_state.c.key == key)).scalar()


def put_state(conn: sa.Connection, key: str, value: str) -> None:
    updated = conn.execute(sa.update(sandbox_state).where(sandbox_state.c.key == key).values(value=value))
    if updated.rowcount == 0:
        conn.execute(sa.insert(sandbox_state).values(key=key, value=value))


def delete_all(conn: sa.Connection, *, keep: set[str]) -> None:
    """Delete every row of every table but `keep`, children first."""
    import pinsandbox.models  # noqa: F401

    for table in reversed(metadata.sorted_tables):
        if table.name not in keep:
            conn.execute(table.delete())
