package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	onepassword "github.com/1password/onepassword-sdk-go"
)

// IntegrationName is reported to 1Password by the SDK client.
const IntegrationName = "terraform-provider-homelab"

// clientInitTimeout bounds the creation of the SDK client (loading the
// WebAssembly core and authenticating the service account). The creation is
// shared by every caller, so it does not run under one caller's context.
const clientInitTimeout = 2 * time.Minute

// sdkMu serialises SDK client creation across OnePassword values: the SDK's
// shared WebAssembly core is initialised lazily without a lock.
var sdkMu sync.Mutex

// secretsAPI is the part of the SDK's SecretsAPI this package uses.
type secretsAPI interface {
	Resolve(ctx context.Context, secretReference string) (string, error)
	ResolveAll(ctx context.Context, secretReferences []string) (onepassword.ResolveAllResponse, error)
}

// OnePassword resolves references through the 1Password SDK with a service
// account token, one at a time (Resolve) or many in one request (ResolveBulk,
// the SDK's Secrets().ResolveAll). The SDK client is created on the first
// call, once, and shared by all later calls (create one OnePassword per
// provider process, behind a Client). It is safe for concurrent use.
type OnePassword struct {
	token              string
	integrationVersion string

	// newClient creates the SDK client; replaced in tests.
	newClient func(ctx context.Context) (secretsAPI, error)

	mu      sync.Mutex
	api     secretsAPI  // set once a creation succeeded
	pending *clientInit // creation in flight, if any
}

// clientInit is one attempt at creating the SDK client; api and err are set
// before done is closed.
type clientInit struct {
	done chan struct{}
	api  secretsAPI
	err  error
}

// NewOnePassword returns a resolver that authenticates with the service
// account token. It does no I/O: the SDK client is created on the first
// Resolve, because creating it loads a WebAssembly core (seconds) and contacts
// 1Password.
func NewOnePassword(token, integrationVersion string) *OnePassword {
	if integrationVersion == "" {
		integrationVersion = onepassword.DefaultIntegrationVersion
	}
	o := &OnePassword{token: token, integrationVersion: integrationVersion}
	o.newClient = o.sdkClient
	return o
}

// String keeps the token out of anything that formats the resolver.
func (o *OnePassword) String() string { return "1Password resolver (service account token redacted)" }

// GoString keeps the token out of %#v.
func (o *OnePassword) GoString() string { return o.String() }

// Resolve checks the reference's syntax offline, then resolves it through
// 1Password. Errors read "resolving <reference> through 1Password: <message>"
// and never contain the token or a secret value. A canceled context returns
// at once, even while the SDK client is still being created.
func (o *OnePassword) Resolve(ctx context.Context, reference string) (string, error) {
	if _, err := ParseReference(reference); err != nil {
		return "", err
	}
	if strings.TrimSpace(o.token) == "" {
		return "", o.wrap(reference, errors.New("no service account token configured"))
	}
	api, err := o.client(ctx)
	if err != nil {
		return "", o.wrap(reference, err)
	}
	v, err := api.Resolve(ctx, reference)
	if err != nil {
		return "", o.wrap(reference, err)
	}
	return v, nil
}

// ResolveBulk resolves references with one Secrets().ResolveAll request.
// A reference with bad syntax is answered offline. Each reference 1Password
// answers on its own (not found, ambiguous) gets an error reading "resolving
// <reference> through 1Password: <reason>"; a failure of the request itself
// is the error return, "1Password: <message>", with the token masked. A
// reference the answer leaves out is left out here too.
func (o *OnePassword) ResolveBulk(ctx context.Context, references []string) (map[string]Answer, error) {
	out := make(map[string]Answer, len(references))
	valid := make([]string, 0, len(references))
	for _, ref := range references {
		if _, err := ParseReference(ref); err != nil {
			out[ref] = Answer{Err: err}
			continue
		}
		valid = append(valid, ref)
	}
	if len(valid) == 0 {
		return out, nil
	}
	if strings.TrimSpace(o.token) == "" {
		return nil, o.requestError(errors.New("no service account token configured"))
	}
	api, err := o.client(ctx)
	if err != nil {
		return nil, o.requestError(err)
	}
	resp, err := api.ResolveAll(ctx, valid)
	if err != nil {
		return nil, o.requestError(err)
	}
	for _, ref := range valid {
		r, ok := resp.IndividualResponses[ref]
		switch {
		case !ok:
		case r.Error != nil:
			out[ref] = Answer{Err: o.wrap(ref, errors.New(referenceFailure(*r.Error)))}
		case r.Content != nil:
			out[ref] = Answer{Value: r.Content.Secret}
		}
	}
	return out, nil
}

