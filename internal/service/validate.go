package service

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"k8s.io/apimachinery/pkg/util/validation"
)

// stringCheck turns a check of a known, non-null string into a validator
// whose error names the attribute, the bad value and the fix.
type stringCheck struct {
	desc  string
	check func(string) string // "" when fine, else what is wrong and how to fix it
	quiet bool                // never repeat the value (write-only arguments)
	title string
}

func (c stringCheck) Description(context.Context) string         { return c.desc }
func (c stringCheck) MarkdownDescription(context.Context) string { return c.desc }
func (c stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	problem := c.check(req.ConfigValue.ValueString())
	if problem == "" {
		return
	}
	if c.quiet {
		resp.Diagnostics.AddAttributeError(req.Path, c.title, fmt.Sprintf("The value of %s is not accepted: %s", req.Path, problem))
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, c.title, fmt.Sprintf("%q is not accepted as %s: %s", req.ConfigValue.ValueString(), req.Path, problem))
}

func checkName(s string) string {
	if errs := validation.IsDNS1123Subdomain(s); len(errs) > 0 {
		return strings.Join(errs, "; ") + ". Use lower-case letters, digits, '-' and '.', e.g. \"infisical\"."
	}
	if len(s) > 63 {
		return "it is longer than 63 characters, the limit of the app.kubernetes.io/name label; use a shorter name."
	}
	return ""
}

func checkDNSLabel(s string) string {
	if errs := validation.IsDNS1123Label(s); len(errs) > 0 {
		return strings.Join(errs, "; ") + ". Namespaces are DNS-1123 labels, e.g. \"argocd\"."
	}
	return ""
}

func checkLabelValue(s string) string {
	if errs := validation.IsValidLabelValue(s); len(errs) > 0 {
		return strings.Join(errs, "; ") + "."
	}
	return ""
}

// Helm chart versions are semantic versions or Masterminds/semver
// constraints, which ArgoCD resolves against the repository index.
var (
	semverPattern   = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	constraintPart  = regexp.MustCompile(`^(=|!=|>|<|>=|=>|<=|=<|~|~>|\^)?\s*v?(\d+|[xX*])(\.(\d+|[xX*]))?(\.(\d+|[xX*]))?(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	constraintSplit = regexp.MustCompile(`\s*,\s*|\s+`)
	hyphenRange     = regexp.MustCompile(`\s+-\s+`)
)

func checkChartVersion(s string) string {
	const fix = "Use a chart version such as 1.7.2 or a constraint such as >=1.7.0 <2.0.0, ~1.7, ^1.7.2 or 1.7.*."
	if semverPattern.MatchString(s) {
		return ""
	}
	if strings.TrimSpace(s) == "" {
		return "it is empty. " + fix
	}
	for _, alt := range strings.Split(s, "||") {
		alt = strings.TrimSpace(alt)
		if alt == "" {
			return "an alternative of || is empty. " + fix
		}
		if bounds := hyphenRange.Split(alt, -1); len(bounds) == 2 {
			if !constraintPart.MatchString(bounds[0]) || !constraintPart.MatchString(bounds[1]) {
				return "it is neither a semantic version nor a version constraint. " + fix
			}
			continue
		}
		// Join operators to their versions (">= 1.2" is allowed), then
		// check each comparison.
		alt = regexp.MustCompile(`(=|!=|>|<|>=|=>|<=|=<|~|~>|\^)\s+`).ReplaceAllString(alt, "$1")
		for _, part := range constraintSplit.Split(alt, -1) {
			if !constraintPart.MatchString(part) {
				return fmt.Sprintf("%q is neither a semantic version nor a version constraint. %s", part, fix)
			}
		}
	}
	return ""
}

func checkValues(secret bool) func(string) string {
	return func(s string) string {
		if _, err := parseValues(s, secret); err != nil {
			return err.Error() + ". Write the values as a YAML mapping, e.g. with yamlencode({ replicaCount = 1 })."
		}
		return ""
	}
}

var syncOptionPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*=[^\s=]+$`)

func checkSyncOption(s string) string {
	if !syncOptionPattern.MatchString(s) {
		return "sync options are Key=Value with no spaces, e.g. CreateNamespace=true or ServerSideApply=true."
	}
	return ""
}

func checkJSONPointer(s string) string {
	if !strings.HasPrefix(s, "/") {
		return "a JSON pointer starts with '/', e.g. /data or /spec/replicas."
	}
	return ""
}

func checkDuration(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return "it is not a duration; use a number with a unit, e.g. 90s, 5m or 1h."
	}
	if d <= 0 {
		return "the timeout must be longer than zero, e.g. 5m."
	}
	return ""
}

func checkRepoURL(s string) string {
	if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t\n") {
		return "a repository URL is not empty and has no spaces, e.g. https://github.com/me/homelab.git."
	}
	return ""
}

func checkRepoPath(s string) string {
	if s == "" || strings.HasPrefix(s, "/") || strings.Contains("/"+s+"/", "/../") {
		return "the path is relative to the repository root and stays inside it, e.g. k8s/apps/argocd (or . for the root)."
	}
	return ""
}

func checkHost(s string) string {
	if s == "" || strings.Contains(s, "://") || strings.ContainsAny(s, " /") {
		return "give a host name or IP address only, e.g. 127.0.0.1 or infisical.infisical.svc; set the scheme with proxy.scheme."
	}
	return ""
}

func checkAbsPath(s string) string {
	if !path.IsAbs(s) {
		return "backup paths are absolute, e.g. /var/lib/infisical."
	}
	return ""
}

func nameValidator() validator.String {
	return stringCheck{title: "Invalid Name", desc: "a DNS-1123 subdomain of at most 63 characters", check: checkName}
}

func dnsLabelValidator() validator.String {
	return stringCheck{title: "Invalid Namespace Or Name", desc: "a DNS-1123 label", check: checkDNSLabel}
}

func labelValueValidator() validator.String {
	return stringCheck{title: "Invalid Label Value", desc: "a Kubernetes label value", check: checkLabelValue}
}

func chartVersionValidator() validator.String {
	return stringCheck{title: "Invalid Chart Version", desc: "a semantic version or version constraint", check: checkChartVersion}
}

// valuesValidator never repeats the value: values may hold secrets even
// outside sensitive_values_wo.
func valuesValidator(secret bool) validator.String {
	return stringCheck{title: "Invalid Helm Values", desc: "a YAML mapping", check: checkValues(secret), quiet: true}
}

func syncOptionValidator() validator.String {
	return stringCheck{title: "Invalid Sync Option", desc: "Key=Value", check: checkSyncOption}
}

func jsonPointerValidator() validator.String {
	return stringCheck{title: "Invalid JSON Pointer", desc: "a JSON pointer", check: checkJSONPointer}
}

func durationValidator() validator.String {
	return stringCheck{title: "Invalid Timeout", desc: "a Go duration", check: checkDuration}
}

func repoURLValidator() validator.String {
	return stringCheck{title: "Invalid Repository URL", desc: "a repository URL", check: checkRepoURL}
}

func repoPathValidator() validator.String {
	return stringCheck{title: "Invalid Repository Path", desc: "a path inside the repository", check: checkRepoPath}
}

func hostValidator() validator.String {
	return stringCheck{title: "Invalid Proxy Host", desc: "a host name or IP address", check: checkHost}
}

func absPathValidator() validator.String {
	return stringCheck{title: "Invalid Backup Path", desc: "an absolute path", check: checkAbsPath}
}
