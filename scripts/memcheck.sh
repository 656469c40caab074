#!/bin/sh
# Run the unit tests (ctest label "unit") under valgrind memcheck: any
# memory error (invalid read/write, use of uninitialised memory, bad free)
# or any definite, indirect or possible leak fails the run.
# Usage: scripts/memcheck.sh [BUILD_DIR]   (default: build; a plain build,
# not the sanitizer one: valgrind and ASan do not mix)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=$(nproc 2>/dev/null || echo 2)
vg=$(command -v valgrind) || {
	echo "memcheck: valgrind not found (scripts/bootstrap.sh installs it)" >&2
	exit 1
}

# ctest -T memcheck runs each test as `valgrind OPTIONS --log-file=... test`;
# --error-exitcode turns every reported error (leaks too, through
# --errors-for-leak-kinds) into a failing test, hence a failing ctest.
opts="--tool=memcheck --error-exitcode=97 --leak-check=full"
opts="$opts --show-leak-kinds=definite,indirect,possible"
opts="$opts --errors-for-leak-kinds=definite,indirect,possible"
opts="$opts --track-origins=yes --num-callers=40"

tmp="$build/Testing/Temporary"
rm -f "$tmp"/MemoryChecker.*.log
# ctest says it has no DartConfiguration.tcl: that file is not needed here.
rc=0
ctest --test-dir "$build" -T memcheck -L '^unit$' -j "$jobs" --output-on-failure \
	--overwrite "MemoryCheckCommand=$vg" \
	--overwrite "MemoryCheckCommandOptions=$opts" || rc=$?

n=0
for log in "$tmp"/MemoryChecker.*.log; do
	[ -e "$log" ] || continue
	n=$((n + 1))
	if ! grep -q "ERROR SUMMARY: 0 errors" "$log"; then
		echo "== valgrind report: $log ==" >&2
		cat "$log" >&2
		rc=1
	fi
done
if [ "$n" -eq 0 ]; then
	echo "memcheck: no unit test ran under valgrind" >&2
	rc=1
fi
[ "$rc" -ne 0 ] || echo "memcheck: $n unit test(s) under valgrind: 0 errors, 0 leaks"
exit "$rc"
