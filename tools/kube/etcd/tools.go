//go:build tools

// Package tools pins etcd, which the acceptance tests run (through envtest)
// when KUBECONFIG is not set. `make kube` builds it into bin/kube.
package tools

import _ "go.etcd.io/etcd/server/v3"
