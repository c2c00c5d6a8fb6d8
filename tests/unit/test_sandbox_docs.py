"""Every sandbox control the app serves is documented in docs/sandbox.md (method and path)."""

import re
import tempfile
from pathlib import Path

from pinsandbox.app import create_app
from pinsandbox.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _shape(path: str) -> str:
    """`/_sandbox/jobs/{job_id}` and the doc's `/_sandbox/jobs/{id}` are one path: parameters as `{}`."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


def test_every_sandbox_route_is_in_the_sandbox_doc():
    with tempfile.TemporaryDirectory() as d:
        app = create_app(Settings(data_dir=Path(d)))
        routes = {(m, _shape(r.path)) for r in app.routes if getattr(r, "path", "").startswith("/_sandbox/")
                  for m in (getattr(r, "methods", None) or ()) if m != "HEAD"}
        app.state.store.dispose()
    documented = set()
    for line in (ROOT / "docs" / "sandbox.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and cells[2].startswith("`/_sandbox/"):
            methods = [m.strip() for m in cells[1].split("/")]
            documented |= {(m, _shape(cells[2].strip("`"))) for m in methods}
    assert routes, "the app serves no sandbox route"
    missing = sorted(routes - documented)
    assert not missing, f"docs/sandbox.md does not document: {missing}"
