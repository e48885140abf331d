// Package cloudflare is the provider's one path to the Cloudflare API: it
// wraps cloudflare-go with client-side pacing, a single retry policy, typed
// errors and redacted request logging, and exposes the few calls the
// resources need in the provider's own types.
package cloudflare

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	cf "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/dns"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/zero_trust"
	"github.com/cloudflare/cloudflare-go/v7/zones"
	"golang.org/x/sync/singleflight"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare/gather"
)

// Defaults: Cloudflare's global limit of 1,200 requests per rolling 5
// minutes as the budget (budget.go), no cap on the rate.
const (
	DefaultRequestBudget = 1200
	DefaultMaxRetries    = 4
	DefaultBaseURL       = "https://api.cloudflare.com/client/v4"
)

// Config holds everything needed to build a Client.
type Config struct {
	APIToken  string
	AccountID string
	BaseURL   string
	// RequestBudget is the most requests in any rolling 5 minutes
	// (default DefaultRequestBudget); RequestsPerSecond an optional cap on
	// top (0: none).
	RequestBudget     int
	RequestsPerSecond float64
	MaxRetries        int
	UserAgent         string
	// RetryBaseDelay is the first back-off when the API gives no
	// Retry-After; tests shorten it.
	RetryBaseDelay time.Duration
	HTTPClient     *http.Client
}

// Client talks to one Cloudflare account. All the coordination of one
// provider process lives here, never in package globals.
//
// Lock order. Only policies.mu is held while another lock is taken or
// while a request is sent; every other lock is a leaf, held for
// bookkeeping only and never across a request, a single-flight wait or
// a call into another part:
//
//	policies.mu (sharedpolicy.go): held across a whole lookup or creation
//	  of a shared policy, so it may take, in turn, the cache's locks and
//	  wait for the Access listings' single-flight. Nothing takes it while
//	  holding another lock, and no batched write runs under it.
//	cache.mu, collection.mu (cache.go): leaves. A listing runs in its
//	  single-flight without collection.mu, and writes made meanwhile are
//	  recorded under it.
//	gather.Gatherer.mu, gather.ByID.mu, ChangeHandle.mu (change.go): leaves.
//	  A batch is written with no gatherer lock held, so the writers
//	  (tunnelbatch.go, dnsbatch.go) may read and update the cache.
//	zonesMu (zones.go): a leaf guarding zones; the account's zones are
//	  listed in zoneLookups' single-flight without it.
//	directory.mu (accessdirectory.go): a leaf, like zonesMu.
type Client struct {
	sdk       *sdkClient
	accountID string
	requests  *budget // the transport's pacing (budget.go)

	// Bulk reads (cache.go) and coalesced writes (package gather): tunnel
	// configurations (tunnelbatch.go), DNS record creations and deletions
	// (dnsbatch.go), announced through BeginChange (change.go).
	cache        cache
	tunnelWrites gather.ByID[tunnelMutation, TunnelConfig]
	dnsCreates   gather.ByID[CNAME, DNSRecord]
	dnsDeletes   gather.ByID[string, struct{}]
	gatherWindow time.Duration
	policies     sharedPolicies  // sharedpolicy.go
	directory    accessDirectory // accessdirectory.go: groups, identity providers, organization

	zonesMu     sync.Mutex
	zones       *zoneList     // listed once per process
	owner       string        // this process in document lock comments (lock.go)
	lockWait    time.Duration // the longest wait for a document lock
	zoneLookups singleflight.Group
}

// New builds a Client. The provider resolves configuration and environment
// itself, so every value the SDK would take from CLOUDFLARE_* variables is
// overridden here; only CLOUDFLARE_CUSTOM_HEADERS still reaches requests,
// as the SDK documents it for API gateways.
func New(cfg Config) (*Client, error) {
	if cfg.APIToken == "" {
		return nil, errors.New("missing API token")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.RequestBudget <= 0 {
		cfg.RequestBudget = DefaultRequestBudget
	}
	cfg.RequestsPerSecond = max(0, cfg.RequestsPerSecond)
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = 500 * time.Millisecond
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 60 * time.Second}
	}
	t := &transport{
		budget:     newBudget(cfg.RequestBudget, limitWindow, cfg.RequestsPerSecond),
		maxRetries: cfg.MaxRetries,
		baseDelay:  cfg.RetryBaseDelay,
		token:      cfg.APIToken,
	}
	opts := append(cf.DefaultClientOptions(),
		// Override every value the defaults take from CLOUDFLARE_* variables.
		option.WithBaseURL(strings.TrimRight(cfg.BaseURL, "/")+"/"),
		option.WithAPIToken(cfg.APIToken),
		option.WithHeaderDel("X-Auth-Email"),
		option.WithHeaderDel("X-Auth-Key"),
		option.WithHeaderDel("X-Auth-User-Service-Key"),
		option.WithHTTPClient(httpClient),
		option.WithHeader("User-Agent", cfg.UserAgent),
		// Our transport owns pacing and retries; the SDK must not retry on top.
		option.WithMaxRetries(0),
		option.WithMiddleware(t.roundTrip),
	)
	sdk := &sdkClient{
		execute: (&cf.Client{Options: opts}).Execute,
		Zones:   zones.NewZoneService(opts...),
	}
	sdk.DNS.Records = dns.NewRecordService(opts...)
	sdk.ZeroTrust.Tunnels.Cloudflared = zero_trust.NewTunnelCloudflaredService(opts...)
	return &Client{
		sdk:          sdk,
		accountID:    cfg.AccountID,
		requests:     t.budget,
		gatherWindow: gather.Window(cfg.RequestsPerSecond),
		owner:        lockOwner(),
		lockWait:     lockWait,
	}, nil
}

// sdkClient has the shape of the few parts of cf.Client the provider calls,
// built with the options cf.NewClient would use. cf.NewClient builds every
// one of the SDK's hundreds of services, and a *cf.Client reachable from the
// provider's data keeps all their methods in the binary (reflection
// elsewhere makes the linker keep every exported method of such types):
// 70 MB of the binary's 180, about 10 MB more resident at start-up. The
// generic Execute goes through a method value, so no *cf.Client appears in
// a type the linker must keep whole.
type sdkClient struct {
	execute func(ctx context.Context, method, path string, params, res any, opts ...option.RequestOption) error

	DNS       struct{ Records *dns.RecordService }
	Zones     *zones.ZoneService
	ZeroTrust struct {
		Tunnels struct {
			Cloudflared *zero_trust.TunnelCloudflaredService
		}
	}
}

// Execute sends a request to any endpoint, as cf.Client.Execute does.
func (s *sdkClient) Execute(ctx context.Context, method, path string, params, res any) error {
	return s.execute(ctx, method, path, params, res)
}

// AccountID is the account every account-scoped call uses.
func (c *Client) AccountID() string { return c.accountID }

func (c *Client) requireAccount() error {
	if c.accountID == "" {
		return errMissingAccount
	}
	return nil
}

var errMissingAccount = errors.New("the Cloudflare account id is not configured (cloudflare.account_id or CLOUDFLARE_ACCOUNT_ID)")

// limitWindow is the span of Cloudflare's global limit: 1,200 requests per
// rolling 5 minutes.
const limitWindow = 5 * time.Minute
