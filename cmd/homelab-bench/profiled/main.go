// Command profiled is the provider with a CPU profile, for
// `homelab-bench -cpuprofile`: the same server as the repository's main
// package, and, when HOMELAB_BENCH_CPUPROFILE is set, a CPU profile of the
// whole process written to $HOMELAB_BENCH_CPUPROFILE-<pid>.pprof when the
// CLI shuts the provider down. It is never released.
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
)

const address = "registry.terraform.io/homelab-tf/homelab"

func main() {
	if prefix := os.Getenv("HOMELAB_BENCH_CPUPROFILE"); prefix != "" {
		f, err := os.Create(fmt.Sprintf("%s-%d.pprof", prefix, os.Getpid()))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	if err := tf6server.Serve(address, provider.NewServer(provider.New("bench"))); err != nil {
		log.Printf("terraform-provider-homelab (profiled): %s", err)
	}
}
