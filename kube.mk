# The Kubernetes test ground, included by GNUmakefile. With KUBECONFIG set
# the tests use that cluster; otherwise they start etcd and kube-apiserver
# through envtest from $(KUBE_ASSETS), then kube-controller-manager. There
# is no Docker (so no kind): all three are built from the Go module proxy in
# the wrapper modules of tools/kube, kube-apiserver in 6-9 minutes cold,
# etcd in about one; a warm Go build cache makes later builds quick, and a
# binary already at the right version is kept. ArgoCD's application
# controller and repo server (one binary) and the helm its repo server runs
# are built the same way from tools/argocd and tools/helm into
# $(ARGOCD_DIR). Include it after BIN is set.
$(if $(BIN),,$(error kube.mk needs BIN; include it after BIN is defined))

KUBE_VERSION   := 1.36.3
ETCD_VERSION   := 3.6.16
# One place holds the ArgoCD version: the constant in internal/devcluster.
ARGOCD_VERSION := $(shell sed -n 's/^const ArgoCDVersion = "\(.*\)"$$/\1/p' $(CURDIR)/internal/devcluster/crds.go)
$(if $(ARGOCD_VERSION),,$(error kube.mk: no ArgoCDVersion constant in internal/devcluster/crds.go))
KUBE_ASSETS    := $(BIN)/kube
HELM_VERSION   := 3.22.0
# internal/devcluster finds argocd and helm here.
ARGOCD_DIR     := $(BIN)/argocd

# envtest (internal/devcluster) finds etcd and kube-apiserver here.
export KUBEBUILDER_ASSETS := $(KUBE_ASSETS)

# A `go build` leaves the version at v0.0.0-master; stamp it the way
# kubernetes' hack/lib/version.sh does.
KUBE_VERSION_VARS := gitVersion=v$(KUBE_VERSION) gitMajor=$(word 1,$(subst ., ,$(KUBE_VERSION))) \
	gitMinor=$(word 2,$(subst ., ,$(KUBE_VERSION))) gitTreeState=clean
KUBE_LDFLAGS := -s -w $(foreach v,$(KUBE_VERSION_VARS),-X k8s.io/component-base/version.$(v) -X k8s.io/client-go/pkg/version.$(v))

.PHONY: kube argocd argocd-crds check-argocd-version

kube: $(KUBE_ASSETS)/kube-apiserver $(KUBE_ASSETS)/kube-controller-manager $(KUBE_ASSETS)/etcd

$(KUBE_ASSETS)/kube-apiserver: tools/kube/apiserver/go.mod kube.mk
	@if [ -x $@ ] && $@ --version 2>/dev/null | grep -qx "Kubernetes v$(KUBE_VERSION)"; then touch $@; else \
		echo "==> Building kube-apiserver $(KUBE_VERSION) into bin/kube (6-9 minutes the first time)"; \
		cd tools/kube/apiserver && \
		test "$$(go list -m -f '{{.Version}}' k8s.io/kubernetes)" = "v$(KUBE_VERSION)" || { echo "tools/kube/apiserver/go.mod does not require k8s.io/kubernetes v$(KUBE_VERSION) (KUBE_VERSION)" >&2; exit 1; }; \
		go build -ldflags "$(KUBE_LDFLAGS)" -o $@ k8s.io/kubernetes/cmd/kube-apiserver; fi

# From the same module as kube-apiserver: its garbage collector finishes
# ArgoCD's foreground (cascade) deletions, and namespaces finish deleting.
$(KUBE_ASSETS)/kube-controller-manager: tools/kube/apiserver/go.mod kube.mk
	@if [ -x $@ ] && $@ --version 2>/dev/null | grep -qx "Kubernetes v$(KUBE_VERSION)"; then touch $@; else \
		echo "==> Building kube-controller-manager $(KUBE_VERSION) into bin/kube (a few minutes the first time)"; \
		cd tools/kube/apiserver && \
		test "$$(go list -m -f '{{.Version}}' k8s.io/kubernetes)" = "v$(KUBE_VERSION)" || { echo "tools/kube/apiserver/go.mod does not require k8s.io/kubernetes v$(KUBE_VERSION) (KUBE_VERSION)" >&2; exit 1; }; \
		go build -ldflags "$(KUBE_LDFLAGS)" -o $@ k8s.io/kubernetes/cmd/kube-controller-manager; fi

