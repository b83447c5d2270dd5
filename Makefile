# The README's commands: `make run` (the pipeline on the embedded demo) and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
MLSECOPS := $(VENV)/bin/mlsecops
STAMP := $(VENV)/.installed

.PHONY: install run run-insecure test test-python test-groovy lint lint-python lint-groovy bench image image-test clean

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

test-python: $(STAMP)
	KERAS_BACKEND=torch HF_HUB_OFFLINE=1 $(PY) -m pytest tests/python

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
