# Two commands for a fresh machine: `make run` and `make test` (see README).
PYTHON ?= $(shell scripts/find-python)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
VENDOR := src/zhicheng/static/vendor/htmx.min.js

.PHONY: setup run serve test lint pytest bench bench-web clean

setup: $(VENV)/.installed $(VENDOR)

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12+ is needed (Django 6.1)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Front-end assets come from the npm registry and are served by the application itself (no CDN).
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(dir $(VENDOR))
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)

# Set up, migrate, load the demo data and serve the platform on http://127.0.0.1:$(PORT) (SQLite by default).
run: setup
	$(BIN)/zhicheng pack validate
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "忻州市工程系列中、初级职称评审 · http://127.0.0.1:$(PORT)/ · demo accounts in README.md"
	ZHICHENG_DEBUG=$${ZHICHENG_DEBUG:-0} $(BIN)/python manage.py runserver --insecure 127.0.0.1:$(PORT)

# The production server (docs/deployment.md): gunicorn on PostgreSQL, DEBUG off, migrated first, the static files
# collected and served by the application (compressed, hashed names, long cache headers). `zhicheng check-deploy`
# reports what a real deployment still lacks (keys, HTTPS, hosts …) before the server starts; it does not stop it,
# so that the same command tries the production server out on a workstation.
serve: setup
	@case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*) ;; \
	  "") echo "make serve needs DATABASE_URL=postgresql://user@host:5432/name — the embedded SQLite is for make run only (docs/deployment.md)" >&2; exit 2;; \
	  *) echo "make serve runs on PostgreSQL: DATABASE_URL should start with postgresql:// (docs/deployment.md)" >&2; exit 2;; \
	esac
	$(BIN)/python manage.py migrate --noinput
	ZHICHENG_STATIC_COLLECTED=1 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	-ZHICHENG_DEBUG=0 ZHICHENG_STATIC_COLLECTED=1 $(BIN)/zhicheng check-deploy
	ZHICHENG_DEBUG=0 ZHICHENG_STATIC_COLLECTED=1 PORT=$(PORT) exec $(BIN)/gunicorn -c python:zhicheng.serving.gunicorn_conf zhicheng.wsgi

# The engine's example profiles, checked from the command line.
examples: setup
	@for f in examples/*.yaml; do echo "════ $$f"; $(BIN)/zhicheng check $$f || exit $$?; done

# Style, types, the house's floors (pyproject.toml [tool.importlinter]) and migrations that match the models.
lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

# Every test on SQLite; when DATABASE_URL is set, again on PostgreSQL, and the browser walks (which test the
# pages, not the database) run on PostgreSQL only, to keep the whole run well inside CI's time.
test: lint
	scripts/ensure-chromium
	scripts/ensure-document-tools
	@if [ -n "$$DATABASE_URL" ]; then \
	  env -u DATABASE_URL $(BIN)/pytest -m "not browser" && echo "── again on PostgreSQL, with the browser walks" && $(BIN)/pytest; \
	else \
	  $(BIN)/pytest; \
	fi

bench: setup
	$(BIN)/python bench/bench_engine.py

# The deadline rush (bench/README.md): a fresh PostgreSQL database (RUSH_DATABASE, zc_rush by default) seeded with
# 6,000 applicants, gunicorn as `make serve` runs it, locust's mix of the roles and then the bare view, 50 users for
# 60 s each; the report in var/rush/report.md. RUSH_ARGS passes options, e.g. RUSH_ARGS="--users 20 --duration 30".
bench-web: setup
	$(BIN)/python bench/rush.py $(RUSH_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis var $(VENDOR)
