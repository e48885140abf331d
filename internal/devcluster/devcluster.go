// Package devcluster is the local Kubernetes control plane of the test
// ground: the cluster KUBECONFIG names, or etcd and kube-apiserver started
// through envtest from binaries built into bin/kube (kube.mk), with ArgoCD's
// real CRDs from its Go module. It is used by the acceptance tests
// (internal/acctest) and by cmd/homelab-sandbox, so it imports neither
// `testing` nor the provider.
package devcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// Cluster is the Kubernetes control plane of a test run.
type Cluster struct {
	Kubeconfig string // path of a kubeconfig file an external process (the provider) can use
	Context    string // context to use in it ("" = current context)
	Config     *rest.Config
	Clientset  kubernetes.Interface
	Dynamic    dynamic.Interface
	External   bool // true when taken from KUBECONFIG

	assets string // KUBEBUILDER_ASSETS, where argocd-crds.path may be
	tmp    string // this control plane's temporary folder (kubeconfig, logs)

	mu            sync.Mutex
	installedCRDs bool           // this process created ArgoCD's CRDs (matters on an external cluster)
	argocd        *ArgoCD        // started by StartArgoCD
	procs         []*process     // kube-controller-manager, then ArgoCD's components
	cleanups      []func() error // run in reverse order by the stop function of Start
}

// addCleanup registers f to run when the control plane stops, before
// everything registered earlier.
func (c *Cluster) addCleanup(f func() error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cleanups = append(c.cleanups, f)
}

// teardown runs the cleanups, the latest first, and reports their errors
// on stderr: stopping goes on past a failure, so that nothing is left
// running.
func (c *Cluster) teardown() {
	c.mu.Lock()
	cleanups := c.cleanups
	c.cleanups = nil
	c.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		if err := cleanups[i](); err != nil {
			fmt.Fprintf(os.Stderr, "devcluster: stopping the control plane: %v\n", err)
		}
	}
}

var (
	startedMu sync.Mutex
	started   bool
)

// Start starts the control plane, once per process. With KUBECONFIG set it
// uses that cluster; otherwise it starts etcd and kube-apiserver through
// envtest from KUBEBUILDER_ASSETS (default: bin/kube at the repository
// root), then kube-controller-manager from the same folder, and fails,
// rather than skipping, when they are missing. Unless installCRDs is false it installs ArgoCD's
// Application and AppProject CRDs and waits until they are established.
// stop tears the control plane down and removes temporary files.
func Start(installCRDs bool) (c *Cluster, stop func(), err error) {
	startedMu.Lock()
	defer startedMu.Unlock()
	if started {
		return nil, nil, errors.New("devcluster.Start: the control plane of this process is already started")
	}

	// envtest logs through controller-runtime's logger, which otherwise
	// complains, with a stack trace, that it was never set.
	ctrllog.SetLogger(logr.Discard())

	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		if root, rerr := repoRoot(); rerr == nil {
			assets = filepath.Join(root, "bin", "kube")
		}
	}

	tmp, err := os.MkdirTemp("", "homelab-kube-")
	if err != nil {
		return nil, nil, err
	}
	// A failed start returns a nil cluster, so the deferred teardown
	// holds on to it here.
	cluster := &Cluster{assets: assets, tmp: tmp}
	cluster.addCleanup(func() error { return os.RemoveAll(tmp) })
	defer func() {
		if err != nil {
			cluster.teardown()
			c, stop = nil, nil
		}
	}()
	c = cluster
	if kc := os.Getenv("KUBECONFIG"); kc != "" {
		c.External = true
		if c.Kubeconfig, err = externalKubeconfig(kc, tmp); err != nil {
			return nil, nil, err
		}
		c.Config, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			&clientcmd.ClientConfigLoadingRules{ExplicitPath: c.Kubeconfig}, &clientcmd.ConfigOverrides{},
		).ClientConfig()
		if err != nil {
			return nil, nil, fmt.Errorf("KUBECONFIG=%s: %w", kc, err)
		}
	} else {
		if assets == "" {
			return nil, nil, errors.New("KUBECONFIG and KUBEBUILDER_ASSETS are unset and the repository root (go.mod) was not found: run `make kube`, or set KUBECONFIG to use a cluster")
		}
		for _, bin := range []string{"etcd", "kube-apiserver"} {
			if _, serr := os.Stat(filepath.Join(assets, bin)); serr != nil {
				return nil, nil, fmt.Errorf("no %s in %s (KUBEBUILDER_ASSETS): run `make kube` to build etcd and kube-apiserver, or set KUBECONFIG to use a cluster", bin, assets)
			}
		}
		env := &envtest.Environment{BinaryAssetsDirectory: assets}
		if _, err = env.Start(); err != nil {
			// A failed start may leave etcd or the apiserver running.
			_ = env.Stop()
			return nil, nil, fmt.Errorf("starting etcd and kube-apiserver from %s: %w", assets, err)
		}
		c.addCleanup(env.Stop)

		// The provider runs in another process and needs a kubeconfig file.
		user, uerr := env.AddUser(envtest.User{Name: "homelab-devcluster", Groups: []string{"system:masters"}},
			&rest.Config{QPS: 1000, Burst: 2000})
		if uerr != nil {
			return nil, nil, fmt.Errorf("provisioning a system:masters user: %w", uerr)
		}
		kubeconfig, kerr := user.KubeConfig()
		if kerr != nil {
			return nil, nil, kerr
		}
		c.Kubeconfig = filepath.Join(tmp, "kubeconfig")
		if err = os.WriteFile(c.Kubeconfig, kubeconfig, 0o600); err != nil {
			return nil, nil, err
		}
		c.Config = user.Config()

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		kcm, kerr := startControllerManager(ctx, assets, c.Kubeconfig, tmp)
		cancel()
		if kerr != nil {
			return nil, nil, kerr
		}
		c.procs = append(c.procs, kcm)
		c.addCleanup(func() error { return kcm.stop(10 * time.Second) })
	}

	if c.Clientset, err = kubernetes.NewForConfig(c.Config); err != nil {
		return nil, nil, err
	}
	if c.Dynamic, err = dynamic.NewForConfig(c.Config); err != nil {
		return nil, nil, err
	}
	if installCRDs {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err = c.InstallArgoCDCRDs(ctx); err != nil {
			return nil, nil, err
		}
	}
	started = true
	var once sync.Once
	stop = func() {
		once.Do(func() {
			c.teardown()
			startedMu.Lock()
			started = false
			startedMu.Unlock()
		})
	}
	return c, stop, nil
}

