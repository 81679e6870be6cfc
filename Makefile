# Onestop: `make run` starts everything on a fresh machine; `make test` is exactly what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
RASA_VENV := .venv-rasa
BIN := $(VENV)/bin
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/messages.po))
NLU_PORT ?= 5005

# The bot needs Python >= 3.11; Rasa 3.6 needs Python 3.10 (found on PATH or under pyenv).
PYTHON_BOT := $(shell for p in python3.12 python3.11 python3; do \
	command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
# A candidate counts only if it runs (a pyenv shim for a version not selected does not).
PYTHON_RASA := $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 \
	/root/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

.PHONY: run test lint types unit catalogs i18n model nlu-env bot-env serve-nlu clean browsers

$(BIN)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON_BOT)" || { echo "error: Python >= 3.11 is required for the bot; install it (e.g. 'pyenv install 3.11')." >&2; exit 1; }
	$(PYTHON_BOT) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(RASA_VENV)/.installed: nlu/requirements-rasa.txt
	@test -n "$(PYTHON_RASA)" || { echo "error: Rasa 3.6 needs Python 3.10, which was not found on PATH or under pyenv. Install it, e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv', then run make again." >&2; exit 1; }
	$(PYTHON_RASA) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --upgrade 'pip<25' wheel 'setuptools<70'
	$(RASA_VENV)/bin/pip install --quiet -r nlu/requirements-rasa.txt
	touch $@

bot-env: $(BIN)/.installed
nlu-env: $(RASA_VENV)/.installed

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile -D messages -i $< -o $@ --statistics 2>&1 | tail -1

catalogs: $(MO_FILES)

# Extract the English source strings, merge them into every catalog, compile.
i18n: $(BIN)/.installed
	$(BIN)/pybabel extract -F pyproject.toml -o locales/messages.pot --no-location --sort-by-file \
		--project=onestop --copyright-holder=Onestop --add-comments=TRANSLATORS: -k N_ .
	$(BIN)/pybabel update -D messages -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	$(MAKE) catalogs

model: $(BIN)/.installed $(RASA_VENV)/.installed
	$(BIN)/onestop nlu train

lint: $(BIN)/.installed
	$(BIN)/ruff check bot domain nlu tests bench
	$(BIN)/ruff format --check bot domain nlu tests bench

types: $(BIN)/.installed
	$(BIN)/mypy

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browsers:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests…"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: lint types catalogs model browsers
	$(BIN)/pytest -q -p no:cacheprovider

run: $(BIN)/.installed catalogs model
	$(BIN)/onestop db upgrade
	@echo "Starting the NLU service on 127.0.0.1:$(NLU_PORT) (about a minute before it answers)…"
	@$(BIN)/onestop nlu serve --port $(NLU_PORT) > nlu-service.log 2>&1 & nlu_pid=$$!; \
		trap "kill $$nlu_pid 2>/dev/null" EXIT INT TERM; \
		echo "Web chat: http://$${HOST:-127.0.0.1}:$${PORT:-8080}"; \
		RASA_URL=$${RASA_URL:-http://127.0.0.1:$(NLU_PORT)} $(BIN)/onestop serve

clean:
	rm -rf $(VENV) $(RASA_VENV) models $(MO_FILES)
