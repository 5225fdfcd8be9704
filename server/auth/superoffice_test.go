package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
)

// The fake SuperOffice of these tests: RSA keys (fixed ones from testdata/keys and
// generated ones), tokens built and signed by hand so that every header and claim can be
// wrong in exactly one way, and a settable clock.

var soT0 = time.Date(2026, 3, 14, 15, 26, 0, 0, time.UTC)

const soAppID = "4f1d2c3b-app"

// soClock is a settable clock, safe for concurrent use.
type soClock struct{ ns atomic.Int64 }

func newSOClock(t time.Time) *soClock {
	c := &soClock{}
	c.Set(t)
	return c
}

func (c *soClock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *soClock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *soClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// soKey loads a fixed test key from testdata/keys.
func soKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "keys", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

var (
	soGenMu   sync.Mutex
	soGenKeys = map[string]*rsa.PrivateKey{}
)

// soGenKey returns a generated RSA 2048 key, one per name for the whole test binary.
func soGenKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	soGenMu.Lock()
	defer soGenMu.Unlock()
	if k, ok := soGenKeys[name]; ok {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	soGenKeys[name] = k
	return k
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// soClaims are the claims of a valid connector token issued at now.
func soClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss":                  "SuperOffice AS",
		"aud":                  "spn:" + soAppID,
		"sub":                  "anna@example.com",
		"iat":                  now.Unix(),
		"nbf":                  now.Unix(),
		"exp":                  now.Add(6 * time.Minute).Unix(),
		"jti":                  "jti-1",
		"nonce":                "nonce-1",
		claimTenant:            "Cust12345",
		claimAssociateID:       "42",
		claimEmail:             "anna.a@example.com",
		claimUPN:               "anna",
		"http://x/unrelated-1": true,
	}
}

