package kube

import (
	"errors"
	"fmt"
	"net"
	"net/url"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Explain rewrites an error from the cluster into one that says what
// failed and what to do: an unreachable cluster, missing RBAC permissions
// (the API's message names the verb and resource), a missing namespace.
func (c *Client) Explain(err error, namespace string) error {
	if err == nil {
		return nil
	}
	var urlErr *url.Error
	var netErr net.Error
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("the cluster refused the request: %w. Grant the provider's credentials this permission (a Role or ClusterRole bound to its user or service account)", err)
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the cluster did not accept the provider's credentials: %w. Check kubernetes.config_context or the token/certificates", err)
	case isMissingNamespace(err, namespace):
		return &MissingNamespaceError{Namespace: namespace}
	case errors.As(err, &urlErr) || errors.As(err, &netErr):
		return fmt.Errorf("cannot reach the Kubernetes API server at %s: %w. Check that the cluster is running and that kubernetes.config_path / config_context point at it", c.host, err)
	}
	return err
}

// MissingNamespaceError is a write into a namespace that does not exist.
type MissingNamespaceError struct{ Namespace string }

func (e *MissingNamespaceError) Error() string {
	return fmt.Sprintf("the namespace %q does not exist; create it first or set create_namespace = true", e.Namespace)
}

func isMissingNamespace(err error, namespace string) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	d := status.Status().Details
	return d != nil && d.Kind == "namespaces" && d.Name == namespace
}
