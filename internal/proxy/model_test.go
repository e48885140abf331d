package proxy

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/origin"
	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

// TestSchemaModelParity keeps the model's tfsdk tags and the schema in
// step, so that a renamed attribute cannot silently drop data.
func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp resource.SchemaResponse
	(&proxyResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	attrs := resp.Schema.Attributes
	if got, want := schematest.Names(attrs), schematest.Tags(proxyModel{}); !reflect.DeepEqual(got, want) {
		t.Errorf("schema attributes %v, model fields %v", got, want)
	}
	originAttrs := attrs["origin_request"].(schema.SingleNestedAttribute).Attributes
	schematest.Parity(t, "origin_request", originAttrs, origin.Model{})
	access := attrs["access"].(schema.SingleNestedAttribute).Attributes
	if got, want := schematest.Names(access), schematest.Names(accessAttrTypes); !reflect.DeepEqual(got, want) {
		t.Errorf("access attributes %v, object type %v", got, want)
	}
	for name, a := range attrs {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
}

func TestPortOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service types.String
		want    types.Int64
	}{
		{types.StringValue("http://127.0.0.1:8096"), types.Int64Value(8096)},
		{types.StringValue("https://nas.lan"), types.Int64Value(443)},
		{types.StringValue("unix:/run/app.sock"), types.Int64Null()},
		{types.StringValue("http_status:404"), types.Int64Null()},
		{types.StringNull(), types.Int64Null()},
		{types.StringUnknown(), types.Int64Unknown()},
	}
	for _, tt := range tests {
		if got := portOf(tt.service); !got.Equal(tt.want) {
			t.Errorf("portOf(%s) = %s, want %s", tt.service, got, tt.want)
		}
	}
}

func TestRuleCarriesTheOriginOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	live := &ingress.OriginRequest{NoTLSVerify: ptr(true), ConnectTimeout: ptr(int64(30))}
	m := proxyModel{
		Hostname: types.StringValue("a.example.com"), Path: types.StringNull(), Service: types.StringValue("https://127.0.0.1:1"),
		OriginRequest: origin.FromWire(live, false),
	}
	rule, diags := m.rule(ctx)
	if diags.HasError() || rule.Hostname != "a.example.com" || rule.Service != "https://127.0.0.1:1" || !rule.OriginRequest.SameManaged(live) {
		t.Fatalf("rule = %+v, %v", rule, diags)
	}
	m.OriginRequest = origin.Null()
	if rule, _ := m.rule(ctx); rule.OriginRequest != nil {
		t.Errorf("no origin_request gave options %+v", rule.OriginRequest)
	}
}

func ptr[T any](v T) *T { return &v }

func TestAccessSettingsObjectRoundTrip(t *testing.T) {
	t.Parallel()
	want := accessSettings{Enabled: true, Emails: []string{"a@example.com", "b@example.com"}, SessionDuration: "12h"}
	got, diags := accessFrom(context.Background(), want.object())
	if diags.HasError() || !equalAccess(got, want) {
		t.Fatalf("accessFrom(object()) = %+v, %v; want %+v", got, diags, want)
	}
	if equalAccess(want, accessSettings{Enabled: true, Emails: []string{"a@example.com"}, SessionDuration: "12h"}) {
		t.Error("equalAccess ignored a removed e-mail")
	}
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	if tunnelOf("F70FF985-a4ef.cfargotunnel.com") != "f70ff985-a4ef" || tunnelOf("nas.example.net") != "" {
		t.Error("tunnelOf misread a CNAME target")
	}
}

// TestValidateConfigWarnsAboutIgnoredOriginOptions runs ValidateConfig on a
// configuration whose origin options cloudflared would ignore.
func TestValidateConfigWarnsAboutIgnoredOriginOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := &proxyResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	options := origin.FromWire(&ingress.OriginRequest{HTTP2Origin: ptr(true)}, false)
	m := proxyModel{
		ID: types.StringNull(), Name: types.StringValue("app"), Hostname: types.StringNull(),
		Service: types.StringValue("http://127.0.0.1:80"), Path: types.StringNull(), TunnelID: types.StringNull(),
		OriginRequest: options, Access: types.ObjectNull(accessAttrTypes), ZoneID: types.StringNull(),
		DNSRecordID: types.StringNull(), AccessApplicationID: types.StringNull(), AccessPolicyID: types.StringNull(),
		Port: types.Int64Null(),
	}
	plan := tfsdk.Plan{Schema: sr.Schema}
	if diags := plan.Set(ctx, &m); diags.HasError() {
		t.Fatal(diags)
	}
	var resp resource.ValidateConfigResponse
	r.ValidateConfig(ctx, resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}}, &resp)
	if resp.Diagnostics.ErrorsCount() != 0 || resp.Diagnostics.WarningsCount() != 1 ||
		resp.Diagnostics.Warnings()[0].Summary() != "HTTP/2 Needs an HTTPS Origin" {
		t.Errorf("diagnostics = %v, want one warning about http2_origin", resp.Diagnostics)
	}
}
