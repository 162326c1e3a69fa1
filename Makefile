# The two commands of the README: `make demo` and `make test`.
# Everything is installed into a virtual environment in .venv.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)

STAMP := $(VENV)/.installed
UI_STAMP := ui-tests/node_modules/.installed

.PHONY: help install build demo test test-js test-py test-ui lint chromium clean

help:
	@echo "make demo   start a local S3 (moto) with a demo bucket and JupyterLab with a demo connector"
	@echo "make test   install what the tests need and run jest, pytest and Galata"
	@echo "make lint   eslint, prettier, stylelint, ruff and mypy"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The development install: JupyterLab and the builder, node packages, the
# extension built and linked into the venv, its server extension enabled.
$(STAMP): $(BIN)/python pyproject.toml package.json yarn.lock
	$(BIN)/pip install --quiet "jupyterlab>=4.6,<4.7" "jupyter-builder>=1.2" \
		"hatchling>=1.5" "hatch-jupyter-builder>=0.5" "hatch-nodejs-version>=0.3.2" editables
	jlpm install
	jlpm build
	$(BIN)/pip install --quiet --no-build-isolation -e ".[test,demo,dev]"
	jupyter-builder develop . --overwrite
	jupyter server extension enable --sys-prefix jupyterlab_s3_connectors
	touch $@

install: $(STAMP)

# Rebuild the frontend from src/ (incremental, a few seconds).
build: install
	jlpm build

demo: build
	$(BIN)/python scripts/demo.py

# Debian's Chromium drives the UI tests (browser downloads are not possible).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Chromium from Debian…"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; \
	fi

$(UI_STAMP): ui-tests/package.json ui-tests/yarn.lock
	cd ui-tests && jlpm install
	touch $@

lint: install
	jlpm lint:check
	$(BIN)/ruff check jupyterlab_s3_connectors scripts ui-tests/*.py bench/python
	$(BIN)/ruff format --check jupyterlab_s3_connectors scripts ui-tests/*.py bench/python
	$(BIN)/mypy

test-js: install
	jlpm test

test-py: install
	$(BIN)/python -m pytest

test-ui: build chromium $(UI_STAMP)
	cd ui-tests && npx playwright test

test: lint test-js test-py test-ui bench-smoke

clean:
	jlpm clean:all || true
	rm -rf $(VENV) node_modules ui-tests/node_modules .demo

# Benchmarks (issue #4, bench/README.md): the drive against raw SDK calls and the proxy
# against direct, side by side on a moto server started for the run. `bench` at full
# sizes (about 30 minutes, writes bench/results.json); `bench-smoke` with tiny sizes in
# under a minute or two, so the benchmarks never rot. Both fail only when something is broken.
# Both drive Debian's Chromium (bench #9, bench/chromium) with the UI tests' playwright-core.
.PHONY: bench bench-smoke
bench: install chromium $(UI_STAMP)
	node_modules/.bin/tsx bench/run.ts

bench-smoke: install chromium $(UI_STAMP)
	node_modules/.bin/tsx bench/run.ts --smoke
