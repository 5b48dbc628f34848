# Every step a fresh machine needs is here: `make demo` and `make test` work on a clone that has
# only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# @azure/msal-node for tests/auth/test_msal_node.py, pinned by its package-lock.json.
NODE_DIR := tests/auth/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help install generate check-generated schema-update lint test pytest test-fast demo sandbox \
	bench wheel-check sandbox-rules clean docs test-floors dist-check

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# auth/, generated/ and schemas/ install as subpackages of alleviate_debtcore (pyproject's
# package-dir). A strict editable install builds a link tree that Python, pyright and mypy all
# follow, with no symlink in the repository; it links the files that exist when it runs, so it is
# rebuilt whenever a package folder changes (a module added, moved or removed).
EDITABLE := --config-settings editable_mode=strict
LINKS := $(VENV)/.linked
PACKAGE_DIRS := $(shell find alleviate_debtcore auth generated schemas -type d -not -name __pycache__)

# Every extra but the ones for working on the package (codegen is added below, with the groups).
RUNTIME_EXTRAS := sandbox,certificates,file-cache,redis,cache-encryption,opentelemetry

# pip >= 25.1 reads the dependency groups (--group).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/python -m pip install --quiet -e '.[$(RUNTIME_EXTRAS),codegen]' --group dev $(EDITABLE)
	touch $(STAMP) $(LINKS)

$(LINKS): $(STAMP) $(PACKAGE_DIRS)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . $(EDITABLE)
	touch $(LINKS)

$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	# --no-bin-links: no symlinks in the tree (tests/test_packaging.py); token.mjs needs no bins.
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --no-bin-links --loglevel=error
	touch $(NODE_STAMP)

# Tests that install the built wheel into a fresh virtualenv, as a user would, take its
# dependencies from this folder: the test suite itself never reaches a package index.
WHEELHOUSE := $(VENV)/wheelhouse
WHEELHOUSE_STAMP := $(WHEELHOUSE)/.downloaded

# After the editable install (order-only): both prepare the package's metadata in the tree.
$(WHEELHOUSE_STAMP): pyproject.toml | $(LINKS)
	$(BIN)/python -m pip download --quiet --no-build-isolation --dest $(WHEELHOUSE) \
		'.[sandbox]' pytest pytest-asyncio
	touch $(WHEELHOUSE_STAMP)

# The docs site's tools: the `docs` dependency group (PEP 735).
DOCS_STAMP := $(VENV)/.docs-installed

# After the editable install: two pip installs into one venv must not run at once (make -j).
$(DOCS_STAMP): $(LINKS) pyproject.toml
	$(BIN)/python -m pip install --quiet --group docs
	touch $(DOCS_STAMP)

install: $(LINKS) $(NODE_STAMP) $(WHEELHOUSE_STAMP) $(DOCS_STAMP) ## Create .venv (editable package, every extra, the dev group), node test deps

# Dependency floors: a second venv with every runtime dependency (the package's and its extras')
# pinned to the lowest version pyproject.toml allows (tests/support/floors.py), the test group at its
# newest. Its wheels stay in $(FLOORS_WHEELHOUSE): only a change of pyproject.toml goes back to
# the package index. Needs Python 3.11 or 3.12 (CI's floors job: 3.11): pydantic 2.7's core has
# no wheel for 3.13.
FLOORS := .venv-floors
FLOORS_PY := $(FLOORS)/venv/bin/python
FLOORS_PINS := $(FLOORS)/floors.txt
FLOORS_WHEELHOUSE := $(FLOORS)/wheelhouse
FLOORS_STAMP := $(FLOORS)/.installed
# The runtime tests: all but those of the tools the test group leaves out (pyright and mypy:
# test_typing, test_surface_typing, test_docs; build and twine: test_packaging, test_release; the
# benchmark's peers; zizmor; ariadne-codegen: schema update and check) and the wheel-in-a-venv
# tests (marker `venv`), which install the newest versions from .venv/wheelhouse.
FLOORS_TESTS := tests -p no:cacheprovider -m "not venv" \
	--ignore=tests/test_typing.py --ignore=tests/test_surface_typing.py \
	--ignore=tests/test_docs.py --ignore=tests/test_packaging.py --ignore=tests/test_release.py \
	--ignore=tests/test_bench_smoke.py --ignore=tests/test_schema_wheel.py \
	--ignore=tests/testing/test_example_app.py \
	--deselect=tests/test_schema_workflows.py::test_zizmor_finds_nothing_in_the_workflows \
	--deselect=tests/test_schema_workflows.py::test_zizmor_would_catch_the_issues_findings \
	--deselect=tests/test_schema_diff.py::test_schema_update_copies_and_regenerates_a_safe_change \
	--deselect=tests/test_schema_diff.py::test_schema_update_refuses_a_change_that_breaks_our_operations \
	--deselect=tests/test_schema_pull.py::test_cli_diff_and_check_exit_codes

$(FLOORS_STAMP): pyproject.toml tests/support/floors.py $(STAMP)
	mkdir -p $(FLOORS)
	$(BIN)/python -m tests.support.floors > $(FLOORS_PINS)
	$(BIN)/python -m pip wheel --quiet --wheel-dir $(FLOORS_WHEELHOUSE) -r $(FLOORS_PINS) --group test
	rm -rf $(FLOORS)/venv
	$(PYTHON) -m venv --without-pip $(FLOORS)/venv
	$(BIN)/python -m pip --python $(FLOORS_PY) install --quiet --no-index \
		--find-links $(FLOORS_WHEELHOUSE) -r $(FLOORS_PINS) --group test
	touch $(FLOORS_STAMP)

