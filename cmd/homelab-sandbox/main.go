// Command homelab-sandbox serves the in-memory Cloudflare API on a local
// address, seeded with one zone and one remotely managed tunnel (or none,
// with -tunnel=), and prints the environment a client needs to use it;
// -connect-on-token plays a cloudflared that connects with every token
// fetched:
//
//	eval "$(homelab-sandbox -addr 127.0.0.1:0 &)"
//
// With -kube it also starts a local Kubernetes control plane with ArgoCD's
// CRDs (the acceptance tests' one: etcd, kube-apiserver and
// kube-controller-manager) and prints KUBE_CONFIG_PATH; with -argocd as
// well, ArgoCD's application controller and repo server, which sync the
// Applications created there:
//
//	go run ./cmd/homelab-sandbox -kube -argocd
//
// Only the export lines go to stdout; logs go to stderr. It runs until
// SIGINT or SIGTERM, and stops what it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
	"github.com/homelab-tf/terraform-provider-homelab/internal/devcluster"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("homelab-sandbox: ")
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8787", "listen address (port 0 picks a free port)")
	zoneName := flag.String("zone", "example.com", "zone to create")
	tunnelName := flag.String("tunnel", "homelab", "remotely managed tunnel to create; empty: none (a configuration makes its own with homelab_tunnel)")
	connectOnToken := flag.Bool("connect-on-token", false, "simulate a cloudflared started with every tunnel token fetched: the tunnel gets a "+
		"connector, which a destroy must clean up before deleting the tunnel")
	token := flag.String("token", "", "accepted API token (default: random)")
	rpsLimit := flag.Int("rps-limit", 0, "if > 0, answer 429 beyond this many requests per 5 minutes")
	latency := flag.Duration("latency", 0, "add this much time before every answer (e.g. 50ms, about the real API's), to measure against realistic timings")
	logRequests := flag.Bool("log", false, "log one line per request to stderr")
	withKube := flag.Bool("kube", false, "also start a local Kubernetes control plane (etcd + kube-apiserver from bin/kube, "+
		"or KUBEBUILDER_ASSETS) with ArgoCD's CRDs, and print KUBE_CONFIG_PATH")
	withArgoCD := flag.Bool("argocd", false, "with -kube, also run ArgoCD's application controller and repo server (from bin/argocd, or ARGOCD_BIN_DIR)")
	waitSyncedList := flag.String("wait-synced", "", "instead of serving: wait until these Applications (Application:ns/name,...) in the cluster "+
		"of KUBE_CONFIG_PATH are Synced and Healthy, and print what ArgoCD created")
	tokenSecret := flag.String("show-token-secret", "", "instead of serving: decode the cloudflared token in the Secret namespace/name "+
		"(key TUNNEL_TOKEN) of the cluster of KUBE_CONFIG_PATH and print its account and tunnel, never the secret")
	expectGoneList := flag.String("expect-gone", "", "instead of serving: fail unless these objects (Kind:ns/name,..., Kind Application or ConfigMap) are gone")
	flag.Parse()
	switch {
	case *waitSyncedList != "":
		return waitSynced(*waitSyncedList, 5*time.Minute)
	case *expectGoneList != "":
		return expectGone(*expectGoneList)
	case *tokenSecret != "":
		return showTokenSecret(*tokenSecret)
	}
	if *withArgoCD && !*withKube {
		return errors.New("-argocd needs -kube: ArgoCD runs against the local control plane")
	}

	var kubeconfig string
	if *withKube {
		// Never fall back to the developer's own cluster.
		_ = os.Unsetenv("KUBECONFIG")
		cluster, stopCluster, err := devcluster.Start(true)
		if err != nil {
			return fmt.Errorf("starting the local control plane: %w", err)
		}
		defer stopCluster()
		kubeconfig = cluster.Kubeconfig
		log.Printf("control plane at %s with ArgoCD %s CRDs", cluster.Config.Host, devcluster.ArgoCDVersion)
		if *withArgoCD {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			_, err := cluster.StartArgoCD(ctx)
			cancel()
			if err != nil {
				return fmt.Errorf("starting ArgoCD: %w", err)
			}
			log.Printf("ArgoCD %s application controller and repo server running (Applications in any namespace, default AppProject in %s)",
				devcluster.ArgoCDVersion, devcluster.ArgoCDNamespace)
		}
		// Each leads a group of its own; the demo checks none survives.
		log.Printf("process groups of the test ground: %v", cluster.ProcessGroups())
	}

	sb := cfsandbox.New(cfsandbox.Options{Token: *token, ConnectOnToken: *connectOnToken})
	zone := sb.AddZone(*zoneName)
	var tunnel cfsandbox.Tunnel
	if *tunnelName != "" {
		t, err := sb.AddTunnel(*tunnelName)
		if err != nil {
			return err
		}
		tunnel = t
	}
	if *latency < 0 {
		return fmt.Errorf("-latency %s: want a duration of 0 or more", *latency)
	}
	faults := cfsandbox.Faults{Latency: *latency}
	if *rpsLimit > 0 {
		faults.RateLimit, faults.RateLimitWindow = *rpsLimit, 5*time.Minute
	}
	sb.SetFaults(faults)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	var handler http.Handler = sb
	if *logRequests {
		handler = logged(sb)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	fmt.Printf("export CLOUDFLARE_BASE_URL=%s\n", shellQuote("http://"+reachable(ln.Addr())+cfsandbox.APIPrefix))
	fmt.Printf("export CLOUDFLARE_API_TOKEN=%s\n", shellQuote(sb.Token()))
	fmt.Printf("export CLOUDFLARE_ACCOUNT_ID=%s\n", shellQuote(sb.AccountID()))
	fmt.Printf("export CLOUDFLARE_ZONE_ID=%s\n", shellQuote(zone.ID))
	if tunnel.ID != "" {
		fmt.Printf("export CLOUDFLARE_TUNNEL_ID=%s\n", shellQuote(tunnel.ID))
	}
	if kubeconfig != "" {
		fmt.Printf("export KUBE_CONFIG_PATH=%s\n", shellQuote(kubeconfig))
	}
	if tunnel.ID != "" {
		log.Printf("serving zone %s and tunnel %s on %s", zone.Name, tunnel.Name, ln.Addr())
	} else {
		log.Printf("serving zone %s (no tunnel) on %s", zone.Name, ln.Addr())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Print("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// reachable turns a listener address into one a client can dial: an
// unspecified host (0.0.0.0, ::) becomes loopback.
func reachable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// shellQuote leaves safe values bare, so the usual output is exactly
// "export NAME=value", and single-quotes anything else.
func shellQuote(v string) string {
	safe := v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) < 0
	if safe {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// logged logs method, path, status and duration; never headers, so the
// Authorization token cannot leak into logs.
func logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Printf("%s %s %d %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
