package tunnelresource

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/origin"
	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp resource.SchemaResponse
	(&tunnelResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
		if a.IsSensitive() || a.IsWriteOnly() {
			t.Errorf("attribute %s holds a secret; the tunnel resource keeps none", name)
		}
	}
	schematest.Parity(t, "homelab_tunnel", resp.Schema.Attributes, tunnelModel{})
}

func TestWithTunnel(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	m := tunnelModel{SecretVersion: types.Int64Value(3), Name: types.StringValue("old"), OriginRequest: origin.Null()}.withTunnel(cloudflare.Tunnel{
		ID: "f70ff985-a4ef-4643-bbbc-4a0ed4fc8415", Name: "homelab", Status: "healthy", ConfigSrc: "cloudflare", CreatedAt: created,
	})
	want := tunnelModel{
		ID: types.StringValue("f70ff985-a4ef-4643-bbbc-4a0ed4fc8415"), Name: types.StringValue("homelab"),
		SecretVersion: types.Int64Value(3), CNAME: types.StringValue("f70ff985-a4ef-4643-bbbc-4a0ed4fc8415.cfargotunnel.com"),
		Status: types.StringValue("healthy"), CreatedAt: types.StringValue("2026-12-01T10:00:00Z"),
		OriginRequest: origin.Null(),
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("withTunnel = %+v, want %+v", m, want)
	}
}

func TestRotates(t *testing.T) {
	t.Parallel()
	null, unknown := types.Int64Null(), types.Int64Unknown()
	v := types.Int64Value
	for _, tc := range []struct {
		name        string
		prior, plan types.Int64
		want        bool
	}{
		{"bumped", v(1), v(2), true},
		{"lowered", v(2), v(1), true},
		{"unchanged", v(1), v(1), false},
		{"first set, e.g. after an import", null, v(1), false},
		{"removed", v(1), null, false},
		{"never set", null, null, false},
		{"not known yet", v(1), unknown, false},
	} {
		if got := rotates(tc.prior, tc.plan); got != tc.want {
			t.Errorf("%s: rotates(%s, %s) = %v, want %v", tc.name, tc.prior, tc.plan, got, tc.want)
		}
	}
}

func TestIsTunnelID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"f70ff985-a4ef-4643-bbbc-4a0ed4fc8415":     true,
		"F70FF985-A4EF-4643-BBBC-4A0ED4FC8415":     true,
		"homelab":                                  false,
		"f70ff985a4ef4643bbbc4a0ed4fc8415":         false,
		"acc/f70ff985-a4ef-4643-bbbc-4a0ed4fc8415": false,
		"": false,
	} {
		if got := isTunnelID(in); got != want {
			t.Errorf("isTunnelID(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		"homelab": true, "home lab": true, "lab-2.example": true,
		"": false, "   ": false, " homelab": false, "homelab\n": false,
	} {
		if err := checkName(in); (err == nil) != ok {
			t.Errorf("checkName(%q) = %v, want ok %v", in, err, ok)
		}
	}
}