func soHeader(alg, kid string) map[string]any {
	h := map[string]any{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	return h
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signJWS signs payload under header with key, by the header's alg; "none" and unknown
// algorithms get an empty signature.
func signJWS(t testing.TB, header map[string]any, payload []byte, key any) string {
	t.Helper()
	signing := b64url(mustJSON(t, header)) + "." + b64url(payload)
	var sig []byte
	var err error
	rsaHash := map[string]crypto.Hash{"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512}
	switch alg, _ := header["alg"].(string); alg {
	case "RS256", "RS384", "RS512":
		h := rsaHash[alg].New()
		h.Write([]byte(signing))
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), rsaHash[alg], h.Sum(nil))
	case "PS256":
		d := sha256.Sum256([]byte(signing))
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, d[:], nil)
	case "HS256":
		m := hmac.New(sha256.New, key.([]byte))
		m.Write([]byte(signing))
		sig = m.Sum(nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64url(sig)
}

// soMint signs claims with RS256 under kid ("" for none).
func soMint(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	return signJWS(t, soHeader("RS256", kid), mustJSON(t, claims), key)
}

// soLocal returns a verifier trusting key as environment sod, at clock clk.
func soLocal(t testing.TB, key *rsa.PrivateKey, clk *soClock, mut ...func(*SuperOfficeConfig)) *SuperOfficeVerifier {
	t.Helper()
	cfg := SuperOfficeConfig{
		Envs:  []Env{{Name: "sod", Keys: []crypto.PublicKey{&key.PublicKey}}},
		Clock: clk.Now,
	}
	for _, m := range mut {
		m(&cfg)
	}
	v, err := NewSuperOfficeVerifier(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantRefusal checks err is a refusal with the reason and nothing else in its text.
func wantRefusal(t testing.TB, err error, reason string) {
	t.Helper()
	if !errors.Is(err, ErrInvalidCredential) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want a refusal %q", err, reason)
	}
	if got := ReasonOf(err); got != reason {
		t.Fatalf("reason = %q, want %q", got, reason)
	}
	if err.Error() != "credential refused: "+reason {
		t.Fatalf("error text %q carries more than the reason", err.Error())
	}
}

func TestSuperOfficeVerifyValid(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	clk := newSOClock(soT0)
	v := soLocal(t, key, clk)
	raw := soMint(t, key, "sod-1", soClaims(soT0))

	got, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	want := SuperOfficeClaims{
		Env:       "sod",
		Mode:      connector.EnvironmentTest,
		Tenant:    "Cust12345",
		User:      connector.User{AssociateID: 42, Name: "anna", Email: "anna.a@example.com"},
		Audiences: []string{"spn:" + soAppID},
		Nonce:     "nonce-1",
		ID:        "jti-1",
		IssuedAt:  soT0,
		ExpiresAt: soT0.Add(6 * time.Minute),
		Hash:      sha256.Sum256([]byte(raw)),
	}
	if !got.IssuedAt.Equal(want.IssuedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("times = %v, %v; want %v, %v", got.IssuedAt, got.ExpiresAt, want.IssuedAt, want.ExpiresAt)
	}
	got.IssuedAt, got.ExpiresAt = want.IssuedAt, want.ExpiresAt
	if g, w := mustJSON(t, got), mustJSON(t, want); string(g) != string(w) {
		t.Errorf("claims\n got %s\nwant %s", g, w)
	}
	if !v.Ready() {
		t.Error("Ready = false with local keys")
	}
}

// TestSuperOfficeVerifyRefuses is the catalogue of bad SuperOffice JWTs (security.md §2 D).
func TestSuperOfficeVerifyRefuses(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	other := soGenKey(t, "attacker")
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	with := func(mut func(c map[string]any)) []byte {
		c := soClaims(soT0)
		mut(c)
		return mustJSON(t, c)
	}
	valid := mustJSON(t, soClaims(soT0))
	sign := func(alg string, payload []byte, k any) string {
		return signJWS(t, soHeader(alg, "sod-1"), payload, k)
	}
	rs := func(payload []byte) string { return sign("RS256", payload, key) }
	good := rs(valid)
	head, rest, _ := strings.Cut(good, ".")
	payloadSeg, sigSeg, _ := strings.Cut(rest, ".")
	sigBytes, err := base64.RawURLEncoding.DecodeString(sigSeg)
	if err != nil {
		t.Fatal(err)
	}
	nested := signJWS(t, map[string]any{"alg": "RS256", "cty": "JWT"}, []byte(good), key)

	cases := []struct {
		name   string
		token  string
		reason string
	}{
		// 35: alg none.
		{"alg none, empty signature", sign("none", valid, nil), reasonBadAlg},
		{"alg None", sign("None", valid, nil), reasonBadAlg},
		{"alg none with a signature", head[:0] + b64url(mustJSON(t, soHeader("none", ""))) + "." + payloadSeg + "." + sigSeg, reasonBadAlg},
		{"alg absent", signJWS(t, map[string]any{"typ": "JWT"}, valid, nil), reasonBadAlg},
		// 36: HS256 keyed with the public key.
		{"HS256 with the public key PEM", sign("HS256", valid, pubPEM), reasonBadAlg},
		{"HS256 with the public key DER", sign("HS256", valid, pubDER), reasonBadAlg},
		// 37: other RSA algorithms with the genuine key.
		{"RS384", sign("RS384", valid, key), reasonBadAlg},
		{"RS512", sign("RS512", valid, key), reasonBadAlg},
		{"PS256", sign("PS256", valid, key), reasonBadAlg},
		{"alg rs256 in lower case", signJWS(t, soHeader("rs256", "sod-1"), valid, key), reasonBadAlg},
		// 38: forged signatures.
		{"signed by another key", sign("RS256", valid, other), reasonBadSignature},
		{"signature truncated", head + "." + payloadSeg + "." + b64url(sigBytes[:len(sigBytes)-1]), reasonBadSignature},
		{"signature extended", head + "." + payloadSeg + "." + b64url(append(sigBytes, 0)), reasonBadSignature},
		{"signature zero", head + "." + payloadSeg + "." + b64url(make([]byte, len(sigBytes))), reasonBadSignature},
		{"signature empty", head + "." + payloadSeg + ".", reasonBadSignature},
		{"signature of another token", head + "." + b64url(with(func(c map[string]any) { c[claimTenant] = "Cust99" })) + "." + sigSeg, reasonBadSignature},
		{"signature with spare bits set", head + "." + payloadSeg + "." + sigSeg[:len(sigSeg)-1] + string(sigSeg[len(sigSeg)-1]+1), reasonMalformed},
		// 43–45: time claims (the clock is soT0).
		{"expired beyond skew", rs(with(func(c map[string]any) {
			c["iat"] = soT0.Add(-8 * time.Minute).Unix()
			c["exp"] = soT0.Add(-61 * time.Second).Unix()
		})), reasonExpired},
		{"exp absent", rs(with(func(c map[string]any) { delete(c, "exp") })), reasonNoExp},
		{"exp 0", rs(with(func(c map[string]any) { c["exp"] = 0 })), reasonNoExp},
		{"exp 0.5", rs(with(func(c map[string]any) { c["exp"] = 0.5 })), reasonNoExp},
		{"exp negative", rs(with(func(c map[string]any) { c["exp"] = -1 })), reasonExpired},
		{"exp as RFC 3339", rs(with(func(c map[string]any) { c["exp"] = soT0.Add(5 * time.Minute).Format(time.RFC3339) })), reasonMalformed},
		{"exp as a numeric string", rs(with(func(c map[string]any) { c["exp"] = "1773502260" })), reasonMalformed},
		{"iat as a numeric string", rs(with(func(c map[string]any) { c["iat"] = "1773501960" })), reasonMalformed},
		{"nbf as a numeric string", rs(with(func(c map[string]any) { c["nbf"] = "1773501960" })), reasonMalformed},
		{"exp null", rs(with(func(c map[string]any) { c["exp"] = nil })), reasonMalformed},
		{"exp 24 h after iat", rs(with(func(c map[string]any) { c["exp"] = soT0.Add(24 * time.Hour).Unix() })), reasonLifetimeTooLong},
		{"iat absent", rs(with(func(c map[string]any) { delete(c, "iat") })), reasonNoIat},
		{"iat as RFC 3339", rs(with(func(c map[string]any) { c["iat"] = soT0.Format(time.RFC3339) })), reasonMalformed},
		{"iat in the future", rs(with(func(c map[string]any) {
			c["iat"] = soT0.Add(2 * time.Minute).Unix()
			c["nbf"] = soT0.Unix()
			c["exp"] = soT0.Add(8 * time.Minute).Unix()
		})), reasonNotYetValid},
		{"nbf in the future", rs(with(func(c map[string]any) { c["nbf"] = soT0.Add(2 * time.Minute).Unix() })), reasonNotYetValid},
		{"iat 30 min old, still valid", rs(with(func(c map[string]any) {
			c["iat"] = soT0.Add(-30 * time.Minute).Unix()
			c["nbf"] = soT0.Add(-30 * time.Minute).Unix()
			c["exp"] = soT0.Add(time.Minute).Unix()
		})), reasonLifetimeTooLong},
		{"iat 30 min old, expired", rs(with(func(c map[string]any) {
			c["iat"] = soT0.Add(-30 * time.Minute).Unix()
			c["nbf"] = soT0.Add(-30 * time.Minute).Unix()
			c["exp"] = soT0.Add(-24 * time.Minute).Unix()
		})), reasonExpired},
		{"iat 12 min old, lifetime 12 min", rs(with(func(c map[string]any) {
			c["iat"] = soT0.Add(-12 * time.Minute).Unix()
			c["exp"] = soT0.Add(time.Minute / 2).Unix()
		})), reasonLifetimeTooLong},
		// 46, 48: issuer.
		{"iss missing", rs(with(func(c map[string]any) { delete(c, "iss") })), reasonBadIssuer},
		{"iss SuperOffice", rs(with(func(c map[string]any) { c["iss"] = "SuperOffice" })), reasonBadIssuer},
		{"iss in lower case", rs(with(func(c map[string]any) { c["iss"] = "superoffice as" })), reasonBadIssuer},
		{"iss with a trailing space", rs(with(func(c map[string]any) { c["iss"] = "SuperOffice AS " })), reasonBadIssuer},
		{"iss an array", rs(with(func(c map[string]any) { c["iss"] = []string{"SuperOffice AS"} })), reasonMalformed},
		{"ID token of sod", rs(with(func(c map[string]any) {
			c["iss"] = "https://sod.superoffice.com"
			c["aud"] = soAppID
		})), reasonBadIssuer},
		// 47: audience of the wrong type.
		{"aud a number", rs(with(func(c map[string]any) { c["aud"] = 5 })), reasonMalformed},
		{"aud an object", rs(with(func(c map[string]any) { c["aud"] = map[string]any{"spn": soAppID} })), reasonMalformed},
		{"aud a mixed array", rs(with(func(c map[string]any) { c["aud"] = []any{"spn:" + soAppID, 5} })), reasonMalformed},
		// 49: tenant claim.
		{"tenant missing", rs(with(func(c map[string]any) { delete(c, claimTenant) })), reasonNoTenant},
		{"tenant Cust12a", rs(with(func(c map[string]any) { c[claimTenant] = "Cust12a" })), reasonBadTenant},
		{"tenant ../Cust1", rs(with(func(c map[string]any) { c[claimTenant] = "../Cust1" })), reasonBadTenant},
		{"tenant Cust1 NUL", rs(with(func(c map[string]any) { c[claimTenant] = "Cust1\x00" })), reasonBadTenant},
		{"tenant Cust1%00", rs(with(func(c map[string]any) { c[claimTenant] = "Cust1%00" })), reasonBadTenant},
		{"tenant with a newline", rs(with(func(c map[string]any) { c[claimTenant] = "Cust1\n" })), reasonBadTenant},
		{"tenant full-width digits", rs(with(func(c map[string]any) { c[claimTenant] = "Cust１２３" })), reasonBadTenant},
		{"tenant in lower case", rs(with(func(c map[string]any) { c[claimTenant] = "cust123" })), reasonBadTenant},
		{"tenant of 11 digits", rs(with(func(c map[string]any) { c[claimTenant] = "Cust12345678901" })), reasonBadTenant},
		{"tenant empty", rs(with(func(c map[string]any) { c[claimTenant] = "" })), reasonBadTenant},
		{"tenant a number", rs(with(func(c map[string]any) { c[claimTenant] = 12345 })), reasonBadTenant},
		{"tenant an array", rs(with(func(c map[string]any) { c[claimTenant] = []string{"Cust1"} })), reasonBadTenant},
		{"tenant of 10 KiB", rs(with(func(c map[string]any) { c[claimTenant] = "Cust" + strings.Repeat("1", 10<<10) })), reasonTooLong},
		// 54, 56, 57: framing and encoding.
		{"JWE", "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0.a2V5.aXY.Y2lwaGVy.dGFn", reasonEncrypted},
		{"nested JWT", nested, reasonMalformed},
		{"payload not an object", sign("RS256", []byte(`["SuperOffice AS"]`), key), reasonMalformed},
		{"payload not JSON", sign("RS256", []byte(`SuperOffice AS`), key), reasonMalformed},
		{"raw JSON claims", string(valid), reasonMalformed},
		{"JSON serialization", `{"payload":"` + payloadSeg + `","signatures":[{"protected":"` + head + `","signature":"` + sigSeg + `"}]}`, reasonMalformed},
		{"empty", "", reasonMalformed},
		{"dots only", "..", reasonMalformed},
		{"header empty", "." + payloadSeg + "." + sigSeg, reasonMalformed},
		{"payload empty", head + ".." + sigSeg, reasonMalformed},
		{"extra segment", good + ".AAAA", reasonMalformed},
		{"two segments", head + "." + payloadSeg, reasonMalformed},
		{"padding", head + "." + payloadSeg + "." + sigSeg + "==", reasonMalformed},
		{"standard base64", head + "." + payloadSeg + "." + strings.NewReplacer("-", "+", "_", "/").Replace(sigSeg) + "+/", reasonMalformed},
		{"space inside", head + "." + payloadSeg[:10] + " " + payloadSeg[10:] + "." + sigSeg, reasonMalformed},
		{"leading space", " " + good, reasonMalformed},
		{"trailing newline", good + "\n", reasonMalformed},
		{"Bearer prefix", "Bearer " + good, reasonMalformed},
		{"header not JSON", b64url([]byte("alg=RS256")) + "." + payloadSeg + "." + sigSeg, reasonMalformed},
		{"header swapped", b64url(mustJSON(t, soHeader("RS256", ""))) + "." + payloadSeg + "." + sigSeg, reasonBadSignature},
		{"crit header", signJWS(t, map[string]any{"alg": "RS256", "kid": "sod-1", "crit": []string{"exp"}, "exp": 1}, valid, key), reasonMalformed},
		{"b64 false", signJWS(t, map[string]any{"alg": "RS256", "kid": "sod-1", "b64": false, "crit": []string{"b64"}}, valid, key), reasonMalformed},
		{"longer than the cap", good + strings.Repeat("A", 8<<10), reasonTooLong},
	}
	v := soLocal(t, key, newSOClock(soT0))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(t.Context(), tc.token)
			wantRefusal(t, err, tc.reason)
			if c.Tenant != "" || c.Env != "" {
				t.Errorf("claims returned with a refusal: %+v", c)
			}
		})
	}
}

