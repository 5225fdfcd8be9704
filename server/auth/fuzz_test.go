package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quotekit/quotekit/tenancy"
)

// credentialError reports whether err is one of the outcomes a credential parser may
// give: no credential, a malformed request, or a refusal.
func credentialError(err error) bool {
	return errors.Is(err, ErrNoCredential) || errors.Is(err, ErrMalformed) || errors.Is(err, ErrInvalidCredential)
}

// FuzzTokenCredential reads the credential of POST /Authenticate from any header and body.
// With an Authorization header the answer is exactly ReadAuthorization's; without one the
// body is read, and a credential taken from it is the SignedToken member encoding/json
// finds there, a bearer token in RFC 6750's grammar.
func FuzzTokenCredential(f *testing.F) {
	f.Add("", "application/json", []byte(`{"SignedToken":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}`))
	f.Add("", "application/json", []byte(`{"signedtoken":"a.b.c"}`))
	f.Add("", "application/json", []byte(`{"SignedToken":"a.b.c","Other":1}`))
	f.Add("", "application/json", []byte(`{"SignedToken":"a.b.c","SignedToken":"d.e.f"}`))
	f.Add("", "application/json", []byte(`{"SignedToken":"a.b.c"}}`))
	f.Add("", "application/json; charset=utf-8", []byte(`{"SignedToken":"a.b.c"} {}`))
	f.Add("", "text/plain", []byte(`{"SignedToken":"a.b.c"}`))
	f.Add("", "application/json", []byte(" \n"))
	f.Add("Bearer qk_sk_test_x", "", []byte(`{"SignedToken":"a.b.c"}`))
	f.Add("Basic Cust1:x", "application/json", []byte(nil))
	f.Add("Digest x", "application/json", []byte(`{"SignedToken":"a.b.c"}`))
	f.Fuzz(func(t *testing.T, authz, contentType string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/Authenticate", bytes.NewReader(body))
		if authz != "" {
			r.Header["Authorization"] = []string{authz}
		}
		r.Header.Set("Content-Type", contentType)
		p, err := tokenCredential(r)
		if err != nil && !credentialError(err) {
			t.Fatalf("error %v is none of the credential outcomes", err)
		}
		if authz != "" {
			r2 := httptest.NewRequest(http.MethodPost, "/Authenticate", nil)
			r2.Header["Authorization"] = []string{authz}
			p2, err2 := ReadAuthorization(r2)
			if p != p2 || (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
				t.Fatalf("with a header: %+v, %v; ReadAuthorization: %+v, %v", p, err, p2, err2)
			}
			return
		}
		if err != nil {
			return
		}
		var decoded struct{ SignedToken string }
		if json.Unmarshal(body, &decoded) != nil || decoded.SignedToken != p.Token {
			t.Fatalf("took %q from a body encoding/json reads differently: %q", p.Token, body)
		}
		// encoding/json matches member names case-insensitively; the credential must come
		// from the member named exactly SignedToken.
		if names := memberNames(body); len(names) != 1 || names[0] != "SignedToken" {
			t.Fatalf("took %q from a body with members %q", p.Token, names)
		}
		if p.Scheme != "Bearer" || !b64token.MatchString(p.Token) || len(p.Token) > MaxCredentialLength {
			t.Fatalf("took %+v from the body", p)
		}
	})
}

// FuzzSignedTokenBody writes a token into the JSON body /Authenticate takes and reads it
// back: it is taken exactly when it is a bearer token in RFC 6750's grammar and not too
// long, and then unchanged.
func FuzzSignedTokenBody(f *testing.F) {
	for _, s := range []string{"eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "", "a b", "a==", "=a", "ä", strings.Repeat("a", MaxCredentialLength+1), "a\"b", "a\\b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		body, err := json.Marshal(map[string]string{"SignedToken": token})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/Authenticate", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		p, err := tokenCredential(r)
		valid := token != "" && utf8.ValidString(token) && b64token.MatchString(token) && len(token) <= MaxCredentialLength
		switch {
		case valid && (err != nil || p.Token != token || p.Scheme != "Bearer"):
			t.Fatalf("%q: got %+v, %v", token, p, err)
		case !valid && !errors.Is(err, ErrMalformed):
			t.Fatalf("%q accepted or refused oddly: %+v, %v", token, p, err)
		}
	})
}

// FuzzBasicRoundTrip writes a user and password as RFC 7617 Basic credentials, with the
// RFC 6749 §2.3.1 form encoding, and (for a tenant id) in the raw CustNNNN:secret form
// of SuperOffice's draft: both read back as written.
func FuzzBasicRoundTrip(f *testing.F) {
	f.Add("Cust1", "qk_sk_test_x")
	f.Add("Cust1234567890", "p:a%ss word+")
	f.Add("user name", "ä\x00")
	f.Fuzz(func(t *testing.T, user, pass string) {
		if user == "" || pass == "" {
			return
		}
		forms := []string{base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(user) + ":" + url.QueryEscape(pass)))}
		if tenancy.TenantPattern.MatchString(user) {
			forms = append(forms, user+":"+url.QueryEscape(pass))
		}
		for _, value := range forms {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header.Set("Authorization", "Basic "+value)
			p, err := ReadAuthorization(r)
			if len("Basic "+value) > MaxCredentialLength {
				if ReasonOf(err) != "too_long" {
					t.Fatalf("an overlong header: %+v, %v", p, err)
				}
				continue
			}
			if err != nil || p.Scheme != "Basic" || p.User != user || p.Pass != pass {
				t.Fatalf("Basic %s for %q:%q reads as %+v, %v", value, user, pass, p, err)
			}
		}
	})
}

// FuzzClientCredentialsRoundTrip sends client credentials in a token request form, as
// OAuth clients encode them: they are read back as sent, and a request missing one of
// them is a request without credentials, never a half-read one.
func FuzzClientCredentialsRoundTrip(f *testing.F) {
	f.Add("Cust1", "qk_sk_test_x")
	f.Add("", "x")
	f.Add("Cust1", "&grant_type=password")
	f.Fuzz(func(t *testing.T, id, secret string) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}.Encode()
		r := httptest.NewRequest(http.MethodPost, "/oauth/access_token", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p, err := clientCredentials(r)
		switch {
		case len(form) > maxTokenBody:
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("an overlong form: %+v, %v", p, err)
			}
		case id == "" || secret == "":
			if !errors.Is(err, ErrNoCredential) {
				t.Fatalf("client_id %q, client_secret %q: %+v, %v; want no credential", id, secret, p, err)
			}
		case err != nil || p.Scheme != "Basic" || p.User != id || p.Pass != secret:
			t.Fatalf("client_id %q, client_secret %q read as %+v, %v", id, secret, p, err)
		}
	})
}

// memberNames lists the member names of the JSON object in body, as written.
func memberNames(body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return names
		}
		name, _ := tok.(string)
		names = append(names, name)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return names
		}
	}
	return names
}
