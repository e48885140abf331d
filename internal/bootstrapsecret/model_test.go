package bootstrapsecret

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp resource.SchemaResponse
	(&bootstrapSecretResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
	schematest.Parity(t, "homelab_bootstrap_secret", resp.Schema.Attributes, bootstrapSecretModel{})
	generate, ok := resp.Schema.Attributes["generate"].(schema.MapNestedAttribute)
	if !ok {
		t.Fatalf("generate is a %T, want a map of nested objects", resp.Schema.Attributes["generate"])
	}
	schematest.Parity(t, "homelab_bootstrap_secret.generate", generate.NestedObject.Attributes, generateModel{})
	if a := resp.Schema.Attributes["data_wo"]; !a.IsWriteOnly() || !a.IsSensitive() {
		t.Error("data_wo must be write-only and sensitive")
	}
}
