package auth

import (
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// appTokenGolden was signed independently of this package:
//
//	printf 'f3b1c2d4-nonce-42.202603141526' | openssl dgst -sha256 -sign testdata/keys/partner-test-app.pem | base64 -w0
const appTokenGolden = "f3b1c2d4-nonce-42.202603141526." +
	"QlaV7va8G5pkXeQOQZQZbOggehjQ6jKQ2TIea64ImqJCA7rWN08DSFnoR7WEZOFHiSkvjE3l/MTplcx8uEjbQqRadmc/dfVpGmug+2QDBkgLby/fi60igfaJwg1jNmKIW5AH6wqt/eDRPbvsLSpMPI8CtTRdee1gOB7mIiJ94NcFn1gOmPvmUW4t3JTuEiYBJrk+9/LHjwn0VGFSk2i6+diE+lt8FRql9eMRrZ2EaCsXjGOai3VvJRJSG2nVyncw1vcp9Nw314nvxIQdMatQPm4uUgZbgJws2rES7qevicwxfNibpL+YtKwnsp6vjliMpYWUpfd2825Yu51C0kdQcA=="

func TestSignApplicationToken(t *testing.T) {
	key := soKey(t, "partner-test-app")
	// 16:26:59 in UTC+1 is 15:26 UTC; seconds are dropped.
	at := time.Date(2026, 3, 14, 16, 26, 59, 0, time.FixedZone("CET", 3600))
	got, err := SignApplicationToken(key, "f3b1c2d4-nonce-42", at)
	if err != nil {
		t.Fatal(err)
	}
	if got != appTokenGolden {
		t.Errorf("token\n got %s\nwant %s", got, appTokenGolden)
	}
	nonce, when, err := VerifyApplicationToken(&key.PublicKey, got)
	if err != nil || nonce != "f3b1c2d4-nonce-42" || !when.Equal(time.Date(2026, 3, 14, 15, 26, 0, 0, time.UTC)) {
		t.Errorf("VerifyApplicationToken = %q, %v, %v", nonce, when, err)
	}
	if when.Location() != time.UTC {
		t.Errorf("time in %v, want UTC", when.Location())
	}
}

func TestSignApplicationTokenRefuses(t *testing.T) {
	key := soKey(t, "partner-test-app")
	for _, nonce := range []string{"", "a.b", ".", strings.Repeat("n", 513)} {
		if tok, err := SignApplicationToken(key, nonce, soT0); err == nil {
			t.Errorf("nonce %.20q signed: %s", nonce, tok)
		}
	}
	if _, err := SignApplicationToken(key, strings.Repeat("n", 512), soT0); err != nil {
		t.Errorf("512-byte nonce: %v", err)
	}
	if _, err := SignApplicationToken(nil, "n", soT0); err == nil {
		t.Error("signed without a key")
	}
}

func TestVerifyApplicationTokenRefuses(t *testing.T) {
	key := soKey(t, "partner-test-app")
	other := soKey(t, "superoffice-test-sod")
	_, rest, _ := strings.Cut(appTokenGolden, ".")
	stamp, sig, _ := strings.Cut(rest, ".")
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), raw...)
	flipped[10] ^= 1
	for _, tc := range []struct {
		name, tok, reason string
		pub               *rsa.PublicKey
	}{
		{"another key", appTokenGolden, reasonBadSignature, &other.PublicKey},
		{"nonce changed", "f3b1c2d4-nonce-43." + stamp + "." + sig, reasonBadSignature, nil},
		{"time changed", "f3b1c2d4-nonce-42.202603141527." + sig, reasonBadSignature, nil},
		{"signature flipped", "f3b1c2d4-nonce-42." + stamp + "." + base64.StdEncoding.EncodeToString(flipped), reasonBadSignature, nil},
		{"signature in base64url", "f3b1c2d4-nonce-42." + stamp + "." + base64.RawURLEncoding.EncodeToString(raw), reasonMalformed, nil},
		{"signature unpadded", "f3b1c2d4-nonce-42." + stamp + "." + strings.TrimRight(sig, "="), reasonMalformed, nil},
		{"extra segment", appTokenGolden + ".x", reasonMalformed, nil},
		{"two segments", "f3b1c2d4-nonce-42." + sig, reasonMalformed, nil},
		{"empty nonce", "." + stamp + "." + sig, reasonMalformed, nil},
		{"time with seconds", "f3b1c2d4-nonce-42.20260314152600." + sig, reasonMalformed, nil},
		{"time not digits", "f3b1c2d4-nonce-42.2026031415+6." + sig, reasonMalformed, nil},
		{"month 13", "f3b1c2d4-nonce-42.202613141526." + sig, reasonMalformed, nil},
		{"too long", strings.Repeat("n", 2049), reasonTooLong, nil},
		{"empty", "", reasonMalformed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pub := tc.pub
			if pub == nil {
				pub = &key.PublicKey
			}
			_, _, err := VerifyApplicationToken(pub, tc.tok)
			wantRefusal(t, err, tc.reason)
		})
	}
	if _, _, err := VerifyApplicationToken(nil, appTokenGolden); err == nil {
		t.Error("verified without a key")
	}
}

func TestApplicationTokenRoundTrip(t *testing.T) {
	key := soKey(t, "partner-test-app")
	for _, nonce := range []string{"n", "6f1c/+==", "ø-unicode-nonce", strings.Repeat("x", 512)} {
		tok, err := SignApplicationToken(key, nonce, soT0)
		if err != nil {
			t.Fatal(err)
		}
		got, at, err := VerifyApplicationToken(&key.PublicKey, tok)
		if err != nil || got != nonce || !at.Equal(soT0) {
			t.Errorf("%q: got %q, %v, %v", nonce, got, at, err)
		}
	}
}
