# research_kit — the two commands of the README are `make build` and `make test`.
# Everything is installed by this file into .venv (Python packages, the CJK font
# via the mplfonts wheel, Pandoc via the pypandoc-binary wheel); nothing by hand.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

KERNEL := $(VENV)/share/jupyter/kernels/research_kit/kernel.json
LABSET := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: all setup build test test-deps test-fast bench bench-pipeline lab sync-notebooks git-filters clean

all: build

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "research_kit needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## The project kernel "research_kit (Python 3)", JupyterLab in Chinese by default (jupyter/README.md).
$(KERNEL): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name research_kit --display-name "research_kit (Python 3)" >/dev/null

$(LABSET): jupyter/lab-settings/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp jupyter/lab-settings/overrides.json $@

## Notebook outputs never reach a commit: the nbstripout git filter (only inside a git checkout).
git-filters: $(STAMP)
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(VENV)/bin/nbstripout --install >/dev/null; fi

setup: $(STAMP) $(KERNEL) $(LABSET) git-filters

## Build every paper from the shipped demo data into reports/_site/.
build: setup
	$(VENV)/bin/research-kit build

## Headless Chromium and chromedriver for the browser test of the site (Debian packages). Installed when
## missing and this user is root; otherwise the browser test is skipped and says why.
test-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium and chromium-driver (apt-get) for the browser test"; \
	  ( apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null 2>&1 || \
	    { apt-get update >/dev/null 2>&1 && \
	      apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null 2>&1; } ) || \
	  echo "could not install chromium/chromium-driver: the browser test will be skipped"; \
	else \
	  echo "chromium/chromedriver not found and not root: run 'sudo apt-get install chromium chromium-driver'," \
	       "or the browser test is skipped"; \
	fi

## Run the whole test suite (what CI runs).
test: setup test-deps
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

bench: setup
	$(PY) benchmarks/run.py

## Batch pipeline benchmark: build vs a loop of the papermill CLI + render (benchmarks/PIPELINE.md).
bench-pipeline: setup
	$(PY) benchmarks/pipeline_bench.py

## JupyterLab in Chinese on the project's kernel (switch language in 设置 → 语言).
lab: setup
	$(VENV)/bin/jupyter lab notebooks/

## Write the percent-format .py twin of every notebook (the .ipynb is the source of truth).
sync-notebooks: setup
	$(VENV)/bin/jupytext --quiet --to py:percent notebooks/*.ipynb notebooks/tutorials/*.ipynb

clean:
	rm -rf reports/papers reports/_site reports/logs reports/.cache data/processed/*.parquet data/processed/manifest.json
