package ingress

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// defaultPorts are the ports cloudflared dials when a service URL has none.
var defaultPorts = map[string]int{"http": 80, "https": 443, "ssh": 22, "rdp": 3389, "smb": 445}

// ParseService checks a cloudflared origin service and returns the local
// port it reaches (0 for unix sockets and the built-in services). Errors
// say what is wrong and what is accepted.
func ParseService(service string) (int, error) {
	switch {
	case service == "":
		return 0, fmt.Errorf("the service is empty; use an origin such as http://127.0.0.1:8080")
	case service == "hello_world" || service == "bastion":
		return 0, nil
	case strings.HasPrefix(service, "http_status:"):
		code, err := strconv.Atoi(strings.TrimPrefix(service, "http_status:"))
		if err != nil || code < 100 || code > 599 {
			return 0, fmt.Errorf("%q is not a valid http_status service; use http_status:NNN with a status code from 100 to 599", service)
		}
		return 0, nil
	case strings.HasPrefix(service, "unix:") || strings.HasPrefix(service, "unix+tls:"):
		path := service[strings.Index(service, ":")+1:]
		if !strings.HasPrefix(path, "/") {
			return 0, fmt.Errorf("%q needs an absolute socket path, such as unix:/run/app.sock", service)
		}
		return 0, nil
	}
	u, err := url.Parse(service)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return 0, fmt.Errorf("%q is not a valid origin; use scheme://host[:port] with one of the schemes http, https, ssh, tcp, rdp, smb, or unix:/path, http_status:NNN", service)
	}
	scheme := strings.ToLower(u.Scheme)
	if _, known := defaultPorts[scheme]; !known && scheme != "tcp" {
		return 0, fmt.Errorf("%q uses the unsupported scheme %q; use one of http, https, ssh, tcp, rdp, smb, unix, unix+tls, http_status", service, u.Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return 0, fmt.Errorf("%q has a path; cloudflared origins cannot have one, use the rule's path attribute to match request paths", service)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return 0, fmt.Errorf("%q must be scheme://host[:port] without credentials, query or fragment", service)
	}
	portText := u.Port()
	if portText == "" {
		if strings.HasSuffix(u.Host, ":") {
			return 0, fmt.Errorf("%q has an empty port; the port must be from 1 to 65535", service)
		}
		port, ok := defaultPorts[scheme]
		if !ok {
			return 0, fmt.Errorf("%q needs a port: tcp origins have no default port", service)
		}
		return port, nil
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("%q has the port %s; the port must be from 1 to 65535", service, portText)
	}
	if host := u.Hostname(); host == "" || (net.ParseIP(host) == nil && !validHostLabels(host, false)) {
		return 0, fmt.Errorf("%q has an invalid host %q", service, host)
	}
	return port, nil
}

// ValidateHostname checks a public hostname: lowercase DNS labels of 1 to
// 63 letters, digits and hyphens, at least two of them, optionally behind
// one leading wildcard label.
func ValidateHostname(hostname string) error {
	if hostname == "" {
		return fmt.Errorf("the hostname is empty")
	}
	if len(hostname) > 253 {
		return fmt.Errorf("%q is longer than 253 characters", hostname)
	}
	if hostname != strings.ToLower(hostname) {
		return fmt.Errorf("%q must be lowercase; use %q", hostname, strings.ToLower(hostname))
	}
	name := strings.TrimPrefix(hostname, "*.")
	if !strings.Contains(name, ".") || !validHostLabels(name, true) {
		return fmt.Errorf("%q is not a valid hostname: use dot-separated labels of letters, digits and hyphens, such as app.example.com", hostname)
	}
	return nil
}

func validHostLabels(host string, requireLowercase bool) bool {
	for _, label := range strings.Split(host, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			lower := c >= 'a' && c <= 'z'
			upper := c >= 'A' && c <= 'Z'
			if !(lower || (upper && !requireLowercase) || (c >= '0' && c <= '9') || c == '-') {
				return false
			}
		}
	}
	return true
}

// ValidateLabel checks one DNS label, such as a proxy's name.
func ValidateLabel(label string) error {
	if label != strings.ToLower(label) || strings.Contains(label, ".") || !validHostLabels(label, true) {
		return fmt.Errorf("%q is not a valid name: use 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen", label)
	}
	return nil
}

// ValidatePath checks a rule's path, which cloudflared reads as a Go
// regular expression.
func ValidatePath(path string) error {
	if _, err := regexp.Compile(path); err != nil {
		return fmt.Errorf("%q is not a valid regular expression: %w", path, err)
	}
	return nil
}
