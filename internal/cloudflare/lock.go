package cloudflare

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Document locks: one lock, across processes, for every shared document.
//
// A tunnel's configuration is one document the API replaces whole, with
// no version check on PUT, so two processes (two states, workspaces or
// machines) that read it, change it and write it at once lose one of the
// two changes. The batch writer (tunnelbatch.go) merges the changes of
// one process; each batch's read-modify-write runs under a document lock
// whose truth lives in Cloudflare, so it holds between processes:
//
//   - The lock is a TXT record named _homelab-lock.<key> in the lock zone,
//     the account's oldest zone (by created_on, then id), which every
//     process that sees the account's zones agrees on whatever its
//     configuration. Its content is the same for every holder, and the
//     DNS API refuses a second identical record (HTTP 400, code 81058 "An
//     identical record already exists.") atomically: of concurrent
//     creators exactly one wins.
//   - Its comment names the holder (host and process) and its lease, and
//     carries a nonce, by which a holder whose create was retried knows
//     its own record.
//   - A lock expires a lease after the record's created_on, judged on the
//     API's clock (the Date header of the listing that saw it), so the
//     machines' clocks do not matter. An expired lock is broken by deleting
//     that record by id: of two breakers one deletes it and the other gets
//     a 404, and both then race to create a new one, which one wins.
//   - The holder writes only while at least lockMargin of its lease is left
//     on its own clock, counted from before its create was sent; beyond
//     that it takes the lock again and re-reads.
//   - Release deletes the record. A killed holder's lock expires.
//   - Waiting is bounded by lockWait (Client.lockWait); the error names the holder and since
//     when it has held the lock.
//
// Cost in requests: an uncontended lock is two (the create and the
// delete). Each attempt that finds the lock taken is two more (the refused
// create and a listing of that one name), at most every lockPollMax.
//
// The facts this relies on: a DNS record create answers 400 with code
// 81058 when a record of the same type, name, content and TTL exists
// (developers.cloudflare.com/dns/manage-dns-records/troubleshooting/
// records-with-same-name/; the error quoted in many clients' issues); a
// record's created_on is set by the API; responses carry a Date header
// (RFC 9110 section 6.6.1).

const (
	lockLease   = 30 * time.Second
	lockMargin  = 10 * time.Second
	lockWait    = 2 * time.Minute
	lockPollMin = 50 * time.Millisecond
	lockPollMax = time.Second
	// lockContent is every lock record's content: identical on purpose.
	lockContent = "homelab-provider document lock"
	lockTTL     = 60 // seconds; the same for every holder, or records would not be identical
	// commentLimit is the longest DNS record comment the Free plan takes.
	commentLimit = 100
	// codeIdenticalRecord is the API's refusal of an identical record.
	codeIdenticalRecord = 81058
)

// docLock is a held document lock.
type docLock struct {
	c        *Client
	zoneID   string
	name     string
	recordID string
	sent     time.Time // when the winning create was sent
}

// lockRecord is the part of a lock record the lock reads.
type lockRecord struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Content   string    `json:"content"`
	Comment   string    `json:"comment"`
	CreatedOn time.Time `json:"created_on"`
}

// LockTimeoutError says a document lock stayed taken for the whole wait.
type LockTimeoutError struct {
	Name   string    // the lock record's name
	Holder string    // the holder's comment: host, process and lease
	Since  time.Time // the lock record's created_on
	Waited time.Duration
}

func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("the lock %s was held for the whole %s this apply waited (%s, since %s); "+
		"another apply on the same tunnel is running; retry when it ends, or delete that TXT record if no apply runs",
		e.Name, e.Waited, e.Holder, e.Since.UTC().Format(time.RFC3339))
}

