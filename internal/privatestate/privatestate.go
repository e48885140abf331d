// Package privatestate stores small JSON documents in a resource's
// private state, which Terraform keeps with the state but never shows.
// The framework's own type lives in an internal package; these
// interfaces name the two methods used.
package privatestate

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// Getter is the private state of a request.
type Getter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// Setter is the private state of a response.
type Setter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// Read decodes the document under key into v; a missing or unreadable one
// leaves v as it is, since private state is only ever a hint.
func Read(ctx context.Context, p Getter, key string, v any) {
	if p == nil {
		return
	}
	if raw, _ := p.GetKey(ctx, key); len(raw) > 0 {
		_ = json.Unmarshal(raw, v)
	}
}

// Write stores v under key.
func Write(ctx context.Context, p Setter, key string, v any) diag.Diagnostics {
	raw, err := json.Marshal(v)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Error Saving Private State", err.Error())
		return diags
	}
	return p.SetKey(ctx, key, raw)
}
