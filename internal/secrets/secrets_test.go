package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	onepassword "github.com/1password/onepassword-sdk-go"
)

func TestParseReferenceValid(t *testing.T) {
	tests := []struct {
		name string
		ref  string
		want Reference
	}{
		{"three segments", "op://homelab/infisical/db_password",
			Reference{Vault: "homelab", Item: "infisical", Field: "db_password"}},
		{"four segments", "op://Management/PagerDuty/Admin/email",
			Reference{Vault: "Management", Item: "PagerDuty", Section: "Admin", Field: "email"}},
		{"spaces inside names", "op://My Vault/Cloudflare API/api token",
			Reference{Vault: "My Vault", Item: "Cloudflare API", Field: "api token"}},
		{"spaces inside four names", "op://My Vault/Git Hub/Admin Section/one time",
			Reference{Vault: "My Vault", Item: "Git Hub", Section: "Admin Section", Field: "one time"}},
		{"ids and punctuation", "op://vzq4abc/item-1.2_x/field.name",
			Reference{Vault: "vzq4abc", Item: "item-1.2_x", Field: "field.name"}},
		{"attribute totp", "op://dev/GitHub/one-time password?attribute=totp",
			Reference{Vault: "dev", Item: "GitHub", Field: "one-time password", Attribute: "totp"}},
		{"attribute otp with section", "op://dev/GitHub/2fa/otp?attribute=otp",
			Reference{Vault: "dev", Item: "GitHub", Section: "2fa", Field: "otp", Attribute: "otp"}},
		{"attribute type, upper case value", "op://dev/GitHub/password?attribute=TYPE",
			Reference{Vault: "dev", Item: "GitHub", Field: "password", Attribute: "type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReference(tt.ref)
			if err != nil {
				t.Fatalf("ParseReference(%q): unexpected error: %v", tt.ref, err)
			}
			if got != tt.want {
				t.Fatalf("ParseReference(%q) = %#v, want %#v", tt.ref, got, tt.want)
			}
			// String round-trips: parsing the canonical form gives the same Reference.
			again, err := ParseReference(got.String())
			if err != nil || again != got {
				t.Fatalf("round trip of %q via %q: got %#v, %v", tt.ref, got.String(), again, err)
			}
		})
	}
}

func TestReferenceString(t *testing.T) {
	tests := []struct {
		ref  Reference
		want string
	}{
		{Reference{Vault: "v", Item: "i", Field: "f"}, "op://v/i/f"},
		{Reference{Vault: "v", Item: "i", Section: "s", Field: "f"}, "op://v/i/s/f"},
		{Reference{Vault: "v", Item: "i", Field: "f", Attribute: "otp"}, "op://v/i/f?attribute=otp"},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.ref, got, tt.want)
		}
	}
}

