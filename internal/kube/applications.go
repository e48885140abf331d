package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
)

// ApplicationCRD is the CustomResourceDefinition of ArgoCD's Application.
const ApplicationCRD = "applications.argoproj.io"

// ApplicationGVR is ArgoCD's Application resource.
var ApplicationGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}

// CRDPollInterval is how often WaitForApplicationCRD asks the cluster.
var CRDPollInterval = time.Second

// CRDMissingError says that the cluster does not serve ArgoCD
// Applications: ArgoCD (or at least its CRDs) is not installed yet.
type CRDMissingError struct {
	Waited time.Duration
}

func (e *CRDMissingError) Error() string {
	return fmt.Sprintf("the cluster does not serve the CustomResourceDefinition %s (waited %s for it to appear)", ApplicationCRD, e.Waited)
}

func (c *Client) applications(namespace string) dynamic.ResourceInterface {
	return c.dynamic.Resource(ApplicationGVR).Namespace(namespace)
}

// isResourceMissing reports a 404 for the resource type itself (the CRD is
// not installed), as opposed to a 404 for one named object of it.
func isResourceMissing(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	d := status.Status().Details
	return d == nil || d.Name == ""
}

// GetApplication reads an Application; a missing one is (nil, nil), and a
// cluster without the Application CRD gives a *CRDMissingError.
func (c *Client) GetApplication(ctx context.Context, namespace, name string) (*unstructured.Unstructured, error) {
	obj, err := c.applications(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return obj, nil
	case isResourceMissing(err):
		return nil, &CRDMissingError{}
	case apierrors.IsNotFound(err):
		return nil, nil
	}
	return nil, c.Explain(err, namespace)
}

// ApplyApplication writes obj with server-side apply under FieldManager,
// taking over fields another manager changed (as ApplySecret does). The
// fields ArgoCD's controller owns, status and operation, are never sent.
func (c *Client) ApplyApplication(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	body := obj.DeepCopy()
	delete(body.Object, "status")
	delete(body.Object, "operation")
	body.SetAPIVersion(ApplicationGVR.GroupVersion().String())
	body.SetKind("Application")
	data, err := json.Marshal(body.Object)
	if err != nil {
		return nil, err
	}
	force := true
	out, err := c.applications(obj.GetNamespace()).Patch(ctx, body.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
	if err != nil && isResourceMissing(err) {
		return nil, &CRDMissingError{}
	}
	return out, c.Explain(err, obj.GetNamespace())
}

// DeleteApplication deletes an Application. A missing one, or a cluster
// without the CRD (which took every Application with it), is success.
func (c *Client) DeleteApplication(ctx context.Context, namespace, name string) error {
	err := c.applications(namespace).Delete(ctx, name, metav1.DeleteOptions{})
	if err == nil || apierrors.IsNotFound(err) {
		return nil
	}
	return c.Explain(err, namespace)
}

// ApplicationsServed asks the cluster once whether it serves Applications.
func (c *Client) ApplicationsServed(ctx context.Context, namespace string) (bool, error) {
	_, err := c.applications(namespace).List(ctx, metav1.ListOptions{Limit: 1})
	switch {
	case err == nil:
		return true, nil
	case isResourceMissing(err):
		return false, nil
	}
	return false, c.Explain(err, namespace)
}

// WaitForApplicationCRD returns once the cluster serves Applications (the
// CRD is established and its resource answers), polling every
// CRDPollInterval. After timeout it returns a *CRDMissingError; other
// errors (no permission, unreachable cluster) end the wait at once, and so
// does the end of ctx.
func (c *Client) WaitForApplicationCRD(ctx context.Context, namespace string, timeout time.Duration) error {
	start := time.Now()
	deadline := start.Add(timeout)
	for {
		// Each request runs on ctx itself: a request under a context that
		// expires with the wait would fail in client-go's rate limiter
		// instead of reporting the missing CRD.
		ok, err := c.ApplicationsServed(ctx, namespace)
		switch {
		case err != nil:
			return err
		case ok:
			return nil
		case !time.Now().Before(deadline):
			return &CRDMissingError{Waited: time.Since(start).Round(time.Second)}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(CRDPollInterval, time.Until(deadline))):
		}
	}
}

// WaitForApplication polls the Application every interval until done says
// so, the timeout passes (a wait.ErrWaitTimeout-like error from
// PollUntilContextTimeout) or ctx ends. The last object seen is returned.
func (c *Client) WaitForApplication(ctx context.Context, namespace, name string, interval, timeout time.Duration, done func(*unstructured.Unstructured) bool) (*unstructured.Unstructured, error) {
	var last *unstructured.Unstructured
	err := wait.PollUntilContextTimeout(ctx, interval, timeout, true, func(ctx context.Context) (bool, error) {
		obj, err := c.GetApplication(ctx, namespace, name)
		if err != nil {
			return false, err
		}
		last = obj
		return done(obj), nil
	})
	return last, err
}
