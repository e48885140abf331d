package proxy

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

// stringCheck adapts a pure check to a framework validator, so that the
// checks stay plain functions with table tests of their own.
type stringCheck struct {
	summary     string
	description string
	check       func(string) error
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
	}
}

func labelValidator() validator.String {
	return stringCheck{"Invalid Proxy Name", "a DNS label", ingress.ValidateLabel}
}

func hostnameValidator() validator.String {
	return stringCheck{"Invalid Hostname", "a lowercase fully qualified hostname", ingress.ValidateHostname}
}

func serviceValidator() validator.String {
	return stringCheck{"Invalid Service", "a cloudflared origin service", func(s string) error {
		_, err := ingress.ParseService(s)
		return err
	}}
}

func pathValidator() validator.String {
	return stringCheck{"Invalid Path", "a regular expression", ingress.ValidatePath}
}

func durationValidator() validator.String {
	return stringCheck{"Invalid Session Duration", "a positive duration such as 24h", validateDuration}
}

func validateDuration(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration; use a number with a unit of ns, us, ms, s, m or h, such as 24h or 30m", s)
	}
	return nil
}