func TestParseReferenceInvalid(t *testing.T) {
	tests := []struct {
		name   string
		ref    string
		reason string // part of the error text
	}{
		{"empty", "", "empty"},
		{"no scheme", "homelab/infisical/db_password", "must start with"},
		{"wrong scheme", "https://homelab/infisical/db_password", `not "https://"`},
		{"upper-case scheme", "OP://homelab/infisical/db_password", "scheme"},
		{"single slash scheme", "op:/homelab/infisical/db_password", "must start with"},
		{"nothing after scheme", "op://", "no vault"},
		{"one segment", "op://homelab", "1 path segment"},
		{"two segments", "op://homelab/infisical", "2 path segment"},
		{"five segments", "op://a/b/c/d/e", "5 path segments"},
		{"empty vault", "op:///infisical/db_password", "empty vault"},
		{"empty item", "op://homelab//db_password", "empty item"},
		{"empty section", "op://homelab/infisical//db_password", "empty section"},
		{"blank field", "op://homelab/infisical/ ", "whitespace at the start or end"},
		{"blank segment inside", "op://homelab/ /db_password", "empty item"},
		{"trailing slash", "op://homelab/infisical/db_password/", "trailing slash"},
		{"trailing slash four", "op://homelab/infisical/s/db_password/", "trailing slash"},
		{"leading space", " op://homelab/infisical/db_password", "whitespace at the start or end"},
		{"trailing space", "op://homelab/infisical/db_password ", "whitespace at the start or end"},
		{"trailing newline", "op://homelab/infisical/db_password\n", "whitespace at the start or end"},
		{"space around segment", "op://homelab/ infisical/db_password", `of the item " infisical"`},
		{"tab inside", "op://homelab/info\tsecal/db_password", "control character"},
		{"unknown attribute", "op://homelab/infisical/db_password?attribute=value", `unsupported attribute "value"`},
		{"other query", "op://server/ssh/private key?ssh-format=openssh", "unsupported query"},
		{"two parameters", "op://dev/gh/otp?attribute=otp&attribute=type", "unsupported query"},
		{"empty query", "op://homelab/infisical/db_password?", "empty query"},
		{"attribute without value", "op://homelab/infisical/db_password?attribute", "unsupported query"},
		{"query without field", "op://homelab/infisical?attribute=otp", "2 path segment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReference(tt.ref)
			if err == nil {
				t.Fatalf("ParseReference(%q) = %#v, want an error", tt.ref, got)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("%q", tt.ref)) {
				t.Errorf("error does not name the reference %q: %s", tt.ref, msg)
			}
			if !strings.Contains(msg, "op://<vault>/<item>[/<section>]/<field>") {
				t.Errorf("error does not show the expected form: %s", msg)
			}
			if !strings.Contains(msg, tt.reason) {
				t.Errorf("error does not say %q: %s", tt.reason, msg)
			}
			if got != (Reference{}) {
				t.Errorf("got non-zero Reference %#v with an error", got)
			}
		})
	}
}

func TestStatic(t *testing.T) {
	s := Static{"op://homelab/infisical/db_password": "s3cr3t-db"}
	tests := []struct {
		name    string
		ref     string
		want    string
		missing bool
	}{
		{"found", "op://homelab/infisical/db_password", "s3cr3t-db", false},
		{"missing", "op://homelab/infisical/other", "", true},
		{"case matters", "op://Homelab/infisical/db_password", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Resolve(context.Background(), tt.ref)
			if !tt.missing {
				if err != nil || got != tt.want {
					t.Fatalf("Resolve(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
				}
				return
			}
			var nf *NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("Resolve(%q) error = %v (%T), want *NotFoundError", tt.ref, err, err)
			}
			if nf.Reference != tt.ref {
				t.Errorf("NotFoundError.Reference = %q, want %q", nf.Reference, tt.ref)
			}
			if !strings.Contains(err.Error(), tt.ref) {
				t.Errorf("error %q does not name %q", err, tt.ref)
			}
			if got != "" {
				t.Errorf("value %q returned with an error", got)
			}
		})
	}
}

func TestClientResolveAll(t *testing.T) {
	const dbValue, authValue = "value-of-db-password", "value-of-auth-secret"
	s := Static{
		"op://homelab/infisical/db_password":    dbValue,
		"op://homelab/infisical/app/authsecret": authValue,
	}
	tests := []struct {
		name     string
		refs     map[string]string
		want     map[string]string
		errHas   []string // error must contain all of these
		notFound bool
		errKey   string // the KeyError's key
	}{
		{
			name: "all found",
			refs: map[string]string{
				"DB_PASSWORD": "op://homelab/infisical/db_password",
				"AUTH_SECRET": "op://homelab/infisical/app/authsecret",
			},
			want: map[string]string{"DB_PASSWORD": dbValue, "AUTH_SECRET": authValue},
		},
		{name: "empty", refs: map[string]string{}, want: map[string]string{}},
		{
			name: "one missing",
			refs: map[string]string{
				"AUTH_SECRET": "op://homelab/infisical/app/authsecret", // sorts first, resolves
				"DB_PASSWORD": "op://homelab/infisical/db_password",
				"MISSING":     "op://homelab/infisical/nope",
			},
			errHas:   []string{`"MISSING"`, "op://homelab/infisical/nope", "not found"},
			notFound: true,
			errKey:   "MISSING",
		},
		{
			name: "bad syntax is found before anything is resolved",
			refs: map[string]string{
				"DB_PASSWORD": "op://homelab/infisical/db_password",
				"SHORT":       "op://homelab/infisical",
			},
			errHas: []string{`"SHORT"`, "op://homelab/infisical", "expected op://<vault>"},
			errKey: "SHORT",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counted := &countingResolver{values: s}
			got, err := NewClient(counted).ResolveAll(context.Background(), tt.refs)
			if tt.errHas == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(got) != len(tt.want) || got == nil {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				for k, v := range tt.want {
					if got[k] != v {
						t.Errorf("key %s: got %q, want %q", k, got[k], v)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error, got %v", got)
			}
			if got != nil {
				t.Errorf("values returned with an error: %d keys", len(got))
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			for _, v := range []string{dbValue, authValue} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("error %q contains a resolved value", err)
				}
			}
			var nf *NotFoundError
			if errors.As(err, &nf) != tt.notFound {
				t.Errorf("errors.As(*NotFoundError) = %v, want %v", !tt.notFound, tt.notFound)
			}
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != tt.errKey || ke.Reference != tt.refs[tt.errKey] {
				t.Errorf("error %v: want a *KeyError for key %s", err, tt.errKey)
			}
			if tt.errKey == "SHORT" && counted.total() != 0 {
				t.Errorf("%d resolutions before the syntax error", counted.total())
			}
		})
	}
}

func TestClientResolveAllCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewClient(Static{"op://a/b/c": "v"}).ResolveAll(ctx, map[string]string{"K": "op://a/b/c"})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `key "K" (op://a/b/c)`) {
		t.Fatalf("error = %v, want context.Canceled naming the key and reference", err)
	}
	var nilClient *Client
	if _, err := nilClient.ResolveAll(context.Background(), map[string]string{"K": "op://a/b/c"}); err == nil {
		t.Fatal("nil client: want an error")
	}
	if _, err := nilClient.Resolve(context.Background(), "op://a/b/c"); err == nil || !strings.Contains(err.Error(), "op://a/b/c") {
		t.Fatalf("nil client: error %v, want one naming the reference", err)
	}
}

const bogusToken = "ops_bogus!token!not-base64!3f9a1c"

func TestNewOnePasswordDoesNoIO(t *testing.T) {
	start := time.Now()
	o := NewOnePassword(bogusToken, "1.2.3")
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("NewOnePassword took %v; it must not load the SDK", d)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.api != nil || o.pending != nil {
		t.Fatal("NewOnePassword started creating the SDK client")
	}
	for _, s := range []string{fmt.Sprint(o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o)} {
		if strings.Contains(s, bogusToken) {
			t.Errorf("formatting the resolver shows the token: %s", s)
		}
	}
}

func TestOnePasswordResolveErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		token  string
		ctx    context.Context
		ref    string
		errHas string
	}{
		{"canceled context", bogusToken, canceled, "op://homelab/infisical/db_password", "context canceled"},
		{"invalid reference, no SDK call", bogusToken, context.Background(), "op://homelab/infisical", "expected op://<vault>"},
		{"empty token", "", context.Background(), "op://homelab/infisical/db_password", "no service account token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOnePassword(tt.token, "test")
			o.newClient = func(context.Context) (secretsAPI, error) {
				t.Error("the SDK client must not be created")
				return nil, errors.New("unexpected")
			}
			ctx, cancel := context.WithTimeout(tt.ctx, 5*time.Second)
			defer cancel()
			start := time.Now()
			v, err := o.Resolve(ctx, tt.ref)
			if d := time.Since(start); d > time.Second {
				t.Errorf("Resolve took %v", d)
			}
			if err == nil || v != "" {
				t.Fatalf("Resolve = %q, %v; want an error", v, err)
			}
			if !strings.Contains(err.Error(), tt.errHas) || !strings.Contains(err.Error(), tt.ref) {
				t.Errorf("error %q does not contain %q and the reference", err, tt.errHas)
			}
			if strings.Contains(err.Error(), bogusToken) {
				t.Errorf("error contains the token: %s", err)
			}
		})
	}
}

// fakeSDK stands in for the SDK's Secrets API.
type fakeSDK struct{ values map[string]string }

