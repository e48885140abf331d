package provider

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type requestKey struct{}

// requestData stands for what a request's context holds (loggers, values).
type requestData struct{ logger []byte }

func TestServerKeepsTheOptionalInterfaces(t *testing.T) {
	s := NewServer(New("test"))()
	if _, ok := s.(tfprotov6.ListResourceServer); !ok {
		t.Error("the wrapped server lost ListResource")
	}
	if _, ok := s.(tfprotov6.ActionServer); !ok {
		t.Error("the wrapped server lost the actions")
	}
	if _, ok := s.(tfprotov6.StateStoreServer); !ok {
		t.Error("the wrapped server lost the state stores")
	}
}

func TestReleasingContext(t *testing.T) {
	parent, cancel := context.WithDeadline(context.WithValue(context.Background(), requestKey{}, "request"), time.Now().Add(time.Hour))
	defer cancel()
	var inside context.Context
	_, err := releasing(parent, "req", func(ctx context.Context, _ string) (struct{}, error) {
		inside = ctx
		if got := ctx.Value(requestKey{}); got != "request" {
			t.Errorf("during the RPC, Value = %v, want the request's", got)
		}
		if d, ok := ctx.Deadline(); !ok || !d.After(time.Now()) {
			t.Errorf("during the RPC, Deadline = %v, %v, want the request's", d, ok)
		}
		if ctx.Done() != parent.Done() || ctx.Err() != nil {
			t.Error("during the RPC, the context is not the request's")
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := inside.Value(requestKey{}); got != nil {
		t.Errorf("after the RPC, Value = %v, want nil", got)
	}
	if _, ok := inside.Deadline(); ok {
		t.Error("after the RPC, the context still has a deadline")
	}
	select {
	case <-inside.Done():
	default:
		t.Error("after the RPC, Done is not closed")
	}
	if !errors.Is(inside.Err(), context.Canceled) {
		t.Errorf("after the RPC, Err = %v, want context.Canceled", inside.Err())
	}
}

// TestRequestsAreCollected: the framework keeps every RPC's cancel
// function; through NewServer the request contexts behind them are still
// collected. The framework's bare server is the control: when it stops
// keeping them, this wrapper can go.
func TestRequestsAreCollected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server tfprotov6.ProviderServer
		leaks  bool
	}{
		{"NewServer", NewServer(New("test"))(), false},
		{"framework", providerserver.NewProtocol6(New("test")())(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if alive := requestsAlive(t, tc.server, 100); (alive > 0) != tc.leaks {
				t.Errorf("%d of 100 request contexts are still reachable after their RPC; want leaks = %v "+
					"(a framework that no longer keeps them makes provider.NewServer unnecessary)", alive, tc.leaks)
			}
		})
	}
}

// requestsAlive makes n RPCs, each with its own request data in the
// context, and counts the data still reachable after a collection.
func requestsAlive(t *testing.T, s tfprotov6.ProviderServer, n int) int {
	t.Helper()
	var requests []weak.Pointer[requestData]
	for range n {
		data := &requestData{logger: make([]byte, 1024)}
		requests = append(requests, weak.Make(data))
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), requestKey{}, data))
		if _, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "homelab_proxy"}); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	runtime.GC()
	alive := 0
	for _, p := range requests {
		if p.Value() != nil {
			alive++
		}
	}
	runtime.KeepAlive(s) // the server, and what it keeps, outlives the requests
	return alive
}