// TestSuperOfficeMutations flips every bit of every decoded segment of a valid token; no
// mutant may verify (38).
func TestSuperOfficeMutations(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	v := soLocal(t, key, newSOClock(soT0))
	good := soMint(t, key, "sod-1", soClaims(soT0))
	if _, err := v.Verify(t.Context(), good); err != nil {
		t.Fatal(err)
	}
	segs := strings.Split(good, ".")
	for s := range segs {
		dec, err := base64.RawURLEncoding.DecodeString(segs[s])
		if err != nil {
			t.Fatal(err)
		}
		for i := range dec {
			for _, bit := range []byte{0x01, 0x80} {
				mut := append([]byte(nil), dec...)
				mut[i] ^= bit
				parts := append([]string(nil), segs...)
				parts[s] = b64url(mut)
				if _, err := v.Verify(t.Context(), strings.Join(parts, ".")); !errors.Is(err, ErrInvalidCredential) {
					t.Fatalf("segment %d byte %d bit %#x: err = %v", s, i, bit, err)
				}
			}
		}
	}
}

// TestSuperOfficeTimeBoundaries pins the exact edges of exp, nbf, iat, lifetime and age
// with the default skew of 60 s, MaxLifetime and MaxAge of 10 min.
func TestSuperOfficeTimeBoundaries(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	clk := newSOClock(soT0)
	v := soLocal(t, key, clk)
	iat := soT0
	exp := iat.Add(6 * time.Minute)
	token := func(mut func(c map[string]any)) string {
		c := soClaims(iat)
		c["exp"] = exp.Unix()
		if mut != nil {
			mut(c)
		}
		return soMint(t, key, "sod-1", c)
	}
	cases := []struct {
		name   string
		now    time.Time
		token  string
		reason string // "" accepted
	}{
		{"exp - 1 s", exp.Add(-time.Second), token(nil), ""},
		{"exp (within skew)", exp, token(nil), ""},
		{"exp + skew - 1 s", exp.Add(59 * time.Second), token(nil), ""},
		{"exp + skew", exp.Add(60 * time.Second), token(nil), reasonExpired},
		{"exp + skew + 1 s", exp.Add(61 * time.Second), token(nil), reasonExpired},
		{"nbf - skew", soT0.Add(4 * time.Minute), token(func(c map[string]any) { c["nbf"] = soT0.Add(5 * time.Minute).Unix() }), ""},
		{"nbf - skew - 1 s", soT0.Add(4*time.Minute - time.Second), token(func(c map[string]any) { c["nbf"] = soT0.Add(5 * time.Minute).Unix() }), reasonNotYetValid},
		{"iat - skew", iat.Add(-time.Minute), token(nil), ""},
		{"iat - skew - 1 s", iat.Add(-time.Minute - time.Second), token(nil), reasonNotYetValid},
		{"lifetime = max + skew", soT0, token(func(c map[string]any) { c["exp"] = iat.Add(11 * time.Minute).Unix() }), ""},
		{"lifetime = max + skew + 1 s", soT0, token(func(c map[string]any) { c["exp"] = iat.Add(11*time.Minute + time.Second).Unix() }), reasonLifetimeTooLong},
		{"age = max + skew", iat.Add(11 * time.Minute), token(func(c map[string]any) { c["exp"] = iat.Add(11 * time.Minute).Unix() }), ""},
		{"age = max + skew + 1 s", iat.Add(11*time.Minute + time.Second), token(func(c map[string]any) { c["exp"] = iat.Add(11 * time.Minute).Unix() }), reasonTooOld},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk.Set(tc.now)
			_, err := v.Verify(t.Context(), tc.token)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantRefusal(t, err, tc.reason)
		})
	}

	t.Run("configured limits", func(t *testing.T) {
		clk.Set(soT0)
		v := soLocal(t, key, clk, func(c *SuperOfficeConfig) {
			c.Skew = 5 * time.Second
			c.MaxLifetime = 2 * time.Minute
			c.MaxAge = time.Minute
		})
		c := soClaims(soT0)
		c["exp"] = soT0.Add(2*time.Minute + 5*time.Second).Unix()
		ok := soMint(t, key, "", c)
		if _, err := v.Verify(t.Context(), ok); err != nil {
			t.Fatal(err)
		}
		c["exp"] = soT0.Add(2*time.Minute + 6*time.Second).Unix()
		_, err := v.Verify(t.Context(), soMint(t, key, "", c))
		wantRefusal(t, err, reasonLifetimeTooLong)
		clk.Set(soT0.Add(time.Minute + 6*time.Second))
		_, err = v.Verify(t.Context(), ok)
		wantRefusal(t, err, reasonTooOld)
	})
}

