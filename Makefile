# The commands of the README: `make reproduce`, `make test` and `make lab`. Everything else is set up by them.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# make test writes its smoke-profile figures, tables and runs here, never over the committed ones.
TEST_OUTPUT := build/test-output

.PHONY: reproduce test bench env clean-test lab

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name imlp --display-name "Python (imlp)" >/dev/null
	@touch $(STAMP)

env: $(STAMP)

reproduce: $(STAMP)
	$(PY) -m imlp_core.reproduce

test: $(STAMP) clean-test
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest tests -m "not browser"
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest --nbval -p no:randomly notebooks/01_conv_to_dense.ipynb notebooks/02_mixer_to_dense.ipynb
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest --nbval-lax notebooks/03_*.ipynb notebooks/04_*.ipynb notebooks/05_*.ipynb notebooks/06_*.ipynb notebooks/07_*.ipynb notebooks/08_*.ipynb
	@# The notebooks in JupyterLab in Chromium, after nbval so that notebook 03 reads the smoke runs trained above.
	@command -v chromium >/dev/null 2>&1 || echo "make test: Chromium is not installed (apt-get install chromium \
	chromium-driver): the browser tests $(if $(filter true,$(CI)),fail (CI=true),are skipped)."
	IMLP_PROFILE=smoke IMLP_OUTPUT_DIR=$(TEST_OUTPUT) $(PY) -m pytest -m browser tests/test_browser.py

# JupyterLab on notebooks/ with the project's kernel; prints the URL (imlp_core/lab.py).
lab: $(STAMP)
	$(PY) -m imlp_core.lab $(if $(NO_BROWSER),--no-browser)

bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean-test:
	rm -rf $(TEST_OUTPUT)
