package proxy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPolicyName(t *testing.T) {
	t.Parallel()
	many := func(domain string) []string {
		out := make([]string, 12)
		for i := range out {
			out[i] = fmt.Sprintf("person%02d@%s", i, domain)
		}
		return out
	}
	reversedMany := many("example.com")
	slices.Reverse(reversedMany)
	cases := []struct {
		name     string
		a, b     accessSettings
		same     bool
		wantName string
	}{
		{"spelled out", accessSettings{Emails: []string{"me@example.com"}, SessionDuration: "24h"}, accessSettings{Emails: []string{"me@example.com"}, SessionDuration: "24h"}, true,
			"homelab_proxy allow me@example.com for 24h"},
		{"order and repeats do not matter", accessSettings{Emails: []string{"b@example.com", "a@example.com", "b@example.com"}, SessionDuration: "24h"},
			accessSettings{Emails: []string{"a@example.com", "b@example.com"}, SessionDuration: "24h"}, true,
			"homelab_proxy allow a@example.com, b@example.com for 24h"},
		{"session duration matters", accessSettings{Emails: []string{"me@example.com"}, SessionDuration: "24h"}, accessSettings{Emails: []string{"me@example.com"}, SessionDuration: "1h"}, false, ""},
		{"e-mails matter", accessSettings{Emails: []string{"me@example.com"}, SessionDuration: "24h"}, accessSettings{Emails: []string{"you@example.com"}, SessionDuration: "24h"}, false, ""},
		{"long lists differ by digest", accessSettings{Emails: many("example.com"), SessionDuration: "24h"}, accessSettings{Emails: many("example.org"), SessionDuration: "24h"}, false, ""},
		{"long lists in any order", accessSettings{Emails: many("example.com"), SessionDuration: "24h"}, accessSettings{Emails: reversedMany, SessionDuration: "24h"}, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := policyName(tc.a), policyName(tc.b)
			if (a == b) != tc.same {
				t.Errorf("names %q and %q: same = %v, want %v", a, b, a == b, tc.same)
			}
			if tc.wantName != "" && a != tc.wantName {
				t.Errorf("name %q, want %q", a, tc.wantName)
			}
			for _, n := range []string{a, b} {
				if len(n) > 160 || !strings.HasPrefix(n, "homelab_proxy allow ") {
					t.Errorf("name %q: want a readable name of at most 160 characters", n)
				}
			}
		})
	}
}
