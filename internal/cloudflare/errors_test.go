package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
)

// TestTypedErrors: the sandbox's failures come back as *APIError values the
// predicates classify correctly, with a readable Error() text.
func TestTypedErrors(t *testing.T) {
	t.Parallel()
	const wrongToken = "WrongToken_abcdefghijklmnopqrstuvwxyz0123"
	sb := newSandbox(t)
	c := sb.client(t, nil)
	bad := sb.client(t, func(cfg *Config) { cfg.APIToken = wrongToken })
	limited := sb.client(t, func(cfg *Config) { cfg.MaxRetries = 0 })
	existing := createRecord(t, c, sb.zone.ID, "taken")

	tests := []struct {
		name        string
		call        func(ctx context.Context) error
		setup       func()
		status      int
		code        int64
		notFound    bool
		conflict    bool
		rateLimited bool
		mentions    []string
	}{
		{
			name: "unknown DNS record",
			call: func(ctx context.Context) error {
				_, err := getDNSRecord(ctx, c, sb.zone.ID, "0123456789abcdef0123456789abcdef")
				return err
			},
			status: http.StatusNotFound, code: 81044, notFound: true,
			mentions: []string{"GET", "/dns_records/0123456789abcdef0123456789abcdef", "HTTP 404", "81044"},
		},
		{
			name: "second CNAME at the same name",
			call: func(ctx context.Context) error {
				_, err := c.CreateCNAME(ctx, sb.zone.ID, CNAME{Name: "taken", Target: "other.example.net"})
				return err
			},
			status: http.StatusBadRequest, code: 81053, conflict: true,
			mentions: []string{"POST", "/zones/" + sb.zone.ID + "/dns_records", "HTTP 400", "81053"},
		},
		{
			name: "identical CNAME",
			call: func(ctx context.Context) error {
				_, err := c.CreateCNAME(ctx, sb.zone.ID, CNAME{Name: "taken", Target: "tunnel.example.net"})
				return err
			},
			status: http.StatusBadRequest, code: 81058, conflict: true,
		},
		{
			name: "update onto a taken name",
			call: func(ctx context.Context) error {
				other := createRecord(t, c, sb.zone.ID, "other")
				_, err := c.UpdateCNAME(ctx, sb.zone.ID, other.ID, CNAME{Name: "taken", Target: "x.example.net"})
				return err
			},
			status: http.StatusBadRequest, code: 81053, conflict: true,
			mentions: []string{"PUT"},
		},
		{
			name: "unknown Access policy",
			call: func(ctx context.Context) error {
				_, err := c.GetAccessPolicy(ctx, "00000000-0000-4000-8000-000000000000")
				return err
			},
			status: http.StatusNotFound, notFound: true,
		},
		{
			name: "unknown tunnel",
			call: func(ctx context.Context) error {
				_, err := c.GetTunnel(ctx, "00000000-0000-4000-8000-000000000000")
				return err
			},
			status: http.StatusNotFound, notFound: true,
		},
		{
			name: "wrong token",
			call: func(ctx context.Context) error {
				_, err := getDNSRecord(ctx, bad, sb.zone.ID, existing.ID)
				return err
			},
			status: http.StatusForbidden, code: 10000,
			mentions: []string{"HTTP 403", "10000", "Authentication error"},
		},
		{
			name:  "429 outliving the retries",
			setup: func() { sb.api.SetFaults(cfsandbox.Faults{RateLimitBurst: 1}) },
			call: func(ctx context.Context) error {
				_, err := limited.ListDNSRecords(ctx, sb.zone.ID, DNSFilter{})
				return err
			},
			status: http.StatusTooManyRequests, code: 971, rateLimited: true,
			mentions: []string{"HTTP 429", "971"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb.api.SetFaults(cfsandbox.Faults{})
			if tt.setup != nil {
				tt.setup()
			}
			err := tt.call(testContext(t))
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if apiErr.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, tt.status)
			}
			if tt.code != 0 && !apiErr.HasCode(tt.code) {
				t.Errorf("codes %v, want %d", apiErr.Codes, tt.code)
			}
			if len(apiErr.Codes) != len(apiErr.Messages) || len(apiErr.Codes) == 0 {
				t.Errorf("codes %v and messages %q should pair up", apiErr.Codes, apiErr.Messages)
			}
			if got := IsNotFound(err); got != tt.notFound {
				t.Errorf("IsNotFound = %v, want %v", got, tt.notFound)
			}
			if got := isConflict(err); got != tt.conflict {
				t.Errorf("isConflict = %v, want %v", got, tt.conflict)
			}
			if got := isRateLimited(err); got != tt.rateLimited {
				t.Errorf("isRateLimited = %v, want %v", got, tt.rateLimited)
			}
			msg := err.Error()
			for _, want := range tt.mentions {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			for _, secret := range []string{wrongToken, sb.api.Token()} {
				if strings.Contains(msg, secret) || strings.Contains(fmt.Sprintf("%+v", apiErr), secret) {
					t.Errorf("error text leaks a token: %q", msg)
				}
			}
		})
	}
}

