"""The command line: serve, worker, token, reset, db upgrade, simulate, load-facts, template create."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.console import Console

from pinsandbox.settings import Settings

app = typer.Typer(help="pinsandbox: Pinterest API v5 (5.12.0), local and stateful.", no_args_is_help=True,
                  add_completion=False)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
from pinsandbox.ads.reports.cli import template_app  # noqa: E402  (pinsandbox template create)

app.add_typer(template_app, name="template")
# Messages for people on stderr: plain text (a value holding "[/x]" is printed as is, never read as Rich markup),
# never hard-wrapped (one message, one line), red where it is an error.
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]
FactTable = Literal["delivery", "conversions", "organic"]
USERNAME_PATTERN = r"[A-Za-z0-9_.-]{1,100}"  # as POST /_sandbox/tokens takes them

DataDir = Annotated[Optional[str], typer.Option("--data-dir", help="State directory (default ./.pinsandbox).",
                                                 envvar="PINSANDBOX_DATA_DIR")]
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", envvar="PINSANDBOX_DATABASE_URL",
                                                    help="e.g. postgresql://user@127.0.0.1:5432/db (default SQLite in the data dir).")]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line in red on stderr; the caller raises what this returns (`raise fail(...)`)."""
    err.print(message, style="red")
    return typer.Exit(code)


def _settings(data_dir: str | Path | None, database_url: str | None, **extra) -> Settings:
    from pydantic import ValidationError

    # --data-dir "" (or an empty PINSANDBOX_DATA_DIR) means the default, not the working directory ("." does)
    data_dir = Path(data_dir) if data_dir is not None and str(data_dir).strip() else None
    values = {k: v for k, v in {"data_dir": data_dir, "database_url": database_url or None, **extra}.items()
              if v is not None}
    try:
        return Settings(**values)
    except ValidationError as exc:  # a bad PINSANDBOX_* variable
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else "?"
        raise fail(f"invalid setting PINSANDBOX_{field.upper()}: {first['msg']}") from None


def shown_url(url: str) -> str:
    """A database URL as printed: its password hidden."""
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can read: printed as given
        return url


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _store(settings: Settings):
    from pinsandbox.core.ratelimit import parse as parse_rate_limits
    from pinsandbox.core.store import Store

    try:
        parse_rate_limits(settings.rate_limits)
    except ValueError as exc:
        raise fail(f"--rate-limits / PINSANDBOX_RATE_LIMITS: {exc}") from None
    try:
        return Store(settings)
    except Exception as exc:  # a database that cannot be reached: say so plainly
        raise fail(f"cannot open the state database {shown_url(settings.resolved_database_url())}: "
                   f"{_first_line(exc)}") from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed the demo business (once) and print a token.")] = False,
    rate_limits: Annotated[str, typer.Option(help="off | standard | 'ads_read=100/60,...'",
                                             envvar="PINSANDBOX_RATE_LIMITS")] = "off",
    log_level: Annotated[LogLevel, typer.Option(help="uvicorn log level.", case_sensitive=False)] = "warning",
    workers: Annotated[Optional[int], typer.Option("--workers", min=0, envvar="PINSANDBOX_WORKERS",
                                                   help="In-process job workers (async reports, bulk); 0: none, "
                                                        "leave jobs to `pinsandbox worker` processes. Default 2.")]
    = None,
) -> None:
    """Run the server: the API under /v5, sandbox controls under /_sandbox, and N job workers."""
    import gc

    import uvicorn

    from pinsandbox.app import create_app
    from pinsandbox.jobs.runner import JobRunner

    settings = _settings(data_dir, database_url, host=host, port=port, rate_limits=rate_limits, workers=workers)
    store = _facts_store(settings)  # the fact store too: an unusable data dir is one line here, not a traceback
    base = f"http://{f'[{host}]' if ':' in host else host}:{port}"  # an IPv6 address goes in brackets
    out = Console(soft_wrap=True)  # the token and the curl line stay whole, to copy
    if demo:
        from urllib.parse import urlencode

        from pinsandbox.demo import DEMO_USER, seed

        demo_seed = seed(store)
        token = demo_seed.token
        out.print(f"[bold]pinsandbox[/bold] "
                  f"{'seeded the demo business' if demo_seed.seeded else 'demo business already seeded'}"
                  f" (user [cyan]{DEMO_USER}[/cyan]).")
        out.print(f"API base URL:  {base}/v5")
        out.print(f"Access token:  {token}")
        out.print(f"Try:           curl -H 'Authorization: Bearer {token}' {base}/v5/ad_accounts")
        authorize = urlencode({"client_id": demo_seed.client_id, "redirect_uri": demo_seed.redirect_uri,
                               "response_type": "code", "scope": "ads:read,user_accounts:read", "state": "demo",
                               "username": DEMO_USER})
        out.print(f"OAuth app:     client_id {demo_seed.client_id}  client_secret {demo_seed.client_secret}  "
                  f"redirect_uri {demo_seed.redirect_uri}")
        out.print(f"Authorize:     {base}/oauth/?{authorize}")
        out.print(f"Token URL:     {base}/v5/oauth/token  (HTTP Basic client_id:client_secret)")
    else:
        out.print(f"pinsandbox starting on {base}/v5  (state: {shown_url(settings.resolved_database_url())})",
                  markup=False)
    runner = JobRunner(store, workers=settings.workers).start()
    api = create_app(store=store)
    # On shutdown (uvicorn re-raises SIGTERM once it has stopped, so `finally` alone would not run):
    # running jobs end (their minimum time is cut short) instead of waiting for their lease to lapse.
    api.router.add_event_handler("shutdown", lambda: runner.stop(timeout=10))
    # What startup built (routes, models, the demo's garbage) lives as long as the process: keep it out of
    # the collector's generations, so a full collection under load walks only per-request objects.
    gc.collect()
    gc.freeze()
    try:
        uvicorn.run(api, host=host, port=port, log_level=str(log_level).lower(), access_log=False)
    finally:
        runner.stop(timeout=10)


