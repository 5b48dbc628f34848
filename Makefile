# Every step a fresh machine needs is here: `make demo` and `make test` work on a clone that has
# only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICES := credit underwriting offers enrollment

.DEFAULT_GOAL := help
.PHONY: help install generate check-generated lint test pytest demo sandbox bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# alleviate_debtcore/ links to auth/, generated/ and schemas/, so a plain editable install sees
	# every module, including ones that `make generate` adds later (pyproject explains the links).
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package with its dev and sandbox extras

generate: $(STAMP) ## Regenerate generated/ from schemas/ and queries/ (wipes it first)
	$(BIN)/python -m codegen.generate

check-generated: $(STAMP) ## Fail when generated/ differs from a fresh generation
	$(BIN)/python -m codegen.generate --check

lint: $(STAMP) ## ruff, pyright (strict on handwritten code) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pyright
	$(BIN)/mypy

pytest: $(STAMP) ## Run the test suite only
	$(BIN)/pytest -q

test: $(STAMP) lint check-generated pytest ## Everything CI runs: lint, drift check, tests

demo: $(STAMP) ## Run the full enrollment flow (embedded sandbox unless ALLEVIATE_CLIENT_ID is set)
	$(BIN)/debtcore demo

sandbox: $(STAMP) ## Run the local sandbox server in the foreground
	$(BIN)/debtcore sandbox

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
