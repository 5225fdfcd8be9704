package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"
)

// appTokenTime is the UTC minute an application token was signed at, .NET's yyyyMMddHHmm.
const appTokenTime = "200601021504"

// maxNonce bounds the nonce of an application token.
const maxNonce = 512

// maxAppToken bounds a whole application token: the nonce, the time and the base64 of a
// 4096-bit signature, with room to spare.
const maxAppToken = 2048

var errBadNonce = errors.New("application token: nonce must be 1 to 512 bytes without '.'")

// SignApplicationToken signs SuperOffice's nonce for the reply to its authentication
// request: "<nonce>.<UTC yyyyMMddHHmm>.<signature>", the signature being RSA PKCS #1 v1.5
// over the SHA-256 of "<nonce>.<time>", in standard base64 with padding. It fails when the
// key is missing or the nonce is empty, longer than 512 bytes or contains '.', which
// would make the token ambiguous.
func SignApplicationToken(key *rsa.PrivateKey, nonce string, now time.Time) (string, error) {
	if key == nil {
		return "", errors.New("application token: no key")
	}
	if !validNonce(nonce) {
		return "", errBadNonce
	}
	signed := nonce + "." + now.UTC().Format(appTokenTime)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.StdEncoding.EncodeToString(sig), nil
}

// VerifyApplicationToken checks an application token signed by SignApplicationToken (or a
// partner's .NET equivalent) and returns its nonce and signing minute. It does not judge
// the time; the caller decides how old a token may be. Failures are *Refusal:
// "malformed" for the shape, "bad_signature" for the signature.
func VerifyApplicationToken(pub *rsa.PublicKey, tok string) (nonce string, at time.Time, err error) {
	if pub == nil {
		return "", time.Time{}, errors.New("application token: no key")
	}
	if len(tok) > maxAppToken {
		return "", time.Time{}, refuse(reasonTooLong)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || !validNonce(parts[0]) || len(parts[1]) != len(appTokenTime) {
		return "", time.Time{}, refuse(reasonMalformed)
	}
	for _, c := range []byte(parts[1]) {
		if c < '0' || c > '9' {
			return "", time.Time{}, refuse(reasonMalformed)
		}
	}
	at, err = time.ParseInLocation(appTokenTime, parts[1], time.UTC)
	if err != nil {
		return "", time.Time{}, refuse(reasonMalformed)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return "", time.Time{}, refuse(reasonMalformed)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) != nil {
		return "", time.Time{}, refuse(reasonBadSignature)
	}
	return parts[0], at, nil
}

func validNonce(nonce string) bool {
	return nonce != "" && len(nonce) <= maxNonce && !strings.Contains(nonce, ".")
}
