// Package diagnostics holds the texts users meet again and again, so that
// every resource says the same thing the same way.
package diagnostics

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// MissingSetting is the error for a provider setting a resource needs.
func MissingSetting(summary, attribute, envVar, why string) diag.Diagnostic {
	detail := fmt.Sprintf("%s Set %s in the provider block", why, attribute)
	if envVar != "" {
		detail += fmt.Sprintf(" or the %s environment variable", envVar)
	}
	return diag.NewErrorDiagnostic(summary, detail+".")
}

// UnexpectedProviderData reports a programming error in wiring resources.
func UnexpectedProviderData(got any) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected Provider Data",
		fmt.Sprintf("Expected *providerdata.Data, got %T. Please report this issue to the provider developers.", got))
}

// APIFailure is the error for a failed call to an external system during
// an action on one object, e.g. ("Creating", "Proxy", "app.example.com").
func APIFailure(action, kind, object string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(fmt.Sprintf("Error %s %s %s", action, kind, object), err.Error())
}
