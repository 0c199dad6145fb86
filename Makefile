# Learning Loop: `make run` sets up and starts everything; `make test` sets up and runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS := webapp/static/govuk/govuk-frontend.min.css
# MiniLM exported to ONNX from the installed weights (offline), beside the venv's packages.
ONNX := $(VENV)/var/minilm-onnx/manifest.json

.PHONY: run test install lint browser-deps clean

$(STAMP): pyproject.toml constraints.txt requirements-models.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e '.[nlp,dev]'
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	$(PY) -m pip check
	touch $(STAMP)

# Idempotent: skips the export when the manifest matches the installed model and libraries. A
# failed export leaves no manifest and the product uses PyTorch (slower, same vectors).
$(ONNX): $(STAMP) nlp/onnx_export.py nlp/onnx_embedding.py nlp/resources/disclosure_exemplars.txt
	mkdir -p $(VENV)/var
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TQDM_DISABLE=1 $(PY) -m nlp.onnx_export 2>$(VENV)/var/onnx-export.log \
		|| echo "MiniLM ONNX export failed (see $(VENV)/var/onnx-export.log): the product will use PyTorch"
	test ! -f $@ || touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(ASSETS): node_modules/.package-lock.json
	rm -rf webapp/static/govuk
	cp -r node_modules/govuk-frontend/dist/govuk webapp/static/govuk

install: $(STAMP) $(ONNX) $(ASSETS)

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
