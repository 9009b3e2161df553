# The two commands of the README: `make demo` and `make test`. Everything else is a step of theirs.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install lint js-test py-test browser-deps bench mutation clean unasync

# As root (containers, these dev machines) JupyterLab wants --allow-root before it starts.
demo: $(STAMP)
	$(VENV)/bin/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) notebooks/quickstart.ipynb

test: $(STAMP) browser-deps lint js-test py-test

# A venv with the package (editable, so the npm build runs through hatch-jupyter-builder) and the test tools.
# The JupyterLab extension is copied (not linked) into the venv by the editable install: a change to
# its source installs again.
$(STAMP): pyproject.toml package.json $(wildcard js/labextension/*.js)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	npm install --no-audit --no-fund --loglevel=error
	npm run build
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(STAMP)

# Debian's Chromium drives the browser tests (a browser download is impossible here).
browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium fonts-liberation"; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check productai_notebook tests bench scripts
	$(VENV)/bin/mypy

js-test: $(STAMP)
	npm run build
	npm test

# Workers: the tests mostly wait (on emulator jobs, kernels, a browser), so 6 fit on 2 cores: the browser
# tests begin first, on 2 workers of their own, and 4 take the rest (see tests/browser_scheduling.py).
# PYTEST_WORKERS=0 runs everything in this process.
PYTEST_WORKERS ?= 6
py-test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadgroup

# The blocking twins generated from the asyncio code (`_async/` -> `_sync/`); a test checks they are current.
unasync: $(STAMP)
	$(PY) scripts/unasync.py

bench: $(STAMP) browser-deps
	$(PY) -m pip install -q -e ".[test,bench]"
	$(PY) bench/run.py

# Outside `make test`: mutmut over the engine's pure modules and the redaction, Stryker over js/lib;
# scores and survivors to bench/results/mutation.json (about 20 minutes on 2 cores).
mutation: $(STAMP)
	$(PY) -m pip install -q -e ".[test,mutation]"
	$(PY) bench/mutation.py

clean:
	rm -rf $(VENV) node_modules productai_notebook/static productai_notebook/labextension mutants
