#!/usr/bin/env bash
# The main job: a real `pulumi up` of the root project (examples/quickstart) against the local PAI
# emulator serving the shipped demo catalog, with a local file backend. Prints the looked-up URIs.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/bootstrap.sh
bin_dir=$(bash scripts/ensure-pulumi.sh | tail -n 1)
# Only the CLI: the program and its dynamic provider run in .venv because Pulumi.yaml says so.
export PATH="$bin_dir:$PATH"

state="$repo/.pulumi-state"
mkdir -p "$state"
export PULUMI_BACKEND_URL="file://$state" PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-demo}
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true PULUMI_HOME="$state/home"

# The emulator, on a free loopback port; stopped whatever happens next.
emulator_out=$(mktemp)
.venv/bin/pai-models emulator --port 0 >"$emulator_out" 2>/dev/null &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; rm -f "$emulator_out"' EXIT
for _ in $(seq 100); do
	grep -q '^listening on ' "$emulator_out" && break
	kill -0 "$emulator_pid" 2>/dev/null || { echo "demo: the emulator did not start" >&2; exit 1; }
	sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$emulator_out" | head -n 1)
[[ -n $url ]] || { echo "demo: the emulator did not say where it listens" >&2; exit 1; }
echo "demo: PAI emulator with the demo catalog at $url" >&2

pulumi stack select --create demo >/dev/null
pulumi config set pai-models:endpoint "$url"
# The emulator's public test key pair (not a secret); a real stack sets its own, the secret with --secret.
pulumi config set alicloud:accessKey LTAIemulatorTestKey
pulumi config set --secret alicloud:secretKey emulator-test-secret
pulumi up --yes
echo
echo "Looked-up models:"
pulumi stack output --json