// withDocLock runs fn under the document lock of key, taking it again when
// fn reports (through lapsed) that the lease ran short before its write.
// fn gets held, which it asks before each write.
func (c *Client) withDocLock(ctx context.Context, key string, fn func(held func() bool) (lapsed bool)) error {
	for range 3 {
		l, err := c.lockDoc(ctx, key)
		if err != nil {
			return err
		}
		lapsed := fn(l.held)
		l.release(ctx)
		if !lapsed {
			return nil
		}
		tflog.Warn(ctx, "Cloudflare document lock lease ran short before the write; taking it again", map[string]any{"lock": l.name})
	}
	return fmt.Errorf("the lock of %s ran short three times before the write: the API answers too slowly for a %s lease", key, lockLease)
}

// lockDoc takes the lock of key, waiting at most lockWait.
func (c *Client) lockDoc(ctx context.Context, key string) (*docLock, error) {
	zoneID, zoneName, err := c.lockZone(ctx)
	if err != nil {
		return nil, fmt.Errorf("finding the zone for the lock of %s: %w", key, err)
	}
	name := "_homelab-lock." + key + "." + zoneName
	nonce := newNonce()
	comment := lockComment(nonce, c.owner)
	start := time.Now()
	poll := lockPollMin
	for {
		sent := time.Now()
		id, err := c.createLockRecord(ctx, zoneID, name, comment)
		if err == nil {
			return &docLock{c: c, zoneID: zoneID, name: name, recordID: id, sent: sent}, nil
		}
		var apiErr *APIError
		taken := errors.As(err, &apiErr) && apiErr.HasCode(codeIdenticalRecord)
		if !taken && !outcomeUnknown(err) {
			return nil, fmt.Errorf("taking the lock %s: %w", name, err)
		}
		// Taken by someone, or our create's outcome is unknown (it may
		// have been made, then its answer lost): the listing tells.
		holders, now, listErr := c.lockHolders(ctx, zoneID, name)
		if listErr != nil {
			return nil, fmt.Errorf("reading the lock %s: %w", name, errors.Join(err, listErr))
		}
		if !taken && !slices.ContainsFunc(holders, func(h lockRecord) bool { return strings.Contains(h.Comment, nonce) }) {
			return nil, fmt.Errorf("taking the lock %s: %w", name, err)
		}
		var holder *lockRecord
		for i := range holders {
			h := &holders[i]
			switch {
			case strings.Contains(h.Comment, nonce):
				// Our own create went through and its retry was refused.
				return &docLock{c: c, zoneID: zoneID, name: name, recordID: h.ID, sent: sent}, nil
			case now.Sub(h.CreatedOn) > leaseOf(h.Comment):
				tflog.Info(ctx, "Breaking an expired Cloudflare document lock", map[string]any{"lock": name, "holder": h.Comment, "since": h.CreatedOn})
				if err := c.deleteLockRecord(ctx, zoneID, h.ID); err != nil {
					return nil, fmt.Errorf("breaking the expired lock %s: %w", name, err)
				}
			default:
				holder = h
			}
		}
		if holder == nil {
			continue // released or broken meanwhile: try again at once
		}
		waited := time.Since(start)
		if waited >= c.lockWait {
			return nil, &LockTimeoutError{Name: name, Holder: holder.Comment, Since: holder.CreatedOn, Waited: waited.Round(time.Second)}
		}
		tflog.Debug(ctx, "Waiting for a Cloudflare document lock", map[string]any{"lock": name, "holder": holder.Comment})
		if err := sleep(ctx, jitter(poll)); err != nil {
			return nil, err
		}
		poll = min(2*poll, lockPollMax)
	}
}

