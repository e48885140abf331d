//go:build tools

// Package tools pins ArgoCD, whose application controller and repo server
// the acceptance tests and the demo run as local processes. `make argocd`
// builds its one binary (every component, chosen by ARGOCD_BINARY_NAME)
// into bin/argocd/argocd, about 190 MB.
//
// The version is internal/devcluster.ArgoCDVersion, whose CRDs the test
// ground installs; kube.mk fails when this go.mod requires another. The
// replace block is v3.2.11's own go.mod's, copied whole: without it the
// k8s.io modules resolve to versions ArgoCD does not compile against.
// Versions that do not build from the Go module proxy: v3.2.12 (its
// published zip fails in controller/cache/info.go: settings.ValidateExternalURL
// is undefined), v3.2.10 (the proxy refuses its gitops-engine version), and
// v3.4 and later (they replace a nested gitops-engine module the proxy does
// not serve).
package tools

import _ "github.com/argoproj/argo-cd/v3/cmd"
