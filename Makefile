# VBQ Explorer. `make run` starts the dashboard on the demo data; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test test-core test-lowest check-install lint docs demo bench screenshots notebook report reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# the pinned versions and the package with the dependencies it declares, in one resolution: a
# dependency declared in pyproject.toml that the pins lack, or a pin outside a declared bound,
# fails here (tests/test_packaging.py also compares the two lists)
$(VENV)/.run-stamp: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -e ".[app]"
	touch $@

$(VENV)/.dev-stamp: requirements-dev.txt requirements-dcurves.txt $(VENV)/.run-stamp
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-dcurves.txt
	touch $@

run: $(VENV)/.run-stamp
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev-stamp
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# the suite without the browser tests (CI runs it on a second Python version)
test-core: $(VENV)/.dev-stamp
	$(BIN)/python -m pytest -m "not browser" -q

# the suite (without the browser tests) on the oldest versions pyproject.toml claims: each lower
# bound installed exactly (scripts/lowest_requirements.py), in its own virtual environment
test-lowest: $(VENV)/.dev-stamp
	$(PYTHON) -m venv $(VENV)-lowest
	$(BIN)/python scripts/lowest_requirements.py > $(VENV)-lowest/lowest.txt
	grep -v '^-r' requirements-dev.txt > $(VENV)-lowest/tools.txt
	$(VENV)-lowest/bin/pip install --quiet -r $(VENV)-lowest/lowest.txt -r $(VENV)-lowest/tools.txt
	$(VENV)-lowest/bin/pip install --quiet --no-deps -r requirements-dcurves.txt
	$(VENV)-lowest/bin/pip install --quiet --no-deps --no-build-isolation -e .
	$(VENV)-lowest/bin/python -m pytest -m "not browser" -q -p no:cacheprovider

# the wheel installed into a fresh virtual environment outside the checkout, and the command line
# run there (scripts/check_install.py)
check-install: $(VENV)/.dev-stamp
	$(BIN)/python scripts/check_install.py

lint: $(VENV)/.dev-stamp
	$(BIN)/ruff check .

# the API reference from the docstrings (Sphinx + numpydoc, offline): docs/_build/html/index.html;
# every warning (a broken docstring, numpydoc's checks in docs/api/conf.py) is an error
docs: $(VENV)/.dev-stamp
	$(BIN)/sphinx-build -E -W --keep-going -b html docs/api docs/_build/html

demo: $(VENV)/.run-stamp
	$(BIN)/python -m vbq.demo

bench: $(VENV)/.dev-stamp
	$(BIN)/python bench/run_all.py

# a Jupyter kernel for this virtualenv ("VBQ Explorer (.venv)"), then the notebook run headless;
# open notebooks/reproduce_the_paper.ipynb (or beyond_the_paper.ipynb) in JupyterLab or VS Code and pick that kernel
notebook: $(VENV)/.dev-stamp
	$(BIN)/python -m ipykernel install --sys-prefix --name vbq-explorer --display-name "VBQ Explorer (.venv)"
	cd notebooks && ../$(BIN)/jupyter-execute --kernel_name=vbq-explorer reproduce_the_paper.ipynb beyond_the_paper.ipynb

# the study report on the demo cohort (or COHORT=... DXA=...): report.html and report.xlsx
report: $(VENV)/.run-stamp
	$(BIN)/python -m vbq report $(if $(COHORT),--cohort $(COHORT) --dxa $(DXA)) --out report.html --xlsx report.xlsx

screenshots: $(VENV)/.dev-stamp
	$(BIN)/python scripts/screenshots.py

# re-run every R script of tests/reference (R 4.2.2 with pROC, car, psych, vcd: Debian's r-base-core
# r-cran-proc r-cran-car r-cran-psych r-cran-vcd); each output ends with its sessionInfo()
reference:
	for script in tests/reference/*.R; do Rscript $$script > $${script%.R}.out || exit 1; done

clean:
	rm -rf $(VENV) $(VENV)-lowest .pytest_cache .ruff_cache .hypothesis docs/_build
