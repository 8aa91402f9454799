# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make demo   install, migrate ./tradecover.db, seed the demo world, serve http://127.0.0.1:8000
#   make test   install, then lint, types, layer contracts and the whole test suite
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := .venv/bin
PYTEST_WORKERS ?= auto

.PHONY: install demo serve test check pytest lint format clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --quiet

demo: install
	$(BIN)/tradecover demo $(if $(filter 1 yes true,$(RESET)),--reset,)

serve: install
	$(BIN)/tradecover serve

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: check pytest

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf .venv $(TOOLS) .mypy_cache .ruff_cache
