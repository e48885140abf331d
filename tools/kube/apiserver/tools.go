//go:build tools

// Package tools pins kube-apiserver, which the acceptance tests run (through
// envtest) when KUBECONFIG is not set, and kube-controller-manager from the
// same module, whose garbage collector finishes the foreground deletions of
// ArgoCD's cascade delete and whose namespace controller deletes namespaces.
// `make kube` builds both into bin/kube.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
