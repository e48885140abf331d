package bootstrapsecret

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

func TestValidateKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"ENCRYPTION_KEY", "tls.crt", "a-b_c.d", strings.Repeat("k", 253)} {
		if err := validateKey(k); err != nil {
			t.Errorf("validateKey(%q) = %v", k, err)
		}
	}
	for _, k := range []string{"", ".", "..", "bad key", "a/b", "é", strings.Repeat("k", 254)} {
		if validateKey(k) == nil {
			t.Errorf("validateKey(%q) accepted it", k)
		}
	}
}

func TestSources(t *testing.T) {
	t.Parallel()
	got, err := sources([]string{"A"}, []string{"B"}, []string{"C"})
	if err != nil || got["A"] != "data_wo" || got["B"] != "references" || got["C"] != "generate" {
		t.Fatalf("sources = %v, %v", got, err)
	}
	tests := []struct {
		wo, refs, gen []string
		want          string
	}{
		{[]string{"K"}, []string{"K"}, nil, `"K" is set in both data_wo and references`},
		{nil, []string{"K"}, []string{"K"}, `"K" is set in both references and generate`},
		{[]string{"K"}, nil, []string{"K"}, `"K" is set in both data_wo and generate`},
	}
	for _, tt := range tests {
		if _, err := sources(tt.wo, tt.refs, tt.gen); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("sources(%v, %v, %v) error = %v, want %q", tt.wo, tt.refs, tt.gen, err, tt.want)
		}
	}
}

func TestGenerateValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		length   int
		encoding string
		check    func(string) bool
	}{
		{16, EncodingHex, func(v string) bool { b, err := hex.DecodeString(v); return err == nil && len(b) == 16 }},
		{32, EncodingBase64, func(v string) bool { b, err := base64.StdEncoding.DecodeString(v); return err == nil && len(b) == 32 }},
		{24, EncodingAlphanumeric, regexp.MustCompile(`^[A-Za-z0-9]{24}$`).MatchString},
	}
	for _, tt := range tests {
		a, err := generateValue(tt.length, tt.encoding)
		if err != nil || !tt.check(a) {
			t.Errorf("generateValue(%d, %s) = %q, %v", tt.length, tt.encoding, a, err)
		}
		b, _ := generateValue(tt.length, tt.encoding)
		if a == b {
			t.Errorf("generateValue(%d, %s) returned the same value twice", tt.length, tt.encoding)
		}
	}
	if _, err := generateValue(8, "base32"); err == nil {
		t.Error("generateValue accepted an unknown encoding")
	}
}

func TestSyncedKeys(t *testing.T) {
	t.Parallel()
	owned := func(fields string) kube.FieldSet {
		return kube.OwnedFields(&metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{{
			Manager: kube.FieldManager, Operation: metav1.ManagedFieldsOperationApply, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields),
		}}})
	}
	data := map[string][]byte{"A": []byte("1"), "B": []byte("2"), "FOREIGN": []byte("x")}
	tests := []struct {
		name   string
		keys   []string
		fields string
		want   string
	}{
		{"all ours", []string{"B", "A"}, `{"f:data":{"f:A":{},"f:B":{}}}`, "A,B"},
		{"one changed by another manager", []string{"A", "B"}, `{"f:data":{"f:A":{}}}`, "A"},
		{"one missing", []string{"A", "B", "Z"}, `{"f:data":{"f:A":{},"f:B":{},"f:Z":{}}}`, "A,B"},
		{"a foreign key is not ours", []string{"A", "FOREIGN"}, `{"f:data":{"f:A":{}}}`, "A"},
		{"nothing applied", []string{"A", "B"}, `{}`, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(syncedKeys(data, tt.keys, owned(tt.fields)), ","); got != tt.want {
			t.Errorf("%s: syncedKeys = %q, want %q", tt.name, got, tt.want)
		}
	}
}
