# The two commands in the README: `make gallery` and `make test`. Both set up first.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
JS_SOURCES := $(wildcard js/package.json js/package-lock.json js/src/*)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup engines gallery test lint bench screenshots clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh $(JS_SOURCES)
	VENV=$(VENV) bash scripts/setup.sh
	touch $(STAMP)

# Loopback only; JupyterLab refuses to run as root without --allow-root (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

gallery: setup
	cd notebooks && ../$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 $(ROOT_FLAG) $(LAB_ARGS) 01_quickstart.ipynb

lint: setup
	$(PY) -m ruff check sora_nb tests
	$(PY) -m ruff format --check sora_nb tests
	$(PY) -m mypy

# The engines' own HTTP code for tests/engines (SGLang 0.5.23, FastVideo 0.2.1 and vLLM-Omni 0.30.0 on CPU torch,
# generation stubbed): virtualenvs of about 2.8, 1.7 and 1.9 GB, built once into
# ~/.cache/sora_nb/engines and found there after.
engines: setup
	PYTHON=$(PY) bash scripts/engines/sglang.sh
	PYTHON=$(PY) bash scripts/engines/fastvideo.sh
	PYTHON=$(PY) bash scripts/engines/vllm_omni.sh

test: lint engines
	@if [ -f js/package.json ]; then cd js && npm test --silent; fi
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	@for f in tests/bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# The README's pictures are the browser tests' own screenshots, copied into docs/images.
screenshots: setup
	$(PY) -m pytest tests/ui -q
	mkdir -p docs/images
	cp tests/artifacts/screenshots/grid.png tests/artifacts/screenshots/studio.png \
		tests/artifacts/screenshots/adapter-grid.png docs/images/

clean:
	rm -rf $(VENV) sora_nb/static js/node_modules .mypy_cache .ruff_cache .pytest_cache
