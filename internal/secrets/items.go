package secrets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	onepassword "github.com/1password/onepassword-sdk-go"
)

// Writing items: a resource that receives a secret only once (a service
// token's client secret) delivers it into a 1Password item. The writer is
// a one-method interface so that tests use Items, in memory; OnePassword
// Items is the real path through the SDK's item create and update.

// Item is what a writer puts into 1Password: the item of a title in a
// vault, with fields by title. Field values are secrets.
type Item struct {
	Vault  string // vault title or id
	Title  string
	Fields []ItemField
}

// ItemField is one field of an Item; Concealed fields are shown masked in
// 1Password's apps.
type ItemField struct {
	Title     string
	Value     string
	Concealed bool
}

// ItemWriter creates the item of Item.Title in Item.Vault, or updates the
// one there: the given fields are set, the item's other fields are left
// alone. Errors name the vault and title, never a value.
type ItemWriter interface {
	WriteItem(ctx context.Context, item Item) error
}

// MemoryItems is an in-memory ItemWriter, for tests and the sandbox. It is
// safe for concurrent use.
type MemoryItems struct {
	mu     sync.Mutex
	items  map[[2]string]map[string]ItemField
	writes int
}

// WriteItem stores the fields.
func (m *MemoryItems) WriteItem(ctx context.Context, item Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items == nil {
		m.items = map[[2]string]map[string]ItemField{}
	}
	key := [2]string{item.Vault, item.Title}
	fields := m.items[key]
	if fields == nil {
		fields = map[string]ItemField{}
		m.items[key] = fields
	}
	for _, f := range item.Fields {
		fields[f.Title] = f
	}
	m.writes++
	return nil
}

// Fields returns the item's fields by title, or nil when it was never
// written.
func (m *MemoryItems) Fields(vault, title string) map[string]ItemField {
	m.mu.Lock()
	defer m.mu.Unlock()
	fields := m.items[[2]string{vault, title}]
	if fields == nil {
		return nil
	}
	out := make(map[string]ItemField, len(fields))
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// Writes counts the writes so far.
func (m *MemoryItems) Writes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.writes
}

// itemsAPI is the part of the SDK client OnePasswordItems uses.
type itemsAPI interface {
	ListVaults(ctx context.Context) ([]onepassword.VaultOverview, error)
	ListItems(ctx context.Context, vaultID string) ([]onepassword.ItemOverview, error)
	GetItem(ctx context.Context, vaultID, itemID string) (onepassword.Item, error)
	PutItem(ctx context.Context, item onepassword.Item) (onepassword.Item, error)
	CreateItem(ctx context.Context, params onepassword.ItemCreateParams) (onepassword.Item, error)
}

// OnePasswordItems writes items through the 1Password SDK with a service
// account token. The SDK client is created on the first write, once.
type OnePasswordItems struct {
	token, integrationVersion string
	newClient                 func(ctx context.Context) (itemsAPI, error) // replaced in tests

	mu  sync.Mutex
	api itemsAPI
}

// NewOnePasswordItems returns a writer that authenticates with the token;
// it does no I/O.
func NewOnePasswordItems(token, integrationVersion string) *OnePasswordItems {
	if integrationVersion == "" {
		integrationVersion = onepassword.DefaultIntegrationVersion
	}
	o := &OnePasswordItems{token: token, integrationVersion: integrationVersion}
	o.newClient = o.sdkClient
	return o
}

// String keeps the token out of anything that formats the writer.
func (o *OnePasswordItems) String() string {
	return "1Password item writer (service account token redacted)"
}

// GoString keeps the token out of %#v.
func (o *OnePasswordItems) GoString() string { return o.String() }

