package devcluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"
)

// ArgoCDVersion is the ArgoCD release whose CRDs the test ground installs;
// kube.mk reads ARGOCD_VERSION from this line.
const ArgoCDVersion = "3.2.11"

// argoCDCRDFiles are the CRDs the provider works with, in ArgoCD's
// manifests/crds folder.
var argoCDCRDFiles = []string{"application-crd.yaml", "appproject-crd.yaml"}

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
			// A path written for another ArgoCD version is stale.
			if dir := strings.TrimSpace(string(data)); dir != "" && strings.Contains(dir, "@v"+ArgoCDVersion+string(filepath.Separator)) {
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
