package ingress

import (
	"strings"
	"testing"
)

func TestParseService(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service string
		port    int
		errText string
	}{
		{"http://127.0.0.1:8096", 8096, ""},
		{"http://localhost", 80, ""},
		{"https://nas.lan", 443, ""},
		{"ssh://localhost:22", 22, ""},
		{"ssh://localhost", 22, ""},
		{"rdp://10.0.0.2", 3389, ""},
		{"tcp://127.0.0.1:5432", 5432, ""},
		{"unix:/run/app.sock", 0, ""},
		{"unix+tls:/run/app.sock", 0, ""},
		{"http_status:404", 0, ""},
		{"hello_world", 0, ""},
		{"", 0, "empty"},
		{"ftp://127.0.0.1:21", 0, "unsupported scheme"},
		{"http://127.0.0.1:0", 0, "from 1 to 65535"},
		{"http://127.0.0.1:70000", 0, "from 1 to 65535"},
		{"http://127.0.0.1:", 0, "from 1 to 65535"},
		{"tcp://127.0.0.1", 0, "needs a port"},
		{"http://127.0.0.1:80/app", 0, "has a path"},
		{"127.0.0.1:8080", 0, "not a valid origin"},
		{"http_status:99", 0, "http_status"},
		{"unix:relative.sock", 0, "absolute"},
		{"http://user:pw@host:80", 0, "without credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			t.Parallel()
			port, err := ParseService(tt.service)
			if tt.errText == "" {
				if err != nil || port != tt.port {
					t.Fatalf("ParseService(%q) = %d, %v; want %d, nil", tt.service, port, err, tt.port)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("ParseService(%q) error = %v; want it to mention %q", tt.service, err, tt.errText)
			}
		})
	}
}

func TestValidateHostname(t *testing.T) {
	t.Parallel()
	valid := []string{"jellyfin-home.example.com", "a.b", "*.example.com", "x1.y-2.example.com"}
	invalid := []string{"", "example", "Jellyfin.example.com", "-a.example.com", "a-.example.com", "a..example.com", "a_b.example.com", strings.Repeat("a", 64) + ".com", "a.*.example.com"}
	for _, h := range valid {
		if err := ValidateHostname(h); err != nil {
			t.Errorf("ValidateHostname(%q) = %v, want nil", h, err)
		}
	}
	for _, h := range invalid {
		if err := ValidateHostname(h); err == nil {
			t.Errorf("ValidateHostname(%q) = nil, want an error", h)
		}
	}
}

func TestValidateLabelAndPath(t *testing.T) {
	t.Parallel()
	if err := ValidateLabel("jellyfin"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "Jelly", "a.b", "-a", "a_b"} {
		if ValidateLabel(bad) == nil {
			t.Errorf("ValidateLabel(%q) = nil, want an error", bad)
		}
	}
	if err := ValidatePath("^/api/(v1|v2)"); err != nil {
		t.Error(err)
	}
	if ValidatePath("^/api/(") == nil {
		t.Error("ValidatePath accepted an unbalanced group")
	}
}
