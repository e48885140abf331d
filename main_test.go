package main

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
)

type requestKey struct{}

// requestData stands for what a request's context holds (loggers, values).
type requestData struct{ logger []byte }

func frameworkServerForTest() tfprotov6.ProviderServer {
	return newServer(providerserver.NewProtocol6(provider.New("test")())())
}

func TestServerKeepsTheOptionalInterfaces(t *testing.T) {
	s := frameworkServerForTest()
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
// function; the request contexts behind them must still be collected.
func TestRequestsAreCollected(t *testing.T) {
	s := frameworkServerForTest()
	var requests []weak.Pointer[requestData]
	for range 100 {
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
	if alive > 0 {
		t.Errorf("%d of %d request contexts are still reachable after their RPC", alive, len(requests))
	}
	runtime.KeepAlive(s) // the server, and what it keeps, outlives the requests
}
