"""Bad input to the CLI: one clear line on stderr and a non-zero exit (2 for usage), never a traceback, and
stdout keeps only the promised output (found by an audit of every command)."""

from __future__ import annotations

import http.server
import threading

import pytest
from typer.testing import CliRunner

from pinsandbox.cli import app as cli
from pinsandbox.core.ratelimit import parse as parse_rate_limits

runner = CliRunner()


def invoke(*args: str, env: dict | None = None):
    return runner.invoke(cli, list(args), env=env)


def one_line_error(result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    text = result.stderr.strip()
    assert text and len(text.splitlines()) == 1, text
    for w in words:
        assert w in text, text
    assert result.stdout == ""


def test_values_are_printed_as_they_are_never_as_markup(tmp_path):
    one_line_error(invoke("token", "--user", "a", "--scopes", "[/x]", "--data-dir", str(tmp_path)), 2, "[/x]")
    one_line_error(invoke("token", "--user", "a", "--scopes", "[bold]ads", "--data-dir", str(tmp_path)), 2,
                   "[bold]ads")
    one_line_error(invoke("simulate", "--end", "[/x]", "--data-dir", str(tmp_path)), 2, "[/x]")


@pytest.mark.parametrize("user", ["", "   ", "a/b c;drop", "x" * 101])
def test_token_user_names_follow_the_api_rules(tmp_path, user):
    one_line_error(invoke("token", "--user", user, "--data-dir", str(tmp_path)), 2, "--user")


@pytest.mark.parametrize("scopes", ["", ","])
def test_token_needs_a_scope(tmp_path, scopes):
    one_line_error(invoke("token", "--user", "a", "--scopes", scopes, "--data-dir", str(tmp_path)), 2, "scope")


@pytest.mark.parametrize("name, value", [("PINSANDBOX_JOB_MIN_SECONDS", "abc"), ("PINSANDBOX_WORKERS", "abc"),
                                         ("PINSANDBOX_JOB_LEASE_SECONDS", "0")])
def test_a_bad_setting_names_its_variable(tmp_path, name, value):
    one_line_error(invoke("token", "--user", "a", "--data-dir", str(tmp_path), env={name: value}), 2, name)


@pytest.mark.parametrize("spec", ["bogus", "typo_read=5/60", "ads_read=-3/60", "ads_read=5/0", "ads_read=x/60"])
def test_rate_limits_are_checked(tmp_path, spec):
    with pytest.raises(ValueError):
        parse_rate_limits(spec)
    one_line_error(invoke("token", "--user", "a", "--data-dir", str(tmp_path), env={"PINSANDBOX_RATE_LIMITS": spec}),
                   2, "RATE_LIMITS")


def test_rate_limit_forms_that_are_taken():
    assert parse_rate_limits("OFF") is None and parse_rate_limits("Standard")[1] == (1000, 60)
    assert parse_rate_limits("ads_read=5/60,*=100") == ({"ads_read": (5, 60.0)}, (100, 60.0))


def test_database_errors_are_one_line_and_hide_the_password(tmp_path):
    r = invoke("token", "--user", "a", "--data-dir", str(tmp_path),
               "--database-url", "postgresql://u:s3cret@127.0.0.1:1/x")
    one_line_error(r, 2, "cannot open the state database")
    assert "s3cret" not in r.stderr and "***" in r.stderr


@pytest.mark.parametrize("args, words", [
    (["serve", "--port", "70000"], ["--port"]),
    (["serve", "--port", "0"], ["--port"]),
    (["serve", "--log-level", "bogus"], ["--log-level"]),
    (["worker", "--log-level", "bogus"], ["--log-level"]),
    (["worker", "--kinds", ","], ["--kinds"]),
    (["simulate", "--seed", "99999999999999999999999"], ["--seed"]),
    (["load-facts", "{csv}", "--table", "bogus"], ["--table"]),
    (["template", "create", "--ad-account", "²"], ["--ad-account"]),
    (["template", "create", "--ad-account", "99999999999999999999999"], ["--ad-account"]),
    (["template", "create", "--ad-account", "1", "--relative", "²:1"], ["--relative"]),
    (["template", "create", "--ad-account", "1", "--relative", "14:1", "--dynamic", "YEAR_TO_DATE"],
     ["--relative", "--dynamic"]),
])
def test_usage_errors(tmp_path, args, words):
    (tmp_path / "f.csv").write_text("hour,ad_id\n")
    r = invoke(*[a.replace("{csv}", str(tmp_path / "f.csv")) for a in args], "--data-dir", str(tmp_path))
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    for w in words:
        assert w in r.output, r.output


def test_a_facts_dir_that_is_a_file_leaves_the_reset_undone(tmp_path):
    assert invoke("token", "--user", "keeper", "--data-dir", str(tmp_path)).exit_code == 0
    (tmp_path / "facts").write_text("not a directory")
    one_line_error(invoke("reset", "--all", "--data-dir", str(tmp_path)), 2, "fact store")
    from pinsandbox.core import identity
    from pinsandbox.core.store import Store
    from pinsandbox.settings import Settings

    store = Store(Settings(data_dir=tmp_path))
    try:
        with store.read() as conn:
            assert identity.get_user_by_name(conn, "keeper") is not None  # nothing was dropped
    finally:
        store.dispose()


class _Html(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self._answer()

    def do_POST(self):  # noqa: N802
        self._answer()

    def _answer(self):
        body = b"<html><body>not pinsandbox</body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_url_that_is_not_a_pinsandbox_server(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        one_line_error(invoke("simulate", "--days", "1", "--url", url), 2, "not a pinsandbox server")
        facts = tmp_path / "f.csv"
        facts.write_text("hour,ad_id\n")
        one_line_error(invoke("load-facts", str(facts), "--url", url), 2, "not a pinsandbox server")
    finally:
        server.shutdown()


def test_serve_on_an_unusable_facts_dir_says_so(tmp_path):
    (tmp_path / "facts").write_text("not a directory")
    one_line_error(invoke("serve", "--demo", "--data-dir", str(tmp_path)), 2, "fact store")


def test_data_dir_dot_is_the_working_directory_and_empty_the_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("token", "--user", "dot", "--data-dir", ".").exit_code == 0
    assert (tmp_path / "state.db").exists() and not (tmp_path / ".pinsandbox").exists()
    assert invoke("token", "--user", "empty", "--data-dir", "").exit_code == 0
    assert (tmp_path / ".pinsandbox" / "state.db").exists()
