package tenancy

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"hash/crc32"
	"strings"

	"github.com/quotekit/quotekit/connector"
)

// Credential kinds, the second part of a quotekit credential.
const (
	KindSecret      = "sk" // a tenant's shared secret
	KindAccessToken = "at" // an access token
	KindAdminKey    = "ak" // an admin API key
)

// A quotekit credential is qk_<kind>_<mode>_<43 base64url chars: 256 random bits><6 base62
// chars: CRC-32 of everything before it>. The prefix makes leaked credentials easy to spot
// and scan for; the checksum lets a mistyped or forged one be refused without a store
// lookup.
const (
	credentialPrefix = "qk_"
	randomBytes      = 32
	randomChars      = 43 // base64url without padding of 32 bytes
	checksumChars    = 6
)

// Credential is a parsed quotekit credential.
type Credential struct {
	Kind string
	Mode connector.Environment
	raw  string
}

// NewCredential returns a fresh credential of the kind and mode.
func NewCredential(kind string, mode connector.Environment) (string, error) {
	var b [randomBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	body := credentialPrefix + kind + "_" + string(mode) + "_" + base64.RawURLEncoding.EncodeToString(b[:])
	return body + checksum(body), nil
}

// CredentialError says why a string is not a quotekit credential. Reason is "malformed"
// (wrong shape) or "bad_checksum" (mistyped or forged).
type CredentialError struct {
	Reason string
}

func (e *CredentialError) Error() string { return "not a quotekit credential: " + e.Reason }

func refuse(reason string) error { return &CredentialError{Reason: reason} }

// ParseCredential checks the shape and checksum of s. It fails with a *CredentialError;
// it does no lookup.
func ParseCredential(s string) (Credential, error) {
	rest, ok := strings.CutPrefix(s, credentialPrefix)
	if !ok {
		return Credential{}, refuse("malformed")
	}
	kind, rest, ok1 := strings.Cut(rest, "_")
	mode, rest, ok2 := strings.Cut(rest, "_")
	if !ok1 || !ok2 || !validKind(kind) || (mode != string(connector.EnvironmentTest) && mode != string(connector.EnvironmentLive)) ||
		len(rest) != randomChars+checksumChars || !isBase64URL(rest[:randomChars]) {
		return Credential{}, refuse("malformed")
	}
	body := s[:len(s)-checksumChars]
	if checksum(body) != s[len(s)-checksumChars:] {
		return Credential{}, refuse("bad_checksum")
	}
	return Credential{Kind: kind, Mode: connector.Environment(mode), raw: s}, nil
}

// HasCredentialPrefix reports whether s starts like a quotekit credential of kind. It
// checks nothing else: ParseCredential does.
func HasCredentialPrefix(s, kind string) bool {
	return strings.HasPrefix(s, credentialPrefix+kind+"_")
}

// Hash is the SHA-256 under which the credential is stored and looked up. A fast hash is
// right here: the credential carries 256 random bits, so there is nothing to brute-force,
// and a slow hash would turn every request into a denial-of-service lever.
func (c Credential) Hash() [32]byte { return sha256.Sum256([]byte(c.raw)) }

// Display is the part people may see: the prefix and the first four random characters.
func (c Credential) Display() string {
	return c.raw[:len(credentialPrefix)+len(c.Kind)+1+len(c.Mode)+1+4]
}

// Last4 is the last four characters, shown in listings.
func (c Credential) Last4() string { return c.raw[len(c.raw)-4:] }

// String returns the credential itself. Callers show it once and never log it.
func (c Credential) String() string { return c.raw }

func validKind(k string) bool {
	return k == KindSecret || k == KindAccessToken || k == KindAdminKey
}

func isBase64URL(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// checksum is the CRC-32 of s in six base62 digits (62^6 > 2^32).
func checksum(s string) string {
	n := crc32.ChecksumIEEE([]byte(s))
	var out [checksumChars]byte
	for i := checksumChars - 1; i >= 0; i-- {
		out[i] = base62[n%62]
		n /= 62
	}
	return string(out[:])
}
