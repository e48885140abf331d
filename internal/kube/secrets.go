package kube

import (
	"context"
	"encoding/base64"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

var (
	secretsGVR    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	namespacesGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

// applyOptions takes over fields another manager changed: the provider's
// configuration is the source of truth for what it owns.
var applyOptions = metav1.ApplyOptions{FieldManager: FieldManager, Force: true}

// SecretSpec is what the provider owns of a Secret.
type SecretSpec struct {
	Namespace   string
	Name        string
	Type        string
	Labels      map[string]string
	Annotations map[string]string
	Data        map[string][]byte
}

func (c *Client) secrets(namespace string) dynamic.ResourceInterface {
	return c.dynamic.Resource(secretsGVR).Namespace(namespace)
}

// GetSecret reads a Secret; a missing one is (nil, nil).
func (c *Client) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	obj, err := c.secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, c.Explain(err, namespace)
	}
	return secretFrom(obj)
}

// ApplySecret writes the spec with server-side apply. Keys, labels and
// annotations written by other managers are left alone; ones this
// provider applied before and no longer lists are removed.
func (c *Client) ApplySecret(ctx context.Context, s SecretSpec) (*corev1.Secret, error) {
	obj := secretApplyObject(s.Namespace, s.Name)
	obj.Object["type"] = s.Type
	if len(s.Labels) > 0 {
		obj.SetLabels(s.Labels)
	}
	if len(s.Annotations) > 0 {
		obj.SetAnnotations(s.Annotations)
	}
	if len(s.Data) > 0 {
		data := make(map[string]any, len(s.Data))
		for k, v := range s.Data {
			data[k] = base64.StdEncoding.EncodeToString(v)
		}
		obj.Object["data"] = data
	}
	out, err := c.secrets(s.Namespace).Apply(ctx, s.Name, obj, applyOptions)
	if err != nil {
		return nil, c.Explain(err, s.Namespace)
	}
	return secretFrom(out)
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
		// Applying just the identity leaves the provider owning nothing.
		_, err := c.secrets(namespace).Apply(ctx, name, secretApplyObject(namespace, name), applyOptions)
		return c.Explain(err, namespace)
	}
	err = c.secrets(namespace).Delete(ctx, name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return c.Explain(err, namespace)
}

// EnsureNamespace creates the namespace if it is missing.
func (c *Client) EnsureNamespace(ctx context.Context, name string) error {
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
	obj.SetName(name)
	_, err := c.dynamic.Resource(namespacesGVR).Apply(ctx, name, obj, applyOptions)
	return c.Explain(err, "")
}

func secretApplyObject(namespace, name string) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret"}}
	obj.SetNamespace(namespace)
	obj.SetName(name)
	return obj
}

func secretFrom(obj *unstructured.Unstructured) (*corev1.Secret, error) {
	var s corev1.Secret
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.UnstructuredContent(), &s); err != nil {
		return nil, err
	}
	return &s, nil
}
