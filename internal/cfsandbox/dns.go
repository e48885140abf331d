package cfsandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// DNS error codes, from real responses quoted in public issues; Cloudflare
// publishes no table. Status 400 unless noted.
const (
	codeDNSValidation = 1004  // general validation error, malformed bodies
	codeBadA          = 9005  // A content is not IPv4
	codeBadAAAA       = 9006  // AAAA content is not IPv6
	codeNotProxiable  = 9004  // unconfirmed: proxied on a type that cannot be proxied
	codeBadTTL        = 9021  // ttl not 1 or 60..86400
	codeNoRecord      = 81044 // 404
	codeCNAMEConflict = 81053 // CNAME where A/AAAA/CNAME exists
	codeHasCNAME      = 81054 // A/AAAA where a CNAME exists
	codeHasNS         = 81056 // unconfirmed message: other type where NS records exist
	codeRecordExists  = 81057 // same type, name and content, other ttl/proxied
	codeIdentical     = 81058 // identical record
)

const sameNameDoc = " For more details, refer to <https://developers.cloudflare.com/dns/manage-dns-records/troubleshooting/records-with-same-name/>."

func errNoRecord() *apiError {
	return newError(http.StatusNotFound, codeNoRecord, "Record does not exist.")
}

func errDNS(code int, message string) *apiError {
	return newError(http.StatusBadRequest, code, message)
}

// recordTypes are the types the API accepts.
var recordTypes = map[string]bool{
	"A": true, "AAAA": true, "CAA": true, "CERT": true, "CNAME": true, "DNSKEY": true, "DS": true,
	"HTTPS": true, "LOC": true, "MX": true, "NAPTR": true, "NS": true, "OPENPGPKEY": true, "PTR": true,
	"SMIMEA": true, "SRV": true, "SSHFP": true, "SVCB": true, "TLSA": true, "TXT": true, "URI": true,
}

// hostnameContent are the types whose content is a host name, compared
// case-insensitively and stored without a trailing dot.
var hostnameContent = map[string]bool{"CNAME": true, "NS": true, "MX": true, "PTR": true}

func proxiable(typ string) bool { return typ == "A" || typ == "AAAA" || typ == "CNAME" }

// record is one stored DNS record. Stored records are never modified: an
// update stores a new value, so a batch can work on a cheap copy of the set.
type record struct {
	id      string
	typ     string
	name    string
	content string
	proxied bool
	ttl     int
	// privateRouting is A and AAAA records' private_routing (cloudflare-go
	// v7's ARecord and AAAARecord carry it).
	privateRouting bool
	priority       *float64
	data           json.RawMessage
	settings       map[string]json.RawMessage // as sent; defaults are added on output
	comment        *string
	tags           []string

	created, modified             time.Time
	commentModified, tagsModified time.Time
	seq                           uint64
}

// DNSRecord is a record as the API returns it.
type DNSRecord struct {
	ID                string                     `json:"id"`
	ZoneID            string                     `json:"zone_id"`
	ZoneName          string                     `json:"zone_name"`
	Name              string                     `json:"name"`
	Type              string                     `json:"type"`
	Content           string                     `json:"content"`
	Proxiable         bool                       `json:"proxiable"`
	Proxied           bool                       `json:"proxied"`
	PrivateRouting    *bool                      `json:"private_routing,omitempty"` // A and AAAA only
	TTL               int                        `json:"ttl"`
	Locked            bool                       `json:"locked"`
	Settings          map[string]json.RawMessage `json:"settings"`
	Meta              map[string]any             `json:"meta"`
	Comment           *string                    `json:"comment"`
	Tags              []string                   `json:"tags"`
	Priority          *float64                   `json:"priority,omitempty"`
	Data              json.RawMessage            `json:"data,omitempty"`
	CreatedOn         time.Time                  `json:"created_on"`
	ModifiedOn        time.Time                  `json:"modified_on"`
	CommentModifiedOn *time.Time                 `json:"comment_modified_on,omitempty"`
	TagsModifiedOn    *time.Time                 `json:"tags_modified_on,omitempty"`
}

// defaultSettings are the settings the API reports for a type when the
// client set none (shapes of the v6 record types). Values are fresh slices,
// since exported records must not share memory.
func defaultSettings(typ string) map[string]json.RawMessage {
	// Every record type's settings carry ipv4_only and ipv6_only
	// (cloudflare-go v7's <TYPE>RecordSettings); CNAMEs add flatten_cname.
	keys := []string{"ipv4_only", "ipv6_only"}
	if typ == "CNAME" {
		keys = append(keys, "flatten_cname")
	}
	m := make(map[string]json.RawMessage, len(keys))
	for _, k := range keys {
		m[k] = json.RawMessage("false")
	}
	return m
}

// export returns an independent copy of the record in its API shape.
func (r *record) export(z *zone) DNSRecord {
	settings := defaultSettings(r.typ)
	for k, v := range r.settings {
		settings[k] = slices.Clone(v)
	}
	out := DNSRecord{
		ID: r.id, ZoneID: z.id, ZoneName: z.name, Name: r.name, Type: r.typ, Content: r.content,
		Proxiable: proxiable(r.typ), Proxied: r.proxied, TTL: r.ttl, Settings: settings,
		Meta: map[string]any{}, Tags: append([]string{}, r.tags...), Data: slices.Clone(r.data),
		CreatedOn: r.created, ModifiedOn: r.modified,
	}
	if r.typ == "A" || r.typ == "AAAA" {
		pr := r.privateRouting
		out.PrivateRouting = &pr
	}
	if r.comment != nil {
		c := *r.comment
		out.Comment = &c
	}
	if r.priority != nil {
		p := *r.priority
		out.Priority = &p
	}
	if !r.commentModified.IsZero() {
		t := r.commentModified
		out.CommentModifiedOn = &t
	}
	if !r.tagsModified.IsZero() {
		t := r.tagsModified
		out.TagsModifiedOn = &t
	}
	return out
}

