package bootstrapsecret

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type bootstrapSecretModel struct {
	ID              types.String             `tfsdk:"id"`
	Name            types.String             `tfsdk:"name"`
	Namespace       types.String             `tfsdk:"namespace"`
	CreateNamespace types.Bool               `tfsdk:"create_namespace"`
	Type            types.String             `tfsdk:"type"`
	Labels          types.Map                `tfsdk:"labels"`
	Annotations     types.Map                `tfsdk:"annotations"`
	DataWO          types.Map                `tfsdk:"data_wo"`
	DataWOVersion   types.Int64              `tfsdk:"data_wo_version"`
	References      types.Map                `tfsdk:"references"`
	Generate        map[string]generateModel `tfsdk:"generate"`
	Keys            types.List               `tfsdk:"keys"`
	DataSHA256      types.String             `tfsdk:"data_sha256"`
}

type generateModel struct {
	Length   types.Int64  `tfsdk:"length"`
	Encoding types.String `tfsdk:"encoding"`
}

// stringMap reads a map of strings. Keys are always known; a value not
// known yet (an ephemeral value at plan time) reads as "" and is reported
// in unknown.
func stringMap(_ context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
			out[k] = s.ValueString()
		} else {
			out[k] = ""
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keysList(keys []string) types.List {
	sorted := append([]string{}, keys...)
	sort.Strings(sorted)
	v, _ := types.ListValueFrom(context.Background(), types.StringType, sorted)
	return v
}

// managedKeys is every key the configuration or plan manages.
func (m *bootstrapSecretModel) managedKeys(ctx context.Context) ([]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	wo, d := stringMap(ctx, m.DataWO)
	diags.Append(d...)
	refs, d := stringMap(ctx, m.References)
	diags.Append(d...)
	keys := append(append(sortedKeys(wo), sortedKeys(refs)...), sortedKeys(m.Generate)...)
	sort.Strings(keys)
	return keys, diags
}
