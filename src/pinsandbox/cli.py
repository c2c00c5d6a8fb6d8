"""The command line: serve, token, reset, db upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from pinsandbox.settings import Settings

app = typer.Typer(help="pinsandbox: Pinterest API v5 (5.12.0), local and stateful.", no_args_is_help=True,
                  add_completion=False)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
err = Console(stderr=True)

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="State directory (default ./.pinsandbox).",
                                                 envvar="PINSANDBOX_DATA_DIR")]
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", envvar="PINSANDBOX_DATABASE_URL",
                                                    help="e.g. postgresql://user@127.0.0.1:5432/db (default SQLite in the data dir).")]


def _settings(data_dir: Path | None, database_url: str | None, **extra) -> Settings:
    values = {k: v for k, v in {"data_dir": data_dir, "database_url": database_url, **extra}.items() if v is not None}
    return Settings(**values)


def _store(settings: Settings):
    from pinsandbox.core.store import Store

    try:
        return Store(settings)
    except Exception as exc:  # a database that cannot be reached: say so plainly
        err.print(f"[red]cannot open the state database {settings.resolved_database_url()}: {exc}[/red]")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed the demo business (once) and print a token.")] = False,
    rate_limits: Annotated[str, typer.Option(help="off | standard | 'ads_read=100/60,...'",
                                             envvar="PINSANDBOX_RATE_LIMITS")] = "off",
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Run the server: the API under /v5, sandbox controls under /_sandbox."""
    import uvicorn

    from pinsandbox.app import create_app

    settings = _settings(data_dir, database_url, host=host, port=port, rate_limits=rate_limits)
    store = _store(settings)
    base = f"http://{host}:{port}"
    out = Console()
    if demo:
        from pinsandbox.demo import DEMO_USER, seed

        token, seeded = seed(store)
        out.print(f"[bold]pinsandbox[/bold] {'seeded the demo business' if seeded else 'demo business already seeded'}"
                  f" (user [cyan]{DEMO_USER}[/cyan]).")
        out.print(f"API base URL:  {base}/v5")
        out.print(f"Access token:  {token}")
        out.print(f"Try:           curl -H 'Authorization: Bearer {token}' {base}/v5/ad_accounts")
    else:
        out.print(f"pinsandbox listening on {base}/v5  (state: {settings.resolved_database_url()})")
    uvicorn.run(create_app(store=store), host=host, port=port, log_level=log_level, access_log=False)


@app.command()
def token(
    user: Annotated[str, typer.Option("--user", help="User name (created if needed).")],
    scopes: Annotated[str, typer.Option("--scopes", help="Comma-separated scopes, or 'all'.")] = "all",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    pinner: Annotated[bool, typer.Option("--pinner", help="Create the user as a PINNER (not BUSINESS) account.")] = False,
) -> None:
    """Print one access token for USER on stdout (works whether the server runs or not)."""
    from pinsandbox.core import identity
    from pinsandbox.core.auth import parse_scopes

    try:
        scope_list = parse_scopes(scopes)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    store = _store(_settings(data_dir, database_url))
    with store.write() as conn:
        now = store.clock.epoch_seconds()
        row = identity.ensure_user(conn, user, now=now, account_type="PINNER" if pinner else "BUSINESS")
        tok = identity.mint_access_token(conn, user_id=row.id, scopes=scope_list, now=now,
                                         ttl_seconds=store.settings.access_token_ttl_seconds)
    print(tok)


@app.command()
def reset(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    all_: Annotated[bool, typer.Option("--all", help="Drop users, apps and tokens too.")] = False,
) -> None:
    """Drop all data (keeps users, apps and tokens unless --all)."""
    _store(_settings(data_dir, database_url)).reset(keep_identities=not all_)
    err.print("reset done")


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Apply the Alembic migrations (serve does this on start too)."""
    _store(_settings(data_dir, database_url))
    err.print("database is at the newest migration")


if __name__ == "__main__":
    app()
