"""A real pinsandbox server (uvicorn in a subprocess, on a free port, in a temp data dir) for the
tests that must talk to it over the network: conformance (schemathesis) and contract (the generated
client). Import the `live_server` fixture into a test module (or a conftest) to use it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SPEC_PATH = SHARED / "spec" / "openapi-5.12.0.json"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """A running server: its root URL (`http://127.0.0.1:PORT`) and the API's (`.../v5`)."""

    root: str
    data_dir: Path
    process: subprocess.Popen
    log_path: Path
    seed: dict[str, Any] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return self.root + "/v5"

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.root, timeout=30, **kwargs)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(data_dir: Path, *, env: dict[str, str] | None = None, workers: int = 1,
                 timeout: float = 180.0) -> LiveServer:
    """Start `uvicorn pinsandbox.app:create_app --factory` on a free port; wait until /_sandbox/health answers
    (up to `timeout` seconds: the imports alone take several on a busy 2-core CI machine)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("PINSANDBOX_")}
    child_env.update({"PINSANDBOX_DATA_DIR": str(data_dir)}, **(env or {}))
    log_path = data_dir / "server.log"
    log = open(log_path, "wb")
    cmd = [sys.executable, "-m", "uvicorn", "pinsandbox.app:create_app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, env=child_env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    server = LiveServer(root=f"http://127.0.0.1:{port}", data_dir=data_dir, process=proc, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pinsandbox exited with {proc.returncode} before serving:\n{server.log()}")
        try:
            if httpx.get(server.root + "/_sandbox/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"pinsandbox did not answer on {server.root} within {timeout}s:\n{server.log()}")


def mint_token(root: str, username: str, scopes: str = "all") -> str:
    r = httpx.post(root + "/_sandbox/tokens", json={"username": username, "scopes": scopes}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def implemented_operation_ids(root: str) -> set[str]:
    """The operationIds the running server serves (its own OpenAPI document; 501 stand-ins excluded)."""
    r = httpx.get(root + "/v5/openapi.json", timeout=30)
    assert r.status_code == 200, r.text
    ids = set()
    for path, item in r.json()["paths"].items():
        if not path.startswith("/v5/"):
            continue
        for operation in item.values():
            op_id = operation.get("operationId") if isinstance(operation, dict) else None
            if op_id and not op_id.startswith("unimplemented:"):
                ids.add(op_id)
    return ids


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    server = start_server(tmp_path_factory.mktemp("live-sandbox"))
    yield server
    server.stop()