// TestPredicatesOnOtherErrors: the predicates see through wrapping and do
// not mistake other errors.
func TestPredicatesOnOtherErrors(t *testing.T) {
	t.Parallel()
	notFound := &APIError{StatusCode: 404, Method: "GET", Path: "/x"}
	tests := []struct {
		name                             string
		err                              error
		notFound, conflict, rateLimisted bool
	}{
		{name: "nil", err: nil},
		{name: "plain", err: errors.New("boom")},
		{name: "context", err: context.Canceled},
		{name: "wrapped 404", err: fmt.Errorf("reading: %w", notFound), notFound: true},
		{name: "409", err: &APIError{StatusCode: 409}, conflict: true},
		{name: "400 81057", err: &APIError{StatusCode: 400, Codes: []int64{81057}, Messages: []string{"Record already exists."}}, conflict: true},
		{name: "400 81054", err: &APIError{StatusCode: 400, Codes: []int64{81054}, Messages: []string{"x"}}, conflict: true},
		{name: "400 other code", err: &APIError{StatusCode: 400, Codes: []int64{9005}, Messages: []string{"x"}}},
		{name: "429", err: &APIError{StatusCode: 429}, rateLimisted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if IsNotFound(tt.err) != tt.notFound || isConflict(tt.err) != tt.conflict || isRateLimited(tt.err) != tt.rateLimisted {
				t.Errorf("IsNotFound/isConflict/isRateLimited = %v/%v/%v, want %v/%v/%v",
					IsNotFound(tt.err), isConflict(tt.err), isRateLimited(tt.err), tt.notFound, tt.conflict, tt.rateLimisted)
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *APIError
		want string
	}{
		{
			name: "no body codes",
			err:  &APIError{StatusCode: 503, Method: "GET", Path: "/client/v4/zones"},
			want: "Cloudflare API GET /client/v4/zones returned HTTP 503 (Service Unavailable)",
		},
		{
			name: "codes",
			err:  &APIError{StatusCode: 400, Method: "POST", Path: "/p", Codes: []int64{81053, 1004}, Messages: []string{"exists", "bad"}},
			want: "Cloudflare API POST /p returned HTTP 400 (81053: exists; 1004: bad)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWrapKeepsContextErrors: context errors pass through wrap unchanged and
// other non-SDK errors are wrapped, not turned into APIErrors.
func TestWrapKeepsContextErrors(t *testing.T) {
	t.Parallel()
	if wrap(nil) != nil {
		t.Error("wrap(nil) != nil")
	}
	for _, err := range []error{context.Canceled, context.DeadlineExceeded, fmt.Errorf("x: %w", context.Canceled)} {
		if got := wrap(err); got != err {
			t.Errorf("wrap(%v) = %v, want it unchanged", err, got)
		}
	}
	base := errors.New("dial tcp: refused")
	got := wrap(base)
	var apiErr *APIError
	if !errors.Is(got, base) || errors.As(got, &apiErr) {
		t.Errorf("wrap(%v) = %v, want a wrapping non-API error", base, got)
	}
}
