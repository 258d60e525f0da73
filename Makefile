# research_kit — the two commands of the README are `make build` and `make test`.
# Everything is installed by this file into .venv (Python packages, the CJK font
# via the mplfonts wheel, Pandoc via the pypandoc-binary wheel); nothing by hand.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: all setup build test test-fast bench lab clean

all: build

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "research_kit needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

## Build every paper from the shipped demo data into reports/_site/.
build: setup
	$(VENV)/bin/research-kit build

## Run the whole test suite (what CI runs).
test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

bench: setup
	$(PY) benchmarks/run.py

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf reports/papers reports/_site data/processed/*.parquet data/processed/manifest.json
