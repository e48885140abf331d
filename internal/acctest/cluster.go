package acctest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/devcluster"
)

// Cluster is the Kubernetes control plane of a test binary, with the
// helpers tests need on top of devcluster's.
type Cluster struct {
	*devcluster.Cluster
}

// The control plane is started lazily, once per test binary, by the first
// test that asks for it, so that pure tests never build or start it; Main
// stops it after the last test.
var kubeOnce struct {
	once    sync.Once
	cluster *Cluster
	stop    func()
	err     error
}

// Kube returns the test binary's control plane with ArgoCD's CRDs
// installed, starting it on the first call. Without TF_ACC the test is
// skipped, as resource.Test does, so that `go test` alone starts nothing.
func Kube(t testing.TB) *Cluster {
	t.Helper()
	return startKube(t, true)
}

// KubeWithoutCRDs is Kube for test binaries that install ArgoCD's CRDs
// themselves (the CRD-wait tests). A binary uses one of the two.
func KubeWithoutCRDs(t testing.TB) *Cluster {
	t.Helper()
	return startKube(t, false)
}

func startKube(t testing.TB, installCRDs bool) *Cluster {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("the Kubernetes control plane is started only for acceptance tests (set TF_ACC=1, or run `make testacc`)")
	}
	kubeOnce.once.Do(func() {
		begin := time.Now()
		c, stop, err := devcluster.Start(installCRDs)
		if err != nil {
			kubeOnce.err = fmt.Errorf("starting the Kubernetes test control plane: %w", err)
			return
		}
		kubeOnce.cluster, kubeOnce.stop = &Cluster{Cluster: c}, stop
		fmt.Fprintf(os.Stderr, "acctest: control plane ready in %s (external: %v)\n", time.Since(begin).Round(time.Millisecond), c.External)
	})
	if kubeOnce.err != nil {
		t.Fatal(kubeOnce.err)
	}
	return kubeOnce.cluster
}

// stopKube stops the control plane if a test started it.
func stopKube() {
	if kubeOnce.stop != nil {
		kubeOnce.stop()
	}
}

// Namespace creates a namespace with a unique name made from prefix and
// returns its name (see devcluster.Cluster.CreateNamespace).
func (c *Cluster) Namespace(t testing.TB, prefix string) string {
	t.Helper()
	ns, err := c.CreateNamespace(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}
