.PHONY: help serve test test-live coverage bench
help:          ## this help
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'
serve:         ## install and start the server with demo data
	python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/pinsandbox serve --demo
test:          ## install and run the whole test suite
	bash scripts/test.sh
test-live:     ## run the API tests against a running server (PINSANDBOX_TEST_URL)
	PINSANDBOX_TEST_URL=$${PINSANDBOX_TEST_URL:-http://127.0.0.1:8080} .venv/bin/python -m pytest tests/api
coverage:      ## regenerate docs/COVERAGE.md (operations implemented vs the spec)
	.venv/bin/python scripts/coverage.py
bench:         ## run the load benchmark (writes docs/benchmarks.md)
	.venv/bin/python bench/load.py
