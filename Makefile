# The README's two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test lint bench clean services

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

# torch first, pinned: an unpinned torch pulled in by sentence-transformers would be a multi-GB CUDA build.
$(VENV)/.dev-installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,st]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/portside serve --demo

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check assistant connectors knowledge evals tests bench
	$(BIN)/mypy

# Chromium, PostgreSQL and Redis: installed here when missing (as root); the tests start their own on loopback.
services:
	bash scripts/test-services.sh

test: $(VENV)/.dev-installed services lint
	$(BIN)/python -m pytest -q

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/order_lookup.py
	$(BIN)/python bench/kb_retrieval.py
	$(BIN)/python bench/kb_ingest.py
	$(BIN)/python bench/turn_latency.py

clean:
	rm -rf $(VENV) .portside .pytest_cache .mypy_cache .ruff_cache artifacts
