# The interface a newcomer uses: `make demo` and `make test`. Both bootstrap everything first:
# uv from PyPI if it is missing, then .venv from uv.lock with bytecode compiled.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
DEMO_DIR ?= impleval-demo

export UV_PYTHON_DOWNLOADS := never
# This machine sets PYTHONDONTWRITEBYTECODE=1: without compiled bytecode every import recompiles.
export UV_COMPILE_BYTECODE := 1

.PHONY: demo test lint format typecheck bench bootstrap clean

demo: bootstrap
	$(VENV)/bin/impleval demo $(DEMO_DIR)

test: bootstrap
	$(VENV)/bin/python -m pytest

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: bootstrap
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: bootstrap
	$(VENV)/bin/mypy


# The benchmark (docs/benchmark.md), e.g. make bench SCALES="1 10" REPEATS=1 LONG_ROWS=1000000
SCALES ?= 1 10 100
REPEATS ?=
LONG_ROWS ?= 0
bench: bootstrap
	$(VENV)/bin/python bench/run.py --scales $(SCALES) $(if $(REPEATS),--repeats $(REPEATS)) --long-rows $(LONG_ROWS)

bootstrap: $(VENV)/.synced

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --python 3.11
	@touch $@

clean:
	rm -rf $(VENV) .tools $(DEMO_DIR) .pytest_cache .ruff_cache .mypy_cache
