package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// Claims of a SuperOffice JWT (see the Quote Connector reference, claim URIs).
const (
	superOfficeIssuer = "SuperOffice AS"
	claimTenant       = "http://schemes.superoffice.net/identity/ctx"
	claimAssociateID  = "http://schemes.superoffice.net/identity/associateid"
	claimEmail        = "http://schemes.superoffice.net/identity/email"
	claimUPN          = "http://schemes.superoffice.net/identity/upn"
)

// Bounds of a development JWT's lifetime; servers refuse SuperOffice tokens valid for
// longer than ten minutes.
const (
	defaultJWTTTL = 5 * time.Minute
	maxJWTTTL     = 10 * time.Minute
)

// productionKeysEnv lists PEM files of the public keys a deployment trusts in
// production; devjwt never signs with the private half of one of them.
const productionKeysEnv = "QUOTEKIT_PRODUCTION_KEYS"

// minRSABits is the smallest RSA key servers accept for SuperOffice signatures.
const minRSABits = 2048

func devJWT(ctx context.Context, c *cli, args []string) error {
	c.define("devjwt", "<tenant-id> --key PRIVATE.pem --app-id APPID [--associate-id N] [--email E] [flags]", fmt.Sprintf(`
Mints a JWT shaped like the ones SuperOffice NetServer presents to a quote connector:
RS256, iss "SuperOffice AS", aud "spn:<AppId>", the tenant in the ctx claim, the
user's associate id, e-mail and upn, a nonce, a jti, iat and nbf now, exp at most 10
minutes later. It is signed with a local test key (--key, PEM, PKCS #1 or PKCS #8,
RSA of 2048 bits or more), for development and demos against a server configured to
trust that key's public part as a local SuperOffice key. The token goes to stdout;
with --json together with its claims.

Production keys are refused (exit status 2, nothing printed to stdout). devjwt will
not sign when the key's public part equals a key a deployment trusts in production:
  - any key in a JWKS file given with --trusted-jwks (repeatable), such as a copy of
    https://online.superoffice.com/login/.well-known/jwks;
  - any key in the PEM files listed, comma-separated, in %s
    (public keys, certificates, or private keys, several blocks per file allowed).
Set %s on every machine that holds production keys; a file in it
that cannot be read or holds no RSA key is an error, never a silent pass.`, productionKeysEnv, productionKeysEnv))
	keyPath := c.fs.String("key", c.env("DEVJWT_KEY", ""), "the test private key, PEM `file` (required) [QUOTEKIT_DEVJWT_KEY]")
	appID := c.fs.String("app-id", "", "the `AppId` for the audience spn:<AppId> (required)")
	associate := associateFlag(c, "the user's SuperOffice associate `id`")
	email := c.fs.String("email", "", "the user's e-mail `address`")
	upn := c.fs.String("upn", "", "the user's `upn` (default: the e-mail)")
	nonce := c.fs.String("nonce", "", "the `nonce` (default: a random one)")
	noNonce := c.fs.Bool("no-nonce", false, "leave the nonce out")
	kid := c.fs.String("kid", "", "a key `id` for the JWT header")
	ttl := durationValue{d: defaultJWTTTL}
	c.fs.Var(&ttl, "ttl", "how long the token is valid: a `duration` of at most 10m (default 5m)")
	var jwksFiles stringList
	c.fs.Var(&jwksFiles, "trusted-jwks", "a JWKS `file` of production keys to refuse; repeat for several")
	c.jsonFlag()
	tenant, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	aid, err := associate()
	if err != nil {
		return err
	}
	switch {
	case *keyPath == "":
		return usageError("%s: --key is required", c.path)
	case strings.TrimSpace(*appID) == "" || !printable(*appID):
		return usageError("%s: --app-id is required", c.path)
	case ttl.d < time.Second || ttl.d > maxJWTTTL:
		return usageError("%s: --ttl must be between 1s and %s", c.path, maxJWTTTL)
	case *noNonce && *nonce != "":
		return usageError("%s: --nonce and --no-nonce exclude each other", c.path)
	case strings.Contains(*nonce, ".") || len(*nonce) > 512:
		return usageError("%s: --nonce must be at most 512 characters without '.'", c.path)
	}

	key, err := readPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	if err := refuseProductionKey(&key.PublicKey, jwksFiles, c.getenv(productionKeysEnv)); err != nil {
		return err
	}

	now := c.now().Truncate(time.Second)
	u := jwtSubject{appID: strings.TrimSpace(*appID), tenant: tenant, associateID: aid, email: strings.TrimSpace(*email), upn: *upn, nonce: *nonce}
	if u.nonce == "" && !*noNonce {
		u.nonce = randomHex(16)
	}
	claims := superOfficeClaims(now, ttl.d, u)
	token, err := signRS256(key, *kid, claims)
	if err != nil {
		return err
	}
	if c.json {
		return writeJSON(c.stdout, map[string]any{"token": token, "expires_at": now.Add(ttl.d).UTC(), "claims": claims})
	}
	fmt.Fprintln(c.stdout, token)
	c.info("Development JWT for %s, valid until %s; only a server that trusts this test key accepts it.", tenant, when(now.Add(ttl.d)))
	return nil
}

