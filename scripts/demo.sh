#!/usr/bin/env bash
# The provider's main job on one machine: start the local Cloudflare API,
# apply examples/sandbox with the provider built from this checkout, show
# the outputs and that the next plan is empty, destroy, and stop
# everything, also when interrupted.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
sandbox_pid=""
cleanup() {
	if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
		kill "$sandbox_pid" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if command -v tofu >/dev/null 2>&1; then cli=$(command -v tofu)
elif [ -x "$root/bin/tofu" ]; then cli="$root/bin/tofu"
elif command -v terraform >/dev/null 2>&1; then cli=$(command -v terraform)
else echo "demo: neither tofu nor terraform is installed (see README.md)" >&2; exit 1; fi

if [ ! -x "$root/bin/terraform-provider-homelab" ]; then
	echo "demo: bin/terraform-provider-homelab is missing; run 'make demo'" >&2; exit 1
fi

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Starting the local Cloudflare API"
go build -o "$work/homelab-sandbox" "$root/cmd/homelab-sandbox"
"$work/homelab-sandbox" -addr 127.0.0.1:0 >"$work/sandbox.env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 100); do
	[ "$(grep -c '^export ' "$work/sandbox.env" 2>/dev/null || true)" -ge 5 ] && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
	sleep 0.1
done
# shellcheck disable=SC1091
source "$work/sandbox.env"
grep -v TOKEN "$work/sandbox.env"

cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "homelab-tf/homelab" = "$root/bin"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1
mkdir -p "$work/config"
cp "$root"/examples/sandbox/*.tf "$work/config/"
cd "$work/config"

step "$("$cli" version | head -1): apply examples/sandbox"
"$cli" apply -auto-approve -input=false

step "Outputs"
"$cli" output

step "A second plan is empty"
set +e
"$cli" plan -detailed-exitcode -input=false >"$work/plan.txt"
code=$?
set -e
if [ "$code" -ne 0 ]; then
	cat "$work/plan.txt"
	echo "demo: the second plan is not empty (exit code $code)" >&2
	exit 1
fi
tail -n 3 "$work/plan.txt"

step "Destroy"
"$cli" destroy -auto-approve -input=false

step "Done: everything was applied, planned empty and destroyed"
