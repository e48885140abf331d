package cfsandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// harness is a server behind httptest with one zone and one tunnel.
type harness struct {
	t      *testing.T
	s      *Server
	base   string // ends in /client/v4
	zone   Zone
	tunnel Tunnel
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	s := New(Options{})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	tun, err := s.AddTunnel("homelab")
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, s: s, base: ts.URL + APIPrefix, zone: s.AddZone("example.com"), tunnel: tun}
}

// wireEnvelope is the envelope as a client decodes it; raw keeps the
// members so tests can check which are present.
type wireEnvelope struct {
	Success    bool            `json:"success"`
	Errors     []apiMessage    `json:"errors"`
	Messages   []apiMessage    `json:"messages"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *resultInfo     `json:"result_info"`
	raw        map[string]json.RawMessage
}

type response struct {
	status int
	header http.Header
	env    wireEnvelope
}

// in returns the harness reporting to t, for use inside subtests.
func (h *harness) in(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

func (h *harness) zonePath(suffix string) string { return "/zones/" + h.zone.ID + suffix }

func (h *harness) accountPath(suffix string) string { return "/accounts/" + h.s.AccountID() + suffix }

// do sends an authenticated request; body is JSON-encoded unless it is a
// string, which is sent as is.
func (h *harness) do(method, path string, body any) response {
	h.t.Helper()
	return h.doToken(h.s.Token(), method, path, body)
}

func (h *harness) doToken(token, method, path string, body any) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.base+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		h.t.Fatalf("%s %s: Content-Type %q, body %s", method, path, ct, data)
	}
	r := response{status: res.StatusCode, header: res.Header}
	if err := json.Unmarshal(data, &r.env); err != nil {
		h.t.Fatalf("%s %s: body is not an envelope: %v: %s", method, path, err, data)
	}
	if err := json.Unmarshal(data, &r.env.raw); err != nil {
		h.t.Fatal(err)
	}
	for _, k := range []string{"success", "errors", "messages", "result"} {
		if _, ok := r.env.raw[k]; !ok {
			h.t.Fatalf("%s %s: envelope lacks %q: %s", method, path, k, data)
		}
	}
	if string(r.env.raw["errors"]) == "null" || string(r.env.raw["messages"]) == "null" {
		h.t.Fatalf("%s %s: errors and messages must be lists: %s", method, path, data)
	}
	return r
}

// ok sends a request that must succeed and decodes its result into out.
func (h *harness) ok(method, path string, body, out any) response {
	h.t.Helper()
	r := h.do(method, path, body)
	if r.status != http.StatusOK || !r.env.Success || len(r.env.Errors) != 0 {
		h.t.Fatalf("%s %s: status %d, errors %+v", method, path, r.status, r.env.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(r.env.Result, out); err != nil {
			h.t.Fatalf("%s %s: result: %v: %s", method, path, err, r.env.Result)
		}
	}
	return r
}

// fail sends a request that must fail with the given status and code.
func (h *harness) fail(method, path string, body any, status, code int) response {
	h.t.Helper()
	r := h.do(method, path, body)
	expectError(h.t, r, status, code)
	return r
}

func expectError(t *testing.T, r response, status, code int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (errors %+v)", r.status, status, r.env.Errors)
	}
	if r.env.Success || len(r.env.Errors) != 1 || r.env.Errors[0].Code != code {
		t.Fatalf("errors %+v, want one with code %d", r.env.Errors, code)
	}
	if string(r.env.Result) != "null" {
		t.Fatalf("result %s, want null", r.env.Result)
	}
}

// record is the subset of a DNS record the tests read.
type wireRecord struct {
	ID        string          `json:"id"`
	ZoneID    string          `json:"zone_id"`
	ZoneName  string          `json:"zone_name"`
	Name      string          `json:"name"`
	Type      string          `json:"type"`
	Content   string          `json:"content"`
	Proxiable bool            `json:"proxiable"`
	Proxied   bool            `json:"proxied"`
	TTL       int             `json:"ttl"`
	Comment   *string         `json:"comment"`
	Tags      []string        `json:"tags"`
	Settings  map[string]any  `json:"settings"`
	Data      json.RawMessage `json:"data"`
	CreatedOn string          `json:"created_on"`
	Modified  string          `json:"modified_on"`
}

func (h *harness) createRecord(body map[string]any) wireRecord {
	h.t.Helper()
	var rec wireRecord
	h.ok(http.MethodPost, h.zonePath("/dns_records"), body, &rec)
	return rec
}

func (h *harness) listRecords(query string) ([]wireRecord, *resultInfo) {
	h.t.Helper()
	var recs []wireRecord
	r := h.ok(http.MethodGet, h.zonePath("/dns_records?"+query), nil, &recs)
	if r.env.ResultInfo == nil {
		h.t.Fatalf("list without result_info")
	}
	return recs, r.env.ResultInfo
}
