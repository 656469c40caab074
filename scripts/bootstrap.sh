#!/bin/sh
# Install the Debian packages needed to build libhf/hf and run its tests.
# Safe to run again: apt-get skips what is already there.
set -eu
PKGS="build-essential cmake pkg-config git openssl ca-certificates python3
libcurl4-openssl-dev libssl-dev libjansson-dev libcmocka-dev clang libclang-rt-14-dev
valgrind"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# The official JavaScript client (npm's @huggingface/hub) checks the test hub
# and our uploads and downloads; any node >= 18 will do, so a node that is
# already there (NodeSource's, with its own npm) is kept.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	echo "bootstrap: installing$missing"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
