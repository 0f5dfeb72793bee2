# The interface a newcomer uses: `make demo` and `make test`. Both bootstrap what they need first:
# uv from PyPI if it is missing, then .venv from uv.lock with bytecode compiled. `make demo` installs
# only what running needs; `make test`, `make lint` and `make typecheck` add the dev group.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
DEMO_DIR ?= impleval-demo
SYNC := $(UV) sync --frozen --compile-bytecode --python 3.11

export UV_PYTHON_DOWNLOADS := never
# This machine sets PYTHONDONTWRITEBYTECODE=1: without compiled bytecode every import recompiles.
export UV_COMPILE_BYTECODE := 1

.PHONY: demo test test-slow lint format typecheck bench docs results-doc bootstrap bootstrap-run clean

demo: bootstrap-run
	$(VENV)/bin/impleval demo $(DEMO_DIR)

# The fast suite, on two pytest-xdist workers (about 7 CPU minutes, 4 minutes wall: see README); a
# test module stays on one worker (--dist loadfile), so module fixtures are built once. The slow
# tests — the whole pipeline through the installed command, a real Prefect server, a built wheel in
# a fresh venv, SIGKILL trials, commands racing for the lock, Dask clusters — run in CI after it,
# one at a time.
TEST_WORKERS ?= 2
test: bootstrap
	$(VENV)/bin/python -m pytest -m "not slow" -n $(TEST_WORKERS) --dist loadfile

test-slow: bootstrap
	$(VENV)/bin/python -m pytest -m slow

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: bootstrap
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: bootstrap
	$(VENV)/bin/mypy


# docs/results.md is generated from the results contract (analysis/columns.py); a test fails when stale.
results-doc: bootstrap
	$(VENV)/bin/python -c 'import pathlib; from analysis.results_doc import results_markdown; pathlib.Path("docs/results.md").write_text(results_markdown(), encoding="utf-8")'

# The benchmark (docs/benchmark.md), e.g. make bench SCALES="1 10" REPEATS=1 LONG_ROWS=1000000
SCALES ?= 1 10 100
REPEATS ?=
LONG_ROWS ?= 0
bench: bootstrap
	$(VENV)/bin/python bench/run.py --scales $(SCALES) $(if $(REPEATS),--repeats $(REPEATS)) --long-rows $(LONG_ROWS)

# Generated docs (a test fails when either is stale): docs/project-yaml.md from the models'
# descriptions, docs/results.md from the results contract.
docs: bootstrap results-doc
	$(VENV)/bin/python -m project.yaml_doc docs/project-yaml.md

# One stamp per group. The run-only sync is inexact, so it never removes dev tools a `make test`
# installed; the dev sync installs both groups and so also stands for the run stamp.
bootstrap: $(VENV)/.synced-dev
bootstrap-run: $(VENV)/.synced-run

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced-run: uv.lock pyproject.toml | $(UV)
	$(SYNC) --no-default-groups --inexact
	@touch $@

$(VENV)/.synced-dev: uv.lock pyproject.toml | $(UV)
	$(SYNC) --group dev
	@touch $@ $(VENV)/.synced-run

clean:
	rm -rf $(VENV) .tools $(DEMO_DIR) .pytest_cache .ruff_cache .mypy_cache
