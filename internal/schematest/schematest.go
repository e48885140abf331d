// Package schematest holds the schema/model parity check every resource
// and data source runs, so that a renamed attribute or model field cannot
// silently drop data.
package schematest

import (
	"reflect"
	"slices"
	"testing"
)

// Tags are the tfsdk tags of a model struct, sorted.
func Tags(model any) []string {
	var out []string
	rt := reflect.TypeOf(model)
	for i := range rt.NumField() {
		out = append(out, rt.Field(i).Tag.Get("tfsdk"))
	}
	slices.Sort(out)
	return out
}

// Names are the attribute names of a schema, sorted.
func Names[V any](attributes map[string]V) []string {
	out := make([]string, 0, len(attributes))
	for name := range attributes {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Parity fails the test when the schema's attributes and the model's tags
// differ; what names the object in the failure message.
func Parity[V any](t *testing.T, what string, attributes map[string]V, model any) {
	t.Helper()
	if got, want := Names(attributes), Tags(model); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: schema attributes %v, model fields %v", what, got, want)
	}
}
