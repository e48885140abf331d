package devcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// controllerManagerControllers are the controllers of kube-controller-manager
// the test ground needs: the garbage collector, which finishes foreground
// deletions (ArgoCD's cascade delete leaves each object with a
// foregroundDeletion finalizer only it removes), and the namespace
// controller, which makes namespaces finish deleting. The others want
// nodes, a cloud or service account keys that a bare control plane lacks.
const controllerManagerControllers = "garbagecollector,namespace"

// startControllerManager starts kube-controller-manager from assets against
// the cluster in kubeconfig and waits until it reports healthy.
func startControllerManager(ctx context.Context, assets, kubeconfig, dir string) (*process, error) {
	bin := filepath.Join(assets, "kube-controller-manager")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("no kube-controller-manager in %s (KUBEBUILDER_ASSETS): run `make kube`, which builds it with kube-apiserver", assets)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	certDir := filepath.Join(dir, "kube-controller-manager")
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return nil, err
	}
	p, err := startProcess("kube-controller-manager", bin, []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--controllers=" + controllerManagerControllers,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + certDir,
	}, nil, dir)
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", port)
	if err := waitHealthy(ctx, p, url, time.Minute); err != nil {
		_ = p.stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}
