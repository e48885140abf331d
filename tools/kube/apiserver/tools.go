//go:build tools

// Package tools pins kube-apiserver, which the acceptance tests run (through
// envtest) when KUBECONFIG is not set. `make kube` builds it into bin/kube.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
