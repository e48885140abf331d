// Package provider is the homelab provider: its configuration schema, the
// resolution of settings from configuration and environment, and the list
// of resources and data sources it serves.
package provider

import (
	"context"
	"os"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/backupplan"
	"github.com/homelab-tf/terraform-provider-homelab/internal/bootstrapsecret"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ephemeralsecret"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
	"github.com/homelab-tf/terraform-provider-homelab/internal/proxies"
	"github.com/homelab-tf/terraform-provider-homelab/internal/proxy"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
	"github.com/homelab-tf/terraform-provider-homelab/internal/service"
	"github.com/homelab-tf/terraform-provider-homelab/internal/servicetoken"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tunnel"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tunnelresource"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tunneltoken"
	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

var (
	_ provider.Provider                       = (*homelabProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*homelabProvider)(nil)
)

type homelabProvider struct {
	version string
	// resolver and items replace 1Password in tests.
	resolver secrets.Resolver
	items    secrets.ItemWriter

	// One secrets client per provider process, kept across Configure calls:
	// it holds the references resolved so far, and over 1Password the SDK
	// client, whose creation loads a WebAssembly core.
	secretsMu    sync.Mutex
	secrets      *secrets.Client
	secretsToken string
	writer       *secrets.OnePasswordItems
	writerToken  string
}

// New returns a factory for the provider at a version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &homelabProvider{version: version} }
}

// NewWithResolver is New with op:// references resolved by r instead of
// 1Password, for tests and the local sandbox. Each provider it makes has
// its own secrets client over r, as each provider process would.
func NewWithResolver(version string, r secrets.Resolver) func() provider.Provider {
	return func() provider.Provider { return &homelabProvider{version: version, resolver: r} }
}

// NewWithSecrets is NewWithResolver with 1Password items written to w,
// for tests.
func NewWithSecrets(version string, r secrets.Resolver, w secrets.ItemWriter) func() provider.Provider {
	return func() provider.Provider { return &homelabProvider{version: version, resolver: r, items: w} }
}

// itemWriter returns the process's 1Password item writer: the test's, or
// one over the SDK with the token (nil without one).
func (p *homelabProvider) itemWriter(token string) secrets.ItemWriter {
	p.secretsMu.Lock()
	defer p.secretsMu.Unlock()
	switch {
	case p.items != nil:
		return p.items
	case token == "":
		return nil
	case p.writer == nil || p.writerToken != token:
		p.writer, p.writerToken = secrets.NewOnePasswordItems(token, p.version), token
	}
	return p.writer
}

// secretsClient returns the process's secrets client: over the test
// resolver, or over 1Password with the token (nil without one). A different
// token gets a new client, so nothing resolved with the old one is reused.
func (p *homelabProvider) secretsClient(token string) *secrets.Client {
	p.secretsMu.Lock()
	defer p.secretsMu.Unlock()
	switch {
	case p.resolver != nil:
		if p.secrets == nil {
			p.secrets = secrets.NewClient(p.resolver)
		}
	case token == "":
		return nil
	case p.secrets == nil || p.secretsToken != token:
		p.secrets, p.secretsToken = secrets.NewClient(secrets.NewOnePassword(token, p.version)), token
	}
	return p.secrets
}

func (p *homelabProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "homelab"
	resp.Version = p.version
}

type providerModel struct {
	Domain      types.String      `tfsdk:"domain"`
	HostPrefix  types.String      `tfsdk:"host_prefix"`
	Cloudflare  *cloudflareModel  `tfsdk:"cloudflare"`
	Kubernetes  *kubernetesModel  `tfsdk:"kubernetes"`
	OnePassword *onePasswordModel `tfsdk:"onepassword"`
	Access      *accessModel      `tfsdk:"access"`
}

