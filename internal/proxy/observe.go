package proxy

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/origin"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

// observation says which of the three objects exist and which drifted.
type observation struct {
	dns, rule, app bool
	repairs        repairs
}

func (o observation) any() bool { return o.dns || o.rule || o.app }

// observe reads the live objects of a proxy into a model. A prior model
// without a service is an import: the objects are then looked up by
// hostname (or by DNS record id) instead of by the ids in state.
func (r *proxyResource) observe(ctx context.Context, cf *cloudflare.Client, prior proxyModel) (proxyModel, observation, diag.Diagnostics) {
	var diags diag.Diagnostics
	var seen observation
	m := prior
	importing := prior.Service.IsNull() && prior.Access.IsNull()
	hostname := prior.Hostname.ValueString()
	warn := func(object, what string) {
		diags.AddWarning(fmt.Sprintf("Proxy %s: %s Missing", hostname, object),
			fmt.Sprintf("The %s was deleted outside Terraform. The next apply creates it again.", what))
	}
	fail := func(object string, err error) {
		diags.Append(diagnostics.APIFailure("Reading", "Proxy", hostname, fmt.Errorf("%s: %w", object, err)))
	}

	// DNS record.
	zoneID := prior.ZoneID.ValueString()
	recordID := prior.DNSRecordID.ValueString()
	if zoneID == "" {
		if hostname == "" {
			fail("zone", fmt.Errorf("neither a hostname nor a zone is known"))
			return m, seen, diags
		}
		id, err := r.Data.ZoneFor(ctx, cf, hostname)
		if err != nil {
			fail("zone", err)
			return m, seen, diags
		}
		zoneID = id
	}
	m.ZoneID = types.StringValue(zoneID)
	var record *cloudflare.DNSRecord
	if recordID != "" {
		rec, err := cf.CachedDNSRecord(ctx, zoneID, recordID)
		switch {
		case cloudflare.IsNotFound(err):
		case err != nil:
			fail("DNS record", err)
			return m, seen, diags
		default:
			record = &rec
		}
	} else if hostname != "" {
		recs, err := cf.CachedDNSRecords(ctx, zoneID, cloudflare.DNSFilter{Name: hostname, Type: "CNAME"})
		if err != nil {
			fail("DNS record", err)
			return m, seen, diags
		}
		for i := range recs {
			if tunnelOf(recs[i].Content) != "" {
				record = &recs[i]
				break
			}
		}
	}
	if record != nil {
		seen.dns = true
		if hostname == "" {
			hostname = record.Name
		}
		if m.TunnelID.IsNull() || m.TunnelID.ValueString() == "" {
			if t := tunnelOf(record.Content); t != "" {
				m.TunnelID = types.StringValue(t)
			}
		}
		m.DNSRecordID = types.StringValue(record.ID)
		if !strings.EqualFold(record.Name, hostname) || !strings.EqualFold(record.Content, tunnelTarget(m.TunnelID.ValueString())) || !record.Proxied {
			seen.repairs.DNS = true
		}
	} else {
		m.DNSRecordID = types.StringNull()
		if !importing {
			warn("DNS Record", "proxied CNAME record")
		}
	}
	if hostname == "" {
		fail("DNS record", fmt.Errorf("record %s does not exist in zone %s", recordID, zoneID))
		return m, seen, diags
	}
	m.Hostname = types.StringValue(hostname)
	m.ID = m.Hostname
	if m.Name.IsNull() || m.Name.ValueString() == "" {
		m.Name = tfvalue.StringOrNull(r.Data.NameFor(hostname))
	}
	if m.TunnelID.IsNull() || m.TunnelID.ValueString() == "" {
		m.TunnelID = tfvalue.StringOrNull(r.Data.Cloudflare.TunnelID)
	}

	// Ingress rule.
	if tunnelID := m.TunnelID.ValueString(); tunnelID != "" {
		cfg, err := cf.CachedTunnelConfig(ctx, tunnelID)
		if err != nil && !cloudflare.IsNotFound(err) {
			fail("tunnel configuration", err)
			return m, seen, diags
		}
		doc, err := cfg.Ingress()
		if err != nil {
			fail("tunnel configuration", err)
			return m, seen, diags
		}
		rule, ok := findRule(doc, hostname, prior.Path.ValueString(), importing || prior.Service.IsNull())
		if ok {
			seen.rule = true
			m.Service = types.StringValue(rule.Service)
			m.Path = tfvalue.StringOrNull(rule.Path)
			m.OriginRequest = origin.FromWire(rule.OriginRequest, !prior.OriginRequest.IsNull())
		} else {
			m.Service = types.StringNull()
			if !importing {
				warn("Ingress Rule", "ingress rule in the tunnel configuration")
			}
		}
	}
	m.Port = portOf(m.Service)

	// Access application and policy.
	prev, d := accessFrom(ctx, prior.Access)
	diags.Append(d...)
	appID, policyID := prior.AccessApplicationID.ValueString(), prior.AccessPolicyID.ValueString()
	if importing {
		// Without an application the proxy is imported as published without
		// Access, with the defaults a plan of `access = { enabled = false }`
		// shows.
		prev = accessSettings{Enabled: false, Emails: append([]string(nil), r.Data.AllowedEmails...), SessionDuration: DefaultSessionDuration}
		sort.Strings(prev.Emails)
		apps, err := cf.CachedAccessApps(ctx)
		if err != nil {
			fail("Access applications", err)
			return m, seen, diags
		}
		for _, app := range apps {
			if strings.EqualFold(app.Domain, hostname) {
				appID = app.ID
				if len(app.PolicyIDs) > 0 {
					policyID = app.PolicyIDs[0]
				}
				prev = accessSettings{Enabled: true, SessionDuration: app.SessionDuration}
				break
			}
		}
	}
	live := accessSettings{Enabled: prev.Enabled, Emails: prev.Emails, SessionDuration: prev.SessionDuration}
	m.AccessApplicationID, m.AccessPolicyID = types.StringNull(), types.StringNull()
	if prev.Enabled {
		if appID != "" {
			app, err := cf.CachedAccessApp(ctx, appID)
			switch {
			case cloudflare.IsNotFound(err):
				warn("Access Application", "Access application")
			case err != nil:
				fail("Access application", err)
				return m, seen, diags
			default:
				seen.app = true
				m.AccessApplicationID = types.StringValue(app.ID)
				live.SessionDuration = app.SessionDuration
				if !strings.EqualFold(app.Domain, hostname) || len(app.PolicyIDs) != 1 || app.PolicyIDs[0] != policyID {
					seen.repairs.Access = true
				}
			}
		}
		if policyID != "" {
			policy, err := cf.CachedAccessPolicy(ctx, policyID)
			switch {
			case cloudflare.IsNotFound(err):
				warn("Access Policy", "Access allow policy")
			case err != nil:
				fail("Access policy", err)
				return m, seen, diags
			default:
				m.AccessPolicyID = types.StringValue(policy.ID)
				live.Emails = policy.Emails
				if importing && live.SessionDuration == "" {
					live.SessionDuration = policy.SessionDuration
				}
			}
		}
		if live.SessionDuration == "" {
			live.SessionDuration = DefaultSessionDuration
		}
	}
	m.Access = live.object()
	return m, seen, diags
}

// findRule finds the proxy's rule; on import, when the path is unknown, it
// prefers the hostname's rule without a path.
func findRule(doc *ingress.Document, hostname, path string, anyPath bool) (ingress.Rule, bool) {
	if rule, ok := doc.Find(hostname, path); ok || !anyPath {
		return rule, ok
	}
	for _, rule := range doc.Rules {
		if strings.EqualFold(rule.Hostname, hostname) {
			return rule, true
		}
	}
	return ingress.Rule{}, false
}
