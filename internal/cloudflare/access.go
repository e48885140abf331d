package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// AccessPolicy is a reusable allow policy for a list of e-mail addresses.
type AccessPolicy struct {
	ID              string
	Name            string
	Emails          []string
	SessionDuration string
	// AppCount is how many applications link the policy, as the API
	// answered; cached listings do not follow later links.
	AppCount int
}

// AccessApp is a self-hosted Access application for one hostname.
type AccessApp struct {
	ID              string
	Name            string
	Domain          string
	SessionDuration string
	AUD             string
	PolicyIDs       []string
}

// Wire shapes of the Access API. The calls use the SDK's generic request
// path because its typed Access params are unions of dozens of variants
// for what is, here, one small document.
type accessRule struct {
	Email *struct {
		Email string `json:"email"`
	} `json:"email,omitempty"`
}

type accessPolicyBody struct {
	ID              string       `json:"id,omitempty"`
	Name            string       `json:"name"`
	Decision        string       `json:"decision"`
	Include         []accessRule `json:"include"`
	Exclude         []accessRule `json:"exclude"`
	Require         []accessRule `json:"require"`
	SessionDuration string       `json:"session_duration,omitempty"`
	AppCount        int          `json:"app_count,omitempty"` // server-owned: never sent, as it is zero on writes
}

type accessPolicyLink struct {
	ID         string `json:"id"`
	Precedence int    `json:"precedence,omitempty"`
}

type accessDestination struct {
	Type string `json:"type"`
	URI  string `json:"uri"`
}

type accessAppBody struct {
	ID                     string              `json:"id,omitempty"`
	AUD                    string              `json:"aud,omitempty"`
	Type                   string              `json:"type"`
	Name                   string              `json:"name"`
	Domain                 string              `json:"domain"`
	Destinations           []accessDestination `json:"destinations,omitempty"`
	SessionDuration        string              `json:"session_duration,omitempty"`
	AppLauncherVisible     bool                `json:"app_launcher_visible"`
	AutoRedirectToIdentity bool                `json:"auto_redirect_to_identity"`
	Policies               []accessPolicyLink  `json:"policies"`
}

type envelope[T any] struct {
	Result T `json:"result"`
}

func (c *Client) accountPath(format string, args ...any) string {
	escaped := make([]any, len(args))
	for i, a := range args {
		escaped[i] = url.PathEscape(fmt.Sprint(a))
	}
	return fmt.Sprintf("accounts/%s/", url.PathEscape(c.accountID)) + fmt.Sprintf(format, escaped...)
}

func policyFrom(b accessPolicyBody) AccessPolicy {
	p := AccessPolicy{ID: b.ID, Name: b.Name, SessionDuration: b.SessionDuration, AppCount: b.AppCount}
	for _, r := range b.Include {
		if r.Email != nil {
			p.Emails = append(p.Emails, r.Email.Email)
		}
	}
	sort.Strings(p.Emails)
	return p
}

func policyBody(p AccessPolicy) accessPolicyBody {
	b := accessPolicyBody{Name: p.Name, Decision: "allow", Exclude: []accessRule{}, Require: []accessRule{}, SessionDuration: p.SessionDuration}
	for _, e := range p.Emails {
		r := accessRule{Email: &struct {
			Email string `json:"email"`
		}{Email: e}}
		b.Include = append(b.Include, r)
	}
	return b
}

func appFrom(b accessAppBody) AccessApp {
	a := AccessApp{ID: b.ID, Name: b.Name, Domain: strings.ToLower(b.Domain), SessionDuration: b.SessionDuration, AUD: b.AUD}
	for _, p := range b.Policies {
		a.PolicyIDs = append(a.PolicyIDs, p.ID)
	}
	return a
}

func appBody(a AccessApp) accessAppBody {
	b := accessAppBody{
		Type:               "self_hosted",
		Name:               a.Name,
		Domain:             a.Domain,
		Destinations:       []accessDestination{{Type: "public", URI: a.Domain}},
		SessionDuration:    a.SessionDuration,
		AppLauncherVisible: true,
		Policies:           []accessPolicyLink{},
	}
	for i, id := range a.PolicyIDs {
		b.Policies = append(b.Policies, accessPolicyLink{ID: id, Precedence: i + 1})
	}
	return b
}

// GetAccessPolicy reads a reusable policy.
func (c *Client) GetAccessPolicy(ctx context.Context, id string) (AccessPolicy, error) {
	if err := c.requireAccount(); err != nil {
		return AccessPolicy{}, err
	}
	var env envelope[accessPolicyBody]
	err := c.sdk.Execute(ctx, http.MethodGet, c.accountPath("access/policies/%s", id), nil, &env)
	return policyFrom(env.Result), wrap(err)
}

