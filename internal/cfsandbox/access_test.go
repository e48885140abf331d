package cfsandbox

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
)

type wirePolicy struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Decision   string            `json:"decision"`
	Include    []json.RawMessage `json:"include"`
	Exclude    []json.RawMessage `json:"exclude"`
	Require    []json.RawMessage `json:"require"`
	Reusable   bool              `json:"reusable"`
	AppCount   *int              `json:"app_count"`
	Precedence int               `json:"precedence"`
	CreatedAt  string            `json:"created_at"`
	UpdatedAt  string            `json:"updated_at"`
}

type wireApp struct {
	ID        string       `json:"id"`
	AUD       string       `json:"aud"`
	Name      string       `json:"name"`
	Type      string       `json:"type"`
	Domain    string       `json:"domain"`
	Policies  []wirePolicy `json:"policies"`
	CreatedAt string       `json:"created_at"`
	UpdatedAt string       `json:"updated_at"`
}

func (h *harness) createPolicy(name string) wirePolicy {
	h.t.Helper()
	var p wirePolicy
	h.ok(http.MethodPost, h.accountPath("/access/policies"), map[string]any{
		"name": name, "decision": "allow",
		"include": []any{map[string]any{"email": map[string]any{"email": "me@example.com"}}},
	}, &p)
	return p
}

func (h *harness) getPolicy(id string) wirePolicy {
	h.t.Helper()
	var p wirePolicy
	h.ok(http.MethodGet, h.accountPath("/access/policies/"+id), nil, &p)
	return p
}

func TestAccessPolicies(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/access/policies")
	group := h.s.AddGroup("admins", "me@example.com")
	var tok struct{ ID string }
	h.ok(http.MethodPost, h.accountPath("/access/service_tokens"), map[string]any{"name": "ci"}, &tok)
	include := `[{"email":{"email":"me@example.com"}},{"email_domain":{"domain":"example.com"}},{"group":{"id":"` + group + `"}},{"ip":{"ip":"1.2.3.4/32"}},{"geo":{"country_code":"CH"}},{"service_token":{"token_id":"` + tok.ID + `"}},{"any_valid_service_token":{}},{"everyone":{}}]`
	var p wirePolicy
	h.ok(http.MethodPost, base, `{"name":"Allow me","decision":"allow","include":`+include+`,"require":[{"email":{"email":"x@y.z"}}]}`, &p)
	if !uuidRE.MatchString(p.ID) || !p.Reusable || p.AppCount == nil || *p.AppCount != 0 || p.CreatedAt == "" {
		t.Fatalf("policy %+v", p)
	}
	if got, _ := json.Marshal(p.Include); string(got) != include {
		t.Errorf("include not verbatim:\n got %s\nwant %s", got, include)
	}
	if p.Exclude == nil || len(p.Require) != 1 {
		t.Errorf("exclude/require: %+v", p)
	}
	for _, body := range []any{
		map[string]any{"decision": "allow", "include": []any{map[string]any{"everyone": map[string]any{}}}},
		map[string]any{"name": "x", "decision": "maybe", "include": []any{map[string]any{"everyone": map[string]any{}}}},
		map[string]any{"name": "x", "decision": "allow"},
		map[string]any{"name": "x", "decision": "allow", "include": []any{}},
	} {
		h.fail(http.MethodPost, base, body, 400, codeAccessInvalid)
	}
	var put wirePolicy
	h.ok(http.MethodPut, base+"/"+p.ID, map[string]any{"name": "Deny all", "decision": "deny", "include": []any{map[string]any{"everyone": map[string]any{}}}}, &put)
	if put.ID != p.ID || put.Name != "Deny all" || put.Decision != "deny" || put.CreatedAt != p.CreatedAt || len(put.Require) != 0 {
		t.Errorf("PUT %+v", put)
	}
	var list []wirePolicy
	r := h.ok(http.MethodGet, base, nil, &list)
	if len(list) != 1 || r.env.ResultInfo == nil || r.env.ResultInfo.TotalCount != 1 {
		t.Errorf("list %+v %+v", list, r.env.ResultInfo)
	}
	h.ok(http.MethodDelete, base+"/"+p.ID, nil, nil)
	h.fail(http.MethodGet, base+"/"+p.ID, nil, 404, codeAccessNotFound)
	h.fail(http.MethodDelete, base+"/"+p.ID, nil, 404, codeAccessNotFound)
}