type cloudflareModel struct {
	APIToken          types.String  `tfsdk:"api_token"`
	AccountID         types.String  `tfsdk:"account_id"`
	ZoneID            types.String  `tfsdk:"zone_id"`
	TunnelID          types.String  `tfsdk:"tunnel_id"`
	BaseURL           types.String  `tfsdk:"base_url"`
	RequestBudget     types.Int64   `tfsdk:"request_budget"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
	MaxRetries        types.Int64   `tfsdk:"max_retries"`
}

type kubernetesModel struct {
	ConfigPath           types.String `tfsdk:"config_path"`
	ConfigContext        types.String `tfsdk:"config_context"`
	Host                 types.String `tfsdk:"host"`
	Token                types.String `tfsdk:"token"`
	ClusterCACertificate types.String `tfsdk:"cluster_ca_certificate"`
	ClientCertificate    types.String `tfsdk:"client_certificate"`
	ClientKey            types.String `tfsdk:"client_key"`
	Insecure             types.Bool   `tfsdk:"insecure"`
}

type onePasswordModel struct {
	ServiceAccountToken types.String `tfsdk:"service_account_token"`
}

type accessModel struct {
	AllowedEmails types.List `tfsdk:"allowed_emails"`
}

func (p *homelabProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a homelab's Layer 0: Cloudflare Tunnel, DNS and Access for every service, " +
			"ArgoCD Applications, Kubernetes bootstrap Secrets and restic backup plans. Each block is needed only " +
			"by the resources that use it.",
		Attributes: map[string]schema.Attribute{
			"domain": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Base domain for hostnames derived from a proxy's `name`, e.g. `example.com`.",
			},
			"host_prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Suffix added to derived hostnames: with `home`, the proxy `jellyfin` is published as " +
					"`jellyfin-home.<domain>`. Empty or unset gives `jellyfin.<domain>`.",
			},
			"cloudflare": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Cloudflare API settings, used by `homelab_proxy` and the Cloudflare data sources.",
				Attributes: map[string]schema.Attribute{
					"api_token": schema.StringAttribute{
						Optional: true, Sensitive: true,
						MarkdownDescription: "API token with Zone DNS Edit, Account Cloudflare Tunnel Edit and Access Apps and Policies Edit permissions. Environment variable `CLOUDFLARE_API_TOKEN`.",
					},
					"account_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Account that owns the tunnel and the Access applications. Environment variable `CLOUDFLARE_ACCOUNT_ID`.",
					},
					"zone_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Zone of `domain`. Default: the zone whose name equals `domain`, looked up once. Environment variable `CLOUDFLARE_ZONE_ID`.",
					},
					"tunnel_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Default tunnel of `homelab_proxy` resources. Environment variable `CLOUDFLARE_TUNNEL_ID`.",
					},
					"base_url": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "API base URL, for an API gateway or the local sandbox. Default `" + cloudflare.DefaultBaseURL + "`. Environment variable `CLOUDFLARE_BASE_URL`.",
					},
					"request_budget": schema.Int64Attribute{
						Optional:   true,
						Validators: []validator.Int64{int64validator.Between(10, 1000000)},
						MarkdownDescription: "Most API requests in any rolling 5 minutes. Requests go out at the API's speed while the window has room, " +
							"and wait until the oldest leaves it when it has none; 1% is kept in reserve. A 429 holds every request until its " +
							"`Retry-After` and lowers the budget for one window. Default `1200`, Cloudflare's global limit; lower it when other " +
							"tools share the token.",
					},
					"requests_per_second": schema.Float64Attribute{
						Optional:            true,
						Validators:          []validator.Float64{float64validator.Between(0.1, 1000)},
						MarkdownDescription: "Optional cap on the request rate, on top of `request_budget`. Default none: requests go out at the API's speed.",
					},
					"max_retries": schema.Int64Attribute{
						Optional:            true,
						Validators:          []validator.Int64{int64validator.Between(0, 20)},
						MarkdownDescription: "Retries of a request answered with 429 (honouring `Retry-After`) or 5xx. Default `4`.",
					},
				},
			},
			"kubernetes": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Cluster access for the Kubernetes resources: a kubeconfig file and context, or explicit credentials.",
				Attributes: map[string]schema.Attribute{
					"config_path":            schema.StringAttribute{Optional: true, MarkdownDescription: "Path of the kubeconfig file. Environment variable `KUBE_CONFIG_PATH`, then `KUBECONFIG`."},
					"config_context":         schema.StringAttribute{Optional: true, MarkdownDescription: "Context of the kubeconfig to use. Environment variable `KUBE_CTX`."},
					"host":                   schema.StringAttribute{Optional: true, MarkdownDescription: "API server URL, instead of a kubeconfig."},
					"token":                  schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Bearer token for `host`."},
					"cluster_ca_certificate": schema.StringAttribute{Optional: true, MarkdownDescription: "PEM CA certificate of `host`."},
					"client_certificate":     schema.StringAttribute{Optional: true, MarkdownDescription: "PEM client certificate for `host`."},
					"client_key":             schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "PEM client key for `host`."},
					"insecure":               schema.BoolAttribute{Optional: true, MarkdownDescription: "Skip TLS verification of `host`."},
				},
			},
			"onepassword": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "1Password access for `op://` references.",
				Attributes: map[string]schema.Attribute{
					"service_account_token": schema.StringAttribute{
						Optional: true, Sensitive: true,
						MarkdownDescription: "Service account token. Environment variable `OP_SERVICE_ACCOUNT_TOKEN`.",
					},
				},
			},
			"access": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Defaults for the Cloudflare Access application of every proxy.",
				Attributes: map[string]schema.Attribute{
					"allowed_emails": schema.ListAttribute{
						Optional: true, ElementType: types.StringType,
						Validators:          []validator.List{listvalidator.ValueStringsAre(validators.Email())},
						MarkdownDescription: "E-mail addresses allowed through Access by default on every proxy.",
					},
				},
			},
		},
	}
}

