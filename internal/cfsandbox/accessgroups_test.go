package cfsandbox

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAccessGroups(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/access/groups")
	var g struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Include []any  `json:"include"`
		Exclude []any  `json:"exclude"`
	}
	h.ok(http.MethodPost, base, map[string]any{"name": "admins", "include": []any{map[string]any{"email_domain": map[string]any{"domain": "example.com"}}}}, &g)
	if !uuidRE.MatchString(g.ID) || g.Name != "admins" || len(g.Include) != 1 || g.Exclude == nil {
		t.Fatalf("group %+v", g)
	}
	// A group may include another.
	h.ok(http.MethodPost, base, map[string]any{"name": "nested", "include": []any{map[string]any{"group": map[string]any{"id": g.ID}}}}, nil)
	var list []struct{ ID, Name string }
	h.ok(http.MethodGet, base+"?name=admins", nil, &list)
	if len(list) != 1 || list[0].ID != g.ID {
		t.Errorf("list by name %+v", list)
	}
	h.ok(http.MethodGet, base, nil, &list)
	if len(list) != 2 {
		t.Errorf("list %+v", list)
	}
	h.ok(http.MethodPut, base+"/"+g.ID, map[string]any{"name": "admins2", "include": []any{map[string]any{"everyone": map[string]any{}}}}, &g)
	if g.Name != "admins2" {
		t.Errorf("PUT %+v", g)
	}
	h.fail(http.MethodPost, base, map[string]any{"name": "x"}, 400, codeAccessInvalid)
	h.fail(http.MethodPost, base, map[string]any{"include": []any{map[string]any{"everyone": map[string]any{}}}}, 400, codeAccessInvalid)
	var del struct{ ID string }
	h.ok(http.MethodDelete, base+"/"+g.ID, nil, &del)
	if del.ID != g.ID {
		t.Errorf("DELETE %+v", del)
	}
	h.fail(http.MethodGet, base+"/"+g.ID, nil, 404, codeAccessNotFound)
}

func TestIdentityProviders(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/access/identity_providers")
	var p struct {
		ID, Name, Type string
		Config         map[string]any `json:"config"`
	}
	h.ok(http.MethodPost, base, map[string]any{"name": "GitHub", "type": "github", "config": map[string]any{"client_id": "abc"}}, &p)
	if !uuidRE.MatchString(p.ID) || p.Name != "GitHub" || p.Type != "github" || p.Config["client_id"] != "abc" {
		t.Fatalf("idp %+v", p)
	}
	var list []struct{ ID, Name string }
	r := h.ok(http.MethodGet, base, nil, &list)
	if len(list) != 1 || list[0].ID != p.ID || r.env.ResultInfo == nil {
		t.Errorf("list %+v", list)
	}
	h.ok(http.MethodGet, base+"/"+p.ID, nil, nil)
	for _, body := range []map[string]any{
		{"type": "github", "config": map[string]any{}},
		{"name": "x", "type": "myspace", "config": map[string]any{}},
		{"name": "x", "type": "oidc"},
	} {
		h.fail(http.MethodPost, base, body, 400, codeAccessInvalid)
	}
	h.ok(http.MethodDelete, base+"/"+p.ID, nil, nil)
	h.fail(http.MethodGet, base+"/"+p.ID, nil, 404, codeAccessNotFound)
}

func TestOrganization(t *testing.T) {
	for _, team := range []string{"", "myteam"} {
		s := New(Options{TeamName: team})
		h := &harness{t: t, s: s}
		ts := httptest.NewServer(s)
		t.Cleanup(ts.Close)
		h.base = ts.URL + APIPrefix
		var org struct {
			Name       string `json:"name"`
			AuthDomain string `json:"auth_domain"`
		}
		h.ok(http.MethodGet, h.accountPath("/access/organizations"), nil, &org)
		want := team
		if want == "" {
			want = DefaultTeamName
		}
		if org.AuthDomain != want+".cloudflareaccess.com" || s.TeamName() != want {
			t.Errorf("team %q: organization %+v", team, org)
		}
	}
}

