//go:build tools

// Package tools pins helm, which ArgoCD's repo server runs to render the
// Helm charts of the acceptance tests and the demo. `make helm` builds it
// into bin/argocd-tools/helm, the folder the repo server finds on its PATH.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
