package bootstrapsecret

import (
	"context"
	"maps"
	"slices"
	"sort"

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
}

type generateModel struct {
	Length   types.Int64  `tfsdk:"length"`
	Encoding types.String `tfsdk:"encoding"`
}

func keysList(keys []string) types.List {
	sorted := append([]string{}, keys...)
	sort.Strings(sorted)
	v, _ := types.ListValueFrom(context.Background(), types.StringType, sorted)
	return v
}

// managedKeys is every key the configuration or plan manages.
func (m *bootstrapSecretModel) managedKeys() []string {
	keys := slices.Collect(maps.Keys(m.DataWO.Elements()))
	keys = slices.AppendSeq(keys, maps.Keys(m.References.Elements()))
	keys = slices.AppendSeq(keys, maps.Keys(m.Generate))
	slices.Sort(keys)
	return keys
}