// TestSuperOfficeAudiences: Verify returns aud as given and never checks it (47);
// HasAudienceFor decides.
func TestSuperOfficeAudiences(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	v := soLocal(t, key, newSOClock(soT0))
	for _, tc := range []struct {
		name string
		aud  any
		want []string
	}{
		{"string", "spn:" + soAppID, []string{"spn:" + soAppID}},
		{"array", []string{"spn:other", "spn:" + soAppID}, []string{"spn:other", "spn:" + soAppID}},
		{"another app", "spn:other", []string{"spn:other"}},
		{"missing", nil, nil},
		{"empty array", []string{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := soClaims(soT0)
			if tc.aud == nil {
				delete(c, "aud")
			} else {
				c["aud"] = tc.aud
			}
			got, err := v.Verify(t.Context(), soMint(t, key, "", c))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got.Audiences, "|") != strings.Join(tc.want, "|") || len(got.Audiences) != len(tc.want) {
				t.Errorf("Audiences = %q, want %q", got.Audiences, tc.want)
			}
		})
	}
}

func TestSuperOfficeHasAudienceFor(t *testing.T) {
	for _, tc := range []struct {
		aud  []string
		apps []string
		want bool
	}{
		{[]string{"spn:abc"}, []string{"abc"}, true},
		{[]string{"spn:other", "spn:abc"}, []string{"abc"}, true},
		{[]string{"spn:abc"}, []string{"x", "abc"}, true},
		{[]string{"spn:ABC"}, []string{"abc"}, true}, // AppId letter case is ignored
		{[]string{"SPN:abc"}, []string{"ABC"}, true},
		{[]string{"spn:abc"}, []string{"abd"}, false},
		{[]string{"spn:abc"}, nil, false},
		{nil, []string{"abc"}, false},
		{[]string{"abc"}, []string{"abc"}, false},      // no spn: prefix
		{[]string{"spn:"}, []string{""}, false},        // empty AppId never matches
		{[]string{"spn:abc "}, []string{"abc"}, false}, // no trimming
		{[]string{"spn:abcd"}, []string{"abc"}, false},
		{[]string{"spn:abc"}, []string{"spn:abc"}, false},
		{[]string{"spn:\u212a"}, []string{"k"}, false}, // Kelvin sign is not K
		{[]string{"spn:straße"}, []string{"STRASSE"}, false},
		{[]string{"spn:ÄPP"}, []string{"äpp"}, false}, // only ASCII letters fold
		{[]string{"urn:spn:abc"}, []string{"abc"}, false},
	} {
		if got := (SuperOfficeClaims{Audiences: tc.aud}).HasAudienceFor(tc.apps); got != tc.want {
			t.Errorf("HasAudienceFor(%q) with aud %q = %v, want %v", tc.apps, tc.aud, got, tc.want)
		}
	}
}

