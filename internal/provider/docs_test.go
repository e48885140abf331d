package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// undescribed lists the attributes of a schema block, nested ones
// included, that have no description: the registry page would show them
// bare.
func undescribed(prefix string, b *tfprotov6.SchemaBlock) []string {
	var out []string
	for _, a := range b.Attributes {
		name := prefix + a.Name
		if strings.TrimSpace(a.Description) == "" {
			out = append(out, name)
		}
		if a.NestedType != nil {
			out = append(out, undescribed(name+".", &tfprotov6.SchemaBlock{Attributes: a.NestedType.Attributes})...)
		}
	}
	for _, nb := range b.BlockTypes {
		if strings.TrimSpace(nb.Block.Description) == "" {
			out = append(out, prefix+nb.TypeName)
		}
		out = append(out, undescribed(prefix+nb.TypeName+".", nb.Block)...)
	}
	return out
}

func requireFiles(t *testing.T, root string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s is missing: every type needs an example (and resources import examples) for the docs", p)
		}
	}
}

// TestDocsComplete checks what the generated registry docs are made of:
// a description on every attribute of every type, an example per type,
// and both import forms per resource, in the generated page too.
func TestDocsComplete(t *testing.T) {
	t.Parallel()
	server := providerserver.NewProtocol6(New("test")())()
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Fatalf("schema diagnostic: %s: %s", d.Summary, d.Detail)
	}
	root := filepath.Join("..", "..")

	if missing := undescribed("", resp.Provider.Block); len(missing) > 0 {
		t.Errorf("provider attributes without a description: %v", missing)
	}
	if len(resp.ResourceSchemas) < 4 || len(resp.DataSourceSchemas) < 2 || len(resp.EphemeralResourceSchemas) < 1 {
		t.Errorf("expected at least 4 resources, 2 data sources and 1 ephemeral resource, got %d, %d, %d",
			len(resp.ResourceSchemas), len(resp.DataSourceSchemas), len(resp.EphemeralResourceSchemas))
	}
	for typeName, s := range resp.ResourceSchemas {
		if strings.TrimSpace(s.Block.Description) == "" {
			t.Errorf("resource %s has no description", typeName)
		}
		if missing := undescribed("", s.Block); len(missing) > 0 {
			t.Errorf("resource %s: attributes without a description: %v", typeName, missing)
		}
		dir := filepath.Join("examples", "resources", typeName)
		requireFiles(t, root, filepath.Join(dir, "resource.tf"), filepath.Join(dir, "import.sh"), filepath.Join(dir, "import-by-string-id.tf"))
		page, err := os.ReadFile(filepath.Join(root, "docs", "resources", strings.TrimPrefix(typeName, "homelab_")+".md"))
		if err != nil {
			t.Errorf("resource %s has no generated page: %v (run make generate)", typeName, err)
			continue
		}
		for _, want := range []string{"## Import", "import {", " import " + typeName + "."} {
			if !strings.Contains(string(page), want) {
				t.Errorf("docs page of %s lacks %q: both import forms belong in it", typeName, want)
			}
		}
	}
	for typeName, s := range resp.DataSourceSchemas {
		if strings.TrimSpace(s.Block.Description) == "" {
			t.Errorf("data source %s has no description", typeName)
		}
		if missing := undescribed("", s.Block); len(missing) > 0 {
			t.Errorf("data source %s: attributes without a description: %v", typeName, missing)
		}
		requireFiles(t, root, filepath.Join("examples", "data-sources", typeName, "data-source.tf"),
			filepath.Join("docs", "data-sources", strings.TrimPrefix(typeName, "homelab_")+".md"))
	}
	for typeName, s := range resp.EphemeralResourceSchemas {
		if strings.TrimSpace(s.Block.Description) == "" {
			t.Errorf("ephemeral resource %s has no description", typeName)
		}
		if missing := undescribed("", s.Block); len(missing) > 0 {
			t.Errorf("ephemeral resource %s: attributes without a description: %v", typeName, missing)
		}
		requireFiles(t, root, filepath.Join("examples", "ephemeral-resources", typeName, "ephemeral-resource.tf"),
			filepath.Join("docs", "ephemeral-resources", strings.TrimPrefix(typeName, "homelab_")+".md"))
	}
}
