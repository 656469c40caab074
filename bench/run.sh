#!/bin/sh
# The download benchmark in one command, from a clean checkout:
#
#   bench/run.sh [--rounds N] [--only big,small,warm,start] [--keep]
#
# Installs what it needs when run as root (nginx-light, aria2, curl, the
# build tools), builds hf in Release mode into build-bench/, writes the
# fixtures once into $HF_BENCH_DIR (default /var/tmp/hf-bench, ~2.6 GB; the
# run needs ~7.5 GB more while it lasts), then runs bench/bench.py. It
# prints medians, peak RSS, CPU seconds and ratios; it never fails on a
# number. See bench/README.md and docs/performance.md.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${HF_BENCH_BUILD:-$root/build-bench}

missing=""
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v aria2c >/dev/null 2>&1 || missing="$missing aria2"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v cmake >/dev/null 2>&1 || missing="$missing cmake build-essential pkg-config"
if [ -n "$missing" ] || ! pkg-config --exists libcurl jansson openssl 2>/dev/null; then
	missing="$missing libcurl4-openssl-dev libssl-dev libjansson-dev"
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench/run.sh: missing:$missing; install them (apt-get install$missing) or run as root" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing python3 >/dev/null
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHF_BUILD_TESTS=OFF \
	-DHF_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target hf >/dev/null

exec python3 "$root/bench/bench.py" --hf "$build/hf" "$@"
