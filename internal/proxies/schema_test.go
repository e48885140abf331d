package proxies

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

func tfsdkTags(v any) []string {
	var out []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		out = append(out, rt.Field(i).Tag.Get("tfsdk"))
	}
	slices.Sort(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestSchemaModelParity keeps model tags and schema in step.
func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp datasource.SchemaResponse
	(&proxiesDataSource{}).Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	if got, want := sortedKeys(resp.Schema.Attributes), tfsdkTags(proxiesModel{}); !reflect.DeepEqual(got, want) {
		t.Errorf("schema attributes %v, model fields %v", got, want)
	}
	nested := resp.Schema.Attributes["proxies"].(schema.ListNestedAttribute).NestedObject.Attributes
	if got, want := sortedKeys(nested), tfsdkTags(proxyModel{}); !reflect.DeepEqual(got, want) {
		t.Errorf("proxies attributes %v, model fields %v", got, want)
	}
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