// fields is a JSON object kept member by member: PATCH tells an absent
// member from a null one, and Access objects keep members verbatim.
type fields map[string]json.RawMessage

// parseRecordFields reads a DNS request body, which must be a JSON object.
func parseRecordFields(body []byte) (fields, error) {
	var f fields
	if err := json.Unmarshal(body, &f); err != nil || f == nil {
		return nil, errDNS(codeDNSValidation, "Malformed JSON in request body: expected an object")
	}
	return f, nil
}

// recordBody holds the members of a record body; presence is read from the
// fields map, since PATCH must tell an absent member from a null one.
type recordBody struct {
	Type     *string                    `json:"type"`
	Name     *string                    `json:"name"`
	Content  *string                    `json:"content"`
	Proxied  *bool                      `json:"proxied"`
	Private  *bool                      `json:"private_routing"`
	TTL      *float64                   `json:"ttl"`
	Priority *float64                   `json:"priority"`
	Comment  *string                    `json:"comment"`
	Tags     []string                   `json:"tags"`
	Settings map[string]json.RawMessage `json:"settings"`
	Data     json.RawMessage            `json:"data"`
}

func decodeRecordBody(in fields) (recordBody, error) {
	var b recordBody
	data, _ := json.Marshal(in)
	if err := json.Unmarshal(data, &b); err != nil {
		msg := "DNS Validation Error: invalid request body"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			msg = "DNS Validation Error: invalid value for " + te.Field
		}
		return b, errDNS(codeDNSValidation, msg)
	}
	return b, nil
}

// recordInput applies the members of in to base. With replace (POST, PUT)
// absent members take their defaults; otherwise (PATCH) they keep base's.
func (z *zone) recordInput(base *record, in fields, replace bool, t time.Time) (*record, error) {
	b, err := decodeRecordBody(in)
	if err != nil {
		return nil, err
	}
	r := &record{
		id: base.id, created: base.created, seq: base.seq, ttl: 1,
		commentModified: base.commentModified, tagsModified: base.tagsModified,
	}
	if !replace {
		*r = *base
	}
	set := func(key string) bool {
		_, present := in[key]
		return present || replace
	}
	if b.Type != nil {
		r.typ = strings.ToUpper(*b.Type)
	}
	if b.Name != nil {
		if r.name, err = normalizeName(*b.Name, z.name); err != nil {
			return nil, err
		}
	}
	if set("content") {
		r.content = strings.TrimSpace(deref(b.Content))
	}
	if set("proxied") {
		r.proxied = b.Proxied != nil && *b.Proxied
	}
	if set("private_routing") {
		r.privateRouting = b.Private != nil && *b.Private
	}
	if set("ttl") {
		if r.ttl, err = ttlValue(b.TTL); err != nil {
			return nil, err
		}
	}
	if set("priority") {
		r.priority = b.Priority
	}
	if set("data") {
		r.data = nil
		if len(b.Data) > 0 && string(b.Data) != "null" {
			r.data = b.Data
		}
	}
	if set("settings") {
		r.settings = b.Settings
	}
	if set("comment") {
		if b.Comment != nil && *b.Comment == "" {
			b.Comment = nil // an empty comment clears it
		}
		if !equalPtr(b.Comment, base.comment) {
			r.commentModified = t
		}
		r.comment = b.Comment
	}
	if set("tags") {
		if !slices.Equal(b.Tags, base.tags) {
			r.tagsModified = t
		}
		r.tags = b.Tags
	}
	r.modified = t
	return r, r.validate()
}

// ttlValue reads a ttl member: absent or null means automatic (1).
func ttlValue(ttl *float64) (int, error) {
	if ttl == nil {
		return 1, nil
	}
	if *ttl != float64(int(*ttl)) {
		return 0, errBadTTL()
	}
	return int(*ttl), nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func equalPtr(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func errBadTTL() *apiError {
	return errDNS(codeBadTTL, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.")
}

// validate checks a record on its own and fills derived values.
func (r *record) validate() error {
	if r.typ == "" {
		return errDNS(codeDNSValidation, "DNS Validation Error: the record type is required.")
	}
	if !recordTypes[r.typ] {
		return errDNS(codeDNSValidation, "DNS Validation Error: unsupported record type "+r.typ+".")
	}
	if r.name == "" {
		return errInvalidName("The name is required.")
	}
	if err := r.validateContent(); err != nil {
		return err
	}
	if r.ttl != 1 && (r.ttl < 60 || r.ttl > 86400) {
		return errBadTTL()
	}
	if r.proxied {
		if !proxiable(r.typ) {
			return errDNS(codeNotProxiable, "This record type cannot be proxied.")
		}
		r.ttl = 1 // proxied records always have automatic TTL
	}
	return nil
}

func (r *record) validateContent() error {
	if hostnameContent[r.typ] {
		r.content = strings.TrimSuffix(r.content, ".")
	}
	switch {
	case r.typ == "A":
		if a, err := netip.ParseAddr(r.content); err != nil || !a.Is4() {
			return errDNS(codeBadA, "Content for A record must be a valid IPv4 address.")
		}
	case r.typ == "AAAA":
		if a, err := netip.ParseAddr(r.content); err != nil || !a.Is6() || a.Is4In6() {
			return errDNS(codeBadAAAA, "Content for AAAA record must be a valid IPv6 address.")
		}
	case r.content == "" && r.data == nil:
		return errDNS(codeDNSValidation, "DNS Validation Error: content is required for a "+r.typ+" record.")
	}
	return nil
}