func TestSuperOfficeUser(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	v := soLocal(t, key, newSOClock(soT0))
	for _, tc := range []struct {
		name string
		mut  func(c map[string]any)
		want connector.User
	}{
		{"all claims", func(map[string]any) {}, connector.User{AssociateID: 42, Name: "anna", Email: "anna.a@example.com"}},
		{"associate id a number", func(c map[string]any) { c[claimAssociateID] = 7 }, connector.User{AssociateID: 7, Name: "anna", Email: "anna.a@example.com"}},
		{"associate id not a number", func(c map[string]any) { c[claimAssociateID] = "7x" }, connector.User{Name: "anna", Email: "anna.a@example.com"}},
		{"associate id beyond int32", func(c map[string]any) { c[claimAssociateID] = "2147483648" }, connector.User{Name: "anna", Email: "anna.a@example.com"}},
		{"associate id negative", func(c map[string]any) { c[claimAssociateID] = -3 }, connector.User{Name: "anna", Email: "anna.a@example.com"}},
		{"associate id fractional", func(c map[string]any) { c[claimAssociateID] = 1.5 }, connector.User{Name: "anna", Email: "anna.a@example.com"}},
		{"e-mail from sub", func(c map[string]any) { delete(c, claimEmail) }, connector.User{AssociateID: 42, Name: "anna", Email: "anna@example.com"}},
		{"sub not an e-mail", func(c map[string]any) { delete(c, claimEmail); c["sub"] = "u-17" }, connector.User{AssociateID: 42, Name: "anna"}},
		{"name with a newline", func(c map[string]any) { c[claimUPN] = "anna\r\nadmin" }, connector.User{AssociateID: 42, Email: "anna.a@example.com"}},
		{"name with a bidi override", func(c map[string]any) { c[claimUPN] = "anna\u202e" }, connector.User{AssociateID: 42, Email: "anna.a@example.com"}},
		{"e-mail too long", func(c map[string]any) { c[claimEmail] = strings.Repeat("a", 300) + "@example.com" }, connector.User{AssociateID: 42, Name: "anna"}},
		{"no user claims", func(c map[string]any) {
			delete(c, claimEmail)
			delete(c, claimUPN)
			delete(c, claimAssociateID)
			delete(c, "sub")
		}, connector.User{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := soClaims(soT0)
			tc.mut(c)
			got, err := v.Verify(t.Context(), soMint(t, key, "", c))
			if err != nil {
				t.Fatal(err)
			}
			if got.User != tc.want {
				t.Errorf("User = %+v, want %+v", got.User, tc.want)
			}
		})
	}

	t.Run("configured claim names", func(t *testing.T) {
		v := soLocal(t, key, newSOClock(soT0), func(c *SuperOfficeConfig) {
			c.TenantClaim = "tenant"
			c.AssociateIDClaim = "assoc"
			c.EmailClaim = "mail"
			c.NameClaim = "name"
			c.TenantPattern = `T[0-9]+`
		})
		c := soClaims(soT0)
		c["tenant"], c["assoc"], c["mail"], c["name"] = "T7", 9, "b@example.com", "Bo"
		got, err := v.Verify(t.Context(), soMint(t, key, "", c))
		if err != nil {
			t.Fatal(err)
		}
		if got.Tenant != "T7" || got.User != (connector.User{AssociateID: 9, Name: "Bo", Email: "b@example.com"}) {
			t.Errorf("claims = %+v", got)
		}
		// The pattern is matched against the whole claim although it is not anchored.
		c["tenant"] = "../T7"
		_, err = v.Verify(t.Context(), soMint(t, key, "", c))
		wantRefusal(t, err, reasonBadTenant)
		delete(c, "tenant")
		_, err = v.Verify(t.Context(), soMint(t, key, "", c))
		wantRefusal(t, err, reasonNoTenant)
	})

	t.Run("10 KiB tenant under a larger cap", func(t *testing.T) {
		v := soLocal(t, key, newSOClock(soT0), func(c *SuperOfficeConfig) { c.MaxTokenLength = 64 << 10 })
		c := soClaims(soT0)
		c[claimTenant] = "Cust" + strings.Repeat("1", 10<<10)
		_, err := v.Verify(t.Context(), soMint(t, key, "", c))
		wantRefusal(t, err, reasonBadTenant)
	})
}

