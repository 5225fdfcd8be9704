package tenancy

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

// FuzzCredentialChecksum builds credentials from fuzzed random parts: each parses, with
// its kind and mode, and any change of a single byte is refused by the checksum or the
// shape check, so a mistyped credential never reaches the store.
func FuzzCredentialChecksum(f *testing.F) {
	f.Add(make([]byte, randomBytes), uint8(0), uint8(0), uint16(0), byte('A'))
	f.Add(bytes.Repeat([]byte{0xff}, randomBytes), uint8(1), uint8(1), uint16(60), byte('0'))
	f.Add([]byte("0123456789abcdef0123456789abcdef"), uint8(2), uint8(0), uint16(12), byte('_'))
	kinds := []string{KindSecret, KindAccessToken, KindAdminKey}
	modes := []connector.Environment{connector.EnvironmentTest, connector.EnvironmentLive}
	f.Fuzz(func(t *testing.T, random []byte, kind, mode uint8, pos uint16, b byte) {
		if len(random) != randomBytes {
			return
		}
		k, m := kinds[int(kind)%len(kinds)], modes[int(mode)%len(modes)]
		body := credentialPrefix + k + "_" + string(m) + "_" + base64.RawURLEncoding.EncodeToString(random)
		s := body + checksum(body)
		c, err := ParseCredential(s)
		if err != nil || c.Kind != k || c.Mode != m || c.String() != s {
			t.Fatalf("%q parses as %+v, %v", s, c, err)
		}
		i := int(pos) % len(s)
		if s[i] == b {
			return
		}
		changed := s[:i] + string([]byte{b}) + s[i+1:]
		if c, err := ParseCredential(changed); err == nil {
			t.Fatalf("%q with byte %d changed to %q parses as %+v", s, i, b, c)
		} else if !errors.As(err, new(*CredentialError)) {
			t.Fatalf("%q: error %v is not a refusal", changed, err)
		}
	})
}
