package servicetoken

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	var resp resource.SchemaResponse
	(&serviceTokenResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
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
	schematest.Parity(t, "homelab_access_service_token", resp.Schema.Attributes, serviceTokenModel{})
	deliver, ok := resp.Schema.Attributes["deliver_to"].(schema.SingleNestedAttribute)
	if !ok {
		t.Fatalf("deliver_to is a %T", resp.Schema.Attributes["deliver_to"])
	}
	schematest.Parity(t, "deliver_to", deliver.Attributes, deliverToModel{})
	for name, model := range map[string]any{"kubernetes_secret": kubernetesSecretModel{}, "onepassword_item": onePasswordItemModel{}} {
		nested, ok := deliver.Attributes[name].(schema.SingleNestedAttribute)
		if !ok {
			t.Fatalf("%s is a %T", name, deliver.Attributes[name])
		}
		schematest.Parity(t, "deliver_to."+name, nested.Attributes, model)
	}
	for name, a := range resp.Schema.Attributes {
		if a.IsSensitive() || a.IsWriteOnly() {
			t.Errorf("%s: nothing of this resource is secret; the secret is never an attribute", name)
		}
	}
}

func TestRenewalDue(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	for _, tc := range []struct {
		name, expires, window string
		want                  bool
	}{
		{"far", at(2000 * time.Hour), "720h", false},
		{"inside", at(700 * time.Hour), "720h", true},
		{"at the edge", at(720 * time.Hour), "720h", true},
		{"expired", at(-time.Hour), "720h", true},
		{"no window", at(time.Hour), "", false},
		{"no expiry", "", "720h", false},
		{"forever", "9999-12-31T23:59:59Z", "720h", false},
		{"unreadable", "soon", "720h", false},
	} {
		if got := renewalDue(tc.expires, tc.window, now); got != tc.want {
			t.Errorf("%s: renewalDue = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckRenewal(t *testing.T) {
	for _, tc := range []struct {
		duration, window string
		ok               bool
	}{
		{"8760h", "720h", true},
		{"24h", "720h", false},
		{"720h", "720h", false},
		{"forever", "720h", true},
		{"8760h", "", true},
	} {
		if err := checkRenewal(tc.duration, tc.window); (err == nil) != tc.ok {
			t.Errorf("checkRenewal(%s, %s) = %v", tc.duration, tc.window, err)
		}
	}
}

func TestRefreshDue(t *testing.T) {
	now := time.Now()
	state := serviceTokenModel{Duration: types.StringValue("8760h"), ExpiresAt: types.StringValue(now.Add(5000 * time.Hour).Format(time.RFC3339))}
	plan := func(duration, window string) serviceTokenModel {
		return serviceTokenModel{Duration: types.StringValue(duration), RenewBefore: types.StringValue(window)}
	}
	if refreshDue(plan("8760h", "720h"), state, now) {
		t.Error("nothing due")
	}
	if !refreshDue(plan("48h", ""), state, now) {
		t.Error("a new duration refreshes")
	}
	if !refreshDue(plan("8760h", "6000h"), state, now) {
		t.Error("within the window refreshes")
	}
	imported := state
	imported.Duration = types.StringNull()
	if refreshDue(plan("8760h", ""), imported, now) {
		t.Error("an unknown prior duration is not a change")
	}
}

func TestCheckDuration(t *testing.T) {
	for s, ok := range map[string]bool{"8760h": true, "forever": true, "90s": true, "0s": false, "-1h": false, "a year": false, "": false} {
		if err := checkDuration(s); (err == nil) != ok {
			t.Errorf("checkDuration(%q) = %v", s, err)
		}
	}
}
