package backupplan

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

func TestSchemaModelParity(t *testing.T) {
	var resp resource.SchemaResponse
	(&backupPlanResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
	schematest.Parity(t, "homelab_backup_plan", resp.Schema.Attributes, backupPlanModel{})
	var nested []string
	for name := range resp.Schema.Attributes["retention"].(schema.SingleNestedAttribute).Attributes {
		nested = append(nested, name)
	}
	sort.Strings(nested)
	want := append([]string(nil), retentionFields...)
	sort.Strings(want)
	if !reflect.DeepEqual(nested, want) {
		t.Errorf("retention attributes %v, retentionFields %v", nested, want)
	}
	for _, name := range []string{"password_wo", "environment_wo"} {
		if !resp.Schema.Attributes[name].IsWriteOnly() || !resp.Schema.Attributes[name].IsSensitive() {
			t.Errorf("%s must be write-only and sensitive", name)
		}
	}
}

func TestSpecFromModel(t *testing.T) {
	set := func(v ...string) types.Set {
		s, diags := types.SetValueFrom(context.Background(), types.StringType, v)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return s
	}
	retentionTypes := map[string]attr.Type{}
	for _, f := range retentionFields {
		retentionTypes[f] = types.Int64Type
	}
	m := backupPlanModel{
		Name: types.StringValue("homelab"), Repository: types.StringValue("/srv/restic"), ResticBinary: types.StringNull(),
		Paths: set("/b/", "/a", "/b"), Excludes: set("*.tmp", "/var/cache/"), Tags: set("y", "x"),
		Host: types.StringNull(), Schedule: types.StringNull(), Retention: types.ObjectNull(retentionTypes),
	}
	s, known, diags := m.spec([]string{"B2_ACCOUNT_ID"})
	if !known || diags.HasError() {
		t.Fatalf("known %v, diags %v", known, diags)
	}
	if !reflect.DeepEqual(s.Paths, []string{"/a", "/b"}) || !reflect.DeepEqual(s.Excludes, []string{"*.tmp", "/var/cache"}) ||
		!reflect.DeepEqual(s.Tags, []string{"x", "y"}) || s.Binary != DefaultBinary || s.Retention != nil {
		t.Errorf("spec = %+v", s)
	}
	m.Paths = types.SetUnknown(types.StringType)
	if _, known, _ := m.spec(nil); known {
		t.Error("a spec with unknown paths reads as known")
	}
	m.Paths = set("relative")
	if _, _, diags := m.spec(nil); !diags.HasError() {
		t.Error("a relative path gives no error")
	}
}

func TestLocalRepository(t *testing.T) {
	tests := []struct {
		repo  string
		local bool
	}{
		{"/srv/restic", true},
		{"relative/repo", true},
		{"local:/srv/restic", true},
		{`C:\restic`, true},
		{"/srv/odd:name", true},
		{"sftp:user@host:/srv/restic", false},
		{"rest:https://backup.example.com/", false},
		{"s3:s3.amazonaws.com/bucket", false},
		{"b2:homelab-backup:restic", false},
		{"rclone:remote:path", false},
		{"azure:container:/", false},
	}
	for _, tt := range tests {
		if got := localRepository(tt.repo); got != tt.local {
			t.Errorf("localRepository(%q) = %v, want %v", tt.repo, got, tt.local)
		}
	}
}
