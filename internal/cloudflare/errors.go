package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	cf "github.com/cloudflare/cloudflare-go/v7"
)

// APIError is a failed Cloudflare API call in a form the resources can
// branch on and show to a user.
type APIError struct {
	StatusCode int
	Method     string
	Path       string
	Codes      []int64
	Messages   []string
}

func (e *APIError) Error() string {
	parts := make([]string, 0, len(e.Codes))
	for i, code := range e.Codes {
		parts = append(parts, fmt.Sprintf("%d: %s", code, e.Messages[i]))
	}
	detail := strings.Join(parts, "; ")
	if detail == "" {
		detail = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("Cloudflare API %s %s returned HTTP %d (%s)", e.Method, e.Path, e.StatusCode, detail)
}

// HasCode reports whether Cloudflare returned the given error code.
func (e *APIError) HasCode(code int64) bool {
	for _, c := range e.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// IsNotFound reports a 404 from Cloudflare.
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// wrap turns the SDK's error into an APIError and keeps context errors as
// they are, so callers see cancellation for what it is.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if _, ok := errors.AsType[*APIError](err); ok {
		return err // wrapped already
	}
	var sdkErr *cf.Error
	if !errors.As(err, &sdkErr) {
		return fmt.Errorf("calling the Cloudflare API: %w", err)
	}
	apiErr := &APIError{StatusCode: sdkErr.StatusCode}
	if sdkErr.Request != nil {
		apiErr.Method = sdkErr.Request.Method
		apiErr.Path = sdkErr.Request.URL.Path
	}
	for _, e := range sdkErr.Errors {
		apiErr.Codes = append(apiErr.Codes, e.Code)
		apiErr.Messages = append(apiErr.Messages, e.Message)
	}
	return apiErr
}
