// Package tfvalue converts between Go values and terraform-plugin-framework
// values the way every resource of this provider does.
package tfvalue

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// StringOrNull maps "" to null, as Terraform expects for unset values.
func StringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// StringMap reads a map of strings. Keys are always known; a value that is
// null or not known yet (an ephemeral value at plan time) reads as "". A
// null or unknown map reads as an empty one.
func StringMap(m types.Map) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
			out[k] = s.ValueString()
		} else {
			out[k] = ""
		}
	}
	return out
}

// Time is RFC 3339 in UTC, or null for the zero time (an API's null).
func Time(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
