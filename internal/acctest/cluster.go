package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"
)

// ArgoCDVersion is the ArgoCD release whose CRDs the tests install; keep it
// in step with ARGOCD_VERSION in kube.mk.
const ArgoCDVersion = "3.5.1"

// argoCDCRDFiles are the CRDs the provider works with, in ArgoCD's
// manifests/crds folder.
var argoCDCRDFiles = []string{"application-crd.yaml", "appproject-crd.yaml"}

// Cluster is the Kubernetes control plane of a test run.
type Cluster struct {
	Kubeconfig string // path of a kubeconfig file an external process (the provider) can use
	Context    string // context to use in it ("" = current context)
	Config     *rest.Config
	Clientset  kubernetes.Interface
	Dynamic    dynamic.Interface
	External   bool // true when taken from KUBECONFIG

	assets string // KUBEBUILDER_ASSETS, where argocd-crds.path may be

	mu            sync.Mutex
	installedCRDs bool // this process created ArgoCD's CRDs (matters on an external cluster)
}

var (
	startedMu sync.Mutex
	started   bool
)

// StartCluster starts the control plane once per test binary (call it from
// TestMain). With KUBECONFIG set it uses that cluster; otherwise it starts
// etcd and kube-apiserver through envtest from KUBEBUILDER_ASSETS (default:
// bin/kube at the repository root), and fails, rather than skipping, when
// they are missing. Unless installCRDs is false it installs ArgoCD's
// Application and AppProject CRDs and waits until they are established.
// stop tears the control plane down and removes temporary files.
func StartCluster(installCRDs bool) (c *Cluster, stop func(), err error) {
	startedMu.Lock()
	defer startedMu.Unlock()
	if started {
		return nil, nil, errors.New("acctest.StartCluster: the cluster is already started; call it once, from TestMain")
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

	var cleanups []func() error
	teardown := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			if err := cleanups[i](); err != nil {
				fmt.Fprintf(os.Stderr, "acctest: stopping the cluster: %v\n", err)
			}
		}
		cleanups = nil
	}
	defer func() {
		if err != nil {
			teardown()
			c, stop = nil, nil
		}
	}()

	tmp, err := os.MkdirTemp("", "acctest-kube-")
	if err != nil {
		return nil, nil, err
	}
	cleanups = append(cleanups, func() error { return os.RemoveAll(tmp) })

	c = &Cluster{assets: assets}
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
		cleanups = append(cleanups, env.Stop)

		// The provider runs in another process and needs a kubeconfig file.
		user, uerr := env.AddUser(envtest.User{Name: "homelab-acctest", Groups: []string{"system:masters"}},
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
			teardown()
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

// ProviderBlock is the provider's `kubernetes = {...}` attribute for this
// cluster, as HCL.
func (c *Cluster) ProviderBlock() string {
	if c.Context == "" {
		return fmt.Sprintf("kubernetes = { config_path = %q }", c.Kubeconfig)
	}
	return fmt.Sprintf("kubernetes = { config_path = %q, config_context = %q }", c.Kubeconfig, c.Context)
}

// ArgoCDCRDNames are the names of the CRDs InstallArgoCDCRDs installs.
var ArgoCDCRDNames = []string{"applications.argoproj.io", "appprojects.argoproj.io"}

// InstallArgoCDCRDs installs ArgoCD's real Application and AppProject CRDs
// and waits until they are established and served (for tests that start
// without them and add them later). On an external cluster it leaves CRDs
// that already exist alone: they belong to the ArgoCD installed there.
func (c *Cluster) InstallArgoCDCRDs(ctx context.Context) error {
	crds, err := c.readArgoCDCRDs(ctx)
	if err != nil {
		return err
	}
	cs, err := apiextensionsclient.NewForConfig(c.Config)
	if err != nil {
		return err
	}
	crdClient := cs.ApiextensionsV1().CustomResourceDefinitions()
	for _, crd := range crds {
		_, err := crdClient.Create(ctx, crd, metav1.CreateOptions{})
		switch {
		case err == nil:
			c.mu.Lock()
			c.installedCRDs = true
			c.mu.Unlock()
		case apierrors.IsAlreadyExists(err) && !c.External:
			existing, gerr := crdClient.Get(ctx, crd.Name, metav1.GetOptions{})
			if gerr != nil {
				return gerr
			}
			crd.ResourceVersion = existing.ResourceVersion
			if _, err := crdClient.Update(ctx, crd, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("updating CRD %s: %w", crd.Name, err)
			}
		case apierrors.IsAlreadyExists(err):
		default:
			return fmt.Errorf("creating CRD %s: %w", crd.Name, err)
		}
	}
	for _, crd := range crds {
		if err := c.waitForCRD(ctx, crdClient, crd); err != nil {
			return err
		}
	}
	return nil
}

// waitForCRD waits until crd is established and its resource is served.
func (c *Cluster) waitForCRD(ctx context.Context, crdClient interface {
	Get(context.Context, string, metav1.GetOptions) (*apiextensionsv1.CustomResourceDefinition, error)
}, crd *apiextensionsv1.CustomResourceDefinition,
) error {
	var version string
	for _, v := range crd.Spec.Versions {
		if v.Served {
			version = v.Name
			break
		}
	}
	gvr := schema.GroupVersionResource{Group: crd.Spec.Group, Version: version, Resource: crd.Spec.Names.Plural}
	var last error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		got, err := crdClient.Get(ctx, crd.Name, metav1.GetOptions{})
		if err != nil {
			last = err
			return false, nil //nolint:nilerr // polling: try again until the timeout
		}
		if !CRDEstablished(got) {
			last = fmt.Errorf("CRD %s is not established yet", crd.Name)
			return false, nil
		}
		// Established can precede the resource being served for a moment.
		if _, err := c.Dynamic.Resource(gvr).List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
			last = err
			return false, nil //nolint:nilerr // polling: try again until the timeout
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for CRD %s: %w (last: %w)", crd.Name, err, last)
	}
	return nil
}