// outcomeUnknown reports a failed request that the API may have carried
// out all the same: a server error, or no answer at all.
func outcomeUnknown(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500 || apiErr.StatusCode == http.StatusTooManyRequests
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// held reports whether enough of the lease is left for a write.
func (l *docLock) held() bool { return time.Since(l.sent) < lockLease-lockMargin }

// release deletes the lock record, even when the caller's context has
// ended, trying again while the lease lasts: a lock left behind stops
// every writer of the document until it expires.
func (l *docLock) release(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	err := l.c.deleteLockRecord(ctx, l.zoneID, l.recordID)
	for wait := lockPollMin; err != nil && outcomeUnknown(err) && time.Since(l.sent)+wait < lockLease; wait = min(2*wait, lockPollMax) {
		_ = sleep(ctx, jitter(wait))
		err = l.c.deleteLockRecord(ctx, l.zoneID, l.recordID)
	}
	if err != nil {
		tflog.Warn(ctx, "Releasing a Cloudflare document lock failed; it expires by itself", map[string]any{
			"lock": l.name, "expires_in": lockLease.String(), "error": err.Error(),
		})
	}
}

type lockRecordBody struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Content string `json:"content"`
	TTL     int    `json:"ttl"`
	Comment string `json:"comment"`
}

// createLockRecord creates the lock record with the plain endpoint: never
// batched (a batch is all-or-nothing with the records of other callers)
// and never in the zone's cached listing, which describes the records the
// resources own.
func (c *Client) createLockRecord(ctx context.Context, zoneID, name, comment string) (string, error) {
	var env struct {
		Result lockRecord `json:"result"`
	}
	body := lockRecordBody{Type: "TXT", Name: name, Content: lockContent, TTL: lockTTL, Comment: comment}
	if err := c.sdk.Execute(ctx, http.MethodPost, zoneRecordsPath(zoneID), body, &env); err != nil {
		return "", wrap(err)
	}
	return env.Result.ID, nil
}

// lockHolders lists the lock records of name and the API's time of the
// answer.
func (c *Client) lockHolders(ctx context.Context, zoneID, name string) ([]lockRecord, time.Time, error) {
	var env listEnvelope[lockRecord]
	var resp *http.Response
	q := url.Values{"type": {"TXT"}, "name.exact": {name}, "per_page": {"100"}}
	err := c.sdk.execute(ctx, http.MethodGet, zoneRecordsPath(zoneID)+"?"+q.Encode(), nil, &env, option.WithResponseInto(&resp))
	if err != nil {
		return nil, time.Time{}, wrap(err)
	}
	now := time.Now()
	if resp != nil {
		// Whole seconds, rounded down: a lock looks younger, never older.
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			now = t
		}
	}
	var out []lockRecord
	for _, r := range env.Result {
		if r.Content == lockContent || r.Content == `"`+lockContent+`"` {
			out = append(out, r)
		}
	}
	return out, now, nil
}

func (c *Client) deleteLockRecord(ctx context.Context, zoneID, id string) error {
	err := wrap(c.sdk.Execute(ctx, http.MethodDelete, zoneRecordsPath(zoneID)+"/"+url.PathEscape(id), nil, nil))
	if IsNotFound(err) {
		return nil // released, or broken by someone else
	}
	return err
}

// lockComment is the lock record's comment: nonce, lease and holder,
// within the Free plan's comment limit.
func lockComment(nonce, owner string) string {
	s := fmt.Sprintf("homelab lock %s lease=%s by %s", nonce, lockLease, owner)
	if len(s) > commentLimit {
		s = s[:commentLimit]
	}
	return s
}

// leaseOf reads the lease a holder wrote in its comment; a comment
// without one gets the default.
func leaseOf(comment string) time.Duration {
	for f := range strings.FieldsSeq(comment) {
		if v, ok := strings.CutPrefix(f, "lease="); ok {
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				return d
			}
		}
	}
	return lockLease
}

// lockOwner names this process in lock comments: host and process id.
func lockOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	if len(host) > 40 {
		host = host[:40]
	}
	return fmt.Sprintf("%s/pid %d", host, os.Getpid())
}

func newNonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// jitter spreads waiters out so they do not retry in step.
func jitter(d time.Duration) time.Duration {
	return d/2 + mrand.N(d/2+1)
}
