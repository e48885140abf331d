// Package diagnostics holds the texts users meet again and again, so that
// every resource says the same thing the same way. Summaries are Title
// Case and name the action, the kind of object and the object; details
// say why and what to do.
package diagnostics

import (
	"errors"
	"fmt"
	"strings"

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

// NotConfigured reports a resource used before the provider's Configure,
// which Terraform never does; typeName is e.g. "homelab_secret".
func NotConfigured(typeName string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider Not Configured",
		fmt.Sprintf("The homelab provider was not configured before %s was used. Please report this issue to the provider developers.", typeName))
}

// Summary is the summary of a failed action on one object, e.g.
// ("Creating", "Proxy", "app.example.com"): "Error Creating Proxy app.example.com".
func Summary(action, kind, object string) string {
	return fmt.Sprintf("Error %s %s %s", action, kind, object)
}

// Failure is the error for an action on one object that failed for the
// reason in detail.
func Failure(action, kind, object, detail string) diag.Diagnostic {
	return diag.NewErrorDiagnostic(Summary(action, kind, object), detail)
}

// APIFailure is the error for a failed call to an external system during
// an action on one object, e.g. ("Creating", "Proxy", "app.example.com").
func APIFailure(action, kind, object string, err error) diag.Diagnostic {
	return Failure(action, kind, object, err.Error())
}

// RemovedFromState is the warning for an object that no longer exists
// outside Terraform; why says what happened and what the next apply does.
func RemovedFromState(kind, object, why string) diag.Diagnostic {
	return diag.NewWarningDiagnostic(fmt.Sprintf("%s %s Removed From State", kind, object), why)
}

// Err turns the errors among diags into one error ("summary: detail",
// joined), for code that reports through an error; nil when there is none.
func Err(diags diag.Diagnostics) error {
	var errs []error
	for _, d := range diags.Errors() {
		errs = append(errs, errors.New(strings.TrimSuffix(d.Summary()+": "+d.Detail(), ": ")))
	}
	return errors.Join(errs...)
}
