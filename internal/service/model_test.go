package service

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

// TestSchemaModelParity: every attribute has a model field and the other
// way round, so a renamed attribute cannot silently drop data.
func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp resource.SchemaResponse
	(&serviceResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("schema: %v", diags)
	}
	a := resp.Schema.Attributes
	nested := func(name string) []string {
		switch n := a[name].(type) {
		case schema.SingleNestedAttribute:
			return schematest.Names(n.Attributes)
		case schema.ListNestedAttribute:
			return schematest.Names(n.NestedObject.Attributes)
		}
		t.Fatalf("%s is not nested", name)
		return nil
	}
	pairs := []struct {
		name   string
		schema []string
		model  any
	}{
		{"resource", schematest.Names(a), serviceModel{}},
		{"helm", nested("helm"), helmModel{}},
		{"git", nested("git"), gitModel{}},
		{"sync_policy", nested("sync_policy"), syncPolicyModel{}},
		{"ignore_differences", nested("ignore_differences"), ignoreDiffModel{}},
		{"wait_for", nested("wait_for"), waitForModel{}},
		{"proxy", nested("proxy"), proxyModel{}},
		{"backup", nested("backup"), backupModel{}},
	}
	for _, p := range pairs {
		if got := schematest.Tags(p.model); !reflect.DeepEqual(got, p.schema) {
			t.Errorf("%s: model fields %v, schema attributes %v", p.name, got, p.schema)
		}
	}
	var types1, types2 []string
	for k := range proxyTypes {
		types1 = append(types1, k)
	}
	for k := range backupTypes {
		types2 = append(types2, k)
	}
	sort.Strings(types1)
	sort.Strings(types2)
	if !reflect.DeepEqual(types1, nested("proxy")) || !reflect.DeepEqual(types2, nested("backup")) {
		t.Errorf("proxyTypes/backupTypes out of step with the schema")
	}
}

func TestProxyObject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := types.ObjectValueMust(proxyTypes, map[string]attr.Value{
		"name": types.StringNull(), "port": types.Int64Value(8080), "scheme": types.StringNull(), "host": types.StringNull(),
		"path": types.StringNull(), "service": types.StringNull(), "hostname": types.StringNull(),
	})
	host := func(n string) (string, bool) { return n + "-home.example.com", true }
	out, diags := proxyObject(ctx, in, types.StringValue("infisical"), host)
	if diags.HasError() {
		t.Fatal(diags)
	}
	p, _ := objectAs[proxyModel](ctx, out)
	if p.Name.ValueString() != "infisical" || p.Service.ValueString() != "http://127.0.0.1:8080" || p.Hostname.ValueString() != "infisical-home.example.com" {
		t.Errorf("proxy = %+v", p)
	}
	noDomain := func(string) (string, bool) { return "", true }
	out, _ = proxyObject(ctx, in, types.StringValue("infisical"), noDomain)
	if p, _ = objectAs[proxyModel](ctx, out); !p.Hostname.IsNull() {
		t.Errorf("hostname without a domain = %v", p.Hostname)
	}
	unknownProvider := func(string) (string, bool) { return "", false }
	out, _ = proxyObject(ctx, in, types.StringValue("infisical"), unknownProvider)
	if p, _ = objectAs[proxyModel](ctx, out); !p.Hostname.IsUnknown() || p.Service.IsUnknown() {
		t.Errorf("with unknown provider settings: hostname %v, service %v", p.Hostname, p.Service)
	}
	if out, _ := proxyObject(ctx, types.ObjectNull(proxyTypes), types.StringValue("x"), host); !out.IsNull() {
		t.Errorf("no proxy configured gives %v", out)
	}
}

func TestSplitID(t *testing.T) {
	t.Parallel()
	for id, ok := range map[string]bool{"argocd/infisical": true, "argocd/": false, "/x": false, "x": false, "a/b/c": false} {
		if _, _, got := splitID(id); got != ok {
			t.Errorf("splitID(%q) ok = %v", id, got)
		}
	}
}
