# Kinderschutz-QM – the two commands a newcomer needs: `make run` and `make test`.
# Both create .venv and install the locked dependencies from scratch when needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.runtime-$(shell cat requirements.lock | sha1sum | cut -c1-12)
TEST_STAMP := $(VENV)/.test-$(shell cat requirements.lock requirements-test.lock | sha1sum | cut -c1-12)
PORT ?= 8000
DEV_ENV := DEBUG=True KSQM_ENCRYPTION_KEY_FILE=var/demo.key
TEST_ENV := DJANGO_SETTINGS_MODULE=config.settings_test

.PHONY: graphviz install install-test run test lint bench lock browser axe messages screenshot clean \
	serve ops-tools bench-load bench-scale

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.runtime-*
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.lock
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.lock
	@rm -f $(VENV)/.test-*
	@touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

var/demo.key:
	@mkdir -p var
	@$(PYTHON) -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" > $@
	@chmod 600 $@
	@echo "Demo-Schlüssel für verschlüsselte Falldaten angelegt: $@"

run: install graphviz var/demo.key
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py demo_data
	@echo ""
	@echo "Kinderschutz-QM läuft auf http://127.0.0.1:$(PORT)/  (Demo-Zugänge siehe oben)"
	@# The background worker (uploads, mail) runs beside the development server.
	$(DEV_ENV) sh -c '$(PY) manage.py worker --name dev & W=$$!; \
	  trap "kill $$W 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)'


lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Debian packages: graphviz (dot) for maps, chromium for the browser tests. Installed
# when missing and we may (root); without them the app degrades and those tests skip.
define apt_ensure
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installiere Debian-Paket $(2) …"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null) \
	      || echo "$(2) konnte nicht installiert werden"; \
	  else echo "$(2) fehlt (nicht installierbar ohne root)"; fi; }
endef

graphviz:
	$(call apt_ensure,dot,graphviz)

browser: graphviz
	$(call apt_ensure,chromium,chromium)

# axe-core (MPL-2.0) for the accessibility browser test, from the npm registry at the
# version tools/axe/package-lock.json pins; installed again when the lock file changes.
AXE_STAMP := tools/axe/node_modules/.stamp-$(shell cat tools/axe/package-lock.json | sha1sum | cut -c1-12)

$(AXE_STAMP): tools/axe/package.json tools/axe/package-lock.json
	$(call apt_ensure,npm,npm)
	cd tools/axe && npm ci --no-audit --no-fund --loglevel=error
	@rm -f tools/axe/node_modules/.stamp-*
	@touch $(AXE_STAMP)

axe: $(AXE_STAMP)

# Operations: pg_dump/pg_restore for backups of PostgreSQL installations, systemd-analyze
# and nginx to verify deploy/ (RUNLEVEL=1: the package must not start a web server here).
ops-tools:
	$(call apt_ensure,pg_dump,postgresql-client)
	$(call apt_ensure,systemd-analyze,systemd)
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installiere Debian-Paket nginx-light …"; \
	    (apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null) \
	      || echo "nginx-light konnte nicht installiert werden"; \
	  else echo "nginx fehlt (nicht installierbar ohne root)"; fi; }

test: install-test browser axe ops-tools lint
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true
	@rm -f .coverage .coverage.*
	KSQM_REQUIRE_AXE=1 $(PY) -m pytest -n 2 --create-db \
	  --cov --cov-config=tools/coverage_gate.toml --cov-report=
	$(PY) tools/coverage_gate.py

bench: install-test
	$(PY) bench/run_all.py

# The long benchmarks (minutes each; not in `make bench`): the load test under the
# production server against the framework's floor, and the two-instance scale-out proof.
bench-load: install-test
	$(call apt_ensure,wrk,wrk)
	$(PY) bench/load.py

bench-scale: install-test ops-tools
	$(PY) bench/scale_out.py

# Production locally: granian (2 workers, DEBUG off, whitenoise), the background worker
# and the scheduler, on the same var/ database as `make run`. Ctrl+C stops all three.
SERVE_ENV := DEBUG=False SECRET_KEY_FILE=var/secret.key KSQM_ENCRYPTION_KEY_FILE=var/demo.key \
	SESSION_COOKIE_SECURE=False CSRF_COOKIE_SECURE=False

var/secret.key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

serve: install var/demo.key var/secret.key
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	@echo "Kinderschutz-QM (Produktionsserver) auf http://127.0.0.1:$(PORT)/  – Strg+C beendet"
	$(SERVE_ENV) sh -c '$(PY) manage.py worker & W=$$!; $(PY) manage.py scheduler & S=$$!; \
	  trap "kill $$W $$S 2>/dev/null" EXIT INT TERM; \
	  $(PY) -m granian config.wsgi:application --interface wsgi --no-ws --host 127.0.0.1 \
	    --port $(PORT) --workers 2 --blocking-threads 16 --log-level warning \
	    --respawn-failed-workers'

messages: install
	$(TEST_ENV) $(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore="*/tests/*" --no-obsolete
	$(PY) tools/fill_po.py locale/en/LC_MESSAGES/django.po tools/en
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore=.venv

# Re-resolve the runtime lock in a clean venv; the test lock is the rest of .venv.
lock: install-test
	rm -rf var/lockvenv && $(PYTHON) -m venv var/lockvenv
	var/lockvenv/bin/pip install --quiet -c requirements.lock .
	var/lockvenv/bin/pip freeze --exclude-editable | grep -v '^kinderschutz-qm' > var/runtime.txt
	$(PY) tools/write_locks.py var/runtime.txt

clean:
	rm -rf $(VENV) var .pytest_cache
