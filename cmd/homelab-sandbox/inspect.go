package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
)

// The demo's view of the cluster, without kubectl: -wait-synced waits until
// ArgoCD reports Applications Synced and Healthy and prints what they
// created; -expect-gone checks that objects no longer exist.

var kinds = map[string]schema.GroupVersionResource{
	"Application": {Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"},
	"ConfigMap":   {Version: "v1", Resource: "configmaps"},
}

// object is "Kind:namespace/name".
type object struct {
	gvr            schema.GroupVersionResource
	kind, ns, name string
}

func parseObjects(list string) ([]object, error) {
	var out []object
	for _, item := range strings.Split(list, ",") {
		kind, rest, ok1 := strings.Cut(strings.TrimSpace(item), ":")
		ns, name, ok2 := strings.Cut(rest, "/")
		gvr, known := kinds[kind]
		if !ok1 || !ok2 || !known || ns == "" || name == "" {
			return nil, fmt.Errorf("%q is not Kind:namespace/name with Kind Application or ConfigMap", item)
		}
		out = append(out, object{gvr: gvr, kind: kind, ns: ns, name: name})
	}
	return out, nil
}

func dynamicClient() (dynamic.Interface, error) {
	path := os.Getenv("KUBE_CONFIG_PATH")
	if path == "" {
		return nil, fmt.Errorf("KUBE_CONFIG_PATH is not set (source the export lines of homelab-sandbox -kube)")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, err
	}
	return dynamic.NewForConfig(cfg)
}

// waitSynced waits until every Application in list is Synced and Healthy,
// then prints its status and the resources ArgoCD reports for it.
func waitSynced(list string, timeout time.Duration) error {
	apps, err := parseObjects(list)
	if err != nil {
		return err
	}
	dc, err := dynamicClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, a := range apps {
		var sync, health string
		for {
			o, err := dc.Resource(a.gvr).Namespace(a.ns).Get(ctx, a.name, metav1.GetOptions{})
			if err == nil {
				sync, _, _ = unstructured.NestedString(o.Object, "status", "sync", "status")
				health, _, _ = unstructured.NestedString(o.Object, "status", "health", "status")
				if sync == "Synced" && health == "Healthy" {
					printApp(o)
					break
				}
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s %s/%s is %q/%q, not Synced/Healthy, after %s", a.kind, a.ns, a.name, sync, health, timeout)
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

func printApp(o *unstructured.Unstructured) {
	sync, _, _ := unstructured.NestedString(o.Object, "status", "sync", "status")
	health, _, _ := unstructured.NestedString(o.Object, "status", "health", "status")
	fmt.Printf("Application %s/%s: %s, %s\n", o.GetNamespace(), o.GetName(), sync, health)
	resources, _, _ := unstructured.NestedSlice(o.Object, "status", "resources")
	for _, r := range resources {
		m, _ := r.(map[string]any)
		fmt.Printf("  created by ArgoCD: %v %v/%v (%v)\n", m["kind"], m["namespace"], m["name"], m["status"])
	}
}

// expectGone fails unless every object in list is gone.
func expectGone(list string) error {
	objects, err := parseObjects(list)
	if err != nil {
		return err
	}
	dc, err := dynamicClient()
	if err != nil {
		return err
	}
	var left []string
	for _, o := range objects {
		_, err := dc.Resource(o.gvr).Namespace(o.ns).Get(context.Background(), o.name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			fmt.Printf("%s %s/%s: gone\n", o.kind, o.ns, o.name)
		case err != nil:
			return err
		default:
			left = append(left, fmt.Sprintf("%s %s/%s", o.kind, o.ns, o.name))
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("still in the cluster: %s", strings.Join(left, ", "))
	}
	return nil
}

// showTokenSecret decodes the cloudflared token a Secret holds, as
// cloudflared does, and prints what it names; the tunnel secret only by its
// length.
func showTokenSecret(ref string) error {
	ns, name, ok := strings.Cut(ref, "/")
	if !ok || ns == "" || name == "" {
		return fmt.Errorf("%q is not namespace/name", ref)
	}
	dc, err := dynamicClient()
	if err != nil {
		return err
	}
	o, err := dc.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	encoded, _, _ := unstructured.NestedString(o.Object, "data", "TUNNEL_TOKEN")
	token, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return fmt.Errorf("secret %s has no base64 TUNNEL_TOKEN", ref)
	}
	raw, err := base64.StdEncoding.DecodeString(string(token))
	if err != nil {
		return fmt.Errorf("the TUNNEL_TOKEN of %s is not a cloudflared token (not base64)", ref)
	}
	var claims struct{ A, T, S string }
	if err := json.Unmarshal(raw, &claims); err != nil {
		return fmt.Errorf("the TUNNEL_TOKEN of %s is not a cloudflared token (no JSON inside)", ref)
	}
	secret, err := base64.StdEncoding.DecodeString(claims.S)
	if err != nil || claims.A == "" || claims.T == "" {
		return fmt.Errorf("the TUNNEL_TOKEN of %s lacks the account, the tunnel or a base64 secret", ref)
	}
	fmt.Printf("Secret %s: TUNNEL_TOKEN for account %s, tunnel %s, with a %d-byte tunnel secret (not shown)\n", ref, claims.A, claims.T, len(secret))
	return nil
}