func TestSuperOfficeTokenLengthCap(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	raw := soMint(t, key, "", soClaims(soT0))
	atCap := soLocal(t, key, newSOClock(soT0), func(c *SuperOfficeConfig) { c.MaxTokenLength = len(raw) })
	if _, err := atCap.Verify(t.Context(), raw); err != nil {
		t.Fatalf("token of exactly the cap: %v", err)
	}
	belowCap := soLocal(t, key, newSOClock(soT0), func(c *SuperOfficeConfig) { c.MaxTokenLength = len(raw) - 1 })
	_, err := belowCap.Verify(t.Context(), raw)
	wantRefusal(t, err, reasonTooLong)
	_, err = atCap.Verify(t.Context(), strings.Repeat(".", 1<<20))
	wantRefusal(t, err, reasonTooLong)
}

// TestSuperOfficeEmbeddedKeys: keys and key URLs in the header are never used (39).
func TestSuperOfficeEmbeddedKeys(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	attacker := soGenKey(t, "attacker")
	fake := newFakeJWKS(t, jwksKey{kid: "sod-1", key: &key.PublicKey})
	evil := newFakeJWKS(t, jwksKey{kid: "sod-1", key: &attacker.PublicKey})
	clk := newSOClock(soT0)
	v := fake.verifier(t, clk, nil)
	hits := fake.hits.Load()

	attackerJWK := map[string]any{"kty": "RSA", "kid": "sod-1", "n": b64url(attacker.N.Bytes()), "e": "AQAB"}
	certDER := selfSigned(t, attacker)
	claims := mustJSON(t, soClaims(soT0))
	for _, h := range []map[string]any{
		{"alg": "RS256", "kid": "sod-1", "jwk": attackerJWK},
		{"alg": "RS256", "jwk": attackerJWK},
		{"alg": "RS256", "kid": "sod-1", "x5c": []string{base64.StdEncoding.EncodeToString(certDER)}},
		{"alg": "RS256", "kid": "sod-1", "jku": evil.url()},
		{"alg": "RS256", "jku": evil.url()},
		{"alg": "RS256", "kid": "sod-1", "x5u": evil.url()},
		{"alg": "RS256", "kid": "sod-1", "jku": evil.url(), "x5u": evil.url(), "jwk": attackerJWK, "x5c": []string{base64.StdEncoding.EncodeToString(certDER)}},
	} {
		_, err := v.Verify(t.Context(), signJWS(t, h, claims, attacker))
		wantRefusal(t, err, reasonBadSignature)
	}
	if n := evil.hits.Load(); n != 0 {
		t.Errorf("the URL in the header was fetched %d times", n)
	}
	if n := fake.hits.Load() - hits; n != 0 {
		t.Errorf("the trusted JWKS was fetched %d more times", n)
	}
}