@app.command()
def worker(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64,
                                             help="Jobs this process runs at once (threads).")] = 2,
    kinds: Annotated[Optional[str], typer.Option("--kinds", help="Comma-separated job kinds to run (default: all "
                                                                 "that this installation knows).")] = None,
    log_level: Annotated[LogLevel, typer.Option(help="Log level.", case_sensitive=False)] = "info",
) -> None:
    """Run job workers in their own process against the state database (several processes share the load;
    the server's own workers too). Stops on Ctrl-C / SIGTERM after the running jobs end."""
    import logging
    import signal
    import threading

    from pinsandbox.jobs import service
    from pinsandbox.jobs.runner import JobRunner

    level = str(log_level).upper()
    logging.basicConfig(level="DEBUG" if level == "TRACE" else level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its per-start migration notes are noise here
    settings = _settings(data_dir, database_url)
    known = service.handlers()
    wanted = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else list(known)
    unknown = [k for k in wanted if k not in known]
    if not wanted:
        raise fail(f"--kinds: give at least one job kind; known: {', '.join(known)}")
    if unknown:
        err.print(f"--kinds: unknown job kind(s) {', '.join(unknown)}; known: {', '.join(known)}", style="red")
        raise typer.Exit(2)
    store = _store(settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    runner = JobRunner(store, workers=concurrency, kinds=wanted).start()
    err.print(f"pinsandbox worker {service.process_worker_id()}: {concurrency} thread(s) for {', '.join(wanted)} "
              f"(state: {shown_url(settings.resolved_database_url())})")
    while not stop.wait(1.0):
        pass
    err.print("stopping: waiting for running jobs ...")
    runner.stop(timeout=30)
    store.dispose()


@app.command()
def token(
    user: Annotated[str, typer.Option("--user", help="User name (created if needed).")],
    scopes: Annotated[str, typer.Option("--scopes", help="Comma-separated scopes, or 'all'.")] = "all",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    pinner: Annotated[bool, typer.Option("--pinner", help="Create the user as a PINNER (not BUSINESS) account.")] = False,
) -> None:
    """Print one access token for USER on stdout (works whether the server runs or not)."""
    import re

    from pinsandbox.core import identity
    from pinsandbox.core.auth import parse_scopes

    if not re.fullmatch(USERNAME_PATTERN, user):
        raise fail(f"--user: {user!r} is not a user name (1 to 100 letters, digits, '_', '.' or '-')")
    try:
        scope_list = parse_scopes(scopes)
    except ValueError as exc:
        raise fail(f"--scopes: {exc}") from None
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
    store = _facts_store(_settings(data_dir, database_url))  # before anything is dropped: all or nothing
    try:
        store.reset(keep_identities=not all_)
    except (OSError, ValueError) as exc:
        raise fail(f"cannot reset the fact store {store.settings.data_dir / 'facts'}: {exc}") from None
    finally:
        store.dispose()
    err.print("reset done")


Url = Annotated[Optional[str], typer.Option(
    "--url", help="A running server (e.g. http://127.0.0.1:8080): do it through its /_sandbox endpoints instead of "
                  "in this process (both work while a server runs on the same data dir).")]


def _facts_store(settings: Settings):
    """The store with its fact store open (any number of processes may open it), or a clear message."""
    import duckdb

    store = _store(settings)
    try:
        store.facts  # noqa: B018  (opens <data_dir>/facts)
        store.facts.meta()  # reads its manifest
    except (OSError, ValueError, duckdb.Error) as exc:
        store.dispose()
        raise fail(f"cannot open the fact store {settings.data_dir / 'facts'}: {_first_line(exc)}") from None
    return store


def _post(url: str, path: str, **kwargs) -> dict:
    """POST to a running pinsandbox server's sandbox endpoint: its JSON object, or a one-line error (exit 2 when
    the server cannot be reached or is not a pinsandbox server, 1 when it refuses the request)."""
    import httpx

    base = url.rstrip("/")
    try:
        health = httpx.get(base + "/_sandbox/health", timeout=10)
        ok = health.status_code == 200 and health.headers.get("content-type", "").startswith("application/json") \
            and isinstance(health.json(), dict) and health.json().get("status") == "ok"
    except (httpx.HTTPError, ValueError) as exc:
        raise fail(f"cannot reach {url}: {_first_line(exc)}") from None
    if not ok:
        raise fail(f"{url} is not a pinsandbox server (GET /_sandbox/health answered HTTP {health.status_code})")
    try:
        r = httpx.post(base + path, timeout=httpx.Timeout(None, connect=10), **kwargs)
    except httpx.HTTPError as exc:
        raise fail(f"cannot reach {url}: {_first_line(exc)}") from None
    try:
        body = r.json()
    except ValueError:
        body = None
    if r.status_code != 200 or not isinstance(body, dict):
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            message = body["message"]
        else:
            message = f"HTTP {r.status_code}: {(r.text.strip().splitlines() or [''])[0][:200]}"
        raise fail(f"{r.status_code}: {message}" if isinstance(body, dict) else message, 1)
    return body


@app.command()
def simulate(
    days: Annotated[int, typer.Option("--days", min=0, max=1100, help="Days of history to simulate.")] = 90,
    seed: Annotated[Optional[int], typer.Option("--seed", min=0, max=2**63 - 1,
                                                help="Random seed (default: the last one, else 1).")]
    = None,
    end: Annotated[Optional[str], typer.Option("--end", help="End of the range, ISO-8601 (default: the sandbox "
                                                             "clock's current hour).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    url: Url = None,
) -> None:
    """Simulate delivery and conversion facts for the live ads over the last DAYS days (then the server keeps
    simulating the hours that pass)."""
    import datetime as dt
    import json

    from pinsandbox.core.clock import parse_instant

    if end is not None:
        try:
            parse_instant(end)
        except ValueError:
            err.print(f"--end: {end!r} is not an ISO-8601 time", style="red")
            raise typer.Exit(2) from None
    if url:
        body = {"days": days, **({"seed": seed} if seed is not None else {}), **({"end": end} if end else {})}
        with err.status(f"simulating {days} days on {url} ..."):
            out = _post(url, "/_sandbox/simulate", json=body)
        print(json.dumps(out))
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from pinsandbox.reporting import simulator

    store = _facts_store(_settings(data_dir, database_url))
    try:
        stop = simulator.resolve_end(store, parse_instant(end) if end else None)
    except ValueError as exc:
        store.dispose()
        err.print(f"--end: {exc}", style="red")
        raise typer.Exit(2) from None
    if seed is None:
        seed = simulator.status(store)["seed"] or 1
    with Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed}/{task.total} hours"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err) as bar:
        task = bar.add_task("simulate", total=days * 24)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = simulator.simulate(store, start=stop - dt.timedelta(days=days), end=stop, seed=seed,
                                        progress=progress)
        except OSError as exc:
            store.dispose()
            raise fail(f"cannot write the fact store {store.settings.data_dir / 'facts'}: {exc}") from None
    store.dispose()
    out = result.as_dict()
    err.print(f"{out['rows']['delivery']:,} delivery and {out['rows']['conversions']:,} conversion rows for "
              f"{out['ads']} ads, {out['start']} to {out['end']}, in {out['seconds']:.1f} s")
    print(json.dumps(out))


@app.command("load-facts")
def load_facts(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="A CSV or Parquet file of delivery, conversion or organic facts.")],
    table: Annotated[Optional[FactTable], typer.Option("--table", help="The table (default: from the columns: "
                                                                       "hour, conversion_time or day).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    url: Url = None,
) -> None:
    """Load fact fixtures (all rows or none); see docs/sandbox.md for the columns."""
    import json

    table = str(table) if table is not None else None
    if url:
        data = {"table": table} if table else {}
        with file.open("rb") as fh:
            out = _post(url, "/_sandbox/facts", files={"file": (file.name, fh)}, data=data)
        print(json.dumps(out))
        return
    from pinsandbox.reporting import fixtures

    store = _facts_store(_settings(data_dir, database_url))
    try:
        data = fixtures.read_table(file)
        name = table or fixtures.infer_table(data.column_names)
        written = fixtures.insert(store, name, fixtures.prepare(name, data, store=store))
    except fixtures.FactsError as exc:
        raise fail(f"{file}: {exc}", 1) from None
    except OSError as exc:
        raise fail(f"cannot write the fact store {store.settings.data_dir / 'facts'}: {exc}") from None
    finally:
        store.dispose()
    err.print(f"loaded {written:,} {name} rows from {file}")
    print(json.dumps({"table": name, "rows": written}))


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Apply the Alembic migrations (serve does this on start too)."""
    _store(_settings(data_dir, database_url))
    err.print("database is at the newest migration")


if __name__ == "__main__":
    app()