test-floors: $(FLOORS_STAMP) $(NODE_STAMP) ## The runtime tests on the dependency floors (.ci/run: after make test)
	rm -rf $(FLOORS)/dist
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir $(FLOORS)/dist .
	$(BIN)/python -m pip --python $(FLOORS_PY) install --quiet --no-deps --force-reinstall \
		$(FLOORS)/dist/*.whl
	$(BIN)/python -m pip --python $(FLOORS_PY) check
	env -u ALLEVIATE_CLIENT_ID $(FLOORS)/venv/bin/debtcore demo  # the embedded sandbox
	$(FLOORS)/venv/bin/pytest -q -n auto --dist worksteal $(FLOORS_TESTS)

generate: $(STAMP) ## Regenerate generated/ from schemas/ and queries/ (wipes it first)
	$(BIN)/python -m codegen.generate
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . $(EDITABLE)
	touch $(LINKS)

check-generated: $(LINKS) ## Fail when generated/ differs from a fresh generation
	$(BIN)/python -m codegen.generate --check

schema-update: $(LINKS) ## Take new SDL in: make schema-update SDL=folder [REPORT=report.md]
	@test -n "$(SDL)" || { echo "usage: make schema-update SDL=folder-of-new-sdl"; exit 3; }
	$(BIN)/python -m codegen.schema_update "$(SDL)" $(if $(REPORT),--report "$(REPORT)")

lint: $(LINKS) ## ruff, pyright (strict on handwritten code), mypy, the workflow schema and zizmor
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pyright
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
	$(BIN)/zizmor --offline .github/workflows/ .github/dependabot.yml

# pytest-xdist: one worker per core and two more, for the time tests spend waiting (servers,
# deadlines, subprocesses: measured on 2 cores, 3 workers 143 s, 4 workers 128 s); worksteal: an idle worker takes tests queued on a busy one (the slow
# kinds run first: tests/conftest.py). PYTEST_WORKERS=n to choose, PYTEST_ARGS adds options.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 2)')
PYTEST = $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist worksteal
# The slow kinds (markers registered in pyproject.toml, applied in tests/conftest.py).
SLOW_MARKERS := venv or typecheck or node or multiprocess or redis or docs or slow

pytest: $(LINKS) $(NODE_STAMP) $(WHEELHOUSE_STAMP) ## Run the whole test suite only, in parallel
	$(PYTEST) $(PYTEST_ARGS)

test-fast: $(LINKS) ## The inner loop: the tests but the slow kinds (builds, venvs, pyright, node, processes, Redis)
	$(PYTEST) -m "not ($(SLOW_MARKERS))" $(PYTEST_ARGS)

# The test suite beside the other checks: a sub-make runs two targets at a time (pytest first,
# the longest; it runs its own workers), output kept per target. Any failure fails `make test`.
# The dependency floors (make test-floors) are not part of it: .ci/run runs them after it.
TEST_JOBS ?= 2
test: ## Everything CI runs but the floors: lint, drift check, docs, every test once
	$(MAKE) --no-print-directory -j $(TEST_JOBS) --output-sync=target pytest lint check-generated docs

demo: $(LINKS) ## Run the full enrollment flow (embedded sandbox unless ALLEVIATE_CLIENT_ID is set)
	$(BIN)/debtcore demo

bench: $(LINKS) ## Run the benchmark; prints a table and writes bench/results/latest.json
	$(BIN)/python -m bench

sandbox-rules: $(LINKS) ## Regenerate the docs' sandbox rules table from sandbox/_rulebook.py
	$(BIN)/python -c 'from alleviate_debtcore.sandbox._rulebook import write_readme; write_readme()'

docs: $(LINKS) $(DOCS_STAMP) ## Build the docs site into build/site (mkdocs build --strict)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

sandbox: $(LINKS) ## Run the local sandbox server in the foreground
	$(BIN)/debtcore sandbox

wheel-check: ## Build the wheel and import it in a clean virtualenv (needs the package index)
	rm -rf dist /tmp/debtcore-wheel-venv
	$(PYTHON) -m venv /tmp/debtcore-wheel-venv
	/tmp/debtcore-wheel-venv/bin/python -m pip install --quiet build
	/tmp/debtcore-wheel-venv/bin/python -m build --wheel --outdir dist .
	/tmp/debtcore-wheel-venv/bin/python -m pip install --quiet dist/*.whl
	cd /tmp && /tmp/debtcore-wheel-venv/bin/python -c "import alleviate_debtcore as a, \
		alleviate_debtcore.credit, alleviate_debtcore.auth; print('imported', a.__version__)"

dist-check: $(LINKS) ## Build the sdist and wheel as a release does and check them (needs the package index)
	rm -rf dist
	$(BIN)/python -m tests.support.dist_check --outdir dist

clean: ## Remove the virtualenvs and caches
	rm -rf $(VENV) $(FLOORS) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache $(NODE_DIR)/node_modules
