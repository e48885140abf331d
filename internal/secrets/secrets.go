// Package secrets parses 1Password secret references and resolves them to
// values.
//
// Resolution sits behind the small Resolver interface: the provider uses
// OnePassword (the 1Password SDK with a service account token), tests and the
// local sandbox use Static (an in-memory map). Resources reach either through
// one Client per provider process, which resolves every distinct reference
// at most once (single-flight, then kept in memory), in bulk requests where
// the resolver has them. Values are secrets: callers must never log them,
// and errors produced here never contain them.
package secrets

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// Scheme is the URI scheme of a 1Password secret reference.
const Scheme = "op://"

// ExpectedForm is the syntax of a secret reference, shown in every parse error.
const ExpectedForm = "op://<vault>/<item>[/<section>]/<field>"

// Attribute values accepted in the optional "?attribute=" query of a
// reference: "otp" (the SDK documentation) and its alias "totp" (the SDK
// example) return the current one-time password of an OTP field, "type" the
// field's type. Any other query is rejected.
var supportedAttributes = map[string]bool{"otp": true, "totp": true, "type": true}

// Reference is a parsed op://vault/item[/section]/field reference.
type Reference struct {
	Vault, Item, Section, Field string
	// Attribute is the value of the optional "?attribute=" query ("otp",
	// "totp" or "type", lower case), empty when there is none.
	Attribute string
}

// String returns the reference in its canonical form:
// op://vault/item[/section]/field[?attribute=...].
func (r Reference) String() string {
	var b strings.Builder
	b.WriteString(Scheme)
	b.WriteString(r.Vault)
	b.WriteByte('/')
	b.WriteString(r.Item)
	if r.Section != "" {
		b.WriteByte('/')
		b.WriteString(r.Section)
	}
	b.WriteByte('/')
	b.WriteString(r.Field)
	if r.Attribute != "" {
		b.WriteString("?attribute=")
		b.WriteString(r.Attribute)
	}
	return b.String()
}

// ParseReference checks the syntax of a secret reference offline: scheme
// op://, 3 or 4 non-empty path segments (vault, item, optional section,
// field), no whitespace around the reference or its segments (spaces inside
// names are fine), and an optional ?attribute=otp|totp|type query. Errors
// name the reference and show the expected form.
//
// It checks syntax only: whether the vault, item and field exist is known only
// to 1Password.
func ParseReference(ref string) (Reference, error) {
	fail := func(format string, args ...any) (Reference, error) {
		return Reference{}, fmt.Errorf("invalid 1Password secret reference %q: %s; expected %s",
			ref, fmt.Sprintf(format, args...), ExpectedForm)
	}

	if ref == "" {
		return fail("the reference is empty")
	}
	if strings.TrimSpace(ref) != ref {
		return fail("whitespace at the start or end")
	}
	for _, c := range ref {
		if unicode.IsControl(c) {
			return fail("control character %q", c)
		}
	}
	if !strings.HasPrefix(ref, Scheme) {
		if i := strings.Index(ref, "://"); i >= 0 {
			return fail("scheme must be %q, not %q", Scheme, ref[:i+3])
		}
		return fail("must start with %q", Scheme)
	}

	rest := ref[len(Scheme):]
	path, query, hasQuery := strings.Cut(rest, "?")

	var attribute string
	if hasQuery {
		name, value, ok := strings.Cut(query, "=")
		switch {
		case query == "":
			return fail("empty query after \"?\"")
		case !ok || name != "attribute" || strings.ContainsAny(value, "&=?"):
			return fail("unsupported query %q: only a single ?attribute=otp, ?attribute=totp or ?attribute=type is supported", query)
		case !supportedAttributes[strings.ToLower(value)]:
			return fail("unsupported attribute %q: supported are otp, totp and type", value)
		}
		attribute = strings.ToLower(value)
	}

	if path == "" {
		return fail("no vault, item or field after %q", Scheme)
	}
	if strings.HasSuffix(path, "/") {
		return fail("trailing slash")
	}
	segments := strings.Split(path, "/")
	if len(segments) < 3 {
		return fail("%d path segment(s), need vault, item and field", len(segments))
	}
	if len(segments) > 4 {
		return fail("%d path segments, at most 4 (vault, item, section, field)", len(segments))
	}
	names := [...]string{"vault", "item", "section", "field"}
	for i, s := range segments {
		name := names[i]
		if len(segments) == 3 && i == 2 {
			name = "field"
		}
		if strings.TrimSpace(s) == "" {
			return fail("empty %s (segment %d)", name, i+1)
		}
		if strings.TrimSpace(s) != s {
			return fail("whitespace at the start or end of the %s %q", name, s)
		}
	}

	r := Reference{Vault: segments[0], Item: segments[1], Field: segments[len(segments)-1], Attribute: attribute}
	if len(segments) == 4 {
		r.Section = segments[2]
	}
	return r, nil
}

// Resolver turns one reference into its secret value. Its errors name the
// reference and never contain a value. Resources do not call a Resolver
// directly: they go through a Client, which asks each reference once per
// process.
type Resolver interface {
	Resolve(ctx context.Context, reference string) (string, error)
}

// BulkResolver is a Resolver that can also resolve many references in one
// request, as 1Password's Secrets().ResolveAll does.
type BulkResolver interface {
	Resolver
	// ResolveBulk resolves references in one request and answers each of
	// them: a value, or the reference's own failure (not found, ambiguous).
	// A failure of the request itself (network, rate limit, authentication,
	// context) is the error return; then nothing is known about any
	// reference. A reference missing from the answers is asked again on
	// its own.
	ResolveBulk(ctx context.Context, references []string) (map[string]Answer, error)
}

// Answer is a BulkResolver's answer for one reference.
type Answer struct {
	Value string
	// Err is the reference's own failure; it names the reference.
	Err error
}

// KeyError is the failure of one key of Client.ResolveAll. It names the key
// and the reference, never a value, and wraps the resolution's error
// (errors.As finds a *NotFoundError).
type KeyError struct {
	Key, Reference string
	Err            error
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("key %q (%s): %v", e.Key, e.Reference, e.Err)
}

func (e *KeyError) Unwrap() error { return e.Err }

// Static is an in-memory Resolver for tests and the local sandbox:
// reference → value. A missing reference is a *NotFoundError.
type Static map[string]string

// Resolve returns the value stored for reference, or a *NotFoundError.
func (s Static) Resolve(ctx context.Context, reference string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("resolving %s: %w", reference, err)
	}
	v, ok := s[reference]
	if !ok {
		return "", &NotFoundError{Reference: reference}
	}
	return v, nil
}

// ResolveBulk answers every reference from the map, so that tests and the
// sandbox take the same path as 1Password.
func (s Static) ResolveBulk(ctx context.Context, references []string) (map[string]Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]Answer, len(references))
	for _, ref := range references {
		v, err := s.Resolve(ctx, ref)
		out[ref] = Answer{Value: v, Err: err}
	}
	return out, nil
}

// NotFoundError reports that a reference does not resolve.
type NotFoundError struct{ Reference string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("secret reference %s not found", e.Reference)
}
