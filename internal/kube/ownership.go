package kube

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FieldSet is what the provider's field manager owns of an object through
// its last server-side apply, read from metadata.managedFields: the API
// server's own record of who wrote each field. A client that changes the
// value of a field takes it from every other manager (a write that leaves
// the value as it was takes nothing), so a field the provider applied and
// no longer owns was changed outside Terraform. This is how resources
// detect drift of values they must not remember, such as a Secret's data:
// the record lives in the object, next to the values, and names fields,
// never values.
type FieldSet struct{ tree map[string]any }

// OwnedFields is the FieldSet of obj for FieldManager's apply.
func OwnedFields(obj metav1.Object) FieldSet {
	for _, m := range obj.GetManagedFields() {
		if m.Manager != FieldManager || m.Operation != metav1.ManagedFieldsOperationApply || m.Subresource != "" || m.FieldsV1 == nil {
			continue
		}
		var tree map[string]any
		if err := json.Unmarshal(m.FieldsV1.GetRawBytes(), &tree); err == nil {
			return FieldSet{tree: tree}
		}
	}
	return FieldSet{}
}

// Has reports whether the provider owns the field at path (field names
// from the object's root). Owning a field is owning all of its value only
// where server-side apply treats the value as atomic (a scalar, or a list
// or map the schema marks atomic, such as an Application's spec.sources);
// elsewhere a map owned as a field may have lost its entries to others,
// so callers name the field that holds the value itself.
func (s FieldSet) Has(path ...string) bool {
	node := s.tree
	for _, name := range path {
		child, ok := node["f:"+name].(map[string]any)
		if !ok {
			return false
		}
		node = child
	}
	return node != nil
}
