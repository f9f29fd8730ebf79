# Peiyu — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PEIYU := $(BIN)/peiyu
export PEIYU_DATA_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2

VENDOR := peiyu/web/static/vendor

.PHONY: install demo serve test test-pg bench bench-engines bench-load lint format typecheck clean lock

install: $(VENV)/.installed $(VENDOR)/.installed

$(VENV)/.installed: requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv
	@$(BIN)/uv pip sync -q --python $(BIN)/python requirements-dev.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

node_modules/.installed: package-lock.json package.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/.installed: node_modules/.installed
	@mkdir -p $(VENDOR)/tabler $(VENDOR)/htmx $(VENDOR)/echarts
	@cp node_modules/@tabler/core/dist/css/tabler.min.css $(VENDOR)/tabler/
	@cp node_modules/@tabler/core/dist/js/tabler.min.js $(VENDOR)/tabler/
	@cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	@cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	@touch $@

demo: install
	@$(PEIYU) init
	@$(PEIYU) demo --if-empty
	@echo ""
	@echo "培育平台演示区：http://$(HOST):$(PORT)/   演示账户：admin / Peiyu@2026"
	@echo "（其他角色：leader、software、taopu、kewei、service，密码相同）"
	@$(PEIYU) serve --host $(HOST) --port $(PORT)

serve: install
	@$(PEIYU) init
	@$(PEIYU) serve --host $(HOST) --port $(PORT)

test: install
	@$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	@$(BIN)/python -m bench.run

# DuckDB against Spark local[2] at 1x, 2x, 4x data (docs/performance.md); needs Java
bench-engines: install
	@$(BIN)/python -m bench.run engines

# 200 personas against `peiyu serve` on the demo, then 50 closed-loop connections (docs/performance.md)
bench-load: install
	@$(BIN)/python -m bench.bench_load

lint: install
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy peiyu

format: install
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

lock:
	@$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -q -o requirements-dev.lock
	@$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 -q -o requirements.lock

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
