package kube

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func managed(manager string, op metav1.ManagedFieldsOperationType, subresource, fields string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: op, Subresource: subresource, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields)}
}

// The fields below are what kube-apiserver 1.36 recorded for a Secret and
// for ArgoCD Applications applied by the provider: one source, whose
// valuesObject is tracked field by field; the same after another client
// changed auth.password (the provider keeps auth itself, written {}); two
// sources, a list owned whole.
const (
	secretFields = `{"f:data":{".":{},"f:CLIENT_ID":{},"f:tls.crt":{}},"f:type":{}}`
	singleFields = `{"f:metadata":{"f:labels":{"f:app.kubernetes.io/name":{}}},"f:spec":{"f:source":{"f:chart":{},` +
		`"f:helm":{"f:valuesObject":{"f:auth":{".":{},"f:password":{}},"f:greeting":{}}}}}}`
	takenFields = `{"f:spec":{"f:source":{"f:chart":{},"f:helm":{"f:valuesObject":{"f:auth":{},"f:greeting":{}}}}}}`
	multiFields = `{"f:spec":{"f:project":{},"f:sources":{}}}`
)

func TestFieldSetHas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []metav1.ManagedFieldsEntry
		path    string
		want    bool
	}{
		{"a Secret key", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", secretFields)}, "data.CLIENT_ID", true},
		{"a key with a dot", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", secretFields)}, "data|tls.crt", true},
		{"a key taken by another manager", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", secretFields)}, "data.DB_PASSWORD", false},
		{"another manager's apply", []metav1.ManagedFieldsEntry{managed("kubectl", metav1.ManagedFieldsOperationApply, "", secretFields)}, "data.CLIENT_ID", false},
		{"our name on an update", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationUpdate, "", secretFields)}, "data.CLIENT_ID", false},
		{"a subresource", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "status", secretFields)}, "data.CLIENT_ID", false},
		{"no managed fields", nil, "data.CLIENT_ID", false},
		{"a nested Helm value", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", singleFields)}, "spec.source.helm.valuesObject.auth.password", true},
		{"a Helm value not applied", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", singleFields)}, "spec.source.helm.valuesObject.auth.user", false},
		{"a map whose entry was taken", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", takenFields)}, "spec.source.helm.valuesObject.auth.password", false},
		{"the map itself is still ours", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", takenFields)}, "spec.source.helm.valuesObject.auth", true},
		{"an atomic list", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", multiFields)}, "spec.sources", true},
		{"an atomic list taken", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", `{"f:spec":{"f:project":{}}}`)}, "spec.sources", false},
		{"unreadable fields", []metav1.ManagedFieldsEntry{managed(FieldManager, metav1.ManagedFieldsOperationApply, "", `{`)}, "data.CLIENT_ID", false},
		{"ours among others", []metav1.ManagedFieldsEntry{
			managed("kubectl-edit", metav1.ManagedFieldsOperationUpdate, "", `{"f:data":{"f:DB_PASSWORD":{}}}`),
			managed(FieldManager, metav1.ManagedFieldsOperationApply, "", secretFields),
		}, "data.CLIENT_ID", true},
	}
	for _, tt := range tests {
		obj := &metav1.ObjectMeta{ManagedFields: tt.entries}
		sep := "."
		if strings.Contains(tt.path, "|") {
			sep = "|"
		}
		if got := OwnedFields(obj).Has(strings.Split(tt.path, sep)...); got != tt.want {
			t.Errorf("%s: Has(%s) = %v, want %v", tt.name, tt.path, got, tt.want)
		}
	}
}
