#!/bin/sh
# Set up, build and run every test: once with gcc and warnings as errors
# (then the unit tests again under valgrind memcheck); every target again
# with clang and warnings as errors, and its unit and fuzz-corpus tests;
# everything again under AddressSanitizer + UndefinedBehaviorSanitizer; the
# download, download-fault, concurrency, crash-loop and examples suites
# under ThreadSanitizer; then a bounded libFuzzer run. Prints each phase's
# time.
# Usage: scripts/test.sh [--no-sanitize]   (skips the ASan + UBSan and TSan phases)
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

# phase NAME: start timing NAME (and end the phase before it).
times=""
phase_name=""
phase_start=0
phase_end() {
	if [ -n "$phase_name" ]; then
		secs=$(($(date +%s) - phase_start))
		times="$times$(printf '  %-36s %4ds' "$phase_name" "$secs")
"
	fi
}
phase() {
	phase_end
	phase_name=$1
	phase_start=$(date +%s)
	echo "== $1 =="
}
all_start=$(date +%s)

phase "bootstrap"
sh scripts/bootstrap.sh

phase "build (gcc, warnings as errors)"
cmake -S . -B build -DHF_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
phase "tests"
ctest --test-dir build --output-on-failure -j "$jobs"
phase "unit tests under valgrind memcheck"
# Memory errors and leaks fail the run.
sh scripts/memcheck.sh build

# clang finds other warnings than gcc: every target must build clean with it
# too. Its unit and fuzz-corpus tests take seconds; the gcc build already
# runs the header tests with clang, and the integration suites run on the
# gcc builds.
phase "build (clang, warnings as errors)"
CC=clang CXX=clang++ cmake -S . -B build-clang -DHF_WERROR=ON >/dev/null
cmake --build build-clang -j "$jobs"
phase "clang: unit and fuzz-corpus tests"
ctest --test-dir build-clang --output-on-failure -j "$jobs" -L '^(unit|fuzz)$'

if [ "${1:-}" != "--no-sanitize" ]; then
	phase "build (ASan + UBSan)"
	cmake -S . -B build-asan -DHF_WERROR=ON -DHF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-asan -j "$jobs"
	phase "tests under ASan + UBSan"
	HF_SANITIZE_RUN=1 ctest --test-dir build-asan --output-on-failure -j "$jobs"

	# ThreadSanitizer: the suites whose hf runs several threads (pool
	# workers, ranged connections, hasher and writer threads), including
	# the ones where threads stop each other (faults, retries, Ctrl-C, a
	# progress callback that cancels). A report fails the test;
	# tests/tsan.supp lists the known ones (see there). Debug, as for ASan:
	# nothing inlined, so reports name the right function and line, and
	# the suppressions match with gcc and clang alike.
	phase "build (TSan)"
	cmake -S . -B build-tsan -DHF_WERROR=ON -DHF_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-tsan -j "$jobs"
	phase "unit, download and upload suites under TSan"
	ctest --test-dir build-tsan --output-on-failure -j "$jobs" \
		-R '^(unit\..*|integration\.test_(download|download_faults|download_concurrency|crash_loop|examples|upload_engine|upload_faults))$'
fi

phase "fuzzing (bounded)"
FUZZ_SECONDS=${FUZZ_SECONDS:-10} sh scripts/fuzz.sh
phase_end
echo "== time per phase =="
printf '%s' "$times"
echo "  total: $(($(date +%s) - all_start))s"
