package tfvalue

import (
	"maps"
	"testing"
	"time"

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

func TestTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   time.Time
		want types.String
	}{
		{time.Time{}, types.StringNull()},
		{time.Date(2026, 11, 1, 13, 0, 0, 5e8, time.FixedZone("CET", 3600)), types.StringValue("2026-11-01T12:00:00Z")},
	} {
		if got := Time(tc.in); !got.Equal(tc.want) {
			t.Errorf("Time(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
