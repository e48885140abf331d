package secrets

import (
	"context"
	"errors"
	"strings"
	"testing"

	onepassword "github.com/1password/onepassword-sdk-go"
)

// fakeItems is an in-memory 1Password behind the SDK's calls.
type fakeItems struct {
	vaults  []onepassword.VaultOverview
	items   []onepassword.Item
	failPut error
	creates int
	puts    int
}

func (f *fakeItems) ListVaults(context.Context) ([]onepassword.VaultOverview, error) {
	return f.vaults, nil
}

func (f *fakeItems) ListItems(_ context.Context, vaultID string) ([]onepassword.ItemOverview, error) {
	var out []onepassword.ItemOverview
	for _, it := range f.items {
		if it.VaultID == vaultID {
			out = append(out, onepassword.ItemOverview{ID: it.ID, Title: it.Title, VaultID: it.VaultID})
		}
	}
	return out, nil
}

func (f *fakeItems) GetItem(_ context.Context, vaultID, itemID string) (onepassword.Item, error) {
	for _, it := range f.items {
		if it.VaultID == vaultID && it.ID == itemID {
			return it, nil
		}
	}
	return onepassword.Item{}, errors.New("not found")
}

func (f *fakeItems) PutItem(_ context.Context, item onepassword.Item) (onepassword.Item, error) {
	if f.failPut != nil {
		return onepassword.Item{}, f.failPut
	}
	f.puts++
	for i, it := range f.items {
		if it.ID == item.ID {
			f.items[i] = item
		}
	}
	return item, nil
}

func (f *fakeItems) CreateItem(_ context.Context, p onepassword.ItemCreateParams) (onepassword.Item, error) {
	f.creates++
	it := onepassword.Item{ID: "item" + string(rune('0'+len(f.items))), Title: p.Title, VaultID: p.VaultID, Category: p.Category, Fields: p.Fields}
	f.items = append(f.items, it)
	return it, nil
}

func writerOver(f *fakeItems) *OnePasswordItems {
	o := NewOnePasswordItems("ops_token_abc", "test")
	o.newClient = func(context.Context) (itemsAPI, error) { return f, nil }
	return o
}

func TestOnePasswordItemsCreateThenUpdate(t *testing.T) {
	f := &fakeItems{vaults: []onepassword.VaultOverview{{ID: "v1", Title: "homelab"}}}
	w := writerOver(f)
	ctx := context.Background()
	item := Item{Vault: "homelab", Title: "HA token", Fields: []ItemField{
		{Title: "CF_ACCESS_CLIENT_ID", Value: "id.access"}, {Title: "CF_ACCESS_CLIENT_SECRET", Value: "s3cret-1", Concealed: true},
	}}
	if err := w.WriteItem(ctx, item); err != nil {
		t.Fatal(err)
	}
	if f.creates != 1 || len(f.items) != 1 || f.items[0].Category != onepassword.ItemCategoryAPICredentials ||
		f.items[0].Fields[1].FieldType != onepassword.ItemFieldTypeConcealed || f.items[0].Fields[1].Value != "s3cret-1" {
		t.Fatalf("created %+v", f.items)
	}
	// Someone adds a note field; an update keeps it and replaces the secret.
	f.items[0].Fields = append(f.items[0].Fields, onepassword.ItemField{ID: "note", Title: "note", Value: "keep me"})
	item.Fields[1].Value = "s3cret-2"
	if err := w.WriteItem(ctx, Item{Vault: "v1", Title: "HA token", Fields: item.Fields}); err != nil {
		t.Fatal(err)
	}
	if f.creates != 1 || f.puts != 1 || len(f.items[0].Fields) != 3 || f.items[0].Fields[1].Value != "s3cret-2" || f.items[0].Fields[2].Value != "keep me" {
		t.Fatalf("updated %+v", f.items[0].Fields)
	}

	// Errors name the vault and item, never a value or the token.
	f.failPut = errors.New("rejected s3cret-3 for ops_token_abc")
	item.Fields[1].Value = "s3cret-3"
	err := w.WriteItem(ctx, item)
	if err == nil || strings.Contains(err.Error(), "s3cret-3") || strings.Contains(err.Error(), "ops_token_abc") || !strings.Contains(err.Error(), `"HA token"`) {
		t.Errorf("err = %v", err)
	}
	if err := w.WriteItem(ctx, Item{Vault: "nope", Title: "x"}); err == nil || !strings.Contains(err.Error(), "no vault") {
		t.Errorf("unknown vault: %v", err)
	}
	f.items = append(f.items, onepassword.Item{ID: "dup", Title: "HA token", VaultID: "v1"})
	if err := w.WriteItem(ctx, item); err == nil || !strings.Contains(err.Error(), "2 items") {
		t.Errorf("two items of one title: %v", err)
	}
	if err := NewOnePasswordItems("", "").WriteItem(ctx, item); err == nil {
		t.Error("a writer without a token must fail")
	}
}

func TestMemoryItems(t *testing.T) {
	var m MemoryItems
	ctx := context.Background()
	if m.Fields("v", "t") != nil {
		t.Fatal("an unwritten item has fields")
	}
	_ = m.WriteItem(ctx, Item{Vault: "v", Title: "t", Fields: []ItemField{{Title: "a", Value: "1"}, {Title: "b", Value: "2"}}})
	_ = m.WriteItem(ctx, Item{Vault: "v", Title: "t", Fields: []ItemField{{Title: "b", Value: "3"}}})
	if f := m.Fields("v", "t"); len(f) != 2 || f["a"].Value != "1" || f["b"].Value != "3" || m.Writes() != 2 {
		t.Errorf("fields %+v, writes %d", f, m.Writes())
	}
}
