// Package acctest is the test ground shared by acceptance tests: provider
// factories for whichever CLI the run uses, the local Cloudflare API, and
// checks that hold for every resource.
package acctest

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

// Secrets are what op:// references resolve to in tests, in place of
// 1Password, which cannot be reached from here.
var Secrets = secrets.Static{
	"op://homelab/infisical/db_password":      "pg-Pass-7d1f93c2e8",
	"op://homelab/argocd/repo token/password": "ghp_acctest_5b02c9d4a1",
	"op://homelab/eso/client_secret":          "eso-Secret-a64f10b7",
}

// ProtoV6ProviderFactories serves the provider in-process to the CLI.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	// The binary's own server (provider.NewServer), not the framework's bare one.
	"homelab": func() (tfprotov6.ProviderServer, error) {
		return provider.NewServer(provider.NewWithResolver("acctest", Secrets))(), nil
	},
}

// Domain and HostPrefix of every sandbox configuration.
const (
	Domain     = "example.com"
	HostPrefix = "home"
	Email      = "me@example.com"
)

// Main clears the variables that would let a developer's real account leak
// into tests, runs them, and stops the control plane if a test started one.
func Main(m *testing.M) {
	clearEnv()
	code := m.Run()
	stopKube()
	os.Exit(code)
}

func clearEnv() {
	for _, env := range os.Environ() {
		if name, _, _ := strings.Cut(env, "="); strings.HasPrefix(name, "CLOUDFLARE_") || name == "OP_SERVICE_ACCOUNT_TOKEN" {
			_ = os.Unsetenv(name)
		}
	}
}

// PreCheck fails loudly when the acceptance environment is incomplete,
// instead of letting a test skip.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		return // resource.Test itself reports this
	}
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("TF_ACC_TERRAFORM_PATH=%s: %v (run the tests through `make test`, which builds the CLIs)", p, err)
		}
	}
}

// Sandbox is one local Cloudflare API with a zone and a tunnel.
type Sandbox struct {
	API    *cfsandbox.Server
	URL    string
	Zone   cfsandbox.Zone
	Tunnel cfsandbox.Tunnel
	// Client reaches the sandbox through the provider's own client layer,
	// for out-of-band changes and checks.
	Client *cloudflare.Client
}

// NewSandbox starts a local Cloudflare API for one test.
func NewSandbox(t *testing.T) *Sandbox {
	t.Helper()
	api := cfsandbox.New(cfsandbox.Options{})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	zone := api.AddZone(Domain)
	tunnel, err := api.AddTunnel("homelab")
	if err != nil {
		t.Fatalf("seeding the tunnel: %v", err)
	}
	url := srv.URL + "/client/v4"
	client, err := cloudflare.New(cloudflare.Config{
		APIToken: api.Token(), AccountID: api.AccountID(), BaseURL: url,
		RequestsPerSecond: 1000, MaxRetries: 2, UserAgent: "acctest",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Sandbox{API: api, URL: url, Zone: zone, Tunnel: tunnel, Client: client}
}

// ProviderConfig is a provider block for the sandbox; extra is placed
// inside the cloudflare block.
func (s *Sandbox) ProviderConfig(extra string) string {
	return s.providerConfig(fmt.Sprintf("api_token = %q\n    %s", s.API.Token(), extra), "")
}

// ProviderConfigTokenFromEnv leaves the API token out of the configuration
// and sets CLOUDFLARE_API_TOKEN instead, as users do; the test harness
// logs configurations, so secrecy tests must not write the token in one.
func (s *Sandbox) ProviderConfigTokenFromEnv(t *testing.T) string {
	return s.ProviderConfigTokenFromEnvWith(t, "")
}

// ProviderConfigTokenFromEnvWith is ProviderConfigTokenFromEnv with more
// blocks of the provider, e.g. a Cluster's ProviderBlock.
func (s *Sandbox) ProviderConfigTokenFromEnvWith(t *testing.T, blocks string) string {
	t.Setenv("CLOUDFLARE_API_TOKEN", s.API.Token())
	return s.providerConfig("", blocks)
}

func (s *Sandbox) providerConfig(extra, blocks string) string {
	return fmt.Sprintf(`
provider "homelab" {
  domain      = %q
  host_prefix = %q
  cloudflare = {
    account_id          = %q
    tunnel_id           = %q
    base_url            = %q
    requests_per_second = 500
    %s
  }
  access = {
    allowed_emails = [%q]
  }
  %s
}
`, Domain, HostPrefix, s.API.AccountID(), s.Tunnel.ID, s.URL, extra, Email, blocks)
}