// CRDEstablished reports whether crd's Established condition is true.
func CRDEstablished(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, cond := range crd.Status.Conditions {
		if cond.Type == apiextensionsv1.Established {
			return cond.Status == apiextensionsv1.ConditionTrue
		}
	}
	return false
}

// DeleteArgoCDCRDs removes ArgoCD's CRDs, and with them every Application and
// AppProject, and waits until they are gone. On an external cluster it
// refuses to delete CRDs that this process did not install.
func (c *Cluster) DeleteArgoCDCRDs(ctx context.Context) error {
	c.mu.Lock()
	installed := c.installedCRDs
	c.mu.Unlock()
	if c.External && !installed {
		return errors.New("refusing to delete ArgoCD's CRDs from the cluster in KUBECONFIG: they were there before the tests (skip this test when Cluster.External)")
	}
	cs, err := apiextensionsclient.NewForConfig(c.Config)
	if err != nil {
		return err
	}
	crdClient := cs.ApiextensionsV1().CustomResourceDefinitions()
	for _, name := range ArgoCDCRDNames {
		if err := crdClient.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting CRD %s: %w", name, err)
		}
	}
	// kube-apiserver itself removes the custom resources and the CRDs'
	// finalizer; no controller manager is needed.
	for _, name := range ArgoCDCRDNames {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			_, err := crdClient.Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("waiting for CRD %s to be deleted: %w", name, err)
		}
	}
	c.mu.Lock()
	c.installedCRDs = false
	c.mu.Unlock()
	return nil
}

var nonDNSLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// Namespace creates a namespace with a unique name made from prefix and
// returns its name. Nothing deletes it: a bare control plane has no
// namespace controller, so deletion would never finish anyway.
func (c *Cluster) Namespace(t *testing.T, prefix string) string {
	t.Helper()
	prefix = strings.Trim(nonDNSLabel.ReplaceAllString(strings.ToLower(prefix), "-"), "-")
	if prefix == "" {
		prefix = "acctest"
	}
	if len(prefix) > 50 {
		prefix = strings.TrimRight(prefix[:50], "-")
	}
	ns, err := c.Clientset.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			GenerateName: prefix + "-",
			Labels:       map[string]string{"app.kubernetes.io/managed-by": "homelab-acctest"},
		}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating a namespace %q: %v", prefix+"-…", err)
	}
	return ns.Name
}

// readArgoCDCRDs reads ArgoCD's CRDs from its module in the Go module cache.
func (c *Cluster) readArgoCDCRDs(ctx context.Context) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	dir, err := c.argoCDCRDDir(ctx)
	if err != nil {
		return nil, err
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, file := range argoCDCRDFiles {
		path := filepath.Join(dir, file)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("ArgoCD's CRDs: %w (run `make argocd-crds`, or set ARGOCD_CRDS_DIR)", err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if crd.Kind != "CustomResourceDefinition" || crd.Name == "" {
			return nil, fmt.Errorf("%s is not a single CustomResourceDefinition", path)
		}
		crds = append(crds, crd)
	}
	return crds, nil
}

// argoCDCRDDir is ArgoCD's manifests/crds folder: ARGOCD_CRDS_DIR, else the
// path `make argocd-crds` wrote, else found with `go mod download`.
func (c *Cluster) argoCDCRDDir(ctx context.Context) (string, error) {
	if dir := os.Getenv("ARGOCD_CRDS_DIR"); dir != "" {
		return dir, nil
	}
	if c.assets != "" {
		if data, err := os.ReadFile(filepath.Join(c.assets, "argocd-crds.path")); err == nil {
			if dir := strings.TrimSpace(string(data)); dir != "" {
				if _, err := os.Stat(dir); err == nil {
					return dir, nil
				}
			}
		}
	}
	mod := "github.com/argoproj/argo-cd/v3@v" + ArgoCDVersion
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", mod)
	if root, err := repoRoot(); err == nil {
		cmd.Dir = root
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s (run `make argocd-crds`, or set ARGOCD_CRDS_DIR)", mod, info.Error)
	}
	if err != nil || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %w %s (run `make argocd-crds`, or set ARGOCD_CRDS_DIR)", mod, err, strings.TrimSpace(stderr.String()))
	}
	return filepath.Join(info.Dir, "manifests", "crds"), nil
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
