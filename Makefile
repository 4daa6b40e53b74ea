# The two commands a new machine needs are `make run` and `make test`; the rest serve them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
PORT ?= 8000

.PHONY: site-url venv github-api-tools axe-tools screenshots test lint docs bench run migrate seed worker beat web chromium integration hardening clean

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

# Prism (a mock server on GitHub's official OpenAPI description) and GitHub's example webhook
# payloads, for the GitHub App tests; versions pinned by tools/github-api/package-lock.json.
GITHUB_API_TOOLS := tools/github-api
GITHUB_API_STAMP := $(GITHUB_API_TOOLS)/node_modules/.installed-$(shell sha1sum $(GITHUB_API_TOOLS)/package-lock.json | cut -c1-12)

$(GITHUB_API_STAMP): $(GITHUB_API_TOOLS)/package-lock.json
	cd $(GITHUB_API_TOOLS) && SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error
	rm -f $(GITHUB_API_TOOLS)/node_modules/.installed-* && touch $(GITHUB_API_STAMP)

github-api-tools: $(GITHUB_API_STAMP)

# axe-core, injected by Playwright into the pages of the accessibility checks; pinned by its lock file.
AXE_TOOLS := tools/axe
AXE_STAMP := $(AXE_TOOLS)/node_modules/.installed-$(shell sha1sum $(AXE_TOOLS)/package-lock.json | cut -c1-12)

$(AXE_STAMP): $(AXE_TOOLS)/package-lock.json
	cd $(AXE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	rm -f $(AXE_TOOLS)/node_modules/.installed-* && touch $(AXE_STAMP)

axe-tools: $(AXE_STAMP)

# The README's pictures: the seeded demo's main pages, taken by Playwright in Debian's Chromium.
screenshots: venv
	$(PY) tools/screenshots.py --out docs/screenshots

test: venv github-api-tools axe-tools
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .

# The rule reference, generated from the rule registry; tests/engine/test_registry.py checks it is current.
docs: venv
	$(PY) -m auditor.engine.ruledocs docs/rules.md

# The official ESLint plugin, pinned in bench/peer/package.json, for the engine benchmark's peer run.
BENCH_PEER := .cache/bench-peer
$(BENCH_PEER)/.installed: bench/peer/package.json bench/peer/eslint.config.mjs
	mkdir -p $(BENCH_PEER)
	cp bench/peer/package.json bench/peer/eslint.config.mjs $(BENCH_PEER)/
	cd $(BENCH_PEER) && npm install --no-audit --no-fund --legacy-peer-deps --loglevel=error
	touch $@

# BENCH_APPS=path/to/app:path/to/other make bench adds real apps to the synthetic project.
bench: venv $(BENCH_PEER)/.installed
	$(PY) bench/engine.py
	$(PY) bench/pages.py

# The reliability and security suite; writes its figures to test-artifacts/hardening.json.
hardening: venv github-api-tools
	rm -f test-artifacts/hardening.json
	$(PY) -m pytest tests/hardening -m hardening
	$(PY) tests/hardening/summary.py

# A development run: DEBUG on and the demo's local repository allowed, unless set otherwise.
run migrate seed web worker beat: export DEBUG ?= 1
run migrate seed web worker beat: export AUDITOR_ALLOW_LOCAL_REPOS ?= 1
# Links in emails and webhooks point at the port this run serves on.
run migrate seed web worker beat site-url: export PORT := $(PORT)
run migrate seed web worker beat site-url: export SITE_URL ?= http://127.0.0.1:$(PORT)

# Web, Celery worker and beat together (Procfile); SQLite and a SQLite-backed broker unless
# DATABASE_URL / REDIS_URL say otherwise.
# The address links in emails and webhooks get in a development run.
site-url:
	@echo "$$SITE_URL"

run: venv migrate seed
	$(VENV)/bin/honcho start -f Procfile -p $(PORT)

migrate: venv
	$(PY) manage.py migrate --noinput

seed: venv
	$(PY) manage.py seed_demo

web: venv
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: venv
	$(VENV)/bin/celery -A auditor.celery worker --loglevel=INFO

beat: venv
	$(VENV)/bin/celery -A auditor.celery beat --loglevel=INFO

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
