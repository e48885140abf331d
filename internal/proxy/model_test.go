package proxy

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
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
	origin := attrs["origin_request"].(schema.SingleNestedAttribute).Attributes
	if got, want := schematest.Names(origin), schematest.Tags(originRequestModel{}); !reflect.DeepEqual(got, want) {
		t.Errorf("origin_request attributes %v, model fields %v", got, want)
	}
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

func TestOriginRequestRoundTrip(t *testing.T) {
	t.Parallel()
	yes, timeout := true, int64(30)
	live := &ingress.OriginRequest{NoTLSVerify: &yes, ConnectTimeout: &timeout}
	m := originRequestFrom(live, false)
	if m == nil || !m.NoTLSVerify.ValueBool() || m.ConnectTimeout.ValueInt64() != 30 || !m.HTTPHostHeader.IsNull() {
		t.Fatalf("originRequestFrom = %+v", m)
	}
	back := m.toIngress()
	if *back.NoTLSVerify != yes || *back.ConnectTimeout != timeout || back.HTTPHostHeader != nil {
		t.Fatalf("toIngress = %+v", back)
	}
	if originRequestFrom(nil, false) != nil {
		t.Error("no live options and no block should be null")
	}
	if m := originRequestFrom(nil, true); m == nil || !m.NoTLSVerify.IsNull() {
		t.Errorf("no live options with a configured block = %+v, want an all-null block", m)
	}
}

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