func TestAccessRules(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/access/policies")
	group := h.s.AddGroup("g", "a@example.com")
	var tok struct{ ID string }
	h.ok(http.MethodPost, h.accountPath("/access/service_tokens"), map[string]any{"name": "t"}, &tok)
	rule := func(kind string, body map[string]any) map[string]any { return map[string]any{kind: body} }
	for _, tc := range []struct {
		name     string
		decision string
		include  []any
		require  []any
		ok       bool
	}{
		{"email", "allow", []any{rule("email", map[string]any{"email": "me@example.com"})}, nil, true},
		{"email without at", "allow", []any{rule("email", map[string]any{"email": "me"})}, nil, false},
		{"email domain", "allow", []any{rule("email_domain", map[string]any{"domain": "example.com"})}, nil, true},
		{"email domain with at", "allow", []any{rule("email_domain", map[string]any{"domain": "@example.com"})}, nil, false},
		{"group", "allow", []any{rule("group", map[string]any{"id": group})}, nil, true},
		{"unknown group", "allow", []any{rule("group", map[string]any{"id": "f70ff985-a4ef-4643-bbbc-4a0ed4fc8415"})}, nil, false},
		{"ip require", "allow", []any{rule("everyone", map[string]any{})}, []any{rule("ip", map[string]any{"ip": "192.0.2.0/24"})}, true},
		{"bad ip", "allow", []any{rule("ip", map[string]any{"ip": "192.0.2.0/33"})}, nil, false},
		{"country require", "allow", []any{rule("everyone", map[string]any{})}, []any{rule("geo", map[string]any{"country_code": "CH"})}, true},
		{"bad country", "allow", nil, []any{rule("geo", map[string]any{"country_code": "Switzerland"})}, false},
		{"service token", "non_identity", []any{rule("service_token", map[string]any{"token_id": tok.ID})}, nil, true},
		{"unknown service token", "non_identity", []any{rule("service_token", map[string]any{"token_id": "f70ff985-a4ef-4643-bbbc-4a0ed4fc8415"})}, nil, false},
		{"any valid service token", "non_identity", []any{rule("any_valid_service_token", map[string]any{})}, nil, true},
		{"identity in non_identity", "non_identity", []any{rule("email", map[string]any{"email": "me@example.com"})}, nil, false},
		{"bypass everyone", "bypass", []any{rule("everyone", map[string]any{})}, nil, true},
		{"everyone with members", "allow", []any{rule("everyone", map[string]any{"x": 1})}, nil, false},
		{"unknown selector", "allow", []any{rule("horoscope", map[string]any{})}, nil, false},
		{"two selectors", "allow", []any{map[string]any{"everyone": map[string]any{}, "email": map[string]any{"email": "a@b.c"}}}, nil, false},
		{"unchecked kind kept", "allow", []any{rule("github-organization", map[string]any{"name": "homelab", "identity_provider_id": "x"})}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			include := tc.include
			if include == nil {
				include = []any{rule("everyone", map[string]any{})}
			}
			body := map[string]any{"name": tc.name, "decision": tc.decision, "include": include, "require": tc.require}
			if tc.ok {
				h.ok(http.MethodPost, base, body, nil)
			} else {
				h.fail(http.MethodPost, base, body, 400, codeAccessInvalid)
			}
		})
	}
}

func TestAccessAppsPathsAndIdPs(t *testing.T) {
	h := newHarness(t)
	apps := h.accountPath("/access/apps")
	var app wireApp
	h.ok(http.MethodPost, apps, map[string]any{"type": "self_hosted", "name": "webhook", "domain": "ha.example.com/api/webhook/"}, &app)
	if app.Domain != "ha.example.com/api/webhook/" {
		t.Errorf("domain %q", app.Domain)
	}
	h.fail(http.MethodPost, apps, map[string]any{"name": "bad", "domain": "not a host/x"}, 400, codeAccessInvalid)
	h.fail(http.MethodPost, apps, map[string]any{"name": "bad", "domain": "ha.example.com/x?y=1"}, 400, codeAccessInvalid)

	gh := h.s.AddIdentityProvider("GitHub", "github")
	// One IdP in the account: auto redirect needs no list.
	h.ok(http.MethodPost, apps, map[string]any{"name": "one", "domain": "one.example.com", "auto_redirect_to_identity": true}, nil)
	otp := h.s.AddIdentityProvider("PIN", "onetimepin")
	h.fail(http.MethodPost, apps, map[string]any{"name": "two", "domain": "two.example.com", "auto_redirect_to_identity": true}, 400, codeAccessInvalid)
	h.fail(http.MethodPost, apps, map[string]any{"name": "two", "domain": "two.example.com", "allowed_idps": []string{gh, otp}, "auto_redirect_to_identity": true}, 400, codeAccessInvalid)
	var one struct {
		AllowedIdPs []string `json:"allowed_idps"`
		Redirect    bool     `json:"auto_redirect_to_identity"`
	}
	h.ok(http.MethodPost, apps, map[string]any{"name": "gh", "domain": "gh.example.com", "allowed_idps": []string{gh}, "auto_redirect_to_identity": true}, &one)
	if len(one.AllowedIdPs) != 1 || one.AllowedIdPs[0] != gh || !one.Redirect {
		t.Errorf("app %+v", one)
	}
	h.fail(http.MethodPost, apps, map[string]any{"name": "x", "domain": "x.example.com", "allowed_idps": []string{"f70ff985-a4ef-4643-bbbc-4a0ed4fc8415"}}, 400, codeAccessInvalid)
	h.fail(http.MethodPut, apps+"/"+app.ID, map[string]any{"name": "x", "domain": "x.example.com", "allowed_idps": []string{"f70ff985-a4ef-4643-bbbc-4a0ed4fc8415"}}, 400, codeAccessInvalid)
}