// jwtSubject is who a SuperOffice-shaped JWT speaks for.
type jwtSubject struct {
	appID, tenant string
	associateID   int32  // 0: no associate id claim
	email, upn    string // upn defaults to the e-mail
	nonce         string // "": no nonce claim
}

// superOfficeClaims returns the claims of a SuperOffice JWT for u, issued at now and
// valid for ttl, with a fresh jti.
func superOfficeClaims(now time.Time, ttl time.Duration, u jwtSubject) map[string]any {
	claims := map[string]any{
		"iss":       superOfficeIssuer,
		"aud":       "spn:" + u.appID,
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(ttl).Unix(),
		"jti":       randomHex(16),
		claimTenant: u.tenant,
	}
	if u.associateID != 0 {
		claims[claimAssociateID] = strconv.FormatInt(int64(u.associateID), 10)
	}
	if u.email != "" {
		claims[claimEmail] = u.email
		claims["sub"] = u.email
	}
	switch {
	case u.upn != "":
		claims[claimUPN] = u.upn
	case u.email != "":
		claims[claimUPN] = u.email
	}
	if u.nonce != "" {
		claims["nonce"] = u.nonce
	}
	return claims
}

// signRS256 signs the claims as a compact JWS with typ JWT.
func signRS256(key *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	h := jws.NewHeaders()
	if err := h.Set(jws.TypeKey, "JWT"); err != nil {
		return "", err
	}
	if kid != "" {
		if err := h.Set(jws.KeyIDKey, kid); err != nil {
			return "", err
		}
	}
	signed, err := jws.Sign(payload, jws.WithKey(jwa.RS256, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return string(signed), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// readPrivateKey reads an RSA private key, PKCS #1 or PKCS #8, from the first private
// key block of a PEM file; text around the blocks is ignored.
func readPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fail(nil, "read --key: %v", err)
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, usageError("devjwt: %s holds no PEM private key (RSA PRIVATE KEY or PRIVATE KEY)", path)
		}
		var key any
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, usageError("devjwt: %s: the private key does not parse", path)
		}
		rk, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, usageError("devjwt: %s: the key is not an RSA key; SuperOffice signs with RS256", path)
		}
		if rk.N.BitLen() < minRSABits {
			return nil, usageError("devjwt: %s: the key has %d bits; servers require at least %d", path, rk.N.BitLen(), minRSABits)
		}
		return rk, nil
	}
}

// refuseProductionKey fails when pub is one of the production keys: those of the JWKS
// files and those of the PEM files listed in env (comma-separated). Any list that
// cannot be read is an error: a broken safeguard must not look like a passed one.
func refuseProductionKey(pub *rsa.PublicKey, jwksFiles []string, env string) error {
	for _, path := range jwksFiles {
		keys, err := jwksKeys(path)
		if err != nil {
			return fail(nil, "devjwt: --trusted-jwks %s: %v", path, err)
		}
		if containsKey(keys, pub) {
			return usageError("devjwt: refusing to sign: the key is a production trust anchor (it is in the JWKS %s)", path)
		}
	}
	for _, path := range strings.Split(env, ",") {
		path = strings.TrimSpace(path)
		if path == "" {
			continue
		}
		keys, err := pemPublicKeys(path)
		if err != nil {
			return fail(nil, "devjwt: %s: %s: %v", productionKeysEnv, path, err)
		}
		if containsKey(keys, pub) {
			return usageError("devjwt: refusing to sign: the key is a production trust anchor (it is in %s, listed in %s)", path, productionKeysEnv)
		}
	}
	return nil
}

func containsKey(keys []*rsa.PublicKey, pub *rsa.PublicKey) bool {
	for _, k := range keys {
		if k.Equal(pub) {
			return true
		}
	}
	return false
}

// jwksKeys returns the RSA public keys of a JWKS file (or of a file holding one JWK).
func jwksKeys(path string) ([]*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, errors.New("not a JWKS")
	}
	var keys []*rsa.PublicKey
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		raw, err := jwk.PublicRawKeyOf(k)
		if err != nil {
			continue
		}
		if rk, ok := raw.(*rsa.PublicKey); ok {
			keys = append(keys, rk)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no RSA key in the JWKS")
	}
	return keys, nil
}

// pemPublicKeys returns the RSA public keys of every block of a PEM file: public keys
// (PKIX or PKCS #1), certificates, and the public part of private keys.
func pemPublicKeys(path string) ([]*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []*rsa.PublicKey
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		var key any
		switch block.Type {
		case "PUBLIC KEY":
			key, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			key, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				key = cert.PublicKey
			}
		case "RSA PRIVATE KEY":
			var pk *rsa.PrivateKey
			if pk, err = x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
				key = &pk.PublicKey
			}
		case "PRIVATE KEY":
			var pk any
			if pk, err = x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
				if rk, ok := pk.(*rsa.PrivateKey); ok {
					key = &rk.PublicKey
				}
			}
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("a %s block does not parse", block.Type)
		}
		if rk, ok := key.(*rsa.PublicKey); ok {
			keys = append(keys, rk)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no RSA key in the file")
	}
	return keys, nil
}
