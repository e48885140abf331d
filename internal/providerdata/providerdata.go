// Package providerdata is what the provider's Configure hands to every
// resource and data source: resolved settings and lazily built clients.
package providerdata

import (
	"context"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
	"github.com/homelab-tf/terraform-provider-homelab/internal/restic"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

// Environment variables the provider reads.
const (
	EnvCloudflareToken   = "CLOUDFLARE_API_TOKEN"
	EnvCloudflareAccount = "CLOUDFLARE_ACCOUNT_ID"
	EnvCloudflareZone    = "CLOUDFLARE_ZONE_ID"
	EnvCloudflareTunnel  = "CLOUDFLARE_TUNNEL_ID"
	EnvCloudflareBaseURL = "CLOUDFLARE_BASE_URL"
)

// CloudflareSettings is the resolved `cloudflare` block.
type CloudflareSettings struct {
	APIToken          string
	AccountID         string
	ZoneID            string
	TunnelID          string
	BaseURL           string
	RequestBudget     int     // requests per rolling 5 minutes
	RequestsPerSecond float64 // optional cap; 0 for none
	MaxRetries        int
}

// Data is shared by all resources of one configured provider instance.
// Terraform configures the provider once per plan or apply walk, so state
// kept here lives exactly as long as one walk.
type Data struct {
	Version    string
	Domain     string
	HostPrefix string
	// Unknown is set when some provider setting is not known yet (it
	// depends on a resource not created yet); plan-time checks that need
	// the settings are then skipped, as the framework recommends.
	Unknown bool

	AllowedEmails       []string
	Cloudflare          CloudflareSettings
	Kubernetes          kube.Settings
	cloudflareOnce      sync.Once
	cloudflareClient    *cloudflare.Client
	cloudflareClientErr error
	// ResticInits serialise the creation of each restic repository in
	// this process (homelab_backup_plan).
	ResticInits        restic.InitLocks
	claimedHostnamesMu sync.Mutex
	claimedHostnames   map[string]bool

	kubeOnce      sync.Once
	kubeClient    *kube.Client
	kubeClientErr error

	// Secrets resolves op:// references: the provider process's one
	// client (over 1Password, or an in-memory resolver in tests), so every
	// resource of the process shares its cache, single-flight and batches.
	// Nil when no service account token is set.
	Secrets *secrets.Client
	// Items writes 1Password items (a service token's delivery): over the
	// SDK, or in memory in tests. Nil when no service account token is set.
	Items secrets.ItemWriter
}

// KubeClient builds the Kubernetes client on first use. Building it reads
// the kubeconfig but makes no request.
func (d *Data) KubeClient() (*kube.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	d.kubeOnce.Do(func() {
		settings := d.Kubernetes
		settings.UserAgent = "terraform-provider-homelab/" + d.Version
		d.kubeClient, d.kubeClientErr = kube.New(settings)
	})
	if d.kubeClientErr != nil {
		diags.Append(diagnostics.APIFailure("Configuring", "Kubernetes", "Client", d.kubeClientErr))
	}
	return d.kubeClient, diags
}

// SecretsClient returns the client that resolves op:// references, or a
// diagnostic naming the missing 1Password setting.
func (d *Data) SecretsClient() (*secrets.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d.Secrets == nil {
		diags.Append(diagnostics.MissingSetting("Missing 1Password Service Account Token", "onepassword.service_account_token",
			"OP_SERVICE_ACCOUNT_TOKEN", "op:// references are resolved through 1Password with a service account."))
	}
	return d.Secrets, diags
}

// ItemWriter returns the writer of 1Password items, or a diagnostic
// naming the missing 1Password setting.
func (d *Data) ItemWriter() (secrets.ItemWriter, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d.Items == nil {
		diags.Append(diagnostics.MissingSetting("Missing 1Password Service Account Token", "onepassword.service_account_token",
			"OP_SERVICE_ACCOUNT_TOKEN", "1Password items are written with a service account that may write to the vault."))
	}
	return d.Items, diags
}

// HostnameFor derives the public hostname of a service name:
// "<name>-<host_prefix>.<domain>", or "<name>.<domain>" without a prefix.
func (d *Data) HostnameFor(name string) string {
	if d.HostPrefix == "" {
		return name + "." + d.Domain
	}
	return name + "-" + d.HostPrefix + "." + d.Domain
}

// NameFor is the inverse of HostnameFor, for imports: it returns "" when
// the hostname does not follow the pattern.
func (d *Data) NameFor(hostname string) string {
	if d.Domain == "" {
		return ""
	}
	suffix := "." + d.Domain
	if d.HostPrefix != "" {
		suffix = "-" + d.HostPrefix + suffix
	}
	name, ok := strings.CutSuffix(hostname, suffix)
	if !ok || name == "" || strings.Contains(name, ".") {
		return ""
	}
	return name
}

// ClaimHostname records that one resource of this walk publishes a
// hostname and reports false when another one already did.
func (d *Data) ClaimHostname(hostname string) bool {
	d.claimedHostnamesMu.Lock()
	defer d.claimedHostnamesMu.Unlock()
	if d.claimedHostnames == nil {
		d.claimedHostnames = map[string]bool{}
	}
	if d.claimedHostnames[hostname] {
		return false
	}
	d.claimedHostnames[hostname] = true
	return true
}

// CloudflareClient builds the Cloudflare client on first use, so that a
// configuration without Cloudflare resources never needs a token.
func (d *Data) CloudflareClient() (*cloudflare.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d.Cloudflare.APIToken == "" {
		diags.Append(diagnostics.MissingSetting("Missing Cloudflare API Token", "cloudflare.api_token", EnvCloudflareToken,
			"This resource manages Cloudflare objects and needs an API token with DNS, Tunnel and Access edit permissions."))
		return nil, diags
	}
	if d.Cloudflare.AccountID == "" {
		diags.Append(diagnostics.MissingSetting("Missing Cloudflare Account ID", "cloudflare.account_id", EnvCloudflareAccount,
			"Tunnels and Access applications belong to an account."))
		return nil, diags
	}
	d.cloudflareOnce.Do(func() {
		d.cloudflareClient, d.cloudflareClientErr = cloudflare.New(cloudflare.Config{
			APIToken:          d.Cloudflare.APIToken,
			AccountID:         d.Cloudflare.AccountID,
			BaseURL:           d.Cloudflare.BaseURL,
			RequestBudget:     d.Cloudflare.RequestBudget,
			RequestsPerSecond: d.Cloudflare.RequestsPerSecond,
			MaxRetries:        d.Cloudflare.MaxRetries,
			UserAgent:         "terraform-provider-homelab/" + d.Version,
		})
	})
	if d.cloudflareClientErr != nil {
		diags.Append(diagnostics.APIFailure("Creating", "Cloudflare", "Client", d.cloudflareClientErr))
	}
	return d.cloudflareClient, diags
}

// ZoneFor picks the zone of a hostname: the configured zone for names
// under the provider's domain, otherwise the account's zone that owns it.
func (d *Data) ZoneFor(ctx context.Context, cf *cloudflare.Client, hostname string) (string, error) {
	if d.Cloudflare.ZoneID != "" && (d.Domain == "" || hostname == d.Domain || strings.HasSuffix(hostname, "."+d.Domain)) {
		return d.Cloudflare.ZoneID, nil
	}
	id, _, err := cf.ZoneForHostname(ctx, hostname)
	return id, err
}

// TunnelID is a resource's or data source's own tunnel_id, or the
// provider's default, or a diagnostic naming both places to set it.
func (d *Data) TunnelID(own string) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if own != "" {
		return own, nil
	}
	if d.Cloudflare.TunnelID == "" {
		diags.Append(diagnostics.MissingSetting("Missing Tunnel ID", "tunnel_id here or cloudflare.tunnel_id", EnvCloudflareTunnel,
			"Every published hostname belongs to a Cloudflare Tunnel."))
	}
	return d.Cloudflare.TunnelID, diags
}

// Base is embedded by resources to receive Data; DataSourceBase and
// EphemeralBase do the same for data sources and ephemeral resources.
type Base struct {
	Data *Data
}

// Configure stores the provider data, reporting a wrong type
// instead of ignoring it.
func (b *Base) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	b.Data, resp.Diagnostics = from(req.ProviderData)
}

// DataSourceBase is Base for data sources.
type DataSourceBase struct {
	Data *Data
}

// Configure stores the provider data.
func (b *DataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	b.Data, resp.Diagnostics = from(req.ProviderData)
}

// EphemeralBase is Base for ephemeral resources.
type EphemeralBase struct {
	Data *Data
}

// Configure stores the provider data.
func (b *EphemeralBase) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	b.Data, resp.Diagnostics = from(req.ProviderData)
}

func from(providerData any) (*Data, diag.Diagnostics) {
	if providerData == nil {
		return nil, nil // not configured yet: ValidateConfig and early plan calls
	}
	data, ok := providerData.(*Data)
	if !ok {
		return nil, diag.Diagnostics{diagnostics.UnexpectedProviderData(providerData)}
	}
	return data, nil
}
