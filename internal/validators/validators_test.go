package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		check func(string) error
		ok    []string
		bad   []string
	}{
		{"duration", CheckDuration, []string{"5m", "90s", "1h30m", "24h"}, []string{"5", "soon", "0s", "-1m", "-1h", "", "1 day", "24"}},
		{"host", CheckHost, []string{"127.0.0.1", "infisical.infisical.svc", "nas.lan"}, []string{"http://x", "", "a/b", "a b"}},
		{"reference", CheckReference, []string{"op://homelab/infisical/db_password", "op://v/i/section/field"}, []string{"", "homelab/x/y", "op://only-vault"}},
	}
	for _, tt := range tests {
		for _, v := range tt.ok {
			if err := tt.check(v); err != nil {
				t.Errorf("%s: %q rejected: %v", tt.name, v, err)
			}
		}
		for _, v := range tt.bad {
			if err := tt.check(v); err == nil {
				t.Errorf("%s: %q accepted", tt.name, v)
			}
		}
	}
}

func validate(v validator.String, value types.String) (summary, detail string, errs int) {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("helm").AtName("version"), ConfigValue: value}, resp)
	for _, d := range resp.Diagnostics.Errors() {
		summary, detail = d.Summary(), d.Detail()
	}
	return summary, detail, resp.Diagnostics.ErrorsCount()
}

func TestStyles(t *testing.T) {
	t.Parallel()
	bad := func(string) error { return Problem("it is not a version") }
	tests := []struct {
		name   string
		v      validator.String
		detail string
	}{
		{"plain", String("Invalid Version", "a version", bad), "it is not a version"},
		{"named", Named("Invalid Version", "a version", bad), `"Sup3r-Secret" is not accepted as helm.version: it is not a version`},
		{"secret", Secret("Invalid Version", "a version", bad), "The value of helm.version is not accepted: it is not a version"},
	}
	for _, tt := range tests {
		summary, detail, n := validate(tt.v, types.StringValue("Sup3r-Secret"))
		if n != 1 || summary != "Invalid Version" || detail != tt.detail {
			t.Errorf("%s: %d errors, %q: %q; want %q", tt.name, n, summary, detail, tt.detail)
		}
		if tt.name == "secret" && strings.Contains(detail, "Sup3r") {
			t.Errorf("secret: the detail repeats the value: %q", detail)
		}
		for _, skip := range []types.String{types.StringNull(), types.StringUnknown()} {
			if _, _, n := validate(tt.v, skip); n != 0 {
				t.Errorf("%s: %d errors for %s; null and unknown are not checked", tt.name, n, skip)
			}
		}
	}
}
