#!/usr/bin/env bash
# The provider's main job on one machine: start the local Cloudflare API
# and a local Kubernetes control plane with ArgoCD's CRDs, apply
# examples/homelab with the provider built from this checkout, show the
# outputs and that the next plan is empty, destroy, and stop everything,
# also when interrupted. `make demo` builds what it needs first.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
sandbox_pid=""
cleanup() {
	local code=$?
	if [ -n "$sandbox_pid" ]; then
		# The sandbox leads its own process group: etcd and kube-apiserver
		# are in it, so nothing outlives the demo.
		kill -TERM "$sandbox_pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$sandbox_pid" 2>/dev/null || break; sleep 0.1; done
		wait "$sandbox_pid" 2>/dev/null || true
		if pgrep -g "$sandbox_pid" >/dev/null 2>&1; then
			echo "demo: processes of the local sandbox were still running; killing them" >&2
			pgrep -a -g "$sandbox_pid" >&2 || true
			kill -KILL -- "-$sandbox_pid" 2>/dev/null || true
			code=1
		fi
	fi
	rm -rf "$work"
	exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if command -v tofu >/dev/null 2>&1; then cli=$(command -v tofu)
elif [ -x "$root/bin/tofu" ]; then cli="$root/bin/tofu"
elif command -v terraform >/dev/null 2>&1; then cli=$(command -v terraform)
else echo "demo: neither tofu nor terraform is installed (see README.md)" >&2; exit 1; fi

for need in bin/terraform-provider-homelab bin/restic bin/kube/etcd bin/kube/kube-apiserver; do
	[ -x "$root/$need" ] || { echo "demo: $need is missing; run 'make demo', which builds it" >&2; exit 1; }
done

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Starting the local Cloudflare API and Kubernetes control plane"
go build -o "$work/homelab-sandbox" "$root/cmd/homelab-sandbox"
env -u KUBECONFIG KUBEBUILDER_ASSETS="$root/bin/kube" \
	setsid "$work/homelab-sandbox" -addr 127.0.0.1:0 -kube >"$work/sandbox.env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 1200); do
	[ "$(grep -c '^export ' "$work/sandbox.env" 2>/dev/null || true)" -ge 6 ] && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
	sleep 0.1
done
[ "$(grep -c '^export ' "$work/sandbox.env")" -ge 6 ] || { cat "$work/sandbox.log" >&2; echo "demo: the sandbox did not start within 120 s" >&2; exit 1; }
unset KUBE_CTX KUBECONFIG OP_SERVICE_ACCOUNT_TOKEN
# shellcheck disable=SC1091
source "$work/sandbox.env"
grep -v TOKEN "$work/sandbox.env"
cat "$work/sandbox.log"

cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "homelab-tf/homelab" = "$root/bin"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1
# Demo-only secrets, made fresh for each run and given write-only.
TF_VAR_restic_password=$(head -c 24 /dev/urandom | base64)
TF_VAR_infisical_db_password=$(head -c 24 /dev/urandom | base64)
export TF_VAR_restic_password TF_VAR_infisical_db_password
export TF_VAR_backup_repository="$work/restic-repo" TF_VAR_restic_binary="$root/bin/restic"
mkdir -p "$work/config"
cp "$root"/examples/homelab/*.tf "$work/config/"
cd "$work/config"

step "$("$cli" version | head -1): apply examples/homelab"
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

step "Done: everything was applied, planned empty and destroyed; stopping the sandbox"