// externalKubeconfig returns the path of a single kubeconfig file for
// KUBECONFIG, which may list several; those are merged into dir.
func externalKubeconfig(kc, dir string) (string, error) {
	paths := filepath.SplitList(kc)
	if len(paths) == 1 {
		return filepath.Abs(paths[0])
	}
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: paths}
	raw, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).RawConfig()
	if err != nil {
		return "", fmt.Errorf("KUBECONFIG=%s: %w", kc, err)
	}
	path := filepath.Join(dir, "kubeconfig")
	return path, clientcmd.WriteToFile(raw, path)
}

// ProcessGroups are the process groups of the components this process
// started besides etcd and kube-apiserver (envtest runs those):
// kube-controller-manager and ArgoCD's. Each leads its own group; tests
// check that none survives the stop function of Start.
func (c *Cluster) ProcessGroups() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for _, p := range c.procs {
		out = append(out, p.pgid())
	}
	return out
}

// ProviderBlock is the provider's `kubernetes = {...}` attribute for this
// cluster, as HCL.
func (c *Cluster) ProviderBlock() string {
	if c.Context == "" {
		return fmt.Sprintf("kubernetes = { config_path = %q }", c.Kubeconfig)
	}
	return fmt.Sprintf("kubernetes = { config_path = %q, config_context = %q }", c.Kubeconfig, c.Context)
}

var nonDNSLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// CreateNamespace creates a namespace with a unique name made from prefix
// and returns its name. Nothing deletes it: the control plane is thrown
// away with its namespaces after the run.
func (c *Cluster) CreateNamespace(ctx context.Context, prefix string) (string, error) {
	prefix = strings.Trim(nonDNSLabel.ReplaceAllString(strings.ToLower(prefix), "-"), "-")
	if prefix == "" {
		prefix = "devcluster"
	}
	if len(prefix) > 50 {
		prefix = strings.TrimRight(prefix[:50], "-")
	}
	ns, err := c.Clientset.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			GenerateName: prefix + "-",
			Labels:       map[string]string{"app.kubernetes.io/managed-by": "homelab-devcluster"},
		}}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("creating a namespace %q: %w", prefix+"-…", err)
	}
	return ns.Name, nil
}

// repoRoot is the nearest folder above the working directory with a go.mod
// (the repository root, for tests of this module).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
