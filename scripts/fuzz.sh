#!/bin/sh
# Build the libFuzzer targets with clang and run each for a bounded time
# (FUZZ_SECONDS, default 10) from a copy of its seed corpus. New crashes
# are left in build-fuzz/crash-* and fail the run.
set -eu
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-10}
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang not found, skipped"
	exit 0
fi
CC=clang cmake -S . -B build-fuzz -DHF_BUILD_FUZZERS=ON -DHF_BUILD_TESTS=OFF \
	-DHF_BUILD_CLI=OFF -DHF_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
all="tree_page link_header validate ini dotenv repo_info headers cache_scan resume
	upload_preupload upload_lfs_batch upload_commit_answer upload_multipart_state"
targets=""
for t in $all; do targets="$targets --target fuzz_$t"; done
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" $targets >/dev/null
for t in $all; do
	work=build-fuzz/corpus-$t
	rm -rf "$work"
	mkdir -p "$work"
	cp fuzz/corpus/$t/* "$work/"
	echo "fuzz: $t for ${secs}s"
	(cd build-fuzz && ./fuzz/fuzz_$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 "corpus-$t" 2>&1 | grep -E "^stat::number_of_executed_units|ERROR|SUMMARY" || true)
	if ls build-fuzz/crash-* build-fuzz/leak-* build-fuzz/timeout-* >/dev/null 2>&1; then
		echo "fuzz: $t found a failing input (build-fuzz/crash-*)"
		exit 1
	fi
done
echo "fuzz: all targets ran clean"
