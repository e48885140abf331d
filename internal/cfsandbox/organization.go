package cfsandbox

import "time"

// The Zero Trust organization (API reference, "Zero Trust organization"):
// one per account; auth_domain is "<team name>.cloudflareaccess.com", and
// the team name is what cloudflared's originRequest.access.teamName takes
// (cloudflared's ingress docs, "Access": "teamName: the team name of your
// Zero Trust organization").

// DefaultTeamName is the team name of a server made without one.
const DefaultTeamName = "homelab"

const authDomainSuffix = ".cloudflareaccess.com"

type organization struct {
	team    string
	created time.Time
}

func (o organization) object() map[string]any {
	return map[string]any{
		"name":                        o.team,
		"auth_domain":                 o.team + authDomainSuffix,
		"allow_authenticate_via_warp": false,
		"auto_redirect_to_identity":   false,
		"custom_pages":                map[string]any{},
		"deny_unmatched_requests":     false,
		"deny_unmatched_requests_exempted_zone_names": []any{},
		"is_ui_read_only":                    false,
		"login_design":                       map[string]any{},
		"mfa_required_for_all_apps":          false,
		"session_duration":                   "24h",
		"ui_read_only_toggle_reason":         "",
		"user_seat_expiration_inactive_time": "",
		"warp_auth_non_browser_401":          false,
		"warp_auth_session_duration":         "24h",
		"created_at":                         o.created,
		"updated_at":                         o.created,
	}
}

// getOrganization answers GET /accounts/{account_id}/access/organizations
// (cloudflare-go v7's OrganizationService.List, which returns one object).
func (s *Server) getOrganization(*call) (reply, error) {
	return ok(s.org.object())
}
