package ephemeralsecret

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"

	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp ephemeral.SchemaResponse
	(&secretEphemeralResource{}).Schema(context.Background(), ephemeral.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	schematest.Parity(t, "homelab_secret", resp.Schema.Attributes, secretModel{})
	if !resp.Schema.Attributes["value"].IsSensitive() {
		t.Error("value must be sensitive")
	}
}
