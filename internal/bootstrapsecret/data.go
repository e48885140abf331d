package bootstrapsecret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"sort"
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

// dataHash is the drift fingerprint kept in state instead of the values:
// SHA-256 over the managed keys and their values, in key order.
func dataHash(data map[string][]byte, keys []string) string {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	h := sha256.New()
	for _, k := range sorted {
		v, ok := data[k]
		if !ok {
			continue
		}
		_, _ = fmt.Fprintf(h, "%d:%s%d:", len(k), k, len(v))
		h.Write(v)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// presentKeys is the sorted subset of keys present in data.
func presentKeys(data map[string][]byte, keys []string) []string {
	out := []string{}
	for _, k := range keys {
		if _, ok := data[k]; ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
