package cfsandbox

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// Identifier shapes follow the API: zones, records and accounts are 32
// lowercase hex characters; tunnels, Access apps and policies are UUIDs.

func randomBytes(n int) []byte {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error since Go 1.24.
	_, _ = rand.Read(b)
	return b
}

func newHexID() string { return hex.EncodeToString(randomBytes(16)) }

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newAUD returns an Access audience tag: 64 lowercase hex characters.
func newAUD() string { return hex.EncodeToString(randomBytes(32)) }

// newTunnelSecret returns 32 random bytes, base64 encoded, as cloudflared expects.
func newTunnelSecret() string { return base64.StdEncoding.EncodeToString(randomBytes(32)) }

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

// newToken returns a 40-character token in the alphabet real API tokens use.
func newToken() string {
	b := randomBytes(40)
	for i := range b {
		b[i] = tokenAlphabet[int(b[i])%len(tokenAlphabet)]
	}
	return string(b)
}

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// now is the timestamp used in API objects: UTC, without the monotonic reading
// so that values round-trip through JSON unchanged.
func now() time.Time { return time.Now().UTC().Round(0) }
