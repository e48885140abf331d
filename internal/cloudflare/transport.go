package cloudflare

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxBackoff caps exponential back-off between retries.
const maxBackoff = 30 * time.Second

// maxDrain is the most of a retried answer's body read to keep its
// connection: error bodies are small, and a larger one is cheaper to drop
// with its connection than to read.
const maxDrain = 64 << 10

// transport is the single request path: every call to Cloudflare is paced
// (budget.go), retried and logged here, never in the resources.
type transport struct {
	budget     *budget
	maxRetries int
	baseDelay  time.Duration
	token      string
}

func (t *transport) roundTrip(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	ctx := tflog.MaskAllFieldValuesStrings(req.Context(), t.token)
	ctx = tflog.MaskMessageStrings(ctx, t.token)
	for attempt := 0; ; attempt++ {
		answered, err := t.budget.acquire(ctx)
		if err != nil {
			return nil, err
		}
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		start := time.Now()
		resp, err := next(req)
		answered()
		fields := map[string]any{
			"method":      req.Method,
			"path":        req.URL.Path,
			"query":       req.URL.RawQuery,
			"attempt":     attempt + 1,
			"duration_ms": time.Since(start).Milliseconds(),
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fields["error"] = err.Error()
		} else {
			fields["status"] = resp.StatusCode
		}
		tflog.Debug(ctx, "Cloudflare API request", fields)

		limited := err == nil && resp.StatusCode == http.StatusTooManyRequests
		delay := t.backoff(attempt, resp)
		if limited {
			// Another process of the token spends the budget too: hold
			// every caller of the client, not only this one.
			t.budget.refused(time.Now().Add(delay))
		}
		if !retryable(resp, err) || attempt >= t.maxRetries {
			return resp, err
		}
		if resp != nil {
			// Drain a bounded amount so the connection is reused (a body
			// closed unread drops the connection), then close.
			_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
			_ = resp.Body.Close()
		}
		tflog.Info(ctx, "Retrying Cloudflare API request", map[string]any{
			"method": req.Method, "path": req.URL.Path, "attempt": attempt + 1, "delay_ms": delay.Milliseconds(),
		})
		if limited {
			continue // the budget holds the retry until the delay has passed
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return true // transport errors: connection reset, refused, timeouts
	}
	if resp.Header.Get("X-Should-Retry") == "false" {
		return false
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
}

// backoff honours Retry-After when the API sends one and otherwise doubles
// from the base delay with jitter.
func (t *transport) backoff(attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if v := resp.Header.Get("Retry-After"); v != "" {
			if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
				return time.Duration(secs * float64(time.Second))
			}
			if at, err := http.ParseTime(v); err == nil {
				return max(0, time.Until(at))
			}
		}
	}
	d := t.baseDelay << attempt
	if d <= 0 || d > maxBackoff {
		d = maxBackoff
	}
	jitter := time.Duration(rand.Int64N(int64(d)/4 + 1))
	return d - d/8 + jitter
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