// WriteItem finds the vault by title or id and the item by title, then
// updates the item's fields of those titles (adding missing ones) or
// creates an API Credential item with them. More than one item of the
// title is an error: which one to write is not ours to guess.
func (o *OnePasswordItems) WriteItem(ctx context.Context, item Item) error {
	fail := func(err error) error {
		msg := err.Error()
		for _, s := range append([]string{o.token}, fieldValues(item)...) {
			if s != "" {
				msg = strings.ReplaceAll(msg, s, "<redacted>")
			}
		}
		return fmt.Errorf("writing item %q in vault %q through 1Password: %s", item.Title, item.Vault, msg)
	}
	if strings.TrimSpace(o.token) == "" {
		return fail(errors.New("no service account token configured"))
	}
	api, err := o.client(ctx)
	if err != nil {
		return fail(err)
	}
	vaults, err := api.ListVaults(ctx)
	if err != nil {
		return fail(err)
	}
	i := slices.IndexFunc(vaults, func(v onepassword.VaultOverview) bool { return v.ID == item.Vault || v.Title == item.Vault })
	if i < 0 {
		return fail(errors.New("no vault of that title or id is shared with the service account"))
	}
	vaultID := vaults[i].ID
	overviews, err := api.ListItems(ctx, vaultID)
	if err != nil {
		return fail(err)
	}
	var ids []string
	for _, ov := range overviews {
		if ov.Title == item.Title {
			ids = append(ids, ov.ID)
		}
	}
	switch len(ids) {
	case 0:
		params := onepassword.ItemCreateParams{Category: onepassword.ItemCategoryAPICredentials, VaultID: vaultID, Title: item.Title}
		for _, f := range item.Fields {
			params.Fields = append(params.Fields, sdkField(f.Title, f))
		}
		if _, err := api.CreateItem(ctx, params); err != nil {
			return fail(err)
		}
		return nil
	case 1:
		existing, err := api.GetItem(ctx, vaultID, ids[0])
		if err != nil {
			return fail(err)
		}
		existing.Fields = mergeFields(existing.Fields, item.Fields)
		if _, err := api.PutItem(ctx, existing); err != nil {
			return fail(err)
		}
		return nil
	default:
		return fail(fmt.Errorf("%d items have that title; rename all but one", len(ids)))
	}
}

func fieldValues(item Item) []string {
	out := make([]string, 0, len(item.Fields))
	for _, f := range item.Fields {
		out = append(out, f.Value)
	}
	return out
}

func sdkField(id string, f ItemField) onepassword.ItemField {
	t := onepassword.ItemFieldTypeText
	if f.Concealed {
		t = onepassword.ItemFieldTypeConcealed
	}
	return onepassword.ItemField{ID: id, Title: f.Title, FieldType: t, Value: f.Value}
}

// mergeFields sets the fields of the titles given and keeps the others.
func mergeFields(existing []onepassword.ItemField, set []ItemField) []onepassword.ItemField {
	out := slices.Clone(existing)
	for _, f := range set {
		i := slices.IndexFunc(out, func(e onepassword.ItemField) bool { return e.Title == f.Title })
		if i < 0 {
			out = append(out, sdkField(f.Title, f))
			continue
		}
		nf := sdkField(out[i].ID, f)
		nf.SectionID = out[i].SectionID
		out[i] = nf
	}
	return out
}

func (o *OnePasswordItems) client(ctx context.Context) (itemsAPI, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.api != nil {
		return o.api, nil
	}
	initCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), clientInitTimeout)
	defer cancel()
	api, err := o.newClient(initCtx)
	if err != nil {
		return nil, err
	}
	o.api = api
	return api, nil
}

// sdkItems adapts the SDK client to itemsAPI.
type sdkItems struct{ c *onepassword.Client }

func (s sdkItems) ListVaults(ctx context.Context) ([]onepassword.VaultOverview, error) {
	return s.c.Vaults().List(ctx)
}

func (s sdkItems) ListItems(ctx context.Context, vaultID string) ([]onepassword.ItemOverview, error) {
	return s.c.Items().List(ctx, vaultID)
}

func (s sdkItems) GetItem(ctx context.Context, vaultID, itemID string) (onepassword.Item, error) {
	return s.c.Items().Get(ctx, vaultID, itemID)
}

func (s sdkItems) PutItem(ctx context.Context, item onepassword.Item) (onepassword.Item, error) {
	return s.c.Items().Put(ctx, item)
}

func (s sdkItems) CreateItem(ctx context.Context, params onepassword.ItemCreateParams) (onepassword.Item, error) {
	return s.c.Items().Create(ctx, params)
}

func (o *OnePasswordItems) sdkClient(ctx context.Context) (itemsAPI, error) {
	sdkMu.Lock()
	defer sdkMu.Unlock()
	c, err := onepassword.NewClient(ctx,
		onepassword.WithServiceAccountToken(o.token),
		onepassword.WithIntegrationInfo(IntegrationName, o.integrationVersion),
	)
	if err != nil {
		return nil, err
	}
	return sdkItems{c: c}, nil
}
