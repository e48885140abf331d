// Package crdwait holds the homelab_service acceptance tests that remove
// and install ArgoCD's CRDs cluster-wide. Each Go test binary starts its
// own control plane, so these run apart from the other service tests,
// which need the CRDs all the time.
package crdwait
