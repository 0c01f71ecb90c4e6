# IPT manuals: run `make help` for the list of targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1700000000)

$(STAMP): pyproject.toml requirements.lock
	@echo "Setting up $(VENV) (first run only)…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

.PHONY: help
help: ## Show this list of targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: venv
venv: $(STAMP) ## Create .venv and install the pinned dependencies

.PHONY: html
html: $(STAMP) ## Build the whole site into _build/html
	@$(BIN)/ipt-manual build

.PHONY: check
check: $(STAMP) ## Validate the protocol sources and lint the code
	@$(BIN)/ipt-manual check --strict
	@$(BIN)/ruff check builder tests

.PHONY: test
test: $(STAMP) ## Run the full test suite on every core (browser tests need chromium)
	@$(BIN)/pytest -n auto $(PYTEST_ARGS)

.PHONY: test-fast
test-fast: $(STAMP) ## Run the fast tier (under a minute): no browser, no build of the real site
	@$(BIN)/pytest -m fast -n auto $(PYTEST_ARGS)

.PHONY: versions
versions: $(STAMP) ## Build every released version side by side into _build/versions
	@$(BIN)/ipt-manual versions

.PHONY: bench
bench: $(STAMP) ## Speed figures side by side with plain Sphinx on the same pages (builds the whole site)
	@$(BIN)/python -m builder.bench $(BENCH_ARGS)

.PHONY: serve
serve: $(STAMP) ## Live preview at http://127.0.0.1:8000 while you edit (PDFs follow in the background)
	@mkdir -p _site
	@$(BIN)/sphinx-autobuild -j auto -c . -D ipt_print_in_background=1 _site _build/serve --watch manual --watch adaptations \
		--watch _templates --watch docs --watch builder --re-ignore '_site/.*'

.PHONY: clean
clean: ## Remove built and generated files (keeps .venv)
	rm -rf _build _site

.PHONY: lock
lock: ## Re-pin dependencies after changing pyproject.toml
	@$(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip==' > requirements.lock
