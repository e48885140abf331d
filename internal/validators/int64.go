package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

type int64Check struct {
	summary     string
	description string
	check       func(int64) error
}

// Int64 adapts check to a validator: the detail is the attribute's path and
// the check's error, which names the bad value and the fix.
func Int64(summary, description string, check func(int64) error) validator.Int64 {
	return int64Check{summary: summary, description: description, check: check}
}

func (v int64Check) Description(context.Context) string         { return "must be " + v.description }
func (v int64Check) MarkdownDescription(context.Context) string { return "must be " + v.description }

func (v int64Check) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueInt64()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("%s: %s", req.Path, err))
	}
}