func selfSigned(t testing.TB, key *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: soT0.Add(-time.Hour), NotAfter: soT0.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestSuperOfficeKIDInjection: odd kids are only map keys (40).
func TestSuperOfficeKIDInjection(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	fake := newFakeJWKS(t, jwksKey{kid: "sod-1", key: &key.PublicKey})
	v := fake.verifier(t, newSOClock(soT0), func(c *SuperOfficeConfig) { c.MaxTokenLength = 256 << 10 })
	claims := mustJSON(t, soClaims(soT0))
	for _, kid := range []string{
		"../../../dev/null", "/etc/passwd", "' OR '1'='1", "sod-1\x00", "sod-1 ", "SOD-1",
		"ｓｏｄ-1", "sod\u200d-1", strings.Repeat("k", 100<<10), "",
	} {
		h := map[string]any{"alg": "RS256", "kid": kid}
		_, err := v.Verify(t.Context(), signJWS(t, h, claims, key))
		if kid == "" {
			if err != nil { // an empty kid is no kid: every key is offered
				t.Errorf("empty kid: %v", err)
			}
			continue
		}
		wantRefusal(t, err, reasonUnknownKID)
	}
	// A kid that is not a string is a malformed header.
	_, err := v.Verify(t.Context(), signJWS(t, map[string]any{"alg": "RS256", "kid": 5}, claims, key))
	wantRefusal(t, err, reasonMalformed)
}

// TestSuperOfficeEnvironments: the environment is the one whose key verified the token.
func TestSuperOfficeEnvironments(t *testing.T) {
	sod := soKey(t, "superoffice-test-sod")
	online := soKey(t, "superoffice-test-online")
	dev := soGenKey(t, "dev")
	clk := newSOClock(soT0)
	v, err := NewSuperOfficeVerifier(t.Context(), SuperOfficeConfig{
		Envs: []Env{
			{Name: "sod", Keys: []crypto.PublicKey{&sod.PublicKey}},
			{Name: "online", Keys: []crypto.PublicKey{&online.PublicKey}},
			{Name: "dev", Mode: connector.EnvironmentTest, Keys: []crypto.PublicKey{&dev.PublicKey}},
		},
		Clock: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  *rsa.PrivateKey
		env  string
		mode connector.Environment
	}{
		{sod, "sod", connector.EnvironmentTest},
		{online, "online", connector.EnvironmentLive},
		{dev, "dev", connector.EnvironmentTest},
	} {
		for _, kid := range []string{"", "some-kid"} {
			got, err := v.Verify(t.Context(), soMint(t, tc.key, kid, soClaims(soT0)))
			if err != nil {
				t.Fatalf("%s: %v", tc.env, err)
			}
			if got.Env != tc.env || got.Mode != tc.mode {
				t.Errorf("signed by %s: Env %q Mode %q", tc.env, got.Env, got.Mode)
			}
		}
	}
	_, err = v.Verify(t.Context(), soMint(t, soGenKey(t, "attacker"), "", soClaims(soT0)))
	wantRefusal(t, err, reasonBadSignature)
	// A claim error found under one environment's key is final.
	c := soClaims(soT0)
	c["iss"] = "nobody"
	_, err = v.Verify(t.Context(), soMint(t, online, "", c))
	wantRefusal(t, err, reasonBadIssuer)
}

func TestSuperOfficeConfig(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := []crypto.PublicKey{&key.PublicKey}
	for _, tc := range []struct {
		name string
		cfg  SuperOfficeConfig
	}{
		{"no environment", SuperOfficeConfig{}},
		{"unnamed", SuperOfficeConfig{Envs: []Env{{Mode: connector.EnvironmentTest, Keys: pub}}}},
		{"repeated name", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: pub}, {Name: "sod", Keys: pub}}}},
		{"online as test", SuperOfficeConfig{Envs: []Env{{Name: "online", Mode: connector.EnvironmentTest}}}},
		{"sod as live", SuperOfficeConfig{Envs: []Env{{Name: "sod", Mode: connector.EnvironmentLive}}}},
		{"local name without mode", SuperOfficeConfig{Envs: []Env{{Name: "dev", Keys: pub}}}},
		{"unknown mode", SuperOfficeConfig{Envs: []Env{{Name: "dev", Mode: "prod", Keys: pub}}}},
		{"numbered sub-domain without URL", SuperOfficeConfig{Envs: []Env{{Name: "sod2", Mode: connector.EnvironmentTest}}}},
		{"http URL", SuperOfficeConfig{Envs: []Env{{Name: "sod", JWKSURL: "http://sod.superoffice.com/login/.well-known/jwks"}}}},
		{"relative URL", SuperOfficeConfig{Envs: []Env{{Name: "sod", JWKSURL: "/jwks"}}}},
		{"URL with credentials", SuperOfficeConfig{Envs: []Env{{Name: "sod", JWKSURL: "https://u:p@sod.superoffice.com/jwks"}}}},
		{"URL shared", SuperOfficeConfig{Envs: []Env{{Name: "sod", JWKSURL: "https://x.example/jwks"}, {Name: "qaonline", JWKSURL: "https://x.example/jwks"}}}},
		{"keys and URL", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: pub, JWKSURL: "https://x.example/jwks"}}}},
		{"1024-bit key", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: []crypto.PublicKey{&small.PublicKey}}}}},
		{"EC key", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: []crypto.PublicKey{&ec.PublicKey}}}}},
		{"private key", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: []crypto.PublicKey{key}}}}},
		{"nil key", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: []crypto.PublicKey{nil}}}}},
		{"bad tenant pattern", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: pub}}, TenantPattern: "Cust[0-9"}},
		{"negative skew", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: pub}}, Skew: -time.Second}},
		{"negative length", SuperOfficeConfig{Envs: []Env{{Name: "sod", Keys: pub}}, MaxTokenLength: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewSuperOfficeVerifier(t.Context(), tc.cfg); err == nil {
				t.Error("accepted")
			}
		})
	}

	t.Run("defaults", func(t *testing.T) {
		given := SuperOfficeEnvs()
		cfg := SuperOfficeConfig{Envs: given}
		if err := cfg.withDefaults(); err != nil {
			t.Fatal(err)
		}
		if given[0].JWKSURL != "" {
			t.Error("the caller's environments were modified")
		}
		want := map[string]string{
			"sod":      "https://sod.superoffice.com/login/.well-known/jwks",
			"qaonline": "https://qaonline.superoffice.com/login/.well-known/jwks",
			"online":   "https://online.superoffice.com/login/.well-known/jwks",
		}
		for _, e := range cfg.Envs {
			if e.JWKSURL != want[e.Name] {
				t.Errorf("%s: JWKS URL %q", e.Name, e.JWKSURL)
			}
			if wantMode := knownEnvModes[e.Name]; e.Mode != wantMode {
				t.Errorf("%s: mode %q", e.Name, e.Mode)
			}
		}
		if cfg.Skew != time.Minute || cfg.MaxLifetime != 10*time.Minute || cfg.MaxAge != 10*time.Minute ||
			cfg.MaxTokenLength != 8<<10 || cfg.RefreshCooldown != time.Minute || cfg.TenantPattern != `^Cust[0-9]{1,10}$` ||
			cfg.TenantClaim != claimTenant || cfg.AssociateIDClaim != claimAssociateID || cfg.EmailClaim != claimEmail ||
			cfg.NameClaim != claimUPN || cfg.Clock == nil {
			t.Errorf("defaults: %+v", cfg)
		}
	})
}

