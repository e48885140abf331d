// Package validators holds the attribute validators and the pure checks
// behind them that several schemas share. A check is a plain
// func(string) error with a table test of its own; String, Named and Secret
// turn one into a framework validator whose error names the attribute.
package validators

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

// Problem is a check's error written as a sentence for the user: what is
// wrong and how to fix it, punctuated like the rest of a diagnostic.
type Problem string

func (p Problem) Error() string { return string(p) }

// How a validator's error detail shows the bad value.
type style int

const (
	plain  style = iota // the check's error is the detail (it quotes the value itself)
	named               // `"v" is not accepted as <attribute>: <error>`
	secret              // `The value of <attribute> is not accepted: <error>`, never the value
)

type stringCheck struct {
	summary     string
	description string
	check       func(string) error
	style       style
}

// String adapts check to a validator; the check's error, which names the
// bad value and the fix, is the diagnostic's detail.
func String(summary, description string, check func(string) error) validator.String {
	return stringCheck{summary: summary, description: description, check: check, style: plain}
}

// Named is String for checks that say only what is wrong: the detail adds
// the quoted value and the attribute's path.
func Named(summary, description string, check func(string) error) validator.String {
	return stringCheck{summary: summary, description: description, check: check, style: named}
}

// Secret is Named for values that may hold secrets: the detail names the
// attribute and never repeats the value.
func Secret(summary, description string, check func(string) error) validator.String {
	return stringCheck{summary: summary, description: description, check: check, style: secret}
}

func (v stringCheck) Description(context.Context) string         { return "must be " + v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return "must be " + v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	err := v.check(req.ConfigValue.ValueString())
	if err == nil {
		return
	}
	detail := err.Error()
	switch v.style {
	case named:
		detail = fmt.Sprintf("%q is not accepted as %s: %s", req.ConfigValue.ValueString(), req.Path, err)
	case secret:
		detail = fmt.Sprintf("The value of %s is not accepted: %s", req.Path, err)
	}
	resp.Diagnostics.AddAttributeError(req.Path, v.summary, detail)
}

// emailPattern is deliberately loose: Cloudflare is the judge of real
// addresses; this catches typos such as a missing "@".
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// Email checks that a string looks like an e-mail address.
func Email() validator.String {
	return stringvalidator.RegexMatches(emailPattern, "must be an e-mail address such as me@example.com")
}

// Reference checks the syntax of a 1Password secret reference, offline.
func Reference() validator.String {
	return String("Invalid 1Password Reference", "a 1Password reference (op://<vault>/<item>[/<section>]/<field>)", CheckReference)
}

// CheckReference is the check behind Reference.
func CheckReference(s string) error {
	_, err := secrets.ParseReference(s)
	return err
}

// Duration checks for a positive Go duration such as 90s or 24h; summary
// names what the duration is for (e.g. "Invalid Timeout").
func Duration(summary string) validator.String {
	return String(summary, "a positive duration such as 90s, 5m or 24h", CheckDuration)
}

// CheckDuration is the check behind Duration.
func CheckDuration(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration; use a number with a unit of ns, us, ms, s, m or h, such as 90s, 5m or 24h", s)
	}
	return nil
}

// Host checks for a bare host name or IP address, without a scheme, a path
// or spaces; fix says where the scheme goes instead.
func Host(summary, fix string) validator.String {
	return String(summary, "a host name or IP address", func(s string) error {
		if err := CheckHost(s); err != nil {
			return fmt.Errorf("%w; %s", err, fix)
		}
		return nil
	})
}

// CheckHost is the check behind Host.
func CheckHost(s string) error {
	if s == "" || strings.Contains(s, "://") || strings.ContainsAny(s, " /\t\n") {
		return fmt.Errorf("%q is not a host: give a host name or IP address only, e.g. 127.0.0.1 or infisical.infisical.svc", s)
	}
	return nil
}
