package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

// recordComment marks the DNS records this provider owns in the dashboard.
const recordComment = "Managed by terraform-provider-homelab (homelab_proxy)"

const tunnelDomain = ".cfargotunnel.com"

func tunnelTarget(tunnelID string) string { return tunnelID + tunnelDomain }

// tunnelOf returns the tunnel a CNAME points at, or "".
func tunnelOf(content string) string {
	id, ok := strings.CutSuffix(strings.ToLower(content), tunnelDomain)
	if !ok {
		return ""
	}
	return id
}

// policyName is how a proxy finds its own policy after an interrupted apply.
func policyName(hostname string) string { return "homelab_proxy " + hostname }

// recordConflictError is a DNS record at the hostname that the proxy does
// not own.
type recordConflictError struct {
	Hostname, Type, Content string
}

func (e *recordConflictError) Error() string {
	return fmt.Sprintf("%s already has a %s record (%s) that this proxy does not own. Delete that record, or import it "+
		"into this proxy with `terraform import` / `tofu import` and the hostname as the id, so that the proxy takes it over.",
		e.Hostname, e.Type, e.Content)
}

// ensureDNS makes the hostname a proxied CNAME to the tunnel: it updates
// the record it owns, adopts a record that already points at the tunnel
// (left by an interrupted apply), or creates one.
func ensureDNS(ctx context.Context, cf *cloudflare.Client, zoneID, recordID, hostname, tunnelID string) (string, error) {
	want := cloudflare.CNAME{Name: hostname, Target: tunnelTarget(tunnelID), Comment: recordComment}
	if recordID != "" {
		rec, err := cf.UpdateCNAME(ctx, zoneID, recordID, want)
		if err == nil {
			return rec.ID, nil
		}
		if !cloudflare.IsNotFound(err) {
			return "", err
		}
	}
	existing, err := cf.CachedDNSRecords(ctx, zoneID, cloudflare.DNSFilter{Name: hostname})
	if err != nil {
		return "", err
	}
	for _, rec := range existing {
		if rec.Type == "CNAME" && strings.EqualFold(rec.Content, want.Target) {
			if rec.Proxied && rec.Comment == recordComment {
				return rec.ID, nil
			}
			updated, err := cf.UpdateCNAME(ctx, zoneID, rec.ID, want)
			return updated.ID, err
		}
	}
	for _, rec := range existing {
		if rec.Type == "CNAME" || rec.Type == "A" || rec.Type == "AAAA" {
			return "", &recordConflictError{Hostname: hostname, Type: rec.Type, Content: rec.Content}
		}
	}
	rec, err := cf.CreateCNAME(ctx, zoneID, want)
	return rec.ID, err
}

// ensureRule writes the proxy's ingress rule into the tunnel's shared
// document, dropping its rule under a previous path.
func ensureRule(ctx context.Context, cf *cloudflare.Client, tunnelID string, rule ingress.Rule, previousPath *string) error {
	_, err := cf.UpdateTunnelConfig(ctx, tunnelID, func(doc json.RawMessage) (json.RawMessage, bool, error) {
		d, err := ingress.Parse(doc)
		if err != nil {
			return nil, false, err
		}
		changed := false
		if previousPath != nil && *previousPath != rule.Path {
			changed = d.Remove(rule.Hostname, *previousPath)
		}
		if d.Upsert(rule) {
			changed = true
		}
		if !changed {
			return nil, false, nil
		}
		out, err := d.Marshal()
		return out, true, err
	})
	return err
}

// removeRule deletes the proxy's rule; a tunnel that is gone has no rule.
func removeRule(ctx context.Context, cf *cloudflare.Client, tunnelID, hostname, path string) error {
	_, err := cf.UpdateTunnelConfig(ctx, tunnelID, func(doc json.RawMessage) (json.RawMessage, bool, error) {
		d, err := ingress.Parse(doc)
		if err != nil || !d.Remove(hostname, path) {
			return nil, false, err
		}
		out, err := d.Marshal()
		return out, true, err
	})
	if cloudflare.IsNotFound(err) {
		return nil
	}
	return err
}

// ensureAccess creates or updates the proxy's reusable allow policy and its
// self-hosted application, adopting ones an interrupted apply left behind.
func ensureAccess(ctx context.Context, cf *cloudflare.Client, hostname, appID, policyID string, a accessSettings) (string, string, error) {
	policy := cloudflare.AccessPolicy{ID: policyID, Name: policyName(hostname), Emails: a.Emails, SessionDuration: a.SessionDuration}
	policyID, err := upsert(policy.ID,
		func(id string) (string, error) {
			policy.ID = id
			p, err := cf.UpdateAccessPolicy(ctx, policy)
			return p.ID, err
		},
		func() (string, error) {
			policies, err := cf.CachedAccessPolicies(ctx)
			for _, p := range policies {
				if p.Name == policy.Name {
					return p.ID, err
				}
			}
			return "", err
		},
		func() (string, error) {
			p, err := cf.CreateAccessPolicy(ctx, policy)
			return p.ID, err
		})
	if err != nil {
		return "", "", err
	}
	app := cloudflare.AccessApp{Name: hostname, Domain: hostname, SessionDuration: a.SessionDuration, PolicyIDs: []string{policyID}}
	appID, err = upsert(appID,
		func(id string) (string, error) {
			app.ID = id
			res, err := cf.UpdateAccessApp(ctx, app)
			return res.ID, err
		},
		func() (string, error) {
			apps, err := cf.CachedAccessApps(ctx)
			for _, existing := range apps {
				if strings.EqualFold(existing.Domain, hostname) {
					return existing.ID, err
				}
			}
			return "", err
		},
		func() (string, error) {
			res, err := cf.CreateAccessApp(ctx, app)
			return res.ID, err
		})
	return appID, policyID, err
}

// upsert updates the object with a known id; when there is none, or it is
// gone, it adopts one found by find, and creates one only as a last resort.
func upsert(id string, update func(id string) (string, error), find func() (string, error), create func() (string, error)) (string, error) {
	if id != "" {
		newID, err := update(id)
		if err == nil || !cloudflare.IsNotFound(err) {
			return newID, err
		}
	}
	found, err := find()
	if err != nil {
		return "", err
	}
	if found != "" {
		return update(found)
	}
	return create()
}

// removeAccess deletes the application before the policy it links.
func removeAccess(ctx context.Context, cf *cloudflare.Client, appID, policyID string) error {
	if appID != "" {
		if err := cf.DeleteAccessApp(ctx, appID); err != nil {
			return err
		}
	}
	if policyID != "" {
		return cf.DeleteAccessPolicy(ctx, policyID)
	}
	return nil
}
