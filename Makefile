# The two commands of the README: `make run` and `make test`. Both install what is missing first.
# Two build folders, each building only what its command needs:
#   BUILD_DIR (build):      optimised (RelWithDebInfo); `make run` builds cdrd, `make bench` cdrd
#                           and the benchmark tools.
#   TEST_DIR (build-test):  Debug, unity build, warnings are errors; `make test` builds and runs
#                           every test.
# ccache is used when it is installed (scripts/install-deps.sh installs it).
BUILD_DIR ?= build
TEST_DIR ?= build-test
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory

.PHONY: run test bench bench-hardening bench-export bench-cluster build build-test deps test-deps clean fuzz \
	fuzz-deps test-sanitize format lint lint-deps deb cluster cluster-status cluster-stop

deps:
	@bash scripts/install-deps.sh

# What `make run` needs, plus what only tests use (the Kamailio switch, headless Chromium,
# PostgreSQL, ClickHouse).
test-deps:
	@bash scripts/install-deps.sh test

configure-release = cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCDRD_UNITY=ON >/dev/null

# Everything, optimised.
build: deps
	@$(configure-release)
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: deps
	@$(configure-release)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target cdrd
	@bash scripts/run-demo.sh $(BUILD_DIR)

build-test: test-deps
	@cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Debug -DCDRD_UNITY=ON -DCDRD_WERROR=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)

test: build-test
	@cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS)

bench: deps
	@$(configure-release)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target bench_tools
	@bash bench/run.sh $(BUILD_DIR)
	@if [ "$(BENCH_CLUSTER)" = 1 ]; then bash bench/cluster.sh $(BUILD_DIR); fi

# The bench's scenarios on ClickHouse, one server against two shards (docs/benchmarks.md,
# "Cluster"); `make bench BENCH_CLUSTER=1` runs it after the baseline.
bench-cluster: deps
	@$(configure-release)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target bench_tools
	@bash bench/cluster.sh $(BUILD_DIR)

bench-hardening: deps
	@$(configure-release)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target bench_tools
	@bash bench/hardening.sh $(BUILD_DIR)

bench-export: deps
	@$(configure-release)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target bench_tools
	@bash bench/export.sh $(BUILD_DIR)

# The local cluster (docs/scale-out.md, "Local cluster"): two ClickHouse shards, PostgreSQL and
# two cdrd nodes on loopback, under var/cluster; prints the nodes' URLs and demo credentials.
cluster:
	@bash scripts/install-deps.sh cluster
	@$(configure-release)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target cdrd
	@CDRD=$(BUILD_DIR)/cdrd bash scripts/cluster.sh start var/cluster

cluster-status:
	@bash scripts/cluster.sh status var/cluster

cluster-stop:
	@bash scripts/cluster.sh stop var/cluster

# The Debian package (docs/operations.md, "Debian package"): the optimised cdrd, stripped, with
# its systemd unit and options file, packed by CPack into $(BUILD_DIR)/cdrd_VERSION_ARCH.deb.
deb: deps
	@$(configure-release)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target cdrd
	@cd $(BUILD_DIR) && cpack -G DEB
	@ls $(BUILD_DIR)/*.deb

# Style and static checks (CONTRIBUTING.md). `make test` checks the format too.
format:
	@bash scripts/format.sh

lint-deps:
	@bash scripts/install-deps.sh lint

lint: lint-deps
	@JOBS=$(JOBS) bash scripts/lint.sh

# Fuzzing and sanitizers (docs/testing.md). Each has its own build directory.
FUZZ_SECONDS ?= 60
SANITIZE_DIR ?= build-sanitize
TSAN_DIR ?= build-tsan
# The server's and the stores' tests: the code with threads and locks.
TSAN_TESTS ?= cdrd_http_tests cdrd_sqlite_tests cdrd_segment_tests

fuzz-deps:
	@bash scripts/install-deps.sh fuzz

fuzz: fuzz-deps
	@BUILD_DIR=build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) bash fuzz/run.sh

# AddressSanitizer + UBSan over every test, then ThreadSanitizer over the server and store tests.
test-sanitize: deps
	@cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Debug -DCDRD_UNITY=ON -DCDRD_SANITIZE=address >/dev/null
	@cmake --build $(SANITIZE_DIR) -j $(JOBS)
	@bash scripts/sanitizer-run.sh $(SANITIZE_DIR)/sanitizer-reports -- \
	  ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j $(JOBS)
	@cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DCDRD_UNITY=ON -DCDRD_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS) --target $(TSAN_TESTS)
	@set -e; for t in $(TSAN_TESTS); do \
	  echo "tsan: $$t"; TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(TSAN_DIR)/$$t --gtest_brief=1; \
	done

clean:
	rm -rf $(BUILD_DIR) $(TEST_DIR)
