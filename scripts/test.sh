#!/bin/sh
# Set up, build and run every test: once with warnings as errors (then the
# unit tests again under valgrind memcheck), once under AddressSanitizer +
# UndefinedBehaviorSanitizer.
# Usage: scripts/test.sh [--no-sanitize]
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (warnings as errors) =="
cmake -S . -B build -DHF_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
echo "== tests =="
ctest --test-dir build --output-on-failure -j "$jobs"
echo "== unit tests under valgrind memcheck (errors and leaks fail) =="
sh scripts/memcheck.sh build

if [ "${1:-}" != "--no-sanitize" ]; then
	echo "== build (ASan + UBSan) =="
	cmake -S . -B build-asan -DHF_WERROR=ON -DHF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-asan -j "$jobs"
	echo "== tests under ASan + UBSan =="
	HF_SANITIZE_RUN=1 ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi

echo "== fuzzing (bounded) =="
FUZZ_SECONDS=${FUZZ_SECONDS:-10} sh scripts/fuzz.sh
