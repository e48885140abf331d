package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
)

// Run "go generate" to format example Terraform files and generate the docs.
//go:generate make -C . generate

// Set by goreleaser through ldflags.
var (
	version = "dev"
	commit  = "none"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/homelab-tf/homelab",
		Debug:   debug,
	})
	if err != nil {
		log.Fatalf("terraform-provider-homelab %s (%s): %s", version, commit, err)
	}
}
