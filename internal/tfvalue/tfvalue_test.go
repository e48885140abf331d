package tfvalue

import (
	"maps"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestStringOrNull(t *testing.T) {
	t.Parallel()
	if v := StringOrNull(""); !v.IsNull() {
		t.Errorf(`StringOrNull("") = %s, want null`, v)
	}
	if v := StringOrNull("x"); v.IsNull() || v.ValueString() != "x" {
		t.Errorf(`StringOrNull("x") = %s`, v)
	}
}

func TestStringMap(t *testing.T) {
	t.Parallel()
	m := types.MapValueMust(types.StringType, map[string]attr.Value{
		"A": types.StringValue("a"), "B": types.StringUnknown(), "C": types.StringNull(),
	})
	tests := []struct {
		name string
		in   types.Map
		want map[string]string
	}{
		{"known, unknown and null values", m, map[string]string{"A": "a", "B": "", "C": ""}},
		{"null map", types.MapNull(types.StringType), map[string]string{}},
		{"unknown map", types.MapUnknown(types.StringType), map[string]string{}},
	}
	for _, tt := range tests {
		if got := StringMap(tt.in); !maps.Equal(got, tt.want) {
			t.Errorf("%s: StringMap = %v, want %v", tt.name, got, tt.want)
		}
	}
}
