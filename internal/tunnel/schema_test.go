package tunnel

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"

	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
)

// TestSchemaModelParity keeps model tags and schema in step, and the
// token out.
func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp datasource.SchemaResponse
	(&tunnelDataSource{}).Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	schematest.Parity(t, "tunnel", resp.Schema.Attributes, tunnelModel{})
	nested := resp.Schema.Attributes["connections"].(schema.ListNestedAttribute).NestedObject.Attributes
	schematest.Parity(t, "connections", nested, connectionModel{})
	if _, ok := resp.Schema.Attributes["token"]; ok {
		t.Error("the data source must not have a token: data source results are kept in the state")
	}
}

func TestConnectionModelFrom(t *testing.T) {
	t.Parallel()
	opened := time.Date(2026, 11, 1, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	m := connectionModelFrom(cloudflare.TunnelConnection{ID: "c", ConnectorID: "k", ColoName: "ams01", ClientVersion: "2026.11.0",
		OriginIP: "192.0.2.1", OpenedAt: opened})
	if m.OpenedAt.ValueString() != "2026-11-01T12:00:00Z" || m.ConnectorID.ValueString() != "k" || m.ColoName.ValueString() != "ams01" {
		t.Errorf("converted to %+v", m)
	}
	if !connectionModelFrom(cloudflare.TunnelConnection{}).OpenedAt.IsNull() {
		t.Error("a zero time must be null")
	}
}
