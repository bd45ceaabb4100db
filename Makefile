# hpsearch: `make demo` and `make test` are the whole quick start.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo
DEMO_TRIALS ?= 32
TEST_PROCESSES ?= 2
POSTGRES_SCRIPT ?= .ci/postgres.sh

.PHONY: venv deps demo test lint typecheck pytest postgres clean image-lock

venv: $(VENV)/.installed

# uv resolves what pip would from PyPI, and downloads and installs in parallel.
# The machine's pip puts uv in the venv (pip 22.3 and newer; else the venv's own pip does), and
# uv installs pip with the rest: the venv is made without pip, 6 s sooner. .ci/compile.py then
# compiles the venv (but packages' test suites: 10 s sooner than uv's --compile-bytecode) and
# the project's own packages, which uv leaves out.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "make:" \
		"hpsearch needs Python 3.11 or newer, and $(PYTHON) is $$($(PYTHON) -V 2>&1);" \
		"name another with make PYTHON=python3.12 ..." >&2; exit 1; }
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install -q uv 2>/dev/null \
		|| { $(BIN)/python -m ensurepip -q && $(BIN)/python -m pip install -q uv; }
	$(BIN)/uv pip install -q --python $(BIN)/python pip -e '.[dev]'
	$(BIN)/python .ci/compile.py search spaces storage tests
	touch $@

## A small real search on the embedded SQLite default, the leaderboard, and the best script.
demo: venv
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/hpsearch sample-data --out $(DEMO)/data.csv --rows 1200 --classes 6
	cd $(DEMO) && ../$(BIN)/hpsearch run --data data.csv --study demo \
		--n-trials $(DEMO_TRIALS) --max-epochs 6 --pruner median \
		--space ../spaces/examples/small.yaml
	cd $(DEMO) && ../$(BIN)/hpsearch status --study demo
	cd $(DEMO) && ../$(BIN)/hpsearch export --study demo --out train_best.py
	@echo
	@echo "Next, from here (the study is in $(DEMO)/hpsearch.db):"
	@echo "  $(BIN)/hpsearch export --study demo --storage sqlite:///$(DEMO)/hpsearch.db --model $(DEMO)/model"
	@echo "  $(BIN)/hpsearch predict --model $(DEMO)/model --data $(DEMO)/data.csv --out $(DEMO)/predictions.csv"
	@echo "  $(BIN)/python $(DEMO)/train_best.py --out $(DEMO)/retrained   # the best trial, trained again"

## Lint, type-check, start a local PostgreSQL, and run every test against SQLite and it.
# The system packages some tests need (.ci/deps-*.sh: apt-get, where missing) install while the
# venv does (their log is printed before the tests, which --old-file=deps keeps from running them
# again). mypy (half a minute of one core) runs beside the tests at the lowest priority, on what
# they leave idle; its report is printed after theirs.
test:
	@mkdir -p test-artifacts
	$(MAKE) --no-print-directory deps > test-artifacts/deps.log 2>&1 & deps=$$!; \
		$(MAKE) --no-print-directory venv || { wait $$deps; exit 1; }; \
		nice -n 19 $(MAKE) --no-print-directory typecheck > test-artifacts/mypy.log 2>&1 & \
		typecheck=$$!; \
		$(MAKE) --no-print-directory lint; linted=$$?; wait $$deps; cat test-artifacts/deps.log; \
		[ $$linted = 0 ] && $(MAKE) --no-print-directory --old-file=deps pytest; tests=$$?; \
		wait $$typecheck; typed=$$?; cat test-artifacts/mypy.log; \
		[ $$tests = 0 ] && [ $$typed = 0 ]

# What the browser and compose tests need, where missing (quick where installed).
deps:
	for deps in .ci/deps-*.sh; do [ -e "$$deps" ] && bash "$$deps"; done; true

lint: venv
	$(BIN)/ruff check search spaces storage tests
	$(BIN)/ruff check deploy .ci

typecheck: venv
	$(BIN)/mypy

# The `alone` tests after the others, in two lanes (--alone-lanes, tests/conftest.py: those on
# PostgreSQL one after another, as one restarts it; the rest beside them), collected from the
# files that hold them only (collecting every test module loads TensorFlow: 10 s for nothing).
# A PostgreSQL that does not start stops here, loudly: the tests would skip its cases and pass.
pytest: venv deps
	url="$$(bash $(POSTGRES_SCRIPT))" && [ -n "$$url" ] || { \
		echo "make: PostgreSQL did not start ($(POSTGRES_SCRIPT) failed; its output is above)," \
			"so the tests stop here. It installs and starts PostgreSQL $${PGVER:-15} with" \
			"apt-get and pg_ctlcluster: root on Debian or Ubuntu. See README, Development." >&2; \
		exit 1; }; \
	export TEST_DB_URL="$$url" \
		&& $(BIN)/python -m pytest -q -ra -n $(TEST_PROCESSES) -m "not alone" \
		&& $(BIN)/python -m pytest -q -ra -n 2 --alone-lanes -m alone \
			$$(grep -rl --include='*.py' 'mark.alone' tests)

postgres:
	@bash .ci/postgres.sh

## The exact versions the Docker image installs (deploy/image-requirements.txt), resolved by pip
## from pyproject.toml's dependencies and the gpu extra. Run after changing a dependency.
image-lock: venv
	$(BIN)/python deploy/lock_image_requirements.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache test-artifacts