// ListAccessPolicies lists the account's reusable policies.
func (c *Client) ListAccessPolicies(ctx context.Context) ([]AccessPolicy, error) {
	if err := c.requireAccount(); err != nil {
		return nil, err
	}
	var out []AccessPolicy
	err := listPages(ctx, c, "access/policies", func(page *[]accessPolicyBody) {
		for _, b := range *page {
			out = append(out, policyFrom(b))
		}
	})
	return out, err
}

// CreateAccessPolicy creates a reusable allow policy.
func (c *Client) CreateAccessPolicy(ctx context.Context, p AccessPolicy) (AccessPolicy, error) {
	if err := c.requireAccount(); err != nil {
		return AccessPolicy{}, err
	}
	var env envelope[accessPolicyBody]
	err := wrap(c.sdk.Execute(ctx, http.MethodPost, c.accountPath("access/policies"), policyBody(p), &env))
	return c.policyWritten("", policyFrom(env.Result), err)
}

// UpdateAccessPolicy replaces a reusable policy.
func (c *Client) UpdateAccessPolicy(ctx context.Context, p AccessPolicy) (AccessPolicy, error) {
	if err := c.requireAccount(); err != nil {
		return AccessPolicy{}, err
	}
	var env envelope[accessPolicyBody]
	err := wrap(c.sdk.Execute(ctx, http.MethodPut, c.accountPath("access/policies/%s", p.ID), policyBody(p), &env))
	return c.policyWritten(p.ID, policyFrom(env.Result), err)
}

// DeleteAccessPolicy deletes a reusable policy; one already gone is fine.
func (c *Client) DeleteAccessPolicy(ctx context.Context, id string) error {
	if err := c.requireAccount(); err != nil {
		return err
	}
	err := wrap(c.sdk.Execute(ctx, http.MethodDelete, c.accountPath("access/policies/%s", id), nil, nil))
	c.cache.policies.wrote(id, nil, err)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// ListAccessApps lists the account's Access applications.
func (c *Client) ListAccessApps(ctx context.Context) ([]AccessApp, error) {
	if err := c.requireAccount(); err != nil {
		return nil, err
	}
	var out []AccessApp
	err := listPages(ctx, c, "access/apps", func(page *[]accessAppBody) {
		for _, b := range *page {
			out = append(out, appFrom(b))
		}
	})
	return out, err
}

// CreateAccessApp creates a self-hosted Access application.
func (c *Client) CreateAccessApp(ctx context.Context, a AccessApp) (AccessApp, error) {
	if err := c.requireAccount(); err != nil {
		return AccessApp{}, err
	}
	var env envelope[accessAppBody]
	err := wrap(c.sdk.Execute(ctx, http.MethodPost, c.accountPath("access/apps"), appBody(a), &env))
	return c.appWritten("", appFrom(env.Result), err)
}

// UpdateAccessApp replaces a self-hosted Access application.
func (c *Client) UpdateAccessApp(ctx context.Context, a AccessApp) (AccessApp, error) {
	if err := c.requireAccount(); err != nil {
		return AccessApp{}, err
	}
	var env envelope[accessAppBody]
	err := wrap(c.sdk.Execute(ctx, http.MethodPut, c.accountPath("access/apps/%s", a.ID), appBody(a), &env))
	return c.appWritten(a.ID, appFrom(env.Result), err)
}

// DeleteAccessApp deletes an Access application; one already gone is fine.
func (c *Client) DeleteAccessApp(ctx context.Context, id string) error {
	if err := c.requireAccount(); err != nil {
		return err
	}
	err := wrap(c.sdk.Execute(ctx, http.MethodDelete, c.accountPath("access/apps/%s", id), nil, nil))
	c.cache.apps.wrote(id, nil, err)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// accessPageSize is what the dashboard uses for Access lists.
const accessPageSize = 100

// listPages walks an account-scoped list.
func listPages[T any](ctx context.Context, c *Client, resource string, each func(*[]T)) error {
	return listAll(ctx, c, c.accountPath(resource), accessPageSize, func(page []T) { each(&page) })
}

// policyWritten keeps the cached listing in step with the answer to a
// write of policy id ("" for a creation).
func (c *Client) policyWritten(id string, p AccessPolicy, err error) (AccessPolicy, error) {
	if err == nil {
		id = p.ID
	}
	c.cache.policies.wrote(id, &p, err)
	return p, err
}

// appWritten is policyWritten for an application.
func (c *Client) appWritten(id string, a AccessApp, err error) (AccessApp, error) {
	if err == nil {
		id = a.ID
	}
	c.cache.apps.wrote(id, &a, err)
	return a, err
}
