package schematest

import (
	"reflect"
	"testing"
)

func TestTagsAndNames(t *testing.T) {
	t.Parallel()
	type model struct {
		B string `tfsdk:"b"`
		A string `tfsdk:"a"`
	}
	if got := Tags(model{}); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Tags = %v", got)
	}
	if got := Names(map[string]int{"b": 1, "a": 2}); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Names = %v", got)
	}
	inner := &testing.T{}
	Parity(inner, "model", map[string]int{"a": 1}, model{})
	if !inner.Failed() {
		t.Error("Parity passed a schema that lacks a model field")
	}
}