// referenceFailures say what 1Password's per-reference error types mean.
var referenceFailures = map[onepassword.ResolveReferenceErrorTypes]string{
	onepassword.ResolveReferenceErrorTypeVariantVaultNotFound:         "no vault matches",
	onepassword.ResolveReferenceErrorTypeVariantItemNotFound:          "no item matches",
	onepassword.ResolveReferenceErrorTypeVariantFieldNotFound:         "no field of the item matches",
	onepassword.ResolveReferenceErrorTypeVariantNoMatchingSections:    "no section of the item matches",
	onepassword.ResolveReferenceErrorTypeVariantTooManyVaults:         "more than one vault matches; use the vault's id",
	onepassword.ResolveReferenceErrorTypeVariantTooManyItems:          "more than one item matches; use the item's id",
	onepassword.ResolveReferenceErrorTypeVariantTooManyMatchingFields: "more than one field matches; use the field's id",
	onepassword.ResolveReferenceErrorTypeVariantParsing:               "1Password cannot parse the reference",
}

// referenceFailure describes a per-reference error. Only a parsing error's
// message is quoted: it is about the reference. Other messages (a one-time
// password that could not be generated) might be about the field's content.
func referenceFailure(e onepassword.ResolveReferenceError) string {
	text, ok := referenceFailures[e.Type]
	if !ok {
		text = "1Password cannot resolve it"
	}
	if e.Type == onepassword.ResolveReferenceErrorTypeVariantParsing {
		var raw struct {
			Message string `json:"message"`
		}
		if b, err := json.Marshal(e); err == nil && json.Unmarshal(b, &raw) == nil && raw.Message != "" {
			text += ": " + raw.Message
		}
	}
	return fmt.Sprintf("%s (%s)", text, e.Type)
}

// requestError formats the failure of a whole request, masking the token;
// context errors stay matchable with errors.Is.
func (o *OnePassword) requestError(err error) error {
	return newResolveError("1Password: "+o.mask(err.Error()), err)
}

func (o *OnePassword) mask(msg string) string {
	if o.token != "" {
		msg = strings.ReplaceAll(msg, o.token, "<redacted>")
	}
	return msg
}

// wrap formats an error for reference, masking the token as a belt-and-braces
// measure (the SDK's messages should never contain it). The result does not
// wrap err, so the token cannot be reached through errors.Unwrap either; only
// context errors stay matchable with errors.Is.
func (o *OnePassword) wrap(reference string, err error) error {
	return newResolveError(fmt.Sprintf("resolving %s through 1Password: %s", reference, o.mask(err.Error())), err)
}

// newResolveError keeps msg and, of the cause, only whether it is a context
// error.
func newResolveError(msg string, cause error) error {
	e := &resolveError{msg: msg}
	switch {
	case errors.Is(cause, context.Canceled):
		e.cause = context.Canceled
	case errors.Is(cause, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
	}
	return e
}

type resolveError struct {
	msg   string
	cause error
}

func (e *resolveError) Error() string { return e.msg }
func (e *resolveError) Unwrap() error { return e.cause }

// client returns the SDK client, creating it if needed. The creation runs in
// its own goroutine with its own timeout so that a caller whose context ends
// returns at once (the SDK's WebAssembly load ignores contexts) while the
// creation continues for the next caller. A failed creation is not cached:
// the next call tries again.
func (o *OnePassword) client(ctx context.Context) (secretsAPI, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o.mu.Lock()
	if o.api != nil {
		api := o.api
		o.mu.Unlock()
		return api, nil
	}
	attempt := o.pending
	if attempt == nil {
		attempt = &clientInit{done: make(chan struct{})}
		o.pending = attempt
		go o.create(attempt)
	}
	o.mu.Unlock()

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-attempt.done:
		return attempt.api, attempt.err
	}
}

func (o *OnePassword) create(attempt *clientInit) {
	ctx, cancel := context.WithTimeout(context.Background(), clientInitTimeout)
	defer cancel()
	api, err := o.newClient(ctx)
	if err == nil && api == nil {
		err = errors.New("creating the 1Password client returned no client")
	}

	o.mu.Lock()
	if err == nil {
		o.api = api
	}
	o.pending = nil
	o.mu.Unlock()

	attempt.api, attempt.err = api, err
	close(attempt.done)
}

// sdkClient creates the real SDK client.
func (o *OnePassword) sdkClient(ctx context.Context) (secretsAPI, error) {
	sdkMu.Lock()
	defer sdkMu.Unlock()
	c, err := onepassword.NewClient(ctx,
		onepassword.WithServiceAccountToken(o.token),
		onepassword.WithIntegrationInfo(IntegrationName, o.integrationVersion),
	)
	if err != nil {
		return nil, err
	}
	return c.Secrets(), nil
}
