# wijkgeo: two commands for a fresh machine (python3, make, node/npm, apt).
#   make demo   install into .venv and write the demo map into maps/
#   make test   install the dev extra and browser prerequisites, run ruff and the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint install install-dev browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-run pip only when pyproject.toml changes.
$(VENV)/.stamp-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.stamp-runtime

install: $(VENV)/.stamp-runtime
install-dev: $(VENV)/.stamp-dev

demo: $(VENV)/.stamp-runtime
	@$(BIN)/wijkgeo demo

browser-deps:
	bash scripts/install_browser_deps.sh

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check wijkgeo tests examples benchmarks

# pytest exit 5 means "no tests collected": a broken suite, so it fails here on purpose.
test: $(VENV)/.stamp-dev browser-deps lint
	@$(BIN)/python -m pytest -ra; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests; that is a failure" >&2; exit 1; fi; \
	exit $$rc

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache tests/_artifacts
