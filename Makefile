# The two commands a new machine needs are `make run` and `make test`; the rest serve them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
PORT ?= 8000

.PHONY: venv test lint bench run migrate seed worker beat web chromium integration hardening clean

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

test: venv
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .

bench: venv
	$(PY) bench/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
