#!/bin/sh
# Set up, build, and walk through the guide's authentication steps against
# the bundled local test hub (nothing leaves this machine).
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

demo=$(mktemp -d)
trap 'kill "$hub_pid" 2>/dev/null || true; rm -rf "$demo"' EXIT INT TERM
python3 tests/hub/testhub.py --port 0 --log "$demo/hub.jsonl" \
	--ready-file "$demo/ready.json" >/dev/null 2>"$demo/hub.err" &
hub_pid=$!
i=0
while [ ! -s "$demo/ready.json" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$demo/hub.err"; exit 1; }
	sleep 0.1
done
HF_ENDPOINT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$demo/ready.json")
HF_HOME="$demo/hf-home"
export HF_ENDPOINT HF_HOME
# The test hub's read token for the user "alice".
token=hf_testReadToken0000000000000000000wxyz

run() { printf '\n$ %s\n' "$*"; "$@"; }
echo "Test hub at $HF_ENDPOINT; HF_HOME=$HF_HOME"
printf '\n$ echo "$token" | build/hf auth login --token-stdin\n'
echo "$token" | build/hf auth login --token-stdin
run build/hf whoami
run build/hf auth status
run build/hf auth list
echo; echo "\$ HF_TOKEN=hf_stale build/hf whoami   # a stale HF_TOKEN beats the login"
HF_TOKEN=hf_stale build/hf whoami || echo "(exit $?)"
run build/hf auth logout
