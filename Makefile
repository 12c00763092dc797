# Two commands: `make demo` and `make test`. Both need only python3 and make.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `make demo PORT=9000` (or GRIDBOT_WEB_PORT=9000) moves the demo off port 8080.
demo: $(STAMP)
	$(VENV)/bin/gridbot demo $(if $(PORT),--port $(PORT))

test: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench.routing

clean:
	rm -rf $(VENV) gridbot.db gridbot.db-* .pytest_cache