// ResolveAll answers like the SDK: every reference under its own string,
// a value or an error type.
func (f fakeSDK) ResolveAll(_ context.Context, refs []string) (onepassword.ResolveAllResponse, error) {
	out := onepassword.ResolveAllResponse{IndividualResponses: map[string]onepassword.Response[onepassword.ResolvedReference, onepassword.ResolveReferenceError]{}}
	for _, ref := range refs {
		var r onepassword.Response[onepassword.ResolvedReference, onepassword.ResolveReferenceError]
		if v, ok := f.values[ref]; ok {
			r.Content = &onepassword.ResolvedReference{Secret: v}
		} else {
			e := onepassword.NewResolveReferenceErrorTypeVariantItemNotFound()
			r.Error = &e
		}
		out.IndividualResponses[ref] = r
	}
	return out, nil
}

func (f fakeSDK) Resolve(_ context.Context, ref string) (string, error) {
	if v, ok := f.values[ref]; ok {
		return v, nil
	}
	// A message that (against the SDK's habits) echoes the token.
	return "", fmt.Errorf("no item matched the secret reference, token %s", bogusToken)
}

func TestOnePasswordLazyClient(t *testing.T) {
	ref := "op://homelab/infisical/db_password"
	o := NewOnePassword(bogusToken, "test")
	var creations atomic.Int32
	release := make(chan struct{})
	o.newClient = func(ctx context.Context) (secretsAPI, error) {
		creations.Add(1)
		<-release // a slow WebAssembly load that ignores contexts
		return fakeSDK{values: map[string]string{ref: "db-value"}}, nil
	}

	// A caller whose context ends during the slow creation returns promptly.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	start := time.Now()
	_, err := o.Resolve(ctx, ref)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("Resolve during slow creation = %v after %v; want a prompt deadline error", err, time.Since(start))
	}
	if !strings.Contains(err.Error(), "resolving "+ref+" through 1Password") {
		t.Errorf("error text = %q", err)
	}

	// Concurrent callers share the one creation already in flight.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			v, err := o.Resolve(ctx, ref)
			if err == nil && v != "db-value" {
				err = fmt.Errorf("got %q", v)
			}
			errs <- err
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := creations.Load(); n != 1 {
		t.Fatalf("SDK client created %d times, want 1", n)
	}

	// SDK errors are prefixed, name the reference and mask the token.
	other := "op://homelab/infisical/other"
	_, err = o.Resolve(context.Background(), other)
	if err == nil {
		t.Fatal("want an error")
	}
	want := "resolving " + other + " through 1Password: no item matched the secret reference, token <redacted>"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if creations.Load() != 1 {
		t.Errorf("client re-created: %d", creations.Load())
	}
}

func TestOnePasswordFailedCreationIsRetried(t *testing.T) {
	ref := "op://homelab/infisical/db_password"
	o := NewOnePassword(bogusToken, "test")
	var creations atomic.Int32
	o.newClient = func(context.Context) (secretsAPI, error) {
		if creations.Add(1) == 1 {
			return nil, errors.New("error initializing client: connection refused for " + bogusToken)
		}
		return fakeSDK{values: map[string]string{ref: "v"}}, nil
	}
	_, err := o.Resolve(context.Background(), ref)
	if err == nil || strings.Contains(err.Error(), bogusToken) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("first Resolve error = %v; want the SDK message with the token masked", err)
	}
	if v, err := o.Resolve(context.Background(), ref); err != nil || v != "v" {
		t.Fatalf("second Resolve = %q, %v; want the value after a new creation", v, err)
	}
	if n := creations.Load(); n != 2 {
		t.Fatalf("creations = %d, want 2", n)
	}
}

// TestOnePasswordSDKBogusToken goes through the real SDK: it loads the
// WebAssembly core (a few seconds) and fails offline on the malformed token.
// The call is bounded by a context, and Resolve returns when it ends.
func TestOnePasswordSDKBogusToken(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the 1Password WebAssembly core")
	}
	o := NewOnePassword(bogusToken, "test")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ref := "op://homelab/infisical/db_password"
	v, err := o.Resolve(ctx, ref)
	if err == nil || v != "" {
		t.Fatalf("Resolve = %q, %v; want an error", v, err)
	}
	if !strings.HasPrefix(err.Error(), "resolving "+ref+" through 1Password: ") {
		t.Errorf("error = %q", err)
	}
	if strings.Contains(err.Error(), bogusToken) || strings.Contains(err.Error(), "bogus!token") {
		t.Errorf("error contains the token: %s", err)
	}
	t.Logf("SDK error: %v", err)
}
