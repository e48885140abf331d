package cfsandbox

import (
	"net/http"
	"strings"
	"unicode/utf8"
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

// checkLabels enforces DNS label syntax: 1-63 characters of [a-z0-9_-], a
// wildcard only as the whole leftmost label, at most 253 characters in all.
func checkLabels(name string) error {
	if len(name) > 253 {
		return errInvalidName("The name is longer than 253 characters.")
	}
	for i, label := range strings.Split(name, ".") {
		if label == "*" && i == 0 {
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

// toASCII encodes every non-ASCII label with Punycode (RFC 3492). It does not
// apply the full IDNA mapping: lowercasing is all a homelab name needs.
func toASCII(name string) (string, error) {
	labels := strings.Split(name, ".")
	for i, label := range labels {
		if !utf8.ValidString(label) {
			return "", errInvalidName("The name is not valid UTF-8.")
		}
		if isASCII(label) {
			continue
		}
		labels[i] = "xn--" + punycode(label)
	}
	return strings.Join(labels, "."), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Punycode parameters from RFC 3492, section 5.
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

func punycode(label string) string {
	runes := []rune(label)
	var out []byte
	for _, r := range runes {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
		}
	}
	basic := len(out)
	if basic > 0 {
		out = append(out, '-')
	}
	n, delta, bias := rune(pcInitialN), 0, pcInitialBias
	for handled := basic; handled < len(runes); {
		m := rune(0x10FFFF)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (handled + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := pcBase; ; k += pcBase {
				t := min(max(k-bias, pcTMin), pcTMax)
				if q < t {
					break
				}
				out = append(out, punyDigit(t+(q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out = append(out, punyDigit(q))
			bias = punyAdapt(delta, handled+1, handled == basic)
			delta = 0
			handled++
		}
		delta++
		n++
	}
	return string(out)
}

func punyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

func punyAdapt(delta, points int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}