func TestAccessAppsLinkPolicies(t *testing.T) {
	h := newHarness(t)
	apps := h.accountPath("/access/apps")
	p1, p2 := h.createPolicy("one"), h.createPolicy("two")

	var app wireApp
	h.ok(http.MethodPost, apps, map[string]any{
		"type": "self_hosted", "name": "Grafana", "domain": "grafana.example.com",
		"destinations":     []any{map[string]any{"type": "public", "uri": "grafana.example.com"}},
		"session_duration": "12h",
		"policies": []any{
			map[string]any{"id": p2.ID, "precedence": 2},
			map[string]any{"id": p1.ID, "precedence": 1},
		},
	}, &app)
	if !uuidRE.MatchString(app.ID) || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(app.AUD) || app.CreatedAt == "" {
		t.Fatalf("app %+v", app)
	}
	if len(app.Policies) != 2 || app.Policies[0].ID != p1.ID || app.Policies[0].Precedence != 1 ||
		app.Policies[1].ID != p2.ID || app.Policies[1].Precedence != 2 {
		t.Fatalf("policies must expand in precedence order: %+v", app.Policies)
	}
	// The app's list says nothing of reuse (the SDK's app policy type has
	// no reusable or app_count): the policy itself does.
	if exp := app.Policies[0]; exp.Name != "one" || exp.Decision != "allow" || len(exp.Include) != 1 || exp.Reusable || exp.AppCount != nil {
		t.Errorf("expanded policy %+v", exp)
	}
	if n := h.getPolicy(p1.ID).AppCount; n == nil || *n != 1 {
		t.Errorf("app_count %v, want 1", n)
	}

	// A second app links p1 by bare id and adds an inline, app-scoped policy.
	var app2 wireApp
	h.ok(http.MethodPost, apps, map[string]any{
		"name": "Jellyfin", "destinations": []any{map[string]any{"type": "public", "uri": "jf.example.com"}},
		"policies": []any{p1.ID, map[string]any{"name": "inline", "decision": "bypass", "include": []any{map[string]any{"everyone": map[string]any{}}}}},
	}, &app2)
	if app2.Type != "self_hosted" || app2.Domain != "jf.example.com" {
		t.Errorf("type/domain defaults: %+v", app2)
	}
	if len(app2.Policies) != 2 || app2.Policies[0].ID != p1.ID || app2.Policies[1].Reusable || app2.Policies[1].Precedence != 2 {
		t.Fatalf("app2 policies %+v", app2.Policies)
	}
	if n := h.getPolicy(p1.ID).AppCount; *n != 2 {
		t.Errorf("app_count %d, want 2", *n)
	}
	// The same domain again is accepted (permissive; unconfirmed).
	h.ok(http.MethodPost, apps, map[string]any{"type": "self_hosted", "name": "Dup", "domain": "grafana.example.com"}, nil)

	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"unknown policy", map[string]any{"name": "x", "domain": "x.example.com", "policies": []any{map[string]any{"id": "f70ff985-a4ef-4643-bbbc-4a0ed4fc8415"}}}},
		{"unknown bare policy", map[string]any{"name": "x", "domain": "x.example.com", "policies": []any{"f70ff985-a4ef-4643-bbbc-4a0ed4fc8415"}}},
		{"no domain", map[string]any{"type": "self_hosted", "name": "x"}},
		{"duplicate precedence", map[string]any{"name": "x", "domain": "x.example.com", "policies": []any{
			map[string]any{"id": p1.ID, "precedence": 1}, map[string]any{"id": p2.ID, "precedence": 1}}}},
		{"policy twice", map[string]any{"name": "x", "domain": "x.example.com", "policies": []any{p1.ID, p1.ID}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			h.fail(http.MethodPost, apps, tc.body, 400, codeAccessInvalid)
		})
	}

	// Deleting a linked policy is refused until no app links it.
	h.fail(http.MethodDelete, h.accountPath("/access/policies/"+p2.ID), nil, 400, codeAccessInvalid)

	// PUT replaces the links; without policies it keeps them.
	var put wireApp
	h.ok(http.MethodPut, apps+"/"+app.ID, map[string]any{"type": "self_hosted", "name": "Grafana 2", "domain": "grafana.example.com", "policies": []any{p1.ID}}, &put)
	if put.Name != "Grafana 2" || put.AUD != app.AUD || put.CreatedAt != app.CreatedAt || len(put.Policies) != 1 || put.Policies[0].ID != p1.ID {
		t.Errorf("PUT %+v", put)
	}
	h.ok(http.MethodPut, apps+"/"+app.ID, map[string]any{"type": "self_hosted", "name": "Grafana 3", "domain": "grafana.example.com"}, &put)
	if len(put.Policies) != 1 {
		t.Errorf("PUT without policies dropped them: %+v", put.Policies)
	}
	if n := h.getPolicy(p2.ID).AppCount; *n != 0 {
		t.Errorf("p2 app_count %d after unlinking, want 0", *n)
	}
	h.ok(http.MethodDelete, h.accountPath("/access/policies/"+p2.ID), nil, nil)

	var del struct{ ID string }
	h.ok(http.MethodDelete, apps+"/"+app.ID, nil, &del)
	if del.ID != app.ID {
		t.Errorf("DELETE %+v", del)
	}
	h.fail(http.MethodGet, apps+"/"+app.ID, nil, 404, codeAccessNotFound)
	if n := h.getPolicy(p1.ID).AppCount; *n != 1 {
		t.Errorf("p1 app_count %d after deleting an app, want 1", *n)
	}

	inspected := h.s.AccessApps()
	if len(inspected) != 2 || inspected[0].ID != app2.ID || inspected[0].Domain != "jf.example.com" ||
		len(inspected[0].Policies) != 2 || inspected[0].Policies[0] != p1.ID {
		t.Errorf("AccessApps %+v", inspected)
	}
	if ps := h.s.AccessPolicies(); len(ps) != 1 || ps[0].ID != p1.ID || ps[0].AppCount != 1 || ps[0].Decision != "allow" {
		t.Errorf("AccessPolicies %+v", ps)
	}
}

func TestAccessAppList(t *testing.T) {
	h := newHarness(t)
	apps := h.accountPath("/access/apps")
	for _, d := range []string{"grafana.example.com", "jellyfin.example.com", "grafana.lab.example.com"} {
		h.ok(http.MethodPost, apps, map[string]any{"type": "self_hosted", "name": d, "domain": d}, nil)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", 3},
		{"domain=grafana", 2},
		{"domain=grafana.example.com&exact=true", 1},
		{"name=JELLY", 1},
		{"search=lab", 1},
		{"per_page=2", 2},
		{"per_page=2&page=2", 1},
		{"per_page=2&page=3", 0},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h := h.in(t)
			var list []wireApp
			r := h.ok(http.MethodGet, apps+"?"+tc.query, nil, &list)
			if len(list) != tc.want || list == nil {
				t.Errorf("got %d apps, want %d", len(list), tc.want)
			}
			if r.env.ResultInfo == nil || r.env.ResultInfo.Count != tc.want {
				t.Errorf("result_info %+v", r.env.ResultInfo)
			}
		})
	}
}
