// Package origin is the origin_request attribute that homelab_proxy (one
// ingress rule's options) and homelab_tunnel (the defaults of every rule,
// the configuration document's top-level originRequest) share: its schema,
// its model, the conversion to and from the wire form in internal/ingress,
// and the plan-time checks of every value.
//
// The keys are the ones cloudflared documents for remotely managed tunnels
// (developers.cloudflare.com/cloudflare-one/connections/connect-networks/
// configure-tunnels/origin-configuration; cloudflared's
// config.OriginRequestConfig names the wire keys and types). Terraform names
// are snake_case; timeouts are whole seconds on both sides: the API's
// fields are integers (cloudflare-go's TunnelCloudflaredConfiguration
// types) and cloudflared reads them as seconds. The access key is not here:
// it is never set by hand, and the document's value is kept as found.
package origin

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

// Attribute is the optional origin_request attribute; description says
// what the options apply to (one rule, or every rule of a tunnel).
func Attribute(description string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:            true,
		MarkdownDescription: description + " Every key is optional; unset keys take cloudflared's defaults.",
		Attributes:          attributes(),
	}
}

func timeout(what, wire string, def int64) schema.Int64Attribute {
	return schema.Int64Attribute{
		Optional:   true,
		Validators: []validator.Int64{validators.Int64("Invalid Origin Timeout", "1 to 86400 seconds", checkTimeout(def))},
		MarkdownDescription: fmt.Sprintf("%s, in whole seconds from 1 to 86400 (cloudflared's default: %d). Wire key `%s`.",
			what, def, wire),
	}
}

func flag(what, wire string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, MarkdownDescription: fmt.Sprintf("%s Default `false`. Wire key `%s`.", what, wire)}
}

func text(what, wire, summary string, check func(string) error) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Validators:          []validator.String{validators.Named(summary, "a valid value", check)},
		MarkdownDescription: fmt.Sprintf("%s Wire key `%s`.", what, wire),
	}
}

func attributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"connect_timeout":    timeout("Time to wait for a new TCP connection to the origin, TLS excluded", "connectTimeout", 30),
		"tls_timeout":        timeout("Time to wait for the TLS handshake with an HTTPS origin", "tlsTimeout", 10),
		"tcp_keep_alive":     timeout("Interval of TCP keep-alive packets on connections to the origin", "tcpKeepAlive", 30),
		"keep_alive_timeout": timeout("Time after which an idle keep-alive connection to the origin is closed", "keepAliveTimeout", 90),
		"keep_alive_connections": schema.Int64Attribute{
			Optional:   true,
			Validators: []validator.Int64{validators.Int64("Invalid Keep-Alive Connections", "1 to 2147483647", checkKeepAliveConnections)},
			MarkdownDescription: "Most idle keep-alive connections kept open to the origin; it does not limit the connections in use " +
				"(cloudflared's default: 100). Wire key `keepAliveConnections`.",
		},
		"no_happy_eyeballs": flag("Disable the Happy Eyeballs fallback between IPv4 and IPv6 when dialling the origin.", "noHappyEyeballs"),
		"http_host_header": text("Host header sent to the origin instead of the public hostname.", "httpHostHeader",
			"Invalid HTTP Host Header", checkHostHeader),
		"origin_server_name": text("Hostname expected in the origin's TLS certificate (default: the service URL's host).", "originServerName",
			"Invalid Origin Server Name", checkServerName),
		"match_sni_to_host": flag("Send the request's Host (or `http_host_header`) as the TLS server name, overriding `origin_server_name`.",
			"matchSNItoHost"),
		"ca_pool": text("Path, on the host that runs cloudflared, of a PEM file of CA certificates that sign the origin's certificate.",
			"caPool", "Invalid CA Pool", checkCAPool),
		"no_tls_verify": flag("Accept any certificate from the origin. The connection from cloudflared to Cloudflare is still verified.",
			"noTLSVerify"),
		"disable_chunked_encoding": flag("Disable chunked transfer encoding towards the origin (for WSGI servers, for example).",
			"disableChunkedEncoding"),
		"http2_origin": flag("Talk HTTP/2 to the origin; the service must be https://.", "http2Origin"),
		"bastion_mode": flag("Run the rule as a jump host: the client chooses the destination.", "bastionMode"),
		"proxy_address": text("Listen address of the local proxy cloudflared starts for the rule (cloudflared's default: 127.0.0.1).",
			"proxyAddress", "Invalid Proxy Address", checkProxyAddress),
		"proxy_port": schema.Int64Attribute{
			Optional:   true,
			Validators: []validator.Int64{validators.Int64("Invalid Proxy Port", "a port from 1 to 65535", checkProxyPort)},
			MarkdownDescription: "Listen port of the local proxy, 1 to 65535; unset, cloudflared picks a free port. " +
				"Wire key `proxyPort`.",
		},
		"proxy_type": text("Kind of local proxy: `\"\"` for the regular one, `\"socks\"` for a SOCKS5 proxy.", "proxyType",
			"Invalid Proxy Type", checkProxyType),
		"ip_rules": schema.ListNestedAttribute{
			Optional: true,
			MarkdownDescription: "Destinations the local proxy may reach, checked in order; the first rule whose prefix and ports " +
				"match decides. Wire key `ipRules`.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"prefix": schema.StringAttribute{
					Required:            true,
					Validators:          []validator.String{validators.Named("Invalid IP Rule Prefix", "a CIDR prefix", checkPrefix)},
					MarkdownDescription: "CIDR prefix of the destinations, such as `10.0.0.0/8` or `fd00::/8`.",
				},
				"ports": schema.ListAttribute{
					Optional: true, ElementType: types.Int64Type,
					Validators: []validator.List{listvalidator.ValueInt64sAre(
						validators.Int64("Invalid IP Rule Port", "a port from 1 to 65535", checkRulePort))},
					MarkdownDescription: "Destination ports, each 1 to 65535; unset, every port.",
				},
				"allow": schema.BoolAttribute{
					Required:            true,
					MarkdownDescription: "Whether matching destinations are allowed (`true`) or denied (`false`).",
				},
			}},
		},
	}
}
