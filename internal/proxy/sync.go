package proxy

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
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

// policyName names the reusable policy every proxy with these settings
// links: the name is derived from the content, so proxies find the shared
// policy by it, also after an interrupted apply. Short allow lists are
// spelled out for the dashboard; long ones are summarised with a digest
// that keeps the name unique.
func policyName(a accessSettings) string {
	emails := slices.Clone(a.Emails)
	slices.Sort(emails)
	emails = slices.Compact(emails)
	spelled := "homelab_proxy allow " + strings.Join(emails, ", ") + " for " + a.SessionDuration
	if len(spelled) <= maxSpelledPolicyName {
		return spelled
	}
	sum := sha256.Sum256([]byte(strings.Join(emails, "\n") + "\n" + a.SessionDuration))
	return fmt.Sprintf("homelab_proxy allow %s and %d more for %s (%x)", emails[0], len(emails)-1, a.SessionDuration, sum[:6])
}

// maxSpelledPolicyName keeps names readable in the dashboard's policy list.
const maxSpelledPolicyName = 120

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

// ensureAccess links the proxy's self-hosted application to the shared
// allow policy for its settings, adopting an application an interrupted
// apply left behind, and deletes the proxy's previous policy once nothing
// links it.
func ensureAccess(ctx context.Context, cf *cloudflare.Client, hostname, appID, previousPolicyID string, a accessSettings) (string, string, error) {
	want := cloudflare.AccessPolicy{Name: policyName(a), Emails: a.Emails, SessionDuration: a.SessionDuration}
	policyID, release, err := cf.AcquireAccessPolicy(ctx, want, previousPolicyID, appID)
	if err != nil {
		return appID, previousPolicyID, err
	}
	defer release()
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
	if err != nil {
		return appID, policyID, err
	}
	release()
	if previousPolicyID != policyID {
		if err := cf.DeleteAccessPolicyIfUnused(ctx, previousPolicyID); err != nil {
			return appID, policyID, fmt.Errorf("previous policy %s: %w", previousPolicyID, err)
		}
	}
	return appID, policyID, nil
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

// removeAccess deletes the application, then its policy when no other
// proxy's application links it.
func removeAccess(ctx context.Context, cf *cloudflare.Client, appID, policyID string) error {
	if appID != "" {
		if err := cf.DeleteAccessApp(ctx, appID); err != nil {
			return err
		}
	}
	return cf.DeleteAccessPolicyIfUnused(ctx, policyID)
}
