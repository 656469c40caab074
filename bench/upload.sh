#!/bin/sh
# The upload benchmark in one command, from a clean checkout:
#
#   bench/upload.sh [--rounds N] [--only big,small] [--skip big_js,...]
#
# Installs what it needs when run as root (nginx-light, nodejs, npm, curl,
# the build tools), builds hf in Release mode into build-bench/, installs the
# JS client (@huggingface/hub, pinned in bench/js/package-lock.json) with
# `npm ci`, writes the fixtures once into $HF_BENCH_DIR/upload (default
# /var/tmp/hf-bench, ~2.2 GB; the storage sink needs ~4.3 GB more while a
# contender runs, on /dev/shm when it has room), then runs bench/upload.py.
# It prints medians, peak RSS, CPU seconds and ratios; it never fails on a
# number. See bench/README.md ("Uploads").
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${HF_BENCH_BUILD:-$root/build-bench}

missing=""
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v cmake >/dev/null 2>&1 || missing="$missing cmake build-essential pkg-config"
if [ -n "$missing" ] || ! pkg-config --exists libcurl jansson openssl 2>/dev/null; then
	missing="$missing libcurl4-openssl-dev libssl-dev libjansson-dev"
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench/upload.sh: missing:$missing; install them (apt-get install$missing) or run as root" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing python3 >/dev/null
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHF_BUILD_TESTS=OFF \
	-DHF_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target hf >/dev/null

if [ ! -d "$root/bench/js/node_modules/@huggingface/hub" ]; then
	(cd "$root/bench/js" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

exec python3 "$root/bench/upload.py" --hf "$build/hf" "$@"
