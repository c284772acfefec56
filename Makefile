# The commands of the README: `make reproduce`, `make test`, `make unit`, `make lab` and `make site`. Everything else is
# set up by them.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# make test writes its smoke-profile figures, tables and runs here, never over the committed ones.
TEST_OUTPUT := build/test-output
# The static site (docs/build.py): its JavaScript comes from the npm packages pinned in package-lock.json.
SITE       := build/site
NODE_STAMP := node_modules/.installed

.PHONY: reproduce test unit bench env clean-test lab site exercises

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,site]'
	$(PY) -m ipykernel install --sys-prefix --name imlp --display-name "Python (imlp)" >/dev/null
	@touch $(STAMP)

env: $(STAMP)

# --ignore-scripts: only the packages' files are used (copied into the site); nothing is built or downloaded.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make: npm is needed for the site's JavaScript (apt-get install nodejs npm)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# The static site of the committed notebooks, executing nothing: open build/site/index.html (docs/about-site.md).
site: $(STAMP) $(NODE_STAMP)
	$(PY) docs/build.py --out $(SITE)

# The exercises (exercises/*.ipynb, with solutions): student versions and autograders into build/exercises/,
# the student versions also into notebooks/exercises/ for make lab, never over a notebook a student saved there
# (imlp_core/teaching/assignments.py; grading: python -m imlp_core.teaching.assignments grade --help, docs/teaching.md).
exercises: $(STAMP)
	$(PY) -m imlp_core.teaching.assignments

# ONLY="03 07" runs just those notebooks (and, with IMLP_EXECUTOR, trains only what they read).
reproduce: $(STAMP)
	$(PY) -m imlp_core.reproduce $(if $(ONLY),--only $(ONLY))

# The quick inner loop: the unit tests alone, in about three minutes on an idle 2-core machine. No notebook, no
# browser, no real data (-m slow), no test that starts processes or trains sweeps end to end (-m integration:
# tests/conftest.py's list), no real SLURM (-m slurm). `make test` below is the whole suite, what CI runs.
unit: $(STAMP) clean-test
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest tests -q -m "not browser and not slow and not integration and not slurm"

test: $(STAMP) $(NODE_STAMP) clean-test
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest tests -m "not browser"
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest --nbval -p no:randomly notebooks/01_conv_to_dense.ipynb notebooks/02_mixer_to_dense.ipynb
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest --nbval-lax notebooks/03_*.ipynb notebooks/04_*.ipynb notebooks/05_*.ipynb notebooks/06_*.ipynb notebooks/07_*.ipynb notebooks/08_*.ipynb notebooks/09_*.ipynb
	@# The notebooks in JupyterLab in Chromium, after nbval so that notebook 03 reads the smoke runs trained above.
	@command -v chromium >/dev/null 2>&1 || echo "make test: Chromium is not installed (apt-get install chromium \
	chromium-driver): the browser tests $(if $(filter true,$(CI)),fail (CI=true),are skipped)."
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest -m browser tests/test_browser.py tests/test_exercises_browser.py
	@# The static site, built as `make site` builds it, then every page opened in Chromium from disk, offline.
	$(PY) docs/build.py --out $(SITE)
	IMLP_SITE=$(SITE) IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest -m browser tests/test_site.py

# JupyterLab on notebooks/ with the project's kernel, the exercises' student versions in notebooks/exercises/;
# autosave off (File > Save), checkpoints in build/lab/checkpoints/ by folder; prints the URL (imlp_core/lab.py).
lab: $(STAMP) exercises
	$(PY) -m imlp_core.lab $(if $(NO_BROWSER),--no-browser)

bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean-test:
	rm -rf $(TEST_OUTPUT)
