# Two commands do all set-up on a fresh machine:
#   make run    score the bundled examples on the embedded default (no broker needed)
#   make test   lint, type-check and run every test (starts RabbitMQ if it is not running)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: setup profiles-setup run test lint typecheck pytest broker browser bench-tools bench audit clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Node tools of fhir_profiles/ (SUSHI, the R4 definitions hl7.fhir.r4.examples, @medplum/core, and the
# independent R4 check: fhirpath, @lhncbc/ucum-lhc, the R4 JSON schema) from the npm registry, pinned by its lock file.
profiles-setup: fhir_profiles/node_modules/.installed

fhir_profiles/node_modules/.installed: fhir_profiles/package.json fhir_profiles/package-lock.json
	npm ci --prefix fhir_profiles --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(BIN)/sstr-adapter run --examples fhir_profiles/examples

broker:
	./.ci/ensure-rabbitmq

# Headless Chromium for the report layout tests: installs Debian's chromium under CI=true.
browser:
	./.ci/ensure-chromium

# wrk (Debian package): the HTTP benchmark's load generator (apt-get, as root).
bench-tools:
	./.ci/ensure-wrk

bench: setup broker bench-tools
	$(BIN)/sstr-adapter bench

lint: setup
	$(BIN)/ruff check adapter tests
	$(BIN)/mypy

pytest: setup profiles-setup broker browser bench-tools
	$(BIN)/pytest

# Known vulnerabilities in the installed (pinned) dependencies, via pip-audit and PyPI.
# Fails on any finding; when the service cannot be asked it prints AUDIT NOT PERFORMED
# and carries on (SSTR_AUDIT_STRICT=1 makes that fatal too). See .ci/audit.
audit: setup
	$(PY) .ci/audit $(BIN)/pip-audit

test: lint audit pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
