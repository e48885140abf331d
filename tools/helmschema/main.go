// Command terraform-provider-helm is a schema-only stand-in for the
// hashicorp/helm provider 3.x, so that `make validate-examples` can run
// `terraform validate` and `tofu validate` on examples/bootstrap without a
// registry. It serves the provider block and the helm_release arguments as
// the real provider documents them, and refuses to plan or apply anything.
//
// The real provider cannot be built here: the Go module proxy has no
// version of github.com/hashicorp/terraform-provider-helm after v1.3.2 (its
// v2 and v3 tags lack the /vN module suffix), and v1.3.2's dependencies
// are gone from it.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return &helmProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/hashicorp/helm"})
	if err != nil {
		log.Fatal(err)
	}
}

type helmProvider struct{}

func (p *helmProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "helm"
	resp.Version = "3.0.2-schema"
}

func (p *helmProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	str := pschema.StringAttribute{Optional: true}
	resp.Schema = pschema.Schema{Attributes: map[string]pschema.Attribute{
		"kubernetes": pschema.SingleNestedAttribute{Optional: true, Attributes: map[string]pschema.Attribute{
			"host": str, "username": str, "password": pschema.StringAttribute{Optional: true, Sensitive: true},
			"insecure": pschema.BoolAttribute{Optional: true}, "tls_server_name": str,
			"client_certificate": str, "client_key": pschema.StringAttribute{Optional: true, Sensitive: true},
			"cluster_ca_certificate": str, "config_paths": pschema.ListAttribute{Optional: true, ElementType: types.StringType},
			"config_path": str, "config_context": str, "config_context_auth_info": str, "config_context_cluster": str,
			"token": pschema.StringAttribute{Optional: true, Sensitive: true}, "proxy_url": str,
		}},
		"debug": pschema.BoolAttribute{Optional: true}, "plugins_path": str, "registry_config_path": str,
		"repository_config_path": str, "repository_cache": str, "helm_driver": str, "burst_limit": pschema.Int64Attribute{Optional: true},
		"kubernetes_version": str,
	}}
}

func (p *helmProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *helmProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &release{} }}
}

func (p *helmProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type release struct{}

func (r *release) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_release"
}

func (r *release) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	str := schema.StringAttribute{Optional: true}
	boolean := schema.BoolAttribute{Optional: true}
	setItem := func(sensitive bool) schema.ListNestedAttribute {
		return schema.ListNestedAttribute{Optional: true, Sensitive: sensitive, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{Required: true}, "value": schema.StringAttribute{Optional: true, Sensitive: sensitive}, "type": str,
		}}}
	}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id": schema.StringAttribute{Computed: true}, "name": schema.StringAttribute{Required: true},
		"chart": schema.StringAttribute{Required: true}, "repository": str, "version": schema.StringAttribute{Optional: true, Computed: true},
		"namespace": str, "create_namespace": boolean, "description": str, "devel": boolean, "verify": boolean, "keyring": str,
		"timeout": schema.Int64Attribute{Optional: true}, "disable_webhooks": boolean, "reuse_values": boolean, "reset_values": boolean,
		"force_update": boolean, "recreate_pods": boolean, "cleanup_on_fail": boolean, "max_history": schema.Int64Attribute{Optional: true},
		"atomic": boolean, "skip_crds": boolean, "render_subchart_notes": boolean, "disable_openapi_validation": boolean,
		"wait": boolean, "wait_for_jobs": boolean, "dependency_update": boolean, "replace": boolean, "lint": boolean, "upgrade_install": boolean,
		"take_ownership": boolean, "disable_crd_hooks": boolean, "pass_credentials": boolean,
		"repository_key_file": str, "repository_cert_file": str, "repository_ca_file": str, "repository_username": str,
		"repository_password": schema.StringAttribute{Optional: true, Sensitive: true},
		"values":              schema.ListAttribute{Optional: true, ElementType: types.StringType},
		"set":                 setItem(false), "set_sensitive": setItem(true),
		"set_wo": schema.ListNestedAttribute{Optional: true, WriteOnly: true, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{Required: true, WriteOnly: true}, "value": schema.StringAttribute{Required: true, WriteOnly: true},
			"type": schema.StringAttribute{Optional: true, WriteOnly: true},
		}}},
		"set_wo_revision": schema.Int64Attribute{Optional: true},
		"set_list":        schema.ListNestedAttribute{Optional: true, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{"name": schema.StringAttribute{Required: true}, "value": schema.ListAttribute{Required: true, ElementType: types.StringType}}}},
		"metadata": schema.ObjectAttribute{Computed: true, AttributeTypes: map[string]attr.Type{
			"name": types.StringType, "revision": types.Int64Type, "namespace": types.StringType, "chart": types.StringType,
			"version": types.StringType, "app_version": types.StringType, "values": types.StringType, "notes": types.StringType,
			"first_deployed": types.Int64Type, "last_deployed": types.Int64Type,
		}},
		"status": schema.StringAttribute{Computed: true}, "manifest": schema.StringAttribute{Computed: true},
	}}
}

func (r *release) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("Schema-Only Helm Provider", "This stand-in for hashicorp/helm only validates configurations; install the real provider to apply.")
}
func (r *release) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}
func (r *release) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Schema-Only Helm Provider", "This stand-in for hashicorp/helm only validates configurations; install the real provider to apply.")
}
func (r *release) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
