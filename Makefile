# CampusGuard: `make demo` runs the platform, `make test` runs the whole suite.
# Both do all of their own set-up on a fresh Debian machine (Python 3.11, Node.js, apt).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
WEB_STAMP := web/dist/.built
DEMO_DIR ?= var/demo
PORT ?= 8000
APT_PACKAGES := ffmpeg chromium nginx-light espeak-ng fonts-noto-cjk netcat-openbsd poppler-utils \
	gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-libav gstreamer1.0-tools wrk

.PHONY: demo test system venv web lint bench clean

demo: system venv web
	$(VENV)/bin/campusguard demo --port $(PORT) --data-dir $(DEMO_DIR)

test: system venv web
	$(VENV)/bin/pytest

system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

web: $(WEB_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json web/vite.config.ts $(wildcard web/tsconfig*.json) $(shell find web/src web/public web/index.html -type f 2>/dev/null)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	touch $(WEB_STAMP)

lint: venv
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy src
	cd web && npm run typecheck

bench: venv
	$(VENV)/bin/python bench/run_all.py

clean:
	rm -rf $(VENV) web/node_modules web/dist var
