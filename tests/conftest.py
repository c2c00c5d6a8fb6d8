"""Test fixtures: one migrated SQLite sandbox per session, reset before each test.

API tests talk HTTP only (through the sandbox's own endpoints for setup), so the same tests run
against a live server when PINSANDBOX_TEST_URL is set.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import httpx
import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)

from pinsandbox.app import create_app  # noqa: E402
from pinsandbox.core.store import Store  # noqa: E402
from pinsandbox.settings import Settings  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
SPEC_PATH = SHARED / "spec" / "openapi-5.12.0.json"


@pytest.fixture(scope="session")
def store(tmp_path_factory) -> Store:
    data_dir = tmp_path_factory.mktemp("sandbox")
    s = Store(Settings(data_dir=data_dir))
    yield s
    s.dispose()


@pytest.fixture(scope="session")
def app(store):
    return create_app(store=store)


@pytest.fixture
def client(app, store):
    yield from fresh_client(app, store)


def fresh_client(app, store):
    """A client on a sandbox reset just now (identities too), rate limits off: the live server at
    PINSANDBOX_TEST_URL if set, else the app in process. A generator for fixtures of any scope."""
    live = os.environ.get("PINSANDBOX_TEST_URL")
    if live:
        with httpx.Client(base_url=live, timeout=30) as c:
            c.post("/_sandbox/reset", json={"keep_identities": False})
            c.put("/_sandbox/clock", json={"real": True})
            yield c
        return
    from fastapi.testclient import TestClient

    store.reset(keep_identities=False)
    store.limiter.configure("off")
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
