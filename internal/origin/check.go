package origin

import (
	"fmt"
	"math"
	"net/netip"
	"strings"
	"unicode"

	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

// maxTimeout bounds every timeout: more than a day is not a timeout anyone
// means, and it catches milliseconds written where seconds are expected.
const maxTimeout = 86400

func checkTimeout(def int64) func(int64) error {
	return func(v int64) error {
		switch {
		case v < 1:
			return validators.Problem(fmt.Sprintf("%d is not a timeout: use 1 to %d seconds (cloudflared reads 0 as no limit), "+
				"or leave it unset for cloudflared's default of %d.", v, maxTimeout, def))
		case v > maxTimeout:
			hint := ""
			switch {
			case v/1000 <= maxTimeout:
				hint = fmt.Sprintf("; for %d milliseconds write %d", v, max(1, v/1000))
			case v/1e9 <= maxTimeout:
				hint = fmt.Sprintf("; for %d nanoseconds (a Go duration) write %d", v, max(1, v/1e9))
			}
			return validators.Problem(fmt.Sprintf("%d seconds is more than a day. Timeouts are whole seconds from 1 to %d%s.",
				v, maxTimeout, hint))
		}
		return nil
	}
}

// checkKeepAliveConnections allows what a 32-bit cloudflared (a Raspberry
// Pi's) can read into its int.
func checkKeepAliveConnections(v int64) error {
	if v < 1 || v > math.MaxInt32 {
		return validators.Problem(fmt.Sprintf("%d is not a number of connections: use 1 to %d, or leave it unset for "+
			"cloudflared's default of 100.", v, math.MaxInt32))
	}
	return nil
}

func checkProxyPort(v int64) error {
	if v < 1 || v > 65535 {
		return validators.Problem(fmt.Sprintf("%d is not a port: use 1 to 65535, or leave proxy_port unset and cloudflared "+
			"picks a free port.", v))
	}
	return nil
}

func checkRulePort(v int64) error {
	if v < 1 || v > 65535 {
		return validators.Problem(fmt.Sprintf("%d is not a port: use 1 to 65535, or leave ports unset to match every port.", v))
	}
	return nil
}

func checkProxyType(s string) error {
	if s != "" && s != "socks" {
		return validators.Problem(`the proxy type is "" (the regular proxy) or "socks" (a SOCKS5 proxy)`)
	}
	return nil
}

func checkProxyAddress(s string) error {
	if _, err := netip.ParseAddr(s); err != nil {
		return validators.Problem("the listen address is an IP address without a port, such as 127.0.0.1 or ::1; " +
			"set the port with proxy_port")
	}
	return nil
}

func checkPrefix(s string) error {
	if _, err := netip.ParsePrefix(s); err != nil {
		if _, addrErr := netip.ParseAddr(s); addrErr == nil {
			return validators.Problem(fmt.Sprintf("a prefix needs its length: write %s/%d for this address alone", s,
				netip.MustParseAddr(s).BitLen()))
		}
		return validators.Problem("use a CIDR prefix such as 10.0.0.0/8, 192.168.1.10/32 or fd00::/8")
	}
	return nil
}

func checkHostHeader(s string) error {
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return validators.Problem("a Host header is a non-empty host[:port] without spaces, such as app.internal; " +
			"leave it unset to send the public hostname")
	}
	return nil
}

func checkServerName(s string) error {
	if s == "" || strings.ContainsAny(s, ":/ \t") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return validators.Problem("use the host name in the origin's certificate, without scheme, port or path, such as " +
			"origin.internal; leave it unset to expect the service URL's host")
	}
	return nil
}

func checkCAPool(s string) error {
	if strings.TrimSpace(s) == "" || strings.TrimSpace(s) != s {
		return validators.Problem("use the path of a PEM file on the host that runs cloudflared, such as " +
			"/etc/cloudflared/origin-ca.pem, without surrounding spaces")
	}
	return nil
}
