package cfsandbox

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"
)

func TestNewDefaultsAndOptions(t *testing.T) {
	s := New(Options{})
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{40}$`).MatchString(s.Token()) {
		t.Errorf("token %q is not 40 token characters", s.Token())
	}
	if !isHexID(s.AccountID()) {
		t.Errorf("account id %q is not 32 lowercase hex", s.AccountID())
	}
	if New(Options{}).Token() == s.Token() {
		t.Error("two servers share a random token")
	}
	s = New(Options{Token: "tok", AccountID: "0123456789abcdef0123456789abcdef"})
	if s.Token() != "tok" || s.AccountID() != "0123456789abcdef0123456789abcdef" {
		t.Errorf("options ignored: %q %q", s.Token(), s.AccountID())
	}
}

func TestAuth(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name   string
		header string
	}{
		{"missing", ""},
		{"wrong token", "Bearer nope"},
		{"not bearer", "Basic " + h.s.Token()},
		{"raw token", h.s.Token()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			req, _ := http.NewRequest(http.MethodGet, h.base+"/zones", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = res.Body.Close() }()
			var env wireEnvelope
			if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != http.StatusForbidden || len(env.Errors) != 1 ||
				env.Errors[0].Code != 10000 || env.Errors[0].Message != "Authentication error" {
				t.Fatalf("got %d %+v", res.StatusCode, env.Errors)
			}
		})
	}
}

func TestVerifyToken(t *testing.T) {
	h := newHarness(t)
	var res struct{ ID, Status string }
	r := h.ok(http.MethodGet, "/user/tokens/verify", nil, &res)
	if res.Status != "active" || !isHexID(res.ID) {
		t.Errorf("result %+v", res)
	}
	if len(r.env.Messages) != 1 || r.env.Messages[0].Code != 10000 {
		t.Errorf("messages %+v", r.env.Messages)
	}
	if r.env.ResultInfo != nil {
		t.Error("single result with result_info")
	}
}

func TestRouting(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		method, path string
		status, code int
	}{
		{http.MethodGet, "/nothing/here", 404, 7000},
		{http.MethodGet, "/zones/" + h.zone.ID + "/dns_records/a/b", 404, 7000},
		{http.MethodDelete, "/zones", 405, 10405},
		{http.MethodPost, h.zonePath(""), 405, 10405},
		{http.MethodGet, "/zones/0123456789abcdef0123456789abcdef", 404, 7003},
		{http.MethodGet, "/zones/0123456789abcdef0123456789abcdef/dns_records", 404, 7003},
		{http.MethodGet, "/accounts/0123456789abcdef0123456789abcdef/cfd_tunnel", 404, 7003},
		{http.MethodGet, "/accounts/0123456789abcdef0123456789abcdef/access/apps", 404, 7003},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			h := h.in(t)
			h.fail(tc.method, tc.path, nil, tc.status, tc.code)
		})
	}
	if r := h.do(http.MethodDelete, "/zones", nil); r.header.Get("Allow") != "GET" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
}

func TestZones(t *testing.T) {
	h := newHarness(t)
	other := h.s.AddZone("Other.ORG.")
	if other.Name != "other.org" || !isHexID(other.ID) {
		t.Fatalf("AddZone normalised to %+v", other)
	}
	if again := h.s.AddZone("other.org"); again != other {
		t.Fatalf("AddZone of an existing name made %+v", again)
	}
	type wireZone struct {
		ID, Name, Status string
		Account          struct{ ID string }
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"example.com", "other.org"}},
		{"name=example.com", []string{"example.com"}},
		{"name=EXAMPLE.com", []string{"example.com"}},
		{"name=contains:othe", []string{"other.org"}},
		{"name=ends_with:.com", []string{"example.com"}},
		{"name=nope.com", nil},
		{"account.id=" + h.s.AccountID(), []string{"example.com", "other.org"}},
		{"account.id=0123456789abcdef0123456789abcdef", nil},
		{"status=active", []string{"example.com", "other.org"}},
		{"status=pending", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h := h.in(t)
			var zones []wireZone
			r := h.ok(http.MethodGet, "/zones?"+tc.query, nil, &zones)
			var names []string
			for _, z := range zones {
				names = append(names, z.Name)
				if z.Status != "active" || z.Account.ID != h.s.AccountID() {
					t.Errorf("zone %+v", z)
				}
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("names %v, want %v", names, tc.want)
			}
			if ri := r.env.ResultInfo; ri == nil || ri.PerPage != 20 || ri.TotalCount != len(tc.want) {
				t.Errorf("result_info %+v", r.env.ResultInfo)
			}
		})
	}
	var z wireZone
	h.ok(http.MethodGet, "/zones/"+other.ID, nil, &z)
	if z.ID != other.ID || z.Name != "other.org" {
		t.Errorf("GET zone: %+v", z)
	}
	// per_page is clamped to the zones range 5..50.
	for q, want := range map[string]int{"per_page=1": 5, "per_page=500": 50, "per_page=7": 7} {
		if r := h.ok(http.MethodGet, "/zones?"+q, nil, nil); r.env.ResultInfo.PerPage != want {
			t.Errorf("%s: per_page %d, want %d", q, r.env.ResultInfo.PerPage, want)
		}
	}
}
