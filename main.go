package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
)

// Run "go generate" to format example Terraform files and generate the docs.
//go:generate make -C . generate

// Set by goreleaser through ldflags.
var (
	version = "dev"
	commit  = "none"
)

const address = "registry.terraform.io/homelab-tf/homelab"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// What providerserver.Serve does, with the provider's own server.
	err := tf6server.Serve(address, provider.NewServer(provider.New(version)), opts...)
	if err != nil {
		log.Fatalf("terraform-provider-homelab %s (%s): %s", version, commit, err)
	}
}
