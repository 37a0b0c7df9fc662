# Two entry points that work on a fresh machine with only Python 3.10+:
#   make demo  - set up .venv, classify the example mbox with the bundled model, print a summary
#   make test  - set up .venv with the dev extras, run the whole test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test model compose lint bench clean

$(VENV)/.core: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.core
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

demo: $(VENV)/.core
	$(BIN)/rejectlens classify data/examples/inbox.mbox -o .demo/predictions.jsonl --force
	$(BIN)/rejectlens show .demo/predictions.jsonl

test: $(VENV)/.dev
	$(BIN)/python -m pytest

# Rebuild the bundled model from the corpus (composed emails first, then train + model card).
model: $(VENV)/.core
	$(BIN)/python scripts/compose.py
	$(BIN)/rejectlens train data -o models/default --force

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks scripts

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .demo dist build .pytest_cache
