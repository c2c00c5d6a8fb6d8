"""HTTP load benchmark: pinsandbox against FastAPI's hello-world ceiling and Stoplight Prism's mock.

    .venv/bin/python bench/load.py [--duration S] [--connections 50] [--rounds 3] [--out docs/benchmarks.md]

In one run it measures, with wrk at the same number of connections, in rounds that interleave the servers
(each figure reported is the median over the rounds):

- the hello-world baseline (`bench/hello.py`, GET /hello): the framework's own ceiling on this machine;
- pinsandbox (`pinsandbox serve` on a fresh temporary data dir, SQLite) on GET campaign, list campaigns
  (page_size 25) and GET ad account, after creating one ad account and 50 campaigns over HTTP;
- Prism (`prism mock` on the official spec, paths without `/v5`) on the same three operations.

Both Python servers run the same way: one uvicorn process, one worker, default loop and HTTP
implementations (uvloop and httptools when installed), log level warning, no access log. Prism runs with
`-v warn` (no per-request log lines; its most favourable setting). The results replace the section
"## HTTP load (issue 3)" of the output file (other sections are kept); raw figures go to bench/results/.
This is a benchmark, not a test: it asserts nothing, it reports pass/fail against the issue's targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PRISM_DIR = BENCH / ".prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
LUA = BENCH / "wrk_report.lua"
DEFAULT_SPEC = ROOT.parent / "shared" / "spec" / "openapi-5.12.0.json"
SECTION = "## HTTP load (issue 3)"
CAMPAIGNS = 50
PAGE_SIZE = 25

# The targets.
MIN_VS_HELLO = 0.5
MIN_VS_PRISM = 3.0
MAX_P99_MS = 25.0

# CPU pinning (--pin, the default on 2+ cores with taskset): every server on one core, wrk on the others,
# so that the load generator and the server under test do not take turns on the same core.
PIN_SERVER: list[str] = []
PIN_LOAD: list[str] = []


class BenchError(SystemExit):
    def __init__(self, message: str):
        super().__init__(f"bench/load.py: {message}")


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


# -- tools -----------------------------------------------------------------------------------------

def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        log("wrk is missing: apt-get install -y wrk")
        done = subprocess.run([apt, "install", "-y", "wrk"], capture_output=True, text=True)
        if done.returncode != 0:  # an old package index: refresh it once and retry
            subprocess.run([apt, "update"], capture_output=True, text=True)
            done = subprocess.run([apt, "install", "-y", "wrk"], capture_output=True, text=True)
        found = shutil.which("wrk")
        if found:
            return found
        raise BenchError(f"could not install wrk with apt-get:\n{done.stderr[-2000:]}")
    raise BenchError("wrk is not installed and cannot be installed here (needs root and apt-get); "
                     "install it (Debian/Ubuntu: `apt-get install wrk`) and run again.")


def ensure_prism() -> Path:
    if PRISM_BIN.exists():
        return PRISM_BIN
    npm = shutil.which("npm")
    if not npm:
        raise BenchError("Prism is not installed in bench/.prism and npm is missing; install Node.js/npm, or "
                         "run `npm install --prefix bench/.prism @stoplight/prism-cli` yourself.")
    log("Prism is missing: npm install --prefix bench/.prism @stoplight/prism-cli")
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(PRISM_DIR), "@stoplight/prism-cli"],
                          capture_output=True, text=True)
    if done.returncode != 0 or not PRISM_BIN.exists():
        raise BenchError(f"could not install Prism with npm:\n{(done.stderr or done.stdout)[-2000:]}")
    return PRISM_BIN


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = (out.stdout + out.stderr).strip().splitlines()
    return text[0].strip() if text else "unknown"


# -- servers ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, *, token: str | None = None, body: object = None,
         timeout: float = 30) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class Server:
    name: str
    cmd: list[str]
    port: int
    ready_path: str
    logfile: Path
    env: dict[str, str] | None = None
    ready_headers: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> None:
        log(f"starting {self.name}: {shlex.join(self.cmd)}")
        out = self.logfile.open("wb")
        # Its own session, so stop() ends exactly this server and whatever it forked, nothing else.
        self.proc = subprocess.Popen([*PIN_SERVER, *self.cmd], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode} while starting; its output:\n"
                                 f"{self.logfile.read_text(errors='replace')[-3000:]}")
            try:
                req = urllib.request.Request(self.base + self.ready_path, headers=self.ready_headers)
                with urllib.request.urlopen(req, timeout=2):
                    return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise BenchError(f"{self.name} did not answer on {self.base}{self.ready_path} within {timeout:.0f} s; "
                         f"its output:\n{self.logfile.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGINT)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass


# -- wrk -------------------------------------------------------------------------------------------

@dataclass
class Result:
    server: str
    endpoint: str
    path: str
    rps: float  # responses per second (one run; the median of the rounds in a report row)
    requests: int  # responses counted (summed over the rounds in a report row)
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    rounds: list[int] = field(default_factory=list)  # requests/s of each round

    @property
    def ok_share(self) -> float:
        total = sum(self.statuses.values())
        ok = sum(n for code, n in self.statuses.items() if 200 <= int(code) < 300)
        return ok / total if total else 0.0


def wrk(binary: str, url: str, *, token: str | None, duration: float, connections: int, threads: int) -> dict:
    cmd = [*PIN_LOAD, binary, f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s", "--latency",
           "-s", str(LUA)]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    cmd.append(url)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON "):])
    raise BenchError(f"wrk printed no result for {url} (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


def measure(binary: str, server: str, endpoint: str, base: str, path: str, *, token: str | None,
            args: argparse.Namespace) -> Result:
    url = base + path
    if args.warmup > 0:
        wrk(binary, url, token=token, duration=args.warmup, connections=args.connections, threads=args.threads)
    raw = wrk(binary, url, token=token, duration=args.duration, connections=args.connections, threads=args.threads)
    lat = raw["latency_us"]
    errors = {k: v for k, v in raw["errors"].items() if k != "status" and v}
    rps = raw["requests"] / (raw["duration_us"] / 1e6) if raw["duration_us"] else 0.0
    result = Result(server=server, endpoint=endpoint, path=path, rps=rps, requests=raw["requests"],
                    p50_ms=lat["p50"] / 1000, p99_ms=lat["p99"] / 1000,
                    mean_ms=lat["mean"] / 1000, max_ms=lat["max"] / 1000,
                    statuses=dict(sorted(raw["statuses"].items())), socket_errors=errors, rounds=[round(rps)])
    log(f"{server:11} {endpoint:15} {result.rps:9.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms  statuses {result.statuses}  socket errors {errors or 'none'}")
    return result


# -- the runs --------------------------------------------------------------------------------------

def paths(account_id: str, campaign_id: str, prefix: str) -> dict[str, str]:
    return {
        "GET campaign": f"{prefix}/ad_accounts/{account_id}/campaigns/{campaign_id}",
        "list campaigns": f"{prefix}/ad_accounts/{account_id}/campaigns?page_size={PAGE_SIZE}",
        "GET ad account": f"{prefix}/ad_accounts/{account_id}",
    }


def python_server_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in [k for k in env if k.startswith("PINSANDBOX_")]:
        del env[key]  # the benchmark states its settings; nothing leaks in from the caller's shell
    return env


def start_hello(tmp: Path) -> Server:
    port = free_port()
    server = Server("hello", [sys.executable, "-m", "uvicorn", "hello:app", "--app-dir", str(BENCH),
                              "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                              "--log-level", "warning", "--no-access-log"],
                    port, "/hello", tmp / "hello.log", env=python_server_env())
    server.start()
    return server


def seed(base: str, token: str) -> tuple[str, str]:
    status, body = http("POST", f"{base}/v5/ad_accounts", token=token, body={"name": "Bench account", "country": "US"})
    if status != 200:
        raise BenchError(f"creating the ad account answered {status}: {body[:500]!r}")
    account_id = json.loads(body)["id"]
    ids: list[str] = []
    for start in range(0, CAMPAIGNS, 25):
        items = [{"ad_account_id": account_id, "name": f"Bench campaign {i + 1}", "objective_type": "CONSIDERATION",
                  "status": "ACTIVE"} for i in range(start, min(start + 25, CAMPAIGNS))]
        status, body = http("POST", f"{base}/v5/ad_accounts/{account_id}/campaigns", token=token, body=items)
        if status != 200:
            raise BenchError(f"creating campaigns answered {status}: {body[:500]!r}")
        for item in json.loads(body)["items"]:
            if item.get("exceptions") or not item.get("data"):
                raise BenchError(f"a campaign was not created: {item}")
            ids.append(item["data"]["id"])
    return account_id, ids[len(ids) // 2]


def start_pinsandbox(tmp: Path) -> tuple[Server, str, tuple[str, str]]:
    """`pinsandbox serve` on a fresh data dir, a token minted by `pinsandbox token`, and the seeded ids."""
    data_dir = tmp / "pinsandbox-data"
    cli = [sys.executable, "-m", "pinsandbox.cli"]
    env = python_server_env()
    made = subprocess.run([*cli, "token", "--user", "bench", "--scopes", "all", "--data-dir", str(data_dir)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if made.returncode != 0 or not made.stdout.strip():
        raise BenchError(f"`pinsandbox token` failed ({made.returncode}):\n{made.stderr[-2000:]}")
    token = made.stdout.strip().splitlines()[-1]
    port = free_port()
    server = Server("pinsandbox", [*cli, "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--data-dir", str(data_dir), "--log-level", "warning"],
                    port, "/_sandbox/health", tmp / "pinsandbox.log", env=env)
    server.start()
    ids = seed(server.base, token)
    log(f"seeded ad account {ids[0]} with {CAMPAIGNS} campaigns")
    for endpoint, path in paths(*ids, "/v5").items():
        status, body = http("GET", server.base + path, token=token)
        if status != 200:
            raise BenchError(f"pinsandbox {endpoint} answered {status}: {body[:500]!r}")
    return server, token, ids


PRISM_TOKEN = "pina_" + "b" * 60  # Prism checks that a bearer token is there, not which


def start_prism(prism: Path, tmp: Path, ids: tuple[str, str], spec: Path) -> Server:
    port = free_port()
    server = Server("prism", [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "warn", str(spec)],
                    port, paths(*ids, "")["GET ad account"], tmp / "prism.log",
                    ready_headers={"Authorization": f"Bearer {PRISM_TOKEN}"})
    server.start(timeout=300)
    return server


def median_result(runs: list[Result]) -> Result:
    """One row from several rounds: the median of each figure (requests, latencies), statuses summed."""
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    for r in runs:
        for k, v in r.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
        for k, v in r.socket_errors.items():
            errors[k] = errors.get(k, 0) + v
    first = runs[0]
    med = statistics.median
    return Result(server=first.server, endpoint=first.endpoint, path=first.path,
                  rps=med([r.rps for r in runs]), requests=sum(r.requests for r in runs),
                  p50_ms=med([r.p50_ms for r in runs]), p99_ms=med([r.p99_ms for r in runs]),
                  mean_ms=med([r.mean_ms for r in runs]), max_ms=max(r.max_ms for r in runs),
                  statuses=dict(sorted(statuses.items())), socket_errors=errors,
                  rounds=[round(r.rps) for r in runs])


# -- the report ------------------------------------------------------------------------------------

def machine_facts(wrk_bin: str, prism: Path) -> dict[str, str]:
    import fastapi
    import starlette
    import uvicorn

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def have(module: str) -> bool:
        try:
            __import__(module)
            return True
        except ImportError:
            return False

    return {
        "cores": str(os.cpu_count()),
        "cpu": model or platform.processor() or "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "uvicorn": f"{uvicorn.__version__} (loop {'uvloop' if have('uvloop') else 'asyncio'}, "
                   f"http {'httptools' if have('httptools') else 'h11'})",
        "fastapi": f"{fastapi.__version__} (Starlette {starlette.__version__})",
        "wrk": tool_version([wrk_bin, "-v"]),
        "prism": f"{tool_version([str(prism), '--version'])} on Node {tool_version(['node', '--version'])}",
        "load": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


def command_line(argv: list[str]) -> str:
    exe = Path(sys.executable)
    try:
        exe_text = str(exe.relative_to(ROOT)) if not exe.is_absolute() else str(
            Path(os.path.abspath(exe)).relative_to(ROOT))
    except ValueError:
        exe_text = str(exe)
    script = Path(os.path.abspath(__file__))
    try:
        script_text = str(script.relative_to(ROOT))
    except ValueError:
        script_text = str(script)
    return shlex.join([exe_text, script_text, *argv])


def fmt_statuses(r: Result) -> str:
    parts = [f"{n} × {code}" for code, n in r.statuses.items()]
    parts += [f"{n} socket {kind}" for kind, n in r.socket_errors.items()]
    return ", ".join(parts) or "none"


def fmt_rounds(r: Result) -> str:
    return " · ".join(f"{v:,}" for v in r.rounds)


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def render(hello: Result, ours: list[Result], prism: list[Result], facts: dict[str, str], args: argparse.Namespace,
           command: str, when: str) -> str:
    by_prism = {r.endpoint: r for r in prism}
    lines = [
        SECTION,
        "",
        f"Measured {when} with `{command}` (from the repository root).",
        "",
        f"- Machine: {facts['cores']} cores ({facts['cpu']}), {facts['os']}; load average (1, 5, 15 min) "
        f"{facts['load']} at the start, {facts.get('load_end', '?')} at the end. The load generator runs on the "
        "same machine" + (f"; every server is pinned to core 0 and wrk to the other core(s) (`{' '.join(PIN_SERVER)}`"
                          f" / `{' '.join(PIN_LOAD)}`), so they do not take turns on one core."
                          if PIN_SERVER else " and shares its cores (no pinning: `--no-pin`)."),
        f"- Software: Python {facts['python']}, uvicorn {facts['uvicorn']}, FastAPI {facts['fastapi']}, "
        f"{facts['wrk']}, Prism {facts['prism']}.",
        f"- Load: `wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --timeout 10s --latency` per "
        f"endpoint, after a {args.warmup:g} s warm-up run against the same URL, in {args.rounds} round(s) over "
        "every server and endpoint; each figure below is the median over the rounds (requests/s of each round "
        "in the last column). Requests/s count all responses over the run's duration; p50/p99 are wrk's "
        "latency percentiles.",
        "- Servers: the three are started together and measured one at a time. Every Python server is one uvicorn process with one worker, the default "
        "loop and HTTP parser (above), log level `warning`, no access log. The hello-world baseline is "
        "`bench/hello.py` (GET /hello answers a 3-field JSON object) run with `python -m uvicorn`; pinsandbox "
        "is `pinsandbox serve` (the real server, same uvicorn settings) on a fresh SQLite data dir, "
        f"rate limits off, with one ad account and {CAMPAIGNS} campaigns created over HTTP before the runs, "
        "called with an `all`-scopes token. Prism is `prism mock -v warn` (no per-request log lines, its "
        "fastest setting) on `../shared/spec/openapi-5.12.0.json`, paths without `/v5`, with a bearer header; "
        "it answers the spec's static examples.",
        f"- List campaigns asks for `page_size={PAGE_SIZE}` (pinsandbox renders {PAGE_SIZE} stored campaigns "
        "and signs a bookmark; Prism returns its one-item example).",
        "",
        "| Server | Endpoint | Requests/s | p50 (ms) | p99 (ms) | Responses | × hello-world | × Prism "
        "| Rounds (req/s) |",
        "|---|---|---:|---:|---:|---|---:|---:|---|",
        f"| hello-world | GET /hello | {hello.rps:,.0f} | {hello.p50_ms:.2f} | {hello.p99_ms:.2f} | "
        f"{fmt_statuses(hello)} | 1.00 | | {fmt_rounds(hello)} |",
    ]
    for r in ours:
        p = by_prism[r.endpoint]
        lines.append(f"| pinsandbox | {r.endpoint} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
                     f"{fmt_statuses(r)} | {r.rps / hello.rps:.2f} | {r.rps / p.rps:.1f} | {fmt_rounds(r)} |")
    for r in prism:
        lines.append(f"| Prism | {r.endpoint} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
                     f"{fmt_statuses(r)} | {r.rps / hello.rps:.2f} | 1.0 | {fmt_rounds(r)} |")
    lines += [
        "",
        f"Targets (issue 3): at least {MIN_VS_HELLO}× the hello-world's requests/s, at least {MIN_VS_PRISM:g}× "
        f"Prism's, p99 under {MAX_P99_MS:g} ms.",
        "",
        f"| Endpoint | ≥ {MIN_VS_HELLO}× hello-world | ≥ {MIN_VS_PRISM:g}× Prism | p99 < {MAX_P99_MS:g} ms |",
        "|---|---|---|---|",
    ]
    for r in ours:
        p = by_prism[r.endpoint]
        vs_hello, vs_prism = r.rps / hello.rps, r.rps / p.rps
        lines.append(f"| {r.endpoint} | {verdict(vs_hello >= MIN_VS_HELLO)} ({vs_hello:.2f}×) | "
                     f"{verdict(vs_prism >= MIN_VS_PRISM)} ({vs_prism:.1f}×) | "
                     f"{verdict(r.p99_ms < MAX_P99_MS)} ({r.p99_ms:.1f} ms) |")
    non_ok = [r for r in [hello, *ours, *prism] if r.ok_share < 1.0 or r.socket_errors]
    lines.append("")
    if non_ok:
        lines.append("Not every response was a 2xx: " + "; ".join(
            f"{r.server} {r.endpoint}: {fmt_statuses(r)}" for r in non_ok) + ". The requests/s above count them.")
    else:
        lines.append("Every response of every run was a 2xx (Prism included: with a bearer header it validates "
                     "the request and answers 200 with the spec's example), and there were no socket errors.")
    lines.append("")
    return "\n".join(lines)


def write_section(out: Path, section: str) -> None:
    text = out.read_text() if out.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.rstrip("\n") + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of measured load per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds over all servers and endpoints; the report gives each figure's median")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (wrk -c)")
    parser.add_argument("--threads", type=int, default=max(1, min(4, cores // 2)),
                        help="wrk threads (default: half the cores, the other half serves)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="markdown file to update")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="OpenAPI document for Prism")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=cores >= 2 and bool(shutil.which("taskset")),
                        help="pin the servers to core 0 and wrk to the other cores (taskset)")
    args = parser.parse_args(argv)
    if args.pin:
        if cores < 2 or not shutil.which("taskset"):
            parser.error("--pin needs 2+ cores and taskset")
        PIN_SERVER[:] = ["taskset", "-c", "0"]
        PIN_LOAD[:] = ["taskset", "-c", f"1-{cores - 1}" if cores > 2 else "1"]
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    if not args.spec.exists():
        raise BenchError(f"the spec for Prism is missing: {args.spec}")

    if os.getloadavg()[0] > cores / 2:
        log(f"warning: the machine is busy (load average {os.getloadavg()[0]:.2f} on {cores} cores); the figures "
            "will be lower and noisier than on an idle machine")
    wrk_bin = ensure_wrk()
    prism = ensure_prism()
    facts = machine_facts(wrk_bin, prism)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    log(f"{facts['cores']} cores, load {facts['load']}; {args.duration:g} s per endpoint at {args.connections} "
        f"connections, {args.threads} wrk thread(s)")

    runs: dict[tuple[str, str], list[Result]] = {}
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="pinsandbox-bench-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            # All three up at once (an idle server costs nothing); the rounds then interleave them, so a
            # change in the machine's load during the run touches every server alike.
            hello = start_hello(tmp)
            servers.append(hello)
            ours, token, ids = start_pinsandbox(tmp)
            servers.append(ours)
            mock = start_prism(prism, tmp, ids, args.spec)
            servers.append(mock)
            plan = [("hello-world", "GET /hello", hello.base, "/hello", None)]
            plan += [("pinsandbox", e, ours.base, p, token) for e, p in paths(*ids, "/v5").items()]
            plan += [("Prism", e, mock.base, p, PRISM_TOKEN) for e, p in paths(*ids, "").items()]
            for n in range(args.rounds):
                log(f"round {n + 1} of {args.rounds}")
                for server, endpoint, base, path, tok in plan:
                    runs.setdefault((server, endpoint), []).append(
                        measure(wrk_bin, server, endpoint, base, path, token=tok, args=args))
        finally:
            for server in reversed(servers):
                server.stop()
    facts["load_end"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    results = [median_result(r) for r in runs.values()]
    hello_result = results[0]
    ours_results = [r for r in results if r.server == "pinsandbox"]
    prism_results = [r for r in results if r.server == "Prism"]

    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    write_section(out, render(hello_result, ours_results, prism_results, facts, args, command_line(argv), when))
    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    raw = {"when": when, "command": command_line(argv), "facts": facts,
           "median": [r.__dict__ for r in results], "runs": [r.__dict__ for rs in runs.values() for r in rs]}
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    (results_dir / f"load-{stamp}.json").write_text(json.dumps(raw, indent=2) + "\n")
    log(f"wrote {out} and bench/results/load-{stamp}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
