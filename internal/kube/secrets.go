package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
)

// SecretSpec is what the provider owns of a Secret.
type SecretSpec struct {
	Namespace   string
	Name        string
	Type        string
	Labels      map[string]string
	Annotations map[string]string
	Data        map[string][]byte
}

// GetSecret reads a Secret; a missing one is (nil, nil).
func (c *Client) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	s, err := c.Clientset.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return s, c.Explain(err, namespace)
}

// ApplySecret writes the spec with server-side apply. Keys, labels and
// annotations written by other managers are left alone; ones this
// provider applied before and no longer lists are removed.
func (c *Client) ApplySecret(ctx context.Context, s SecretSpec) (*corev1.Secret, error) {
	cfg := applycorev1.Secret(s.Name, s.Namespace).
		WithType(corev1.SecretType(s.Type)).
		WithLabels(s.Labels).
		WithAnnotations(s.Annotations).
		WithData(s.Data)
	out, err := c.Clientset.CoreV1().Secrets(s.Namespace).Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	return out, c.Explain(err, s.Namespace)
}

// ReleaseSecret gives up the provider's fields of a Secret: when other
// managers still have keys in it, only ours are removed; otherwise the
// Secret is deleted. A missing Secret is fine.
func (c *Client) ReleaseSecret(ctx context.Context, namespace, name string, ours map[string]bool) error {
	current, err := c.GetSecret(ctx, namespace, name)
	if err != nil || current == nil {
		return err
	}
	foreign := false
	for k := range current.Data {
		if !ours[k] {
			foreign = true
			break
		}
	}
	if foreign {
		cfg := applycorev1.Secret(name, namespace)
		_, err := c.Clientset.CoreV1().Secrets(namespace).Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
		return c.Explain(err, namespace)
	}
	err = c.Clientset.CoreV1().Secrets(namespace).Delete(ctx, name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return c.Explain(err, namespace)
}

// EnsureNamespace creates the namespace if it is missing.
func (c *Client) EnsureNamespace(ctx context.Context, name string) error {
	_, err := c.Clientset.CoreV1().Namespaces().Apply(ctx, applycorev1.Namespace(name), metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	return c.Explain(err, "")
}
