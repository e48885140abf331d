package tunneltoken

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"

	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp ephemeral.SchemaResponse
	(&tunnelTokenEphemeralResource{}).Schema(context.Background(), ephemeral.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	schematest.Parity(t, "homelab_tunnel_token", resp.Schema.Attributes, tunnelTokenModel{})
	if !resp.Schema.Attributes["token"].IsSensitive() {
		t.Error("token must be sensitive")
	}
}
