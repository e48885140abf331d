package devcluster

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/alicebob/miniredis/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ArgoCDNamespace is where ArgoCD's settings and the default AppProject
// live, as in a Helm install of ArgoCD.
const ArgoCDNamespace = "argocd"

// partOfArgoCD is the label ArgoCD's settings manager selects its
// ConfigMaps and Secret by: without it argocd-cm reads as "not found" and
// the controller exits.
var partOfArgoCD = map[string]string{"app.kubernetes.io/part-of": "argocd"}

var appProjectsGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "appprojects"}

// ArgoCD is ArgoCD's application controller and repo server, running as
// local processes against the control plane (or the ArgoCD already
// installed in the cluster KUBECONFIG names).
type ArgoCD struct {
	// External is true when the cluster runs its own ArgoCD (argocd-cm
	// exists in ArgoCDNamespace): nothing is started.
	External bool
	// Helm is the helm binary the repo server runs; tests package charts
	// with it.
	Helm string
}

// ArgoCDBinDir is the folder with the argocd and helm binaries: ARGOCD_BIN_DIR,
// else bin/argocd at the repository root (`make argocd` builds both there).
func ArgoCDBinDir() (string, error) {
	if dir := os.Getenv("ARGOCD_BIN_DIR"); dir != "" {
		return dir, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", errors.New("ARGOCD_BIN_DIR is unset and the repository root (go.mod) was not found: run `make argocd`, or set ARGOCD_BIN_DIR")
	}
	return filepath.Join(root, "bin", "argocd"), nil
}

// StartArgoCD starts ArgoCD's repo server and application controller
// (v ArgoCDVersion, with an in-process Redis) and waits until both report
// healthy; the stop function of Start stops them, before the control
// plane. Call it after ArgoCD's CRDs are installed, as a Helm install of
// ArgoCD does. It is started once per cluster; later calls return it. On
// a cluster that already runs ArgoCD, it starts nothing.
func (c *Cluster) StartArgoCD(ctx context.Context) (*ArgoCD, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.argocd != nil {
		return c.argocd, nil
	}
	if c.External {
		_, err := c.Clientset.CoreV1().ConfigMaps(ArgoCDNamespace).Get(ctx, "argocd-cm", metav1.GetOptions{})
		if err == nil {
			// Tests still package their charts with the helm of bin/argocd.
			c.argocd = &ArgoCD{External: true}
			if dir, err := ArgoCDBinDir(); err == nil {
				c.argocd.Helm = filepath.Join(dir, "helm")
			}
			return c.argocd, nil
		}
		if !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("looking for ArgoCD in the cluster in KUBECONFIG: %w", err)
		}
	}
	dir, err := ArgoCDBinDir()
	if err != nil {
		return nil, err
	}
	a := &ArgoCD{Helm: filepath.Join(dir, "helm")}
	argocd := filepath.Join(dir, "argocd")
	for _, bin := range []string{argocd, a.Helm} {
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("no %s: run `make argocd` to build ArgoCD %s and helm into %s, or set ARGOCD_BIN_DIR", bin, ArgoCDVersion, dir)
		}
	}
	if err := c.applyArgoCDSettings(ctx); err != nil {
		return nil, err
	}

	// Everything started so far is stopped if a later step fails.
	var stops []func() error
	fail := func(err error) (*ArgoCD, error) {
		for i := len(stops) - 1; i >= 0; i-- {
			_ = stops[i]()
		}
		return nil, err
	}
	// ArgoCD caches manifests and cluster state in Redis. An in-process
	// server needs no package on the machine and stops with this process.
	redis, err := miniredis.Run()
	if err != nil {
		return fail(fmt.Errorf("starting Redis for ArgoCD: %w", err))
	}
	stops = append(stops, func() error { redis.Close(); return nil })

	logDir := filepath.Join(c.tmp, "argocd")
	if err := os.MkdirAll(filepath.Join(logDir, "tls"), 0o700); err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Join(logDir, "ssh"), 0o700); err != nil {
		return fail(err)
	}
	repoAddr, repo, err := startRepoServer(ctx, argocd, dir, redis.Addr(), logDir)
	if err != nil {
		return fail(err)
	}
	c.procs = append(c.procs, repo)
	stops = append(stops, func() error { return repo.stop(10 * time.Second) })

	controller, err := startApplicationController(ctx, argocd, c.Kubeconfig, redis.Addr(), repoAddr, logDir)
	if err != nil {
		return fail(err)
	}
	c.procs = append(c.procs, controller)
	stops = append(stops, func() error { return controller.stop(10 * time.Second) })

	c.argocd = a
	c.cleanups = append(c.cleanups, func() error {
		var errs []error
		for i := len(stops) - 1; i >= 0; i-- {
			errs = append(errs, stops[i]())
		}
		return errors.Join(errs...)
	})
	return a, nil
}

// localEnv is the environment both components share: ArgoCD's TLS and SSH
// data folders (in a cluster, mounted ConfigMaps) in logDir.
func localEnv(logDir string) []string {
	return []string{
		"ARGOCD_TLS_DATA_PATH=" + filepath.Join(logDir, "tls"),
		"ARGOCD_SSH_DATA_PATH=" + filepath.Join(logDir, "ssh"),
	}
}

