package tunneltoken

import (
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// tunnelTokenModel is homelab_tunnel_token's configuration and result.
type tunnelTokenModel struct {
	TunnelID types.String `tfsdk:"tunnel_id"`
	Token    types.String `tfsdk:"token"`
}

// errEmptyToken is an answer without a token, which cloudflared could not
// run with.
var errEmptyToken = errors.New("cloudflare answered without a token")
