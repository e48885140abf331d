#!/usr/bin/env bash
# The provider's main job on one machine: start the local Cloudflare API
# (with no tunnel: examples/homelab makes its own, and a simulated
# cloudflared connects with each token fetched) and a local Kubernetes
# control plane with ArgoCD's controller and repo server, make a local
# GitOps repository (a child Application and a plain manifest), apply
# examples/homelab with the provider built from this checkout, show the
# tunnel and the cloudflared token Secret (decoded without printing the
# secret), wait until ArgoCD reports the root and the child Synced and
# Healthy and show what it created, show the outputs and that the next
# plan is empty, destroy (ArgoCD deletes what it created) and show it gone,
# and stop everything, also when interrupted. `make demo` builds what it
# needs first.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
sandbox_pid=""
cleanup() {
	local code=$?
	if [ -n "$sandbox_pid" ]; then
		# The sandbox leads its own process group: etcd and kube-apiserver
		# are in it, and kube-controller-manager and ArgoCD's components
		# lead groups of their own that die with it (and are checked
		# below), so nothing outlives the demo.
		kill -TERM "$sandbox_pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$sandbox_pid" 2>/dev/null || break; sleep 0.1; done
		wait "$sandbox_pid" 2>/dev/null || true
		if pgrep -g "$sandbox_pid" >/dev/null 2>&1; then
			echo "demo: processes of the local sandbox were still running; killing them" >&2
			pgrep -a -g "$sandbox_pid" >&2 || true
			kill -KILL -- "-$sandbox_pid" 2>/dev/null || true
			code=1
		fi
		for g in $(sed -n 's/.*process groups of the test ground: \[\(.*\)\]$/\1/p' "$work/sandbox.log" 2>/dev/null); do
			if pgrep -g "$g" >/dev/null 2>&1; then
				echo "demo: processes of group $g (kube-controller-manager or ArgoCD) outlived the sandbox; killing them" >&2
				pgrep -a -g "$g" >&2 || true
				kill -KILL -- "-$g" 2>/dev/null || true
				code=1
			fi
		done
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

for need in bin/terraform-provider-homelab bin/restic bin/kube/etcd bin/kube/kube-apiserver bin/kube/kube-controller-manager bin/argocd/argocd bin/argocd/helm; do
	[ -x "$root/$need" ] || { echo "demo: $need is missing; run 'make demo', which builds it" >&2; exit 1; }
done

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Starting the local Cloudflare API, Kubernetes control plane and ArgoCD"
go build -o "$work/homelab-sandbox" "$root/cmd/homelab-sandbox"
env -u KUBECONFIG KUBEBUILDER_ASSETS="$root/bin/kube" ARGOCD_BIN_DIR="$root/bin/argocd" \
	setsid "$work/homelab-sandbox" -addr 127.0.0.1:0 -kube -argocd -tunnel= -connect-on-token >"$work/sandbox.env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 1200); do
	[ "$(grep -c '^export ' "$work/sandbox.env" 2>/dev/null || true)" -ge 5 ] && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
	sleep 0.1
done
[ "$(grep -c '^export ' "$work/sandbox.env")" -ge 5 ] || { cat "$work/sandbox.log" >&2; echo "demo: the sandbox did not start within 120 s" >&2; exit 1; }
unset KUBE_CTX KUBECONFIG OP_SERVICE_ACCOUNT_TOKEN
# shellcheck disable=SC1091
source "$work/sandbox.env"
grep -v TOKEN "$work/sandbox.env"
cat "$work/sandbox.log"

step "A local GitOps repository for the root Application"
gitops="$work/gitops"
mkdir -p "$gitops/k8s/apps/argocd" "$gitops/k8s/apps/demo"
cat >"$gitops/k8s/apps/argocd/demo.yaml" <<YAML
# A child Application: the root creates it, ArgoCD syncs it.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: demo
  namespace: argocd
  finalizers: [resources-finalizer.argocd.argoproj.io]
spec:
  project: default
  destination: {server: "https://kubernetes.default.svc", namespace: demo}
  source: {repoURL: "file://$gitops", path: k8s/apps/demo, targetRevision: HEAD}
  syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}
YAML
cat >"$gitops/k8s/apps/argocd/welcome.yaml" <<YAML
# A plain manifest of the root itself.
apiVersion: v1
kind: ConfigMap
metadata: {name: welcome}
data: {message: "synced by ArgoCD from the root Application"}
YAML
cat >"$gitops/k8s/apps/demo/hello.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: hello}
data: {message: "synced by ArgoCD from the child Application"}
YAML
git_env=(env GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com)
"${git_env[@]}" git -C "$gitops" init --quiet --initial-branch=main
"${git_env[@]}" git -C "$gitops" add --all
"${git_env[@]}" git -C "$gitops" commit --quiet -m "root: a child Application and a ConfigMap"
find "$gitops/k8s" -type f | sed "s|$gitops/||"
export TF_VAR_gitops_repo_url="file://$gitops"
argocd_objects="Application:argocd/argocd-apps,Application:argocd/demo,ConfigMap:argocd/welcome,ConfigMap:demo/hello"

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

step "The tunnel and cloudflared's token Secret"
"$work/homelab-sandbox" -show-token-secret cloudflared/cloudflared-token

step "ArgoCD reports the root and its child Synced and Healthy"
"$work/homelab-sandbox" -wait-synced Application:argocd/argocd-apps,Application:argocd/demo

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

step "What ArgoCD created is gone (cascade delete through its finalizer)"
"$work/homelab-sandbox" -expect-gone "$argocd_objects"

step "Done: everything was applied, planned empty and destroyed; stopping the sandbox"
