package bootstrapsecret

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"sort"

	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

// Encodings of generated values. For hex and base64 the length counts
// random bytes, as `openssl rand -hex 16` does; for alphanumeric it counts
// characters.
const (
	EncodingHex          = "hex"
	EncodingBase64       = "base64"
	EncodingAlphanumeric = "alphanumeric"
)

var secretKeyPattern = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

// validateKey checks a Secret data key as the API server does.
func validateKey(key string) error {
	if len(key) == 0 || len(key) > 253 || !secretKeyPattern.MatchString(key) || key == "." || key == ".." {
		return fmt.Errorf("%q is not a valid Secret key: use 1 to 253 letters, digits, '-', '_' or '.'", key)
	}
	return nil
}

// sources says which source each key comes from and rejects a key that
// appears in more than one.
func sources(dataWO, references, generate []string) (map[string]string, error) {
	out := map[string]string{}
	add := func(keys []string, source string) error {
		for _, k := range keys {
			if prev, ok := out[k]; ok {
				return fmt.Errorf("the key %q is set in both %s and %s; each key comes from exactly one of data_wo, references and generate", k, prev, source)
			}
			out[k] = source
		}
		return nil
	}
	if err := add(dataWO, "data_wo"); err != nil {
		return nil, err
	}
	if err := add(references, "references"); err != nil {
		return nil, err
	}
	return out, add(generate, "generate")
}

// generateValue makes a random value with crypto/rand.
func generateValue(length int, encoding string) (string, error) {
	switch encoding {
	case EncodingHex, EncodingBase64:
		b := make([]byte, length)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		if encoding == EncodingHex {
			return hex.EncodeToString(b), nil
		}
		return base64.StdEncoding.EncodeToString(b), nil
	case EncodingAlphanumeric:
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		out := make([]byte, length)
		for i := range out {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				return "", err
			}
			out[i] = alphabet[n.Int64()]
		}
		return string(out), nil
	}
	return "", fmt.Errorf("unknown encoding %q", encoding)
}

// syncedKeys is the sorted subset of keys present in data whose values
// the provider's field manager still owns (see kube.FieldSet): a key
// another client changed or removed is not in it, and the difference
// with the configuration's keys is the drift a plan shows. Nothing of the
// values goes into it.
func syncedKeys(data map[string][]byte, keys []string, owned kube.FieldSet) []string {
	out := []string{}
	for _, k := range keys {
		if _, ok := data[k]; ok && owned.Has("data", k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
