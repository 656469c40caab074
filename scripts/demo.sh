#!/bin/sh
# Set up, build, and walk through the guide's workflow against the bundled
# local test hub (nothing leaves this machine): log in, download a gated
# Llama-shaped model, download it again from the cache, then offline; then
# publish a fine-tuned copy with a write token and download it back.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

demo=$(mktemp -d)
cleanup() {
	kill "$hub_pid" "$cdn_pid" 2>/dev/null || true
	rm -rf "$demo"
}
trap cleanup EXIT INT TERM

wait_ready() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "test hub did not start" >&2; exit 1; }
		sleep 0.1
	done
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$1"
}

# The CDN (another origin, which must never see a token) and the Hub.
# Both share one storage folder: uploads go to the CDN, commits to the Hub.
printf '{"upload_dir": "%s"}\n' "$demo/storage" >"$demo/storage.json"
python3 tests/hub/testhub.py --port 0 --host 127.0.0.1 --name cdn --fail-on-auth \
	--config "$demo/storage.json" \
	--fixtures default --cdn-secret demo --log "$demo/cdn.jsonl" \
	--ready-file "$demo/cdn.json" >/dev/null 2>&1 &
cdn_pid=$!
cdn_url=$(wait_ready "$demo/cdn.json")
python3 tests/hub/testhub.py --port 0 --fixtures default --cdn-url "$cdn_url" \
	--config "$demo/storage.json" \
	--cdn-secret demo --log "$demo/hub.jsonl" --ready-file "$demo/hub.json" >/dev/null 2>&1 &
hub_pid=$!
HF_ENDPOINT=$(wait_ready "$demo/hub.json")
HF_HOME="$demo/hf-home"
export HF_ENDPOINT HF_HOME
token=hf_testReadToken0000000000000000000wxyz   # the test hub's read token (user alice)
hf=build/hf

if [ -t 1 ]; then bold='\033[1m' plain='\033[0m'; else bold='' plain=''; fi
step() { printf "\n${bold}\$ %s${plain}\n" "$*"; }
echo "Test hub at $HF_ENDPOINT, CDN at $cdn_url, HF_HOME=$HF_HOME"

step "hf download meta-llama/Llama-3.2-1B      # not logged in yet"
$hf download meta-llama/Llama-3.2-1B || echo "(exit $?)"

step 'echo "$token" | hf auth login --token-stdin'
echo "$token" | $hf auth login --token-stdin
step "hf whoami"
$hf whoami
step "hf auth status"
$hf auth status

step "hf download meta-llama/Llama-3.2-1B      # first run: downloads and verifies"
$hf download meta-llama/Llama-3.2-1B
step "hf download meta-llama/Llama-3.2-1B      # later runs: from the cache"
$hf download meta-llama/Llama-3.2-1B
step "HF_HUB_OFFLINE=1 hf download meta-llama/Llama-3.2-1B config.json"
HF_HUB_OFFLINE=1 $hf download meta-llama/Llama-3.2-1B config.json

write_token=hf_testWriteToken000000000000000000abcd  # the test hub's write token (alice)
mkdir -p "$demo/my-finetune"
cp "$($hf download meta-llama/Llama-3.2-1B config.json -q)" "$demo/my-finetune/"
head -c 3000000 /dev/urandom >"$demo/my-finetune/model.safetensors"
step "hf upload alice/my-finetune ./my-finetune --token <write token>"
$hf upload alice/my-finetune "$demo/my-finetune" --token "$write_token"
step "hf upload alice/my-finetune ./my-finetune --token <write token>   # again: nothing to send"
$hf upload alice/my-finetune "$demo/my-finetune" --token "$write_token"
step "hf download alice/my-finetune --token <write token>"
$hf download alice/my-finetune --token "$write_token"

printf '\nRequests the CDN received with a token: %s\n' \
	"$(grep -c authorization-received "$demo/cdn.jsonl" || true)"
step "hf auth logout"
$hf auth logout
