"""Alembic environment: runs on the connection `pinsandbox.core.db.upgrade` hands it (or a URL)."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import pinsandbox.models  # noqa: F401
from pinsandbox.core.db import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section) or {"sqlalchemy.url":
                                config.get_main_option("sqlalchemy.url")}, prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
