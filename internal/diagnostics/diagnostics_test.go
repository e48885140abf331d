package diagnostics

import (
	"errors"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

func TestTexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d                diag.Diagnostic
		severity         diag.Severity
		summary, details string
	}{
		{APIFailure("Creating", "Proxy", "app.example.com", errors.New("HTTP 403")), diag.SeverityError, "Error Creating Proxy app.example.com", "HTTP 403"},
		{Failure("Reading", "Service", "argocd/apps", "it is gone"), diag.SeverityError, "Error Reading Service argocd/apps", "it is gone"},
		{RemovedFromState("Proxy", "a.example.com", "Deleted outside Terraform."), diag.SeverityWarning, "Proxy a.example.com Removed From State", "Deleted outside Terraform."},
		{MissingSetting("Missing Tunnel ID", "cloudflare.tunnel_id", "CLOUDFLARE_TUNNEL_ID", "Every hostname needs a tunnel."), diag.SeverityError,
			"Missing Tunnel ID", "Every hostname needs a tunnel. Set cloudflare.tunnel_id in the provider block or the CLOUDFLARE_TUNNEL_ID environment variable."},
		{NotConfigured("homelab_secret"), diag.SeverityError, "Provider Not Configured",
			"The homelab provider was not configured before homelab_secret was used. Please report this issue to the provider developers."},
	}
	for _, tt := range tests {
		if tt.d.Severity() != tt.severity || tt.d.Summary() != tt.summary || tt.d.Detail() != tt.details {
			t.Errorf("got %v %q: %q; want %v %q: %q", tt.d.Severity(), tt.d.Summary(), tt.d.Detail(), tt.severity, tt.summary, tt.details)
		}
	}
}

func TestErr(t *testing.T) {
	t.Parallel()
	if err := Err(nil); err != nil {
		t.Errorf("Err(nil) = %v", err)
	}
	var diags diag.Diagnostics
	diags.AddWarning("Just A Warning", "ignored")
	if err := Err(diags); err != nil {
		t.Errorf("Err(warnings only) = %v", err)
	}
	diags.AddError("Error Configuring Kubernetes Client", "no such file")
	diags.AddError("Second", "")
	if err := Err(diags); err == nil || err.Error() != "Error Configuring Kubernetes Client: no such file\nSecond" {
		t.Errorf("Err = %q", err)
	}
}
