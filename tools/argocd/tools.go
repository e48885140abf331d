//go:build tools

// Package tools pins ArgoCD, whose application controller and repo server
// the acceptance tests and the demo run as local processes. `make argocd`
// builds its one binary (every component, chosen by ARGOCD_BINARY_NAME)
// into bin/argocd.
package tools

import _ "github.com/argoproj/argo-cd/v3/cmd"
