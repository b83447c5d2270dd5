# The README's commands: `make run` (the pipeline on the embedded demo) and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
MLSECOPS := $(VENV)/bin/mlsecops
STAMP := $(VENV)/.installed

.PHONY: install run run-insecure test test-python test-quick test-e2e test-processes test-groovy lint lint-python lint-groovy bench image image-test clean

$(STAMP): python/pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e './python[all]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(MLSECOPS) run

run-insecure: $(STAMP)
	$(MLSECOPS) run --demo insecure

test: lint test-groovy test-python

# pytest-xdist: one worker per core; loadgroup keeps tests marked xdist_group(NAME) on one worker.
# The end-to-end demo runs (marker e2e) are collected first so that no worker meets one at the end.
# Plugins no test uses (installed with faker and garak) cost each worker seconds to load: off.
PYTEST := KERAS_BACKEND=torch HF_HUB_OFFLINE=1 $(PY) -m pytest -n auto --dist loadgroup \
	-p no:faker -p no:langsmith_plugin -p no:anyio

test-python: $(STAMP)
	$(PYTEST) tests/python

# Everything but the end-to-end runs (marker e2e: demo pipelines, real trainings, real garak runs), which
# `make test` and CI run too: the edit-test loop, about two and a half minutes on two quiet cores.
test-quick: $(STAMP)
	$(PYTEST) -m "not e2e" tests/python

# Only the end-to-end runs.
test-e2e: $(STAMP)
	$(PYTEST) -m e2e tests/python

# Every test, each `mlsecops` command in a fresh interpreter instead of the test process (slower).
test-processes: $(STAMP)
	MLSECOPS_TEST_CLI=process $(PYTEST) tests/python

test-groovy:
	bash tests/groovy/run.sh

lint: lint-python lint-groovy

lint-python: $(STAMP)
	$(VENV)/bin/ruff check python/src tests/python tests/gen_model_corpus.py bench

lint-groovy:
	bash tests/groovy/lint.sh

bench: $(STAMP)
	$(PY) bench/run.py

image:
	bash docker/build.sh

image-test:
	bash docker/build.sh --test

clean:
	rm -rf .mlsecops
