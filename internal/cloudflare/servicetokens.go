package cloudflare

import (
	"context"
	"net/http"
	"time"
)

// Access service tokens. The client secret exists only in the API's
// answer to create and rotate; it is handed to the caller as a Secret,
// which prints, formats and marshals as a placeholder, and is never kept
// or logged here (the transport logs method, path, query and status only).

// ServiceToken is a service token without its secret.
type ServiceToken struct {
	ID        string
	Name      string
	ClientID  string
	Duration  string
	ExpiresAt time.Time
}

// Secret is a client secret. Only Reveal gives the value.
type Secret struct{ value string }

const redacted = "(sensitive value)"

// Reveal returns the secret's value, for the one write that delivers it.
func (s Secret) Reveal() string { return s.value }

// String keeps the value out of %v and %s.
func (s Secret) String() string { return redacted }

// GoString keeps the value out of %#v.
func (s Secret) GoString() string { return redacted }

// MarshalJSON keeps the value out of JSON (a log field, a diagnostic).
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

type serviceTokenBody struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	ClientID     string     `json:"client_id"`
	ClientSecret string     `json:"client_secret,omitempty"`
	Duration     string     `json:"duration"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
}

type serviceTokenWrite struct {
	Name     string `json:"name,omitempty"`
	Duration string `json:"duration,omitempty"`
}

// split separates a token answer from its secret; the answer's copy of the
// secret is cleared before anything else sees the body.
func (b *serviceTokenBody) split() (ServiceToken, Secret) {
	s := Secret{value: b.ClientSecret}
	b.ClientSecret = ""
	t := ServiceToken{ID: b.ID, Name: b.Name, ClientID: b.ClientID, Duration: b.Duration}
	if b.ExpiresAt != nil {
		t.ExpiresAt = b.ExpiresAt.UTC()
	}
	return t, s
}

// CreateServiceToken makes a token; duration "" takes the API's default
// (8760h). The answer to create declares no expires_at (cloudflare-go v7's
// AccessServiceTokenNewResponse), so when it has none one GET reads it.
func (c *Client) CreateServiceToken(ctx context.Context, name, duration string) (ServiceToken, Secret, error) {
	if err := c.requireAccount(); err != nil {
		return ServiceToken{}, Secret{}, err
	}
	var env envelope[serviceTokenBody]
	err := c.sdk.Execute(ctx, http.MethodPost, c.accountPath("access/service_tokens"), serviceTokenWrite{Name: name, Duration: duration}, &env)
	if err != nil {
		return ServiceToken{}, Secret{}, wrap(err)
	}
	return c.withExpiry(ctx, &env.Result)
}

// RotateServiceToken gives the token a new secret; the previous one stops
// at once (the API's default for previous_client_secret_expires_at).
func (c *Client) RotateServiceToken(ctx context.Context, id string) (ServiceToken, Secret, error) {
	if err := c.requireAccount(); err != nil {
		return ServiceToken{}, Secret{}, err
	}
	var env envelope[serviceTokenBody]
	err := c.sdk.Execute(ctx, http.MethodPost, c.accountPath("access/service_tokens/%s/rotate", id), struct{}{}, &env)
	if err != nil {
		return ServiceToken{}, Secret{}, wrap(err)
	}
	return c.withExpiry(ctx, &env.Result)
}

func (c *Client) withExpiry(ctx context.Context, b *serviceTokenBody) (ServiceToken, Secret, error) {
	t, s := b.split()
	if !t.ExpiresAt.IsZero() {
		return t, s, nil
	}
	got, err := c.GetServiceToken(ctx, t.ID)
	if err != nil {
		// The secret was made: hand it over with what is known, so the
		// caller can still deliver it and record the token.
		return t, s, err
	}
	return got, s, nil
}

// RefreshServiceToken extends the token's expiry to now + its duration.
func (c *Client) RefreshServiceToken(ctx context.Context, id string) (ServiceToken, error) {
	return c.serviceTokenCall(ctx, http.MethodPost, c.accountPath("access/service_tokens/%s/refresh", id), nil)
}

// UpdateServiceToken sets the token's name and duration.
func (c *Client) UpdateServiceToken(ctx context.Context, id, name, duration string) (ServiceToken, error) {
	return c.serviceTokenCall(ctx, http.MethodPut, c.accountPath("access/service_tokens/%s", id), serviceTokenWrite{Name: name, Duration: duration})
}

// GetServiceToken reads a token.
func (c *Client) GetServiceToken(ctx context.Context, id string) (ServiceToken, error) {
	return c.serviceTokenCall(ctx, http.MethodGet, c.accountPath("access/service_tokens/%s", id), nil)
}

// DeleteServiceToken deletes a token; a token already gone is not an
// error.
func (c *Client) DeleteServiceToken(ctx context.Context, id string) error {
	_, err := c.serviceTokenCall(ctx, http.MethodDelete, c.accountPath("access/service_tokens/%s", id), nil)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// serviceTokenCall sends a request whose answer has no secret (a
// ServiceToken in v7's types); one that had one anyway is dropped.
func (c *Client) serviceTokenCall(ctx context.Context, method, path string, body any) (ServiceToken, error) {
	if err := c.requireAccount(); err != nil {
		return ServiceToken{}, err
	}
	var env envelope[serviceTokenBody]
	if err := c.sdk.Execute(ctx, method, path, body, &env); err != nil {
		return ServiceToken{}, wrap(err)
	}
	t, _ := env.Result.split()
	return t, nil
}