// startRepoServer starts the repo server, which clones git repositories and
// renders manifests, with helm (from binDir) and git on its PATH.
func startRepoServer(ctx context.Context, argocd, binDir, redis, logDir string) (addr string, p *process, err error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	metrics, err := freePort()
	if err != nil {
		return "", nil, err
	}
	env := append(localEnv(logDir),
		"ARGOCD_BINARY_NAME=argocd-repo-server",
		"ARGOCD_GPG_ENABLED=false", // GPG wants a keyring set up by its init container
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	p, err = startProcess("argocd-repo-server", argocd, []string{
		"--address=127.0.0.1", "--port=" + strconv.Itoa(port),
		"--metrics-address=127.0.0.1", "--metrics-port=" + strconv.Itoa(metrics),
		"--redis=" + redis, "--disable-tls", "--loglevel=info",
	}, env, logDir)
	if err != nil {
		return "", nil, err
	}
	if err := waitHealthy(ctx, p, fmt.Sprintf("http://127.0.0.1:%d/healthz", metrics), time.Minute); err != nil {
		_ = p.stop(5 * time.Second)
		return "", nil, err
	}
	return fmt.Sprintf("127.0.0.1:%d", port), p, nil
}

// startApplicationController starts the application controller for
// Applications in every namespace (the tests give each its own).
func startApplicationController(ctx context.Context, argocd, kubeconfig, redis, repoServer, logDir string) (*process, error) {
	metrics, err := freePort()
	if err != nil {
		return nil, err
	}
	env := append(localEnv(logDir),
		"ARGOCD_BINARY_NAME=argocd-application-controller",
		// The in-cluster destination https://kubernetes.default.svc then
		// means the cluster of KUBECONFIG, as in ArgoCD's own Procfile;
		// without it every Application reports "unable to load in-cluster
		// configuration".
		"ARGOCD_FAKE_IN_CLUSTER=true",
		"KUBECONFIG="+kubeconfig,
	)
	p, err := startProcess("argocd-application-controller", argocd, []string{
		"--kubeconfig=" + kubeconfig, "--namespace=" + ArgoCDNamespace,
		"--application-namespaces=*",
		"--redis=" + redis, "--repo-server=" + repoServer, "--repo-server-plaintext",
		"--metrics-port=" + strconv.Itoa(metrics), "--loglevel=info",
	}, env, logDir)
	if err != nil {
		return nil, err
	}
	if err := waitHealthy(ctx, p, fmt.Sprintf("http://127.0.0.1:%d/healthz", metrics), 2*time.Minute); err != nil {
		_ = p.stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// applyArgoCDSettings creates what a Helm install of ArgoCD puts in its
// namespace and the components read: argocd-cm, argocd-rbac-cm,
// argocd-cmd-params-cm, argocd-secret, and the default AppProject (open to
// every repository and destination, and to Applications in any namespace).
func (c *Cluster) applyArgoCDSettings(ctx context.Context) error {
	core := c.Clientset.CoreV1()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ArgoCDNamespace}}
	if _, err := core.Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", ArgoCDNamespace, err)
	}
	maps := map[string]map[string]string{
		// Refresh from git every 20 s rather than every 3 minutes: tests
		// and the demo change their repositories and wait for the result.
		"argocd-cm":      {"timeout.reconciliation": "20s"},
		"argocd-rbac-cm": {},
		// What the flags of StartArgoCD say, for a reader of the cluster.
		"argocd-cmd-params-cm": {"application.namespaces": "*", "reposerver.disable.tls": "true", "controller.repo.server.plaintext": "true"},
	}
	for name, data := range maps {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ArgoCDNamespace, Labels: partOfArgoCD}, Data: data}
		if _, err := core.ConfigMaps(ArgoCDNamespace).Create(ctx, cm, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating ConfigMap %s/%s: %w", ArgoCDNamespace, name, err)
		}
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "argocd-secret", Namespace: ArgoCDNamespace, Labels: partOfArgoCD},
		StringData: map[string]string{"server.secretkey": base64.StdEncoding.EncodeToString(key)},
	}
	if _, err := core.Secrets(ArgoCDNamespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating Secret %s/argocd-secret: %w", ArgoCDNamespace, err)
	}
	project := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
		"metadata": map[string]any{"name": "default", "namespace": ArgoCDNamespace},
		"spec": map[string]any{
			"sourceRepos":              []any{"*"},
			"destinations":             []any{map[string]any{"server": "*", "namespace": "*"}},
			"clusterResourceWhitelist": []any{map[string]any{"group": "*", "kind": "*"}},
			"sourceNamespaces":         []any{"*"},
		},
	}}
	_, err := c.Dynamic.Resource(appProjectsGVR).Namespace(ArgoCDNamespace).Create(ctx, project, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the default AppProject (are ArgoCD's CRDs installed?): %w", err)
	}
	return nil
}
