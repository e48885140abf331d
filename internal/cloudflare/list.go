package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// Paginated lists.
//
// Every list the client reads (a zone's DNS records, the account's Access
// applications and policies, the account's zones) is walked by eachPage,
// so they all stop the same way.

// eachPage fetches pages 1, 2, ... of pageSize items with fetch until a
// short page, or the page fetch reports as the last the API announced,
// which saves the empty page after a full one.
func eachPage(pageSize int, fetch func(page int) (n int, last bool, err error)) error {
	for page := 1; ; page++ {
		n, last, err := fetch(page)
		if err != nil || n < pageSize || last {
			return err
		}
	}
}

// listEnvelope is a collection response with the page count.
type listEnvelope[T any] struct {
	Result     []T `json:"result"`
	ResultInfo struct {
		TotalPages int `json:"total_pages"`
	} `json:"result_info"`
}

// listAll walks a collection through the SDK's generic request path,
// handing each page to each.
func listAll[T any](ctx context.Context, c *Client, path string, pageSize int, each func([]T)) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return eachPage(pageSize, func(page int) (int, bool, error) {
		var env listEnvelope[T]
		p := fmt.Sprintf("%s%spage=%d&per_page=%d", path, sep, page, pageSize)
		if err := c.sdk.Execute(ctx, http.MethodGet, p, nil, &env); err != nil {
			return 0, false, wrap(err)
		}
		each(env.Result)
		total := env.ResultInfo.TotalPages
		return len(env.Result), total > 0 && page >= total, nil
	})
}
