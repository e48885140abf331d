package cfsandbox

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

const codeInvalidName = 9000 // "DNS name is invalid."

func errInvalidName(detail string) *apiError {
	return newError(http.StatusBadRequest, codeInvalidName, "DNS name is invalid. "+detail)
}

// normalizeName turns a record name as sent ("@", "app", "app.example.com",
// "App.Example.com.", Unicode) into the stored form: a lowercase Punycode FQDN
// inside the zone. A name not ending in the zone gets the zone appended, as
// the dashboard does, so "app.other.org" becomes "app.other.org.example.com"
// (that the API does the same is unconfirmed); a name ending in a dot is
// absolute and must lie in the zone, else 9000.
func normalizeName(raw, zoneName string) (string, error) {
	name := strings.TrimSpace(raw)
	if name == "" {
		return "", errInvalidName("The name is empty.")
	}
	absolute := strings.HasSuffix(name, ".")
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "@" {
		return zoneName, nil
	}
	name, err := toASCII(name)
	if err != nil {
		return "", err
	}
	switch {
	case name == zoneName || strings.HasSuffix(name, "."+zoneName):
	case absolute:
		return "", errInvalidName("The name " + raw + " is not in the zone " + zoneName + ".")
	default:
		name += "." + zoneName
	}
	return name, checkLabels(name)
}

// filterName normalises a name used as a list filter: no zone is appended,
// but "@", case, a trailing dot and Unicode are handled like stored names.
func filterName(raw, zoneName string) string {
	name := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(raw), "."))
	if name == "@" {
		return zoneName
	}
	if ascii, err := toASCII(name); err == nil {
		return ascii
	}
	return name
}

// checkLabels enforces DNS label syntax: 1-63 characters of [a-z0-9_-] or
// a lone "*", at most 253 characters in all. Only a leftmost "*" is a
// wildcard (see dnsresolve.go); Cloudflare documents one elsewhere, as in
// "a.*.example.com", as accepted and read as a literal asterisk. An
// asterisk inside a label ("a*b") is refused: unconfirmed, chosen as the
// stricter reading.
func checkLabels(name string) error {
	if len(name) > 253 {
		return errInvalidName("The name is longer than 253 characters.")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "*" {
			continue
		}
		if label == "" || len(label) > 63 {
			return errInvalidName("Each label must be 1 to 63 characters long.")
		}
		for _, c := range label {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
				return errInvalidName("The label " + label + " contains an invalid character.")
			}
		}
	}
	return nil
}

// toASCII encodes every non-ASCII label with Punycode (RFC 3492), with the
// Punycode profile of golang.org/x/net/idna: no IDNA mapping or STD3 check,
// which would refuse the underscore labels DNS names carry (_dmarc);
// lowercasing is all a homelab name needs, done by the caller.
func toASCII(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", errInvalidName("The name is not valid UTF-8.")
	}
	ascii, err := idna.Punycode.ToASCII(name)
	if err != nil {
		return "", errInvalidName("The name cannot be encoded with Punycode.")
	}
	return ascii, nil
}
