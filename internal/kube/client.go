// Package kube is the provider's one path to a Kubernetes cluster: it
// builds a client from the provider's settings without touching the
// cluster, applies objects server-side under the provider's field manager,
// and turns API errors into messages that say what to do.
package kube

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// FieldManager owns every field the provider applies.
const FieldManager = "terraform-provider-homelab"

// Settings is the provider's `kubernetes` block, resolved.
type Settings struct {
	ConfigPath           string
	ConfigContext        string
	Host                 string
	Token                string
	ClusterCACertificate string
	ClientCertificate    string
	ClientKey            string
	Insecure             bool
	UserAgent            string
}

// Client talks to one cluster. Every call, Secrets and Namespaces
// included, goes through the dynamic client: the typed clientset (and the
// typed apply configurations) would link every built-in API group and
// register them all at start-up, 36 MB of binary and about 12 MB more
// resident memory in every provider process, Kubernetes used or not.
type Client struct {
	dynamic dynamic.Interface
	host    string
}

// New builds a client. It reads the kubeconfig file but makes no request,
// so a plan without Kubernetes resources never needs a reachable cluster.
func New(s Settings) (*Client, error) {
	cfg, err := restConfig(s)
	if err != nil {
		return nil, err
	}
	if s.UserAgent != "" {
		cfg.UserAgent = s.UserAgent
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{dynamic: dyn, host: cfg.Host}, nil
}

// Host is the API server URL, for messages.
func (c *Client) Host() string { return c.host }

func restConfig(s Settings) (*rest.Config, error) {
	if s.Host != "" {
		return &rest.Config{
			Host:        s.Host,
			BearerToken: s.Token,
			TLSClientConfig: rest.TLSClientConfig{
				Insecure: s.Insecure,
				CAData:   []byte(s.ClusterCACertificate),
				CertData: []byte(s.ClientCertificate),
				KeyData:  []byte(s.ClientKey),
			},
		}, nil
	}
	if s.ConfigPath == "" {
		return nil, errors.New("no cluster configured: set kubernetes.config_path (or KUBE_CONFIG_PATH / KUBECONFIG), or kubernetes.host with credentials, in the provider block")
	}
	rules := &clientcmd.ClientConfigLoadingRules{}
	for _, p := range filepath.SplitList(s.ConfigPath) {
		rules.Precedence = append(rules.Precedence, expandHome(p))
	}
	for _, p := range rules.Precedence {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("reading the kubeconfig %s: %w", p, err)
		}
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: s.ConfigContext}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the kubeconfig %s (context %q): %w", s.ConfigPath, s.ConfigContext, err)
	}
	if s.Insecure {
		cfg.Insecure = true
		cfg.CAData, cfg.CAFile = nil, ""
	}
	return cfg, nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}