func (p *homelabProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := &providerdata.Data{Version: p.version}
	r := resolver{unknown: &data.Unknown}
	data.Domain = r.str(config.Domain, "")
	data.HostPrefix = r.str(config.HostPrefix, "")

	cf := config.Cloudflare
	if cf == nil {
		cf = &cloudflareModel{}
	}
	data.Cloudflare = providerdata.CloudflareSettings{
		APIToken:      r.str(cf.APIToken, providerdata.EnvCloudflareToken),
		AccountID:     r.str(cf.AccountID, providerdata.EnvCloudflareAccount),
		ZoneID:        r.str(cf.ZoneID, providerdata.EnvCloudflareZone),
		TunnelID:      r.str(cf.TunnelID, providerdata.EnvCloudflareTunnel),
		BaseURL:       r.str(cf.BaseURL, providerdata.EnvCloudflareBaseURL),
		RequestBudget: cloudflare.DefaultRequestBudget,
		MaxRetries:    cloudflare.DefaultMaxRetries,
	}
	if !cf.RequestBudget.IsNull() && !cf.RequestBudget.IsUnknown() {
		data.Cloudflare.RequestBudget = int(cf.RequestBudget.ValueInt64())
	}
	if !cf.RequestsPerSecond.IsNull() && !cf.RequestsPerSecond.IsUnknown() {
		data.Cloudflare.RequestsPerSecond = cf.RequestsPerSecond.ValueFloat64()
	}
	if !cf.MaxRetries.IsNull() && !cf.MaxRetries.IsUnknown() {
		data.Cloudflare.MaxRetries = int(cf.MaxRetries.ValueInt64())
	}

	if k := config.Kubernetes; k != nil {
		data.Kubernetes = kube.Settings{
			ConfigPath:           r.str(k.ConfigPath, "KUBE_CONFIG_PATH"),
			ConfigContext:        r.str(k.ConfigContext, "KUBE_CTX"),
			Host:                 r.str(k.Host, ""),
			Token:                r.str(k.Token, ""),
			ClusterCACertificate: r.str(k.ClusterCACertificate, ""),
			ClientCertificate:    r.str(k.ClientCertificate, ""),
			ClientKey:            r.str(k.ClientKey, ""),
			Insecure:             k.Insecure.ValueBool(),
		}
	} else {
		data.Kubernetes.ConfigPath = os.Getenv("KUBE_CONFIG_PATH")
		data.Kubernetes.ConfigContext = os.Getenv("KUBE_CTX")
	}
	if data.Kubernetes.ConfigPath == "" {
		data.Kubernetes.ConfigPath = os.Getenv("KUBECONFIG")
	}
	op := config.OnePassword
	if op == nil {
		op = &onePasswordModel{}
	}
	opToken := r.str(op.ServiceAccountToken, "OP_SERVICE_ACCOUNT_TOKEN")
	data.Secrets = p.secretsClient(opToken)
	data.Items = p.itemWriter(opToken)

	if config.Access != nil {
		if config.Access.AllowedEmails.IsUnknown() {
			data.Unknown = true
		} else if !config.Access.AllowedEmails.IsNull() {
			resp.Diagnostics.Append(config.Access.AllowedEmails.ElementsAs(ctx, &data.AllowedEmails, false)...)
		}
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
}

// resolver reads a setting from configuration, then from its environment
// variable, and remembers whether any setting is not known yet.
type resolver struct{ unknown *bool }

func (r resolver) str(v types.String, envVar string) string {
	if v.IsUnknown() {
		*r.unknown = true
		return ""
	}
	if !v.IsNull() {
		return v.ValueString()
	}
	if envVar != "" {
		return os.Getenv(envVar)
	}
	return ""
}

// Resources are listed in alphabetical order of their type names.
func (p *homelabProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		servicetoken.NewResource,
		backupplan.NewResource,
		bootstrapsecret.NewResource,
		proxy.NewResource,
		service.NewResource,
		tunnelresource.NewResource,
	}
}

// DataSources are listed in alphabetical order of their type names.
func (p *homelabProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		proxies.NewDataSource,
		tunnel.NewDataSource,
	}
}

// EphemeralResources are listed in alphabetical order of their type names.
func (p *homelabProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		ephemeralsecret.NewEphemeralResource,
		tunneltoken.NewEphemeralResource,
	}
}
