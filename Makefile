# zdevents — every entry point. `make demo` and `make test` set up everything they need.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install generate check-generated spec lint layers typecheck pytest test test-fast mutation demo bench bench-scale fuzz clean wheel-check docs docs-serve

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "zdevents needs Python 3.11+; set PYTHON=python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# pip's and setuptools' notes (the "Editable installation" banner) go to a log, shown
	@# only when the install fails, so that `make demo` prints the demo and nothing else.
	@echo "installing zdevents and its dev tools into $(VENV) (log: $(VENV)/install.log)"
	@$(PY) -m pip install --quiet --upgrade pip > $(VENV)/install.log 2>&1 \
		&& $(PY) -m pip install --quiet -e '.[dev,dlt]' >> $(VENV)/install.log 2>&1 \
		|| (cat $(VENV)/install.log >&2; exit 1)
	@touch $(STAMP)

generate: $(STAMP)
	$(PY) scripts/generate.py

check-generated: $(STAMP)
	$(PY) scripts/check_generated.py

spec: $(STAMP)
	$(VENV)/bin/openapi-spec-validator openapi/events.yaml

lint: $(STAMP)
	$(VENV)/bin/ruff check zdevents tests scripts conftest.py
	$(VENV)/bin/ruff format --check zdevents tests scripts conftest.py

# The arrows of shared/design.md (pyproject.toml, [tool.importlinter]).
layers: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict zdevents

# pytest-xdist: the suite waits more than it computes (subprocesses, sockets, a sandbox per
# test), so more workers than cores pay; PYTEST_WORKERS=0 runs in one process (for -x or pdb).
# --dist loadgroup, with the scheduler of tests/_xdist.py: the tests of one xdist_group(name)
# share one worker, the other tests of one module too (the contract runs and the docs
# examples one by one), handed out in collection order (--no-loadscope-reorder: the root
# conftest puts the slow ones first) as workers free up (tests/packaging/test_suite_setup.py
# checks the grouping). PYTEST_ARGS comes last and can override any of it.
PYTEST_WORKERS ?= 4
XDIST := -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

pytest: $(STAMP)
	$(PYTEST_TZ) $(PY) -m pytest $(XDIST) $(PYTEST_SKIP) $(PYTEST_ARGS)

# The full gate (CI runs this). Its tests run in a fixed non-UTC zone (Newfoundland: UTC-3:30,
# a half-hour offset), so that a conversion to local time instead of UTC cannot pass because
# the machine runs in UTC; `make test-fast`, the edit loop, runs in the machine's own zone
# (everything but the slow contract, fuzz and docs runs).
TEST_TZ ?= America/St_Johns
test: lint layers typecheck spec check-generated wheel-check docs pytest
test: PYTEST_TZ = TZ=$(TEST_TZ)

# Within `make test`, the test that runs scripts/check_dist.py is left to wheel-check, which
# has just run the same script (a second sdist and wheel build).
test: PYTEST_SKIP = --deselect tests/packaging/test_dist.py::test_make_wheel_check_passes_on_the_real_archives

# The edit loop fuzzes with fewer examples (tests/library/test_fuzz_inputs.py); `make test`
# keeps the full count.
FAST_FUZZ_EXAMPLES ?= 50
test-fast: $(STAMP)
	ZDEVENTS_FUZZ_EXAMPLES=$(FAST_FUZZ_EXAMPLES) $(PY) -m pytest $(XDIST) -m "not slow" -q $(PYTEST_ARGS)

# The documentation site (mkdocs.yml, docs/) into site/: --strict fails on any warning (a
# broken link or anchor, a page left out of the nav, a command without its page).
# docs-serve rebuilds and serves it on http://127.0.0.1:8000 while you edit.
MKDOCS_ENV := NO_MKDOCS_2_WARNING=1
docs: $(STAMP)
	$(MKDOCS_ENV) $(VENV)/bin/mkdocs build --strict

DOCS_ADDR ?= 127.0.0.1:8000
docs-serve: $(STAMP)
	$(MKDOCS_ENV) $(VENV)/bin/mkdocs serve --strict --dev-addr $(DOCS_ADDR)

# Build the sdist and the wheel and check them (check-wheel-contents, LICENSE, no tests).
wheel-check: $(STAMP)
	$(PY) scripts/check_dist.py

# Mutation testing of the core modules (scripts/mutation.py; [tool.mutmut] in pyproject.toml).
# Not part of `make test`: it takes hours on two cores. MODULES=_retry for one module;
# MUTATION_ARGS=--open re-runs only the mutants not killed yet, --report prints the last scores,
# --pinned runs the hand-made mutants of tests/mutation-pinned.toml (a few minutes). Each run
# (and --report) writes docs/mutation.md: the scores, when and on which commit each module was
# measured, the machine and its load.
mutation: $(STAMP)
	$(PY) scripts/mutation.py $(MUTATION_ARGS) $(MODULES)

demo: $(STAMP)
	$(PY) scripts/demo.py

# Every bench writes its rows to .bench/; scripts/bench_doc.py then writes docs/performance.md
# from them (date, machine, load). Row g) at 1,000 and 10,000 people here; bench-scale runs
# it at 1,000, 10,000 and 50,000 (about half an hour on two cores) and rewrites the page.
bench: $(STAMP)
	$(PY) scripts/bench.py
	$(PY) scripts/bench_sync.py
	$(PY) scripts/bench_dlt.py
	$(PY) scripts/bench_scale.py --sizes 1000,10000
	$(PY) scripts/bench_doc.py

bench-scale: $(STAMP)
	$(PY) scripts/bench_scale.py --sizes 1000,10000,50000
	$(PY) scripts/bench_doc.py

# Contract check against a real account: make fuzz URL=https://SUBDOMAIN.zendesk.com
# Read-only unless WRITES=1 (then it also tracks events, and says so first).
fuzz: $(STAMP)
	@test -n "$(URL)" || (echo "usage: make fuzz URL=https://SUBDOMAIN.zendesk.com [WRITES=1]" >&2; exit 2)
	$(PY) scripts/fuzz_live.py "$(URL)" $(if $(filter 1,$(WRITES)),--writes)

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis mutants site
