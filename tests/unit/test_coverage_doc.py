"""docs/COVERAGE.md lists exactly the operations the app implements (regenerate: python scripts/coverage.py)."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_coverage_document_matches_the_routes():
    spec = importlib.util.spec_from_file_location("coverage_script", ROOT / "scripts" / "coverage.py")
    coverage_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(coverage_script)
    done = coverage_script.implemented_operations()
    text = (ROOT / "docs" / "COVERAGE.md").read_text()
    marked = set(re.findall(r"^\| ✅ \| `([^`]+)`", text, re.M))
    assert marked == done, ("docs/COVERAGE.md is stale; run `python scripts/coverage.py`. "
                            f"missing: {sorted(done - marked)}, extra: {sorted(marked - done)}")
    assert f"**{len(done)} of 156 operations implemented.**" in text
