"""The README's first command, for real: `pinsandbox serve --demo` in a subprocess, then curl-like calls."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database

PINSANDBOX = [sys.executable, "-m", "pinsandbox.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data_dir: Path, port: int, *extra: str) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen([*PINSANDBOX, "serve", "--port", str(port), "--data-dir", str(data_dir), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    lines: list[str] = []
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read())
    else:
        proc.kill()
        raise AssertionError("server did not start")
    return proc, lines


def read_token(proc: subprocess.Popen) -> str:
    for _ in range(20):
        line = proc.stdout.readline()
        m = re.search(r"Access token:\s+(pina_\S+)", line)
        if m:
            return m.group(1)
    raise AssertionError("no token printed")


def read_demo_app(proc: subprocess.Popen) -> dict[str, str]:
    """The demo OAuth app `serve --demo` prints after the token lines."""
    for _ in range(20):
        line = proc.stdout.readline()
        m = re.search(r"OAuth app:\s+client_id (\d+)\s+client_secret (\S+)\s+redirect_uri (\S+)", line)
        if m:
            return {"client_id": m.group(1), "client_secret": m.group(2), "redirect_uri": m.group(3)}
    raise AssertionError("no OAuth app printed")


def test_serve_demo_then_restart_keeps_data(tmp_path):
    port = free_port()
    proc, _ = start(tmp_path, port, "--demo")
    try:
        token = read_token(proc)
        app = read_demo_app(proc)
        assert app["redirect_uri"] == "http://localhost:8085/callback"
        # the printed app works for the authorize flow: GET /oauth/ redirects with a code, the token endpoint
        # (HTTP Basic with the printed id and secret) exchanges it for a token that reads the demo user
        r = httpx.get(f"http://127.0.0.1:{port}/oauth/", follow_redirects=False, params={
            "client_id": app["client_id"], "redirect_uri": app["redirect_uri"], "response_type": "code",
            "scope": "ads:read,user_accounts:read", "state": "s1", "username": "demo"})
        assert r.status_code == 302, r.text
        location = httpx.URL(r.headers["location"])
        assert str(location).startswith(app["redirect_uri"]) and location.params["state"] == "s1"
        r = httpx.post(f"http://127.0.0.1:{port}/v5/oauth/token", auth=(app["client_id"], app["client_secret"]),
                       data={"grant_type": "authorization_code", "code": location.params["code"],
                             "redirect_uri": app["redirect_uri"]})
        assert r.status_code == 200, r.text
        oauth_token = r.json()["access_token"]
        me = httpx.get(f"http://127.0.0.1:{port}/v5/user_account", headers={"Authorization": f"Bearer {oauth_token}"})
        assert me.status_code == 200 and me.json()["username"] == "demo"
        h = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}/v5"
        accounts = httpx.get(f"{base}/ad_accounts", headers=h).json()["items"]
        assert {a["name"] for a in accounts} == {"Demo Shop US", "Demo Shop EU"}
        eu = next(a for a in accounts if a["country"] == "DE")
        assert eu["currency"] == "EUR"
        camps = httpx.get(f"{base}/ad_accounts/{eu['id']}/campaigns", headers=h).json()["items"]
        assert len(camps) == 2
        groups = httpx.get(f"{base}/ad_accounts/{eu['id']}/ad_groups", headers=h).json()["items"]
        ads = httpx.get(f"{base}/ad_accounts/{eu['id']}/ads", headers=h).json()["items"]
        assert len(groups) == 4 and len(ads) == 8
        boards = httpx.get(f"{base}/boards", headers=h).json()["items"]
        assert len(boards) == 3
    finally:
        proc.terminate()
        proc.wait(10)
    # a restart keeps everything and does not seed twice (nor register a second demo app)
    proc, _ = start(tmp_path, port, "--demo")
    try:
        token = read_token(proc)
        assert read_demo_app(proc) == app
        h = {"Authorization": f"Bearer {token}"}
        accounts = httpx.get(f"http://127.0.0.1:{port}/v5/ad_accounts", headers=h).json()["items"]
        assert len(accounts) == 2
    finally:
        proc.terminate()
        proc.wait(10)


def test_token_command_prints_one_token(tmp_path):
    out = subprocess.run([*PINSANDBOX, "token", "--user", "carol", "--scopes", "ads:read,ads:write",
                          "--data-dir", str(tmp_path)], capture_output=True, text=True, check=True)
    token = out.stdout.strip()
    assert re.fullmatch(r"pina_[A-Za-z0-9]+", token)
    bad = subprocess.run([*PINSANDBOX, "token", "--user", "carol", "--scopes", "ads:fly", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown scope" in bad.stderr
    # the token works against a server on the same data dir, with exactly its scopes
    port = free_port()
    proc, _ = start(tmp_path, port)
    try:
        h = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"http://127.0.0.1:{port}/v5/ad_accounts", headers=h).status_code == 200
        r = httpx.get(f"http://127.0.0.1:{port}/v5/user_account", headers=h)
        assert r.status_code == 401 and r.json()["code"] == 3
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.postgres
def test_token_command_with_database_url(tmp_path):
    with fresh_database("postgresql", tmp_path) as settings:
        out = subprocess.run([*PINSANDBOX, "token", "--user", "pg-user", "--database-url", settings.database_url],
                             capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith("pina_")
