#!/usr/bin/env bash
# Install pinsandbox with its test dependencies into ./.venv and run the whole test suite.
# Usage: bash scripts/test.sh [pytest args...]   (PYTEST_WORKERS=N: N test processes, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
# Two processes by default (PYTEST_WORKERS=0 for one); the conformance run stays in one of them.
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadgroup "$@"
