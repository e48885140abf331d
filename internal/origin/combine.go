package origin

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Warnings are plan-time warnings for options cloudflared accepts but
// ignores in combination: at is the origin_request attribute's path, and
// service the rule's service when known ("" for a tunnel's defaults, or a
// service not known yet).
func Warnings(ctx context.Context, at path.Path, obj types.Object, service string) diag.Diagnostics {
	var diags diag.Diagnostics
	if obj.IsNull() || obj.IsUnknown() {
		return diags
	}
	var m Model
	if d := obj.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}); d.HasError() {
		return diags
	}
	set := func(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }
	if m.MatchSNIToHost.ValueBool() && set(m.OriginServerName) {
		diags.AddAttributeWarning(at.AtName("origin_server_name"), "Origin Server Name Overridden",
			fmt.Sprintf("match_sni_to_host is true, so cloudflared sends the request's host as the TLS server name and never %q. "+
				"Remove origin_server_name, or set match_sni_to_host to false.", m.OriginServerName.ValueString()))
	}
	if m.NoTLSVerify.ValueBool() && set(m.CAPool) {
		diags.AddAttributeWarning(at.AtName("ca_pool"), "CA Pool Unused",
			fmt.Sprintf("no_tls_verify is true, so cloudflared accepts any certificate and never reads %s. "+
				"Remove ca_pool, or set no_tls_verify to false to verify the origin against it.", m.CAPool.ValueString()))
	}
	if service != "" && m.HTTP2Origin.ValueBool() && !strings.HasPrefix(strings.ToLower(service), "https://") {
		diags.AddAttributeWarning(at.AtName("http2_origin"), "HTTP/2 Needs an HTTPS Origin",
			fmt.Sprintf("cloudflared speaks HTTP/2 only to https:// origins; to %s it keeps using HTTP/1.1. "+
				"Use an https:// service, or remove http2_origin.", service))
	}
	return diags
}