func FuzzSuperOfficeVerify(f *testing.F) {
	key := soKey(f, "superoffice-test-sod")
	v := soLocal(f, key, newSOClock(soT0))
	valid := map[string]bool{}
	for _, kid := range []string{"", "sod-1"} {
		tok := soMint(f, key, kid, soClaims(soT0))
		valid[tok] = true
		f.Add(tok)
		f.Add(tok + ".")
		f.Add(strings.ReplaceAll(tok, ".", ".."))
	}
	f.Add(signJWS(f, soHeader("none", ""), mustJSON(f, soClaims(soT0)), nil))
	f.Add(signJWS(f, soHeader("HS256", "sod-1"), mustJSON(f, soClaims(soT0)), []byte("secret")))
	f.Add("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d")
	f.Add(`{"iss":"SuperOffice AS"}`)
	f.Add("")
	f.Add("....")
	f.Add("e30.e30.")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := v.Verify(context.Background(), raw)
		if err == nil {
			if !valid[raw] {
				t.Fatalf("an unsigned input verified: %q", raw)
			}
			if c.Hash != sha256.Sum256([]byte(raw)) {
				t.Fatal("hash is not of the raw token")
			}
			return
		}
		if !errors.Is(err, ErrInvalidCredential) || ReasonOf(err) == "" {
			t.Fatalf("err = %v, want a refusal", err)
		}
	})
}

func BenchmarkSuperOfficeVerify(b *testing.B) {
	key := soKey(b, "superoffice-test-sod")
	v := soLocal(b, key, newSOClock(soT0))
	raw := soMint(b, key, "sod-1", soClaims(soT0))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}
