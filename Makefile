# One command to run the product, one to test it. Python 3.11 is all a fresh machine needs;
# the rest (virtualenv, packages, gettext, Chromium for browser tests) is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test check setup deps dev-deps system-deps browser-deps vendor-charts messages migrate demo worker bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.dev-deps: pyproject.toml | $(PY)
	$(PIP) install -e ".[dev]"
	touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# Debian packages: gettext compiles the translation catalogues.
system-deps:
	@command -v msgfmt >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }

# Headless Chromium (Debian's, never a browser download) and a Chinese font for screenshots.
browser-deps:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi" || { \
		apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

# Chart.js for the pages, from the npm registry (committed under healthedu/web/static/web/vendor/;
# this refreshes it, without its source-map comment). MIT licence; the version is noted in that
# folder's README.md.
vendor-charts:
	cd /tmp && rm -rf chartjs-pack && mkdir chartjs-pack && cd chartjs-pack && npm pack -s chart.js@4 && tar xzf chart.js-*.tgz
	cp /tmp/chartjs-pack/package/dist/chart.umd.js /tmp/chartjs-pack/package/LICENSE.md healthedu/web/static/web/vendor/
	mv healthedu/web/static/web/vendor/LICENSE.md healthedu/web/static/web/vendor/chart.js-LICENSE.md
	@# The map it names is not vendored: without this line, collectstatic's manifest storage
	@# refuses the file (and production would answer 500 on every page).
	sed -i '/^\/\/# sourceMappingURL=/d' healthedu/web/static/web/vendor/chart.umd.js

messages: system-deps
	$(PY) manage.py compilemessages -v0 --ignore ".venv" --ignore "node_modules" --ignore "var"

migrate:
	$(PY) manage.py migrate -v0

setup: deps messages migrate

run: setup
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo --if-empty
	@echo
	@echo "  社区健康教育管理  →  http://$(HOST):$(PORT)/"
	@echo "  logins: admin, leader, edu_th, edu_ch, edu_wh — password demo-pass-2026"
	@echo "  API docs: http://$(HOST):$(PORT)/api/docs/"
	@echo
	@exec $(MAKE) --no-print-directory serve

# The server and the worker, on what `run` set up. exec: the runner is make's only child, so a
# TERM to make (which make passes on), to the process group, or Ctrl-C stops each once, cleanly.
serve:
	@exec $(PY) scripts/run.py --host $(HOST) --port $(PORT)

worker: setup
	$(VENV)/bin/celery -A healthedu worker -B -l info --concurrency 2 -s var/celerybeat-schedule

test: dev-deps messages browser-deps
	$(PY) -m pytest -q $(PYTEST_ARGS) || [ $$? -eq 5 ]

check: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) manage.py check
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

bench: dev-deps messages
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
