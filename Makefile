# One command to run the product, one to test it. Python 3.11 is all a fresh machine needs;
# the rest (virtualenv, packages, gettext, Chromium for browser tests) is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test check setup deps dev-deps system-deps browser-deps fonts docs-images vendor-charts vendor-offline messages migrate demo worker bench clean

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

# Headless Chromium (Debian's, never a browser download) and a Chinese font for screenshots;
# pdftoppm (poppler-utils) and LibreOffice's Calc for the archive files' tests, which rasterise
# the ledger's pages and print the workbook as Excel would (tests/web/browser/test_archive_files.py).
browser-deps:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi" || { \
		apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }
	@command -v pdftoppm >/dev/null || { apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null; }
	@command -v soffice >/dev/null || { apt-get update -qq && apt-get install -y -qq libreoffice-calc-nogui >/dev/null; }

# The PDFs' Chinese fonts: Debian's fonts-noto-cjk (OFL; Noto Serif CJK SC for the body, Noto
# Sans CJK SC for headings), converted once to the TrueType outlines reportlab embeds, into
# var/fonts (reports/fonts.py). A no-op when they are there; the first run takes a few minutes.
fonts: $(VENV)/.deps
	@test -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc -a -f /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc || { \
		apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; }
	$(PY) manage.py pdf_fonts -v0

# The README's pictures (docs/screenshots/): taken by the browser tests that check what they
# show — the ledger's cover, a record form and the workbook's print preview, the leader's pages.
docs-images: dev-deps messages browser-deps fonts
	HEALTHEDU_README_SCREENSHOTS=1 $(PY) -m pytest -q -p no:randomly \
		tests/web/browser/test_archive_files.py tests/web/browser/test_leader_pages.py

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

# The desk's offline pieces (README "The desk"): Workbox's browser builds for the service worker
# and idb for the queue in IndexedDB, from the npm registry, served from our static files.
WORKBOX = workbox-core workbox-routing workbox-strategies workbox-expiration
OFFLINE_VENDOR = healthedu/web/static/web/vendor
vendor-offline:
	cd /tmp && rm -rf offline-pack && mkdir offline-pack && cd offline-pack && for p in $(WORKBOX); do npm pack -s $$p@7; done && npm pack -s idb@8 && for f in *.tgz; do mkdir -p $${f%.tgz} && tar xzf $$f -C $${f%.tgz}; done
	mkdir -p $(OFFLINE_VENDOR)/workbox
	for p in $(WORKBOX); do cp /tmp/offline-pack/$$p-*/package/build/$$p.prod.js $(OFFLINE_VENDOR)/workbox/; done
	cp /tmp/offline-pack/workbox-core-*/package/LICENSE $(OFFLINE_VENDOR)/workbox/LICENSE
	cp /tmp/offline-pack/idb-*/package/build/umd.js $(OFFLINE_VENDOR)/idb.umd.js
	cp /tmp/offline-pack/idb-*/package/LICENSE $(OFFLINE_VENDOR)/idb-LICENSE
	@# The maps they name are not vendored (collectstatic's manifest storage would refuse them).
	sed -i '/^\/\/# sourceMappingURL=/d' $(OFFLINE_VENDOR)/workbox/*.prod.js $(OFFLINE_VENDOR)/idb.umd.js

messages: system-deps
	$(PY) manage.py compilemessages -v0 --ignore ".venv" --ignore "node_modules" --ignore "var"

migrate:
	$(PY) manage.py migrate -v0

setup: deps messages fonts migrate

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

test: dev-deps messages browser-deps fonts
	$(PY) -m pytest -q $(PYTEST_ARGS) || [ $$? -eq 5 ]

check: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) manage.py check
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

bench: dev-deps messages fonts
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
