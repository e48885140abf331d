package service

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

func checkName(s string) error {
	if errs := validation.IsDNS1123Subdomain(s); len(errs) > 0 {
		return validators.Problem(strings.Join(errs, "; ") + ". Use lower-case letters, digits, '-' and '.', e.g. \"infisical\".")
	}
	if len(s) > 63 {
		return validators.Problem("it is longer than 63 characters, the limit of the app.kubernetes.io/name label; use a shorter name.")
	}
	return nil
}

func checkDNSLabel(s string) error {
	if errs := validation.IsDNS1123Label(s); len(errs) > 0 {
		return validators.Problem(strings.Join(errs, "; ") + ". Namespaces are DNS-1123 labels, e.g. \"argocd\".")
	}
	return nil
}

func checkLabelValue(s string) error {
	if errs := validation.IsValidLabelValue(s); len(errs) > 0 {
		return validators.Problem(strings.Join(errs, "; ") + ".")
	}
	return nil
}

// Helm chart versions are semantic versions or Masterminds/semver
// constraints, which ArgoCD resolves against the repository index.
var (
	semverPattern   = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	constraintPart  = regexp.MustCompile(`^(=|!=|>|<|>=|=>|<=|=<|~|~>|\^)?\s*v?(\d+|[xX*])(\.(\d+|[xX*]))?(\.(\d+|[xX*]))?(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	constraintSplit = regexp.MustCompile(`\s*,\s*|\s+`)
	hyphenRange     = regexp.MustCompile(`\s+-\s+`)
)

func checkChartVersion(s string) error {
	const fix = "Use a chart version such as 1.7.2 or a constraint such as >=1.7.0 <2.0.0, ~1.7, ^1.7.2 or 1.7.*."
	if semverPattern.MatchString(s) {
		return nil
	}
	if strings.TrimSpace(s) == "" {
		return validators.Problem("it is empty. " + fix)
	}
	for _, alt := range strings.Split(s, "||") {
		alt = strings.TrimSpace(alt)
		if alt == "" {
			return validators.Problem("an alternative of || is empty. " + fix)
		}
		if bounds := hyphenRange.Split(alt, -1); len(bounds) == 2 {
			if !constraintPart.MatchString(bounds[0]) || !constraintPart.MatchString(bounds[1]) {
				return validators.Problem("it is neither a semantic version nor a version constraint. " + fix)
			}
			continue
		}
		// Join operators to their versions (">= 1.2" is allowed), then
		// check each comparison.
		alt = regexp.MustCompile(`(=|!=|>|<|>=|=>|<=|=<|~|~>|\^)\s+`).ReplaceAllString(alt, "$1")
		for _, part := range constraintSplit.Split(alt, -1) {
			if !constraintPart.MatchString(part) {
				return fmt.Errorf("%q is neither a semantic version nor a version constraint. %s", part, fix)
			}
		}
	}
	return nil
}

func checkValues(secret bool) func(string) error {
	return func(s string) error {
		if _, err := parseValues(s, secret); err != nil {
			return validators.Problem(err.Error() + ". Write the values as a YAML mapping, e.g. with yamlencode({ replicaCount = 1 }).")
		}
		return nil
	}
}

var syncOptionPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*=[^\s=]+$`)

func checkSyncOption(s string) error {
	if !syncOptionPattern.MatchString(s) {
		return validators.Problem("sync options are Key=Value with no spaces, e.g. CreateNamespace=true or ServerSideApply=true.")
	}
	return nil
}

func checkJSONPointer(s string) error {
	if !strings.HasPrefix(s, "/") {
		return validators.Problem("a JSON pointer starts with '/', e.g. /data or /spec/replicas.")
	}
	return nil
}

func checkRepoURL(s string) error {
	if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t\n") {
		return validators.Problem("a repository URL is not empty and has no spaces, e.g. https://github.com/me/homelab.git.")
	}
	return nil
}

func checkRepoPath(s string) error {
	if s == "" || strings.HasPrefix(s, "/") || strings.Contains("/"+s+"/", "/../") {
		return validators.Problem("the path is relative to the repository root and stays inside it, e.g. k8s/apps/argocd (or . for the root).")
	}
	return nil
}

func checkAbsPath(s string) error {
	if !path.IsAbs(s) {
		return validators.Problem("backup paths are absolute, e.g. /var/lib/infisical.")
	}
	return nil
}

func nameValidator() validator.String {
	return validators.Named("Invalid Name", "a DNS-1123 subdomain of at most 63 characters", checkName)
}

func dnsLabelValidator() validator.String {
	return validators.Named("Invalid Namespace Or Name", "a DNS-1123 label", checkDNSLabel)
}

func labelValueValidator() validator.String {
	return validators.Named("Invalid Label Value", "a Kubernetes label value", checkLabelValue)
}

func chartVersionValidator() validator.String {
	return validators.Named("Invalid Chart Version", "a semantic version or version constraint", checkChartVersion)
}

// valuesValidator never repeats the value: values may hold secrets even
// outside sensitive_values_wo.
func valuesValidator(secret bool) validator.String {
	return validators.Secret("Invalid Helm Values", "a YAML mapping", checkValues(secret))
}

func syncOptionValidator() validator.String {
	return validators.Named("Invalid Sync Option", "Key=Value", checkSyncOption)
}

func jsonPointerValidator() validator.String {
	return validators.Named("Invalid JSON Pointer", "a JSON pointer", checkJSONPointer)
}

func durationValidator() validator.String {
	return validators.Duration("Invalid Timeout")
}

func repoURLValidator() validator.String {
	return validators.Named("Invalid Repository URL", "a repository URL", checkRepoURL)
}

func repoPathValidator() validator.String {
	return validators.Named("Invalid Repository Path", "a path inside the repository", checkRepoPath)
}

func hostValidator() validator.String {
	return validators.Host("Invalid Proxy Host", "set the scheme with proxy.scheme")
}

func absPathValidator() validator.String {
	return validators.Named("Invalid Backup Path", "an absolute path", checkAbsPath)
}

// checkValueFile accepts a file inside the chart, or "$values/<path>" in
// the repository of helm.values_from_git (ValidateConfig checks that it is
// set).
func checkValueFile(s string) error {
	p := strings.TrimPrefix(s, "$"+ValuesRef+"/")
	if strings.HasPrefix(s, "$") && p == s {
		return validators.Problem("the only reference a value file may start with is $" + ValuesRef + "/ (the repository of helm.values_from_git), e.g. $" + ValuesRef + "/k8s/apps/infisical/values.yaml.")
	}
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") {
		return validators.Problem("a value file is a relative path inside the chart (values-prod.yaml), or $" + ValuesRef + "/<path> inside the repository of helm.values_from_git.")
	}
	return nil
}

func valueFileValidator() validator.String {
	return validators.Named("Invalid Helm Value File", "a path in the chart, or $"+ValuesRef+"/<path>", checkValueFile)
}

func retryDurationValidator() validator.String {
	return validators.Duration("Invalid Retry Backoff")
}
