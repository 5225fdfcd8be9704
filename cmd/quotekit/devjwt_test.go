package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/server/auth"
)

// testKeys are the test suite's keys; they trust nothing.
const testKeys = "../../testdata/keys"

var sodKeyFile = filepath.Join(testKeys, "superoffice-test-sod.pem")

func readTestKey(t *testing.T, path string) *rsa.PrivateKey {
	t.Helper()
	k, err := readPrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writePEM writes blocks of type typ to a new file and returns its path.
func writePEM(t *testing.T, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func publicPEM(t *testing.T, pub *rsa.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, "public.pem", "PUBLIC KEY", der)
}

// writeJWKS writes a JWKS of the public keys and returns its path.
func writeJWKS(t *testing.T, pubs ...*rsa.PublicKey) string {
	t.Helper()
	var keys []map[string]string
	for i, pub := range pubs {
		e := big.NewInt(int64(pub.E)).Bytes()
		keys = append(keys, map[string]string{
			"kty": "RSA", "use": "sig", "kid": "k" + string(rune('0'+i)),
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(e),
		})
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mintJWT runs devjwt with the sod test key for the tenant and returns the token.
func (h *harness) mintJWT(tenant string, flags ...string) string {
	h.t.Helper()
	r := h.ok(append([]string{"devjwt", tenant, "--key", sodKeyFile, "--app-id", "app-" + tenant}, flags...)...)
	return strings.TrimSpace(r.stdout)
}

func TestDevJWTVerifies(t *testing.T) {
	h := newHarness(t)
	key := readTestKey(t, sodKeyFile)
	v, err := auth.NewSuperOfficeVerifier(t.Context(), auth.SuperOfficeConfig{Envs: []auth.Env{{Name: "sod", Keys: []crypto.PublicKey{&key.PublicKey}}}})
	if err != nil {
		t.Fatal(err)
	}

	var out struct {
		Token     string         `json:"token"`
		ExpiresAt time.Time      `json:"expires_at"`
		Claims    map[string]any `json:"claims"`
	}
	start := time.Now().Truncate(time.Second)
	h.json(&out, "devjwt", "Cust42", "--key", sodKeyFile, "--app-id", "my-app", "--associate-id", "7",
		"--email", "ann@example.com", "--upn", "Ann Example", "--kid", "dev-1", "--ttl", "3m")
	c, err := v.Verify(t.Context(), out.Token)
	if err != nil {
		t.Fatalf("the minted token does not verify: %v", err)
	}
	if c.Tenant != "Cust42" || c.Env != "sod" || c.User.AssociateID != 7 || c.User.Email != "ann@example.com" ||
		c.User.Name != "Ann Example" || !c.HasAudienceFor([]string{"my-app"}) || c.Nonce == "" || c.ID == "" {
		t.Errorf("claims %+v", c)
	}
	if life := c.ExpiresAt.Sub(c.IssuedAt); life != 3*time.Minute {
		t.Errorf("lifetime %v, want 3m", life)
	}
	if c.IssuedAt.Before(start) || c.IssuedAt.After(time.Now()) || !out.ExpiresAt.Equal(c.ExpiresAt) {
		t.Errorf("iat %v, exp %v (printed %v)", c.IssuedAt, c.ExpiresAt, out.ExpiresAt)
	}
	if out.Claims["iss"] != "SuperOffice AS" || out.Claims["aud"] != "spn:my-app" || out.Claims[claimTenant] != "Cust42" {
		t.Errorf("printed claims %v", out.Claims)
	}

	t.Run("defaults", func(t *testing.T) {
		r := h.ok("devjwt", "Cust42", "--key", sodKeyFile, "--app-id", "my-app", "--no-nonce")
		c, err := v.Verify(t.Context(), strings.TrimSpace(r.stdout))
		if err != nil {
			t.Fatal(err)
		}
		if c.ExpiresAt.Sub(c.IssuedAt) != defaultJWTTTL || c.Nonce != "" || c.User.AssociateID != 0 {
			t.Errorf("claims %+v", c)
		}
		if !strings.Contains(r.stderr, "Development JWT for Cust42") {
			t.Errorf("stderr %q", r.stderr)
		}
	})
	t.Run("PKCS #1 key", func(t *testing.T) {
		path := writePEM(t, "pkcs1.pem", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
		r := h.ok("devjwt", "Cust42", "--key", path, "--app-id", "my-app")
		if _, err := v.Verify(t.Context(), strings.TrimSpace(r.stdout)); err != nil {
			t.Errorf("token signed with the PKCS #1 key: %v", err)
		}
	})
	t.Run("another key does not verify", func(t *testing.T) {
		r := h.ok("devjwt", "Cust42", "--key", filepath.Join(testKeys, "superoffice-test-online.pem"), "--app-id", "my-app")
		if _, err := v.Verify(t.Context(), strings.TrimSpace(r.stdout)); err == nil {
			t.Error("a token signed with another key verified")
		}
	})
}

func TestDevJWTRefusesProductionKeys(t *testing.T) {
	h := newHarness(t)
	key := readTestKey(t, sodKeyFile)
	other := readTestKey(t, filepath.Join(testKeys, "superoffice-test-online.pem"))
	mint := []string{"devjwt", "Cust1", "--key", sodKeyFile, "--app-id", "a"}
	certDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "SuperOffice"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour),
	}, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "SuperOffice"}}, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}

	refused := []struct {
		name string
		env  string
		args []string
	}{
		{"public key PEM in the env", publicPEM(t, &key.PublicKey), nil},
		{"PKCS #1 public key in the env", writePEM(t, "rsa.pem", "RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&key.PublicKey)), nil},
		{"certificate in the env", writePEM(t, "cert.pem", "CERTIFICATE", certDER), nil},
		{"the private key file itself in the env", sodKeyFile, nil},
		{"second of several files", publicPEM(t, &other.PublicKey) + ", " + publicPEM(t, &key.PublicKey), nil},
		{"JWKS", "", []string{"--trusted-jwks", writeJWKS(t, &other.PublicKey, &key.PublicKey)}},
		{"second JWKS", publicPEM(t, &other.PublicKey), []string{"--trusted-jwks", writeJWKS(t, &other.PublicKey), "--trusted-jwks", writeJWKS(t, &key.PublicKey)}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			h.env[productionKeysEnv] = tt.env
			r := h.want(exitUsage, append(append([]string{}, mint...), tt.args...)...)
			if !strings.Contains(r.err.Error(), "refusing to sign: the key is a production trust anchor") {
				t.Errorf("message %q", r.err)
			}
			if r.stdout != "" {
				t.Errorf("a token was printed: %q", r.stdout)
			}
		})
	}

	t.Run("other production keys do not refuse it", func(t *testing.T) {
		h.env[productionKeysEnv] = publicPEM(t, &other.PublicKey)
		r := h.ok(append(append([]string{}, mint...), "--trusted-jwks", writeJWKS(t, &other.PublicKey))...)
		if strings.Count(r.stdout, ".") != 2 {
			t.Errorf("stdout %q", r.stdout)
		}
	})
	t.Run("an unreadable list is an error", func(t *testing.T) {
		notPEM := filepath.Join(t.TempDir(), "empty.pem")
		if err := os.WriteFile(notPEM, []byte("nothing here"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, env := range []string{filepath.Join(t.TempDir(), "missing.pem"), notPEM} {
			h.env[productionKeysEnv] = env
			if r := h.want(exitFailure, mint...); r.stdout != "" {
				t.Errorf("a token was printed: %q", r.stdout)
			}
		}
		h.env[productionKeysEnv] = ""
		if r := h.want(exitFailure, append(append([]string{}, mint...), "--trusted-jwks", notPEM)...); r.stdout != "" {
			t.Errorf("a token was printed: %q", r.stdout)
		}
	})
}

func TestDevJWTUsage(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"no key", []string{"--app-id", "a"}},
		{"no app id", []string{"--key", sodKeyFile}},
		{"ttl too long", []string{"--key", sodKeyFile, "--app-id", "a", "--ttl", "11m"}},
		{"ttl zero", []string{"--key", sodKeyFile, "--app-id", "a", "--ttl", "0"}},
		{"nonce with a dot", []string{"--key", sodKeyFile, "--app-id", "a", "--nonce", "a.b"}},
		{"nonce and no nonce", []string{"--key", sodKeyFile, "--app-id", "a", "--nonce", "n", "--no-nonce"}},
		{"not a key", []string{"--key", "devjwt.go", "--app-id", "a"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.want(exitUsage, append([]string{"devjwt", "Cust1"}, tt.args...)...); r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
		})
	}
}
