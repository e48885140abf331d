package proxies

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

// tunnelDomain is the suffix of the CNAME target that routes a hostname to
// a tunnel: "<tunnel id>.cfargotunnel.com".
const tunnelDomain = ".cfargotunnel.com"

// Published is one hostname (and path) a tunnel serves, joined with the
// DNS record that routes it there and the Access application guarding it.
type Published struct {
	Hostname            string
	Path                string
	Service             string
	Port                int // 0 when the origin has no TCP port (unix socket, http_status, ...)
	DNSRecordID         string
	AccessApplicationID string
	Protected           bool
}

// Join lists the rules of a tunnel configuration that publish a hostname,
// in the tunnel's order, with the CNAME pointing at this tunnel and the
// Access application whose domain is the hostname. The catch-all and rules
// without a hostname publish nothing and are left out.
func Join(tunnelID string, rules []ingress.Rule, records []cloudflare.DNSRecord, apps []cloudflare.AccessApp) []Published {
	target := strings.ToLower(tunnelID + tunnelDomain)
	recordByName := map[string]string{}
	for _, r := range records {
		if strings.EqualFold(r.Type, "CNAME") && strings.EqualFold(r.Content, target) {
			recordByName[strings.ToLower(r.Name)] = r.ID
		}
	}
	appByDomain := map[string]string{}
	for _, a := range apps {
		domain := strings.ToLower(strings.TrimSuffix(a.Domain, "/"))
		if _, seen := appByDomain[domain]; !seen {
			appByDomain[domain] = a.ID
		}
	}
	var out []Published
	for _, rule := range rules {
		if rule.Hostname == "" {
			continue
		}
		host := strings.ToLower(rule.Hostname)
		port, err := ingress.ParseService(rule.Service)
		if err != nil {
			port = 0 // a rule written by hand with an origin this provider would refuse
		}
		appID := appByDomain[host]
		out = append(out, Published{
			Hostname:            rule.Hostname,
			Path:                rule.Path,
			Service:             rule.Service,
			Port:                port,
			DNSRecordID:         recordByName[host],
			AccessApplicationID: appID,
			Protected:           appID != "" || coveredByWildcardApp(host, appByDomain),
		})
	}
	return out
}

// coveredByWildcardApp reports an Access application on "*.<parent>" that
// guards the hostname although its domain is not the hostname itself.
func coveredByWildcardApp(host string, appByDomain map[string]string) bool {
	_, parent, ok := strings.Cut(host, ".")
	if !ok {
		return false
	}
	_, covered := appByDomain["*."+parent]
	return covered
}

// AllowedTCPPorts is the sorted, de-duplicated list of origin ports: what a
// host firewall must open for the services the tunnel reaches.
func AllowedTCPPorts(published []Published) []int {
	var ports []int
	for _, p := range published {
		if p.Port > 0 {
			ports = append(ports, p.Port)
		}
	}
	slices.Sort(ports)
	return slices.Compact(ports)
}

// IngressJSON is the tunnel's ingress rules as Cloudflare stores them,
// every rule byte for byte, the catch-all included.
func IngressJSON(rules []ingress.Rule) (string, error) {
	raw := make([]json.RawMessage, len(rules))
	for i, r := range rules {
		raw[i] = r.Raw()
	}
	b, err := json.Marshal(raw)
	return string(b), err
}

// Hostnames returns the distinct hostnames of the published list.
func Hostnames(published []Published) []string {
	var out []string
	for _, p := range published {
		out = append(out, strings.ToLower(p.Hostname))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
