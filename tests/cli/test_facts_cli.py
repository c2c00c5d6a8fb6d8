"""`pinsandbox simulate` and `pinsandbox load-facts`: in-process, in-process while a server runs on the same data
dir, and via --url."""

from __future__ import annotations

import json

import httpx
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pinsandbox.app import create_app
from pinsandbox.cli import app as cli
from pinsandbox.core.store import Store
from pinsandbox.reporting.facts import FactStore
from pinsandbox.settings import Settings
from tests.cli.test_cli import free_port, start
from tests.simdata import advertiser

runner = CliRunner()
END = "2026-03-04T00:00:00Z"


def seed_ads(data_dir) -> dict:
    store = Store(Settings(data_dir=data_dir))
    try:
        with TestClient(create_app(store=store)) as client:
            adv = advertiser(client, username="clisim")
            group = adv.ad_group(adv.campaign())
            return adv.ad(group)
    finally:
        store.dispose()


def counts(data_dir) -> tuple[int, int]:
    facts = FactStore(data_dir / "facts")
    try:
        return (facts.fetch("SELECT count(*) FROM delivery")[0][0],
                facts.fetch("SELECT count(*) FROM conversions")[0][0])
    finally:
        facts.close()


def test_simulate_and_load_facts_in_process(tmp_path):
    ad = seed_ads(tmp_path)
    r = runner.invoke(cli, ["simulate", "--days", "2", "--seed", "3", "--end", END, "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["start"] == "2026-03-02T00:00:00Z" and out["end"] == "2026-03-04T00:00:00Z" and out["seed"] == 3
    assert out["ads"] == 1 and out["rows"]["delivery"] > 0
    assert counts(tmp_path) == (out["rows"]["delivery"], out["rows"]["conversions"])

    good = tmp_path / "facts.csv"
    good.write_text(f"hour,ad_id,impression_1\n2026-03-05T00:00:00Z,{ad['id']},10\n")
    r = runner.invoke(cli, ["load-facts", str(good), "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"table": "delivery", "rows": 1}
    bad = tmp_path / "bad.csv"
    bad.write_text(f"hour,ad_id,impression_1\n2026-03-05T00:00:00Z,{ad['id']},10\n2026-03-05T01:00:00Z,{ad['id']},-1\n")
    r = runner.invoke(cli, ["load-facts", str(bad), "--data-dir", str(tmp_path)])
    assert r.exit_code == 1
    assert "row 2" in r.output and "impression_1" in r.output
    assert counts(tmp_path)[0] == out["rows"]["delivery"] + 1


def test_simulate_in_process_while_a_server_runs_on_the_same_data_dir(tmp_path):
    """The fact store is shared by processes: the CLI writes while the server holds it open and answers."""
    ad = seed_ads(tmp_path)
    port = free_port()
    proc, _ = start(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    try:
        before = httpx.get(f"{url}/_sandbox/facts/summary").json()
        assert before["delivery"]["rows"] == 0
        r = runner.invoke(cli, ["simulate", "--days", "1", "--seed", "5", "--end", END, "--data-dir", str(tmp_path)])
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout.strip().splitlines()[-1])
        assert out["rows"]["delivery"] > 0
        csv = tmp_path / "f.csv"
        csv.write_text(f"hour,ad_id,impression_1\n2026-03-05T00:00:00Z,{ad['id']},10\n")
        r = runner.invoke(cli, ["load-facts", str(csv), "--data-dir", str(tmp_path)])
        assert r.exit_code == 0, r.output
        summary = httpx.get(f"{url}/_sandbox/facts/summary").json()  # the server sees both commits at once
        assert summary["delivery"]["by_source"] == {"sim": out["rows"]["delivery"], "fixture": 1}
        assert summary["simulation"]["seed"] == 5 and summary["simulation"]["watermark"] == END
    finally:
        proc.terminate()
        proc.wait(10)


def test_simulate_and_load_facts_through_a_running_server(tmp_path):
    ad = seed_ads(tmp_path)
    port = free_port()
    proc, _ = start(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    try:
        r = runner.invoke(cli, ["simulate", "--days", "2", "--end", END, "--url", url])
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout.strip().splitlines()[-1])
        assert out["rows"]["delivery"] > 0 and out["seed"] == 1
        csv = tmp_path / "f.csv"
        csv.write_text(f"hour,ad_id,impression_1\n2026-03-05T00:00:00Z,{ad['id']},10\n")
        r = runner.invoke(cli, ["load-facts", str(csv), "--url", url])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout.strip().splitlines()[-1]) == {"table": "delivery", "rows": 1}
        csv.write_text(f"hour,ad_id,impression_1\n2026-03-05T00:00:00Z,{ad['id']},ten\n")
        r = runner.invoke(cli, ["load-facts", str(csv), "--url", url])
        assert r.exit_code == 1 and "row 1" in r.output
        summary = httpx.get(f"{url}/_sandbox/facts/summary").json()
        assert summary["delivery"]["by_source"] == {"sim": out["rows"]["delivery"], "fixture": 1}
    finally:
        proc.terminate()
        proc.wait(10)
    assert counts(tmp_path)[0] == out["rows"]["delivery"] + 1
