package proxies

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"

	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

// TestSchemaModelParity keeps model tags and schema in step.
func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp datasource.SchemaResponse
	(&proxiesDataSource{}).Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	schematest.Parity(t, "proxies", resp.Schema.Attributes, proxiesModel{})
	nested := resp.Schema.Attributes["proxies"].(schema.ListNestedAttribute).NestedObject.Attributes
	schematest.Parity(t, "proxies", nested, proxyModel{})
}

func TestProxyModelFrom(t *testing.T) {
	t.Parallel()
	full := proxyModelFrom(Published{Hostname: "a.example.com", Path: "^/x", Service: "http://localhost:1", Port: 1,
		DNSRecordID: "r", AccessApplicationID: "app", Protected: true})
	if full.Path.ValueString() != "^/x" || full.Port.ValueInt64() != 1 || full.DNSRecordID.ValueString() != "r" ||
		full.AccessApplicationID.ValueString() != "app" || !full.Protected.ValueBool() {
		t.Errorf("full entry converted to %+v", full)
	}
	bare := proxyModelFrom(Published{Hostname: "b.example.com", Service: "unix:/run/b.sock"})
	if !bare.Path.IsNull() || !bare.Port.IsNull() || !bare.DNSRecordID.IsNull() || !bare.AccessApplicationID.IsNull() || bare.Protected.ValueBool() {
		t.Errorf("absent parts must be null, got %+v", bare)
	}
}
