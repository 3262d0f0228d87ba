# billfold's front door: every task a developer or CI runs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BYTECODE_TOOL := infra/bytecode/node_modules/.package-lock.json

.PHONY: dev test chromium lint typecheck unit synth bench clean

$(STAMP): pyproject.toml sdk/python/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]' -e 'sdk/python[direct]'
	touch $(STAMP)

## The layers' bytecode compiler: the Lambda runtime's CPython, as Pyodide (npm), under Node.js.
$(BYTECODE_TOOL): infra/bytecode/package-lock.json
	npm ci --prefix infra/bytecode --no-audit --no-fund --silent

## Start the local stack (moto + localstripe + local API gateway) with the demo catalog.
dev: $(STAMP)
	$(PY) -m local.dev

## Lint, type-check and run the whole test suite (the browser tests use Debian's chromium).
test: $(STAMP) $(BYTECODE_TOOL) chromium lint typecheck
	$(PY) -m pytest -n 2 --dist loadgroup -m "not serial" --durations=25
	$(PY) -m pytest -m serial

## Debian's Chromium for the browser tests (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## ruff, and import-linter's contracts (pyproject.toml): the domain's packages stay layered.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(PY) -m mypy layers/shared functions infra local sdk/python/billfold_sdk

## Unit tests only (fast).
unit: $(STAMP)
	$(PY) -m pytest tests/unit

## Write the CloudFormation template to cdk.out/ (offline: no Docker, no AWS credentials).
synth: $(STAMP) $(BYTECODE_TOOL)
	$(PY) -m infra.app

## Measure: entitlement-check latency, handler cold-start imports, layer sizes.
bench: $(STAMP) $(BYTECODE_TOOL)
	$(PY) -m tests.bench

clean:
	rm -rf cdk.out .build .pytest_cache .mypy_cache .ruff_cache infra/bytecode/node_modules