$(KUBE_ASSETS)/etcd: tools/kube/etcd/go.mod kube.mk
	@if [ -x $@ ] && $@ --version 2>/dev/null | grep -qx "etcd Version: $(ETCD_VERSION)"; then touch $@; else \
		echo "==> Building etcd $(ETCD_VERSION) into bin/kube (about a minute the first time)"; \
		cd tools/kube/etcd && go build -ldflags "-s -w" -o $@ go.etcd.io/etcd/server/v3 || exit 1; \
		$@ --version | grep -qx "etcd Version: $(ETCD_VERSION)" || { echo "tools/kube/etcd/go.mod does not build etcd $(ETCD_VERSION) (ETCD_VERSION)" >&2; exit 1; }; fi

# ArgoCD's real CRDs (Application, AppProject) come from its module in the
# Go module cache; the tests read their folder from argocd-crds.path.
argocd-crds:
	@mkdir -p $(KUBE_ASSETS)
	@dir=$$(go mod download -json github.com/argoproj/argo-cd/v3@v$(ARGOCD_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$$/\1/p'); \
		test -f "$$dir/manifests/crds/application-crd.yaml" -a -f "$$dir/manifests/crds/appproject-crd.yaml" || { echo "argo-cd v$(ARGOCD_VERSION) has no manifests/crds in '$$dir'" >&2; exit 1; }; \
		echo "$$dir/manifests/crds" > $(KUBE_ASSETS)/argocd-crds.path; \
		echo "==> ArgoCD $(ARGOCD_VERSION) CRDs: $$dir/manifests/crds"

# ArgoCD's version lives in internal/devcluster (ArgoCDVersion, which the
# CRDs come from); the wrapper module must build that same version, or the
# controller would run against another version's CRDs.
check-argocd-version:
	@got=$$(sed -n 's|^require github.com/argoproj/argo-cd/v3 v\(.*\)$$|\1|p' tools/argocd/go.mod); \
		test "$$got" = "$(ARGOCD_VERSION)" || { echo "kube.mk: tools/argocd/go.mod requires argo-cd v$${got:-(none)}, but internal/devcluster.ArgoCDVersion is $(ARGOCD_VERSION): change both together (and copy that version's replace block into tools/argocd/go.mod)" >&2; exit 1; }

argocd: check-argocd-version $(ARGOCD_DIR)/argocd $(ARGOCD_DIR)/helm

# One binary is every ArgoCD component (ARGOCD_BINARY_NAME chooses);
# about 270 MB, several minutes cold.
$(ARGOCD_DIR)/argocd: tools/argocd/go.mod kube.mk internal/devcluster/crds.go | check-argocd-version
	@mkdir -p $(ARGOCD_DIR)
	@if [ -x $@ ] && $@ version --client --short 2>/dev/null | grep -q "v$(ARGOCD_VERSION)"; then touch $@; else \
		echo "==> Building ArgoCD $(ARGOCD_VERSION) into bin/argocd (several minutes the first time)"; \
		cd tools/argocd && go build -ldflags "-s -w -X github.com/argoproj/argo-cd/v3/common.version=$(ARGOCD_VERSION)" -o $@ github.com/argoproj/argo-cd/v3/cmd; fi

# The repo server runs `helm template` for Helm sources; it finds helm on
# the PATH devcluster gives it (this folder first).
$(ARGOCD_DIR)/helm: tools/helm/go.mod kube.mk
	@mkdir -p $(ARGOCD_DIR)
	@if [ -x $@ ] && $@ version --short 2>/dev/null | grep -q "^v$(HELM_VERSION)"; then touch $@; else \
		echo "==> Building helm $(HELM_VERSION) into bin/argocd (about two minutes the first time)"; \
		cd tools/helm && \
		test "$$(go list -m -f '{{.Version}}' helm.sh/helm/v3)" = "v$(HELM_VERSION)" || { echo "tools/helm/go.mod does not require helm.sh/helm/v3 v$(HELM_VERSION) (HELM_VERSION)" >&2; exit 1; }; \
		go build -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$(HELM_VERSION)" -o $@ helm.sh/helm/v3/cmd/helm; fi
