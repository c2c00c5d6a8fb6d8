"""`pinsandbox template create`: save a report template for an ad account, as Ads Manager does.

    pinsandbox template create --ad-account 549755885175 --file template.json
    pinsandbox template create --ad-account 549755885175 --name "Weekly spend" --level CAMPAIGN \\
        --columns SPEND_IN_DOLLAR,PAID_IMPRESSION --granularity DAY --relative 14:1 [--format CSV]

The file holds the template's fields as `GET /ad_accounts/{id}/templates` shows them (a template object
copied from Pinterest loads as is); flags override the file. With `--url` it goes through a running
server's `POST /_sandbox/ad_accounts/{id}/templates`; otherwise it writes the state database directly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

template_app = typer.Typer(help="Report templates (custom reports saved in Ads Manager).", no_args_is_help=True)


@template_app.command("create")
def template_create(
    ad_account: Annotated[str, typer.Option("--ad-account", help="The ad account that owns the template.")],
    file: Annotated[Optional[Path], typer.Option("--file", exists=True, dir_okay=False, readable=True,
                                                 help="A JSON file with the template's fields.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="The template's name.")] = None,
    level: Annotated[Optional[str], typer.Option("--level", help="report_level, e.g. CAMPAIGN.")] = None,
    columns: Annotated[Optional[str], typer.Option("--columns", help="Comma-separated async columns.")] = None,
    granularity: Annotated[Optional[str], typer.Option("--granularity", help="TOTAL, DAY, HOUR, WEEK or MONTH.")]
    = None,
    relative: Annotated[Optional[str], typer.Option("--relative", help="START:END days in the past, e.g. 14:1.")]
    = None,
    dynamic: Annotated[Optional[str], typer.Option("--dynamic", help="YEAR_TO_DATE, QUARTER_TO_DATE, "
                                                                       "MONTH_TO_DATE or LAST_MONTH.")] = None,
    report_format: Annotated[Optional[str], typer.Option("--format", help="JSON or CSV.")] = None,
    data_dir: Annotated[Optional[str], typer.Option("--data-dir", envvar="PINSANDBOX_DATA_DIR",
                                                     help="State directory (default ./.pinsandbox).")] = None,
    database_url: Annotated[Optional[str], typer.Option("--database-url", envvar="PINSANDBOX_DATABASE_URL",
                                                        help="State database URL (default SQLite in the data dir).")]
    = None,
    url: Annotated[Optional[str], typer.Option("--url", help="A running server, e.g. http://127.0.0.1:8080.")] = None,
) -> None:
    """Save a report template (then list it with GET /v5/ad_accounts/{id}/templates and run it with
    POST /v5/ad_accounts/{id}/templates/{template_id}/reports)."""
    from pinsandbox.cli import _post, _settings, _store, err

    body: dict[str, Any] = {}
    if file is not None:
        try:
            body = json.loads(file.read_text())
        except ValueError as exc:
            err.print(f"{file}: not JSON ({exc})", style="red")
            raise typer.Exit(2) from None
        if not isinstance(body, dict):
            err.print(f"{file}: give a JSON object (the template's fields)", style="red")
            raise typer.Exit(2)
    for key, value in (("name", name), ("report_level", level), ("granularity", granularity),
                       ("report_format", report_format)):
        if value is not None:
            body[key] = value
    if columns is not None:
        body["columns"] = [c.strip() for c in columns.split(",") if c.strip()]
    if relative is not None and dynamic is not None:
        err.print("--relative and --dynamic: give one date range, not both", style="red")
        raise typer.Exit(2)
    if relative is not None:
        start, _, end = relative.partition(":")
        if not (re.fullmatch(r"[0-9]{1,5}", start) and re.fullmatch(r"[0-9]{1,5}", end)):
            err.print("--relative: give START:END days in the past, e.g. 14:1", style="red")
            raise typer.Exit(2)
        body["date_range"] = {"relative_date_range": {"type": "relative", "start_days_in_past": int(start),
                                                      "end_days_in_past": int(end)}}
    if dynamic is not None:
        body["date_range"] = {"dynamic_date_range": {"type": "dynamic", "range": dynamic}}
    if not re.fullmatch(r"[0-9]{1,18}", ad_account):  # ASCII digits, as the API's ids (str.isdigit takes "²")
        err.print(f"--ad-account: {ad_account!r} is not an ad account id", style="red")
        raise typer.Exit(2)
    if url:
        print(json.dumps(_post(url, f"/_sandbox/ad_accounts/{ad_account}/templates", json=body)))
        return

    import sqlalchemy as sa
    from pydantic import ValidationError

    from pinsandbox.ads.reports import service
    from pinsandbox.ads.reports.schemas import TemplateCreate
    from pinsandbox.core.errors import ApiError, validation_message
    from pinsandbox.core.tables import ad_accounts

    try:
        parsed = TemplateCreate.model_validate(body)
    except ValidationError as exc:
        err.print(f"{validation_message(list(exc.errors()))}", style="red")
        raise typer.Exit(1) from None
    store = _store(_settings(data_dir, database_url))
    try:
        with store.write() as conn:
            account = conn.execute(sa.select(ad_accounts).where(ad_accounts.c.id == int(ad_account))).first()
            if account is None:
                err.print(f"Ad account {ad_account} not found.", style="red")
                raise typer.Exit(1)
            row = service.create_template(conn, account=account, body=parsed, now=store.clock.epoch_seconds())
            out = service.render_templates(conn, [row], user_id=row.user_id, today=store.clock.today())[0]
    except ApiError as exc:
        err.print(f"{exc.message}", style="red")
        raise typer.Exit(1) from None
    finally:
        store.dispose()
    err.print(f"template {out['id']} saved for ad account {ad_account}")
    print(json.dumps(out))
