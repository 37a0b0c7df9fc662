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

# The embedding baseline of the benchmarks needs torch. PyPI's torch wheel is a
# multi-GB CUDA build, so it is installed only where a CPU wheel lies on disk
# (/opt/wheels on this project's machines); elsewhere that baseline is skipped.
TORCH_WHEEL := $(wildcard /opt/wheels/torch-2.13.0+cpu-cp311-*.whl)

$(VENV)/.dev: $(VENV)/.core
	$(BIN)/python -m pip install -q -e '.[dev]'
	@if [ -n "$(TORCH_WHEEL)" ] && $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
		$(BIN)/python -m pip install -q $(TORCH_WHEEL) && $(BIN)/python -m pip install -q -e '.[embeddings]'; \
	else echo "no CPU torch wheel for this Python: the embedding baseline will be skipped"; fi
	touch $@

demo: $(VENV)/.core
	$(BIN)/rejectlens classify data/examples/inbox.mbox -o .demo/predictions.jsonl --force
	$(BIN)/rejectlens show .demo/predictions.jsonl

test: $(VENV)/.dev
	$(BIN)/python -m pytest

# Rebuild the bundled model from the corpus (composed emails first, then train + model card,
# then the real-mail and mailbox metrics into the card; realdev is skipped where it is absent).
model: $(VENV)/.core
	$(BIN)/python scripts/compose.py
	$(BIN)/python -m rejectlens.corpus.build data -o models/default
	$(BIN)/python -m benchmarks.real_mail --card models/default/MODEL_CARD.md

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks scripts

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .demo dist build .pytest_cache
