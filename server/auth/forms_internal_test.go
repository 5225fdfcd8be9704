package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestClientCredentialsRequest(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("Cust1:sec"))
	tests := []struct {
		name, query, contentType, body, authz string
		want                                  Presented
		err                                   error
	}{
		{"form", "", form, "grant_type=client_credentials&client_id=Cust1&client_secret=sec", "", Presented{Scheme: "Basic", User: "Cust1", Pass: "sec"}, nil},
		{"basic", "", form, "grant_type=client_credentials", basic, Presented{Scheme: "Basic", User: "Cust1", Pass: "sec"}, nil},
		{"grant type in the query", "grant_type=client_credentials", form, "client_id=Cust1&client_secret=sec", "", Presented{Scheme: "Basic", User: "Cust1", Pass: "sec"}, nil},
		{"no grant type", "", form, "client_id=Cust1&client_secret=sec", "", Presented{}, ErrMalformed},
		{"password grant", "", form, "grant_type=password&client_id=Cust1&client_secret=sec", "", Presented{}, ErrUnsupportedGrant},
		{"scope", "", form, "grant_type=client_credentials&client_id=Cust1&client_secret=sec&scope=admin", "", Presented{}, ErrInvalidScope},
		{"parameter twice", "", form, "grant_type=client_credentials&client_id=Cust1&client_id=Cust2&client_secret=sec", "", Presented{}, ErrMalformed},
		{"grant type in query and form", "grant_type=client_credentials", form, "grant_type=client_credentials&client_id=Cust1&client_secret=sec", "", Presented{}, ErrMalformed},
		{"basic and form", "", form, "grant_type=client_credentials&client_id=Cust1&client_secret=sec", basic, Presented{}, ErrMalformed},
		{"JSON body", "", "application/json", `{"grant_type":"client_credentials"}`, "", Presented{}, ErrMalformed},
		{"no client", "", form, "grant_type=client_credentials", "", Presented{}, ErrNoCredential},
		{"bearer instead of basic", "", form, "grant_type=client_credentials", "Bearer abc", Presented{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/oauth/access_token?"+tt.query, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			if tt.authz != "" {
				r.Header.Set("Authorization", tt.authz)
			}
			got, err := clientCredentials(r)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestSignedTokenBody(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		err                     error
	}{
		{"token", "application/json", `{"SignedToken":"a.b.c"}`, nil},
		{"empty body", "", ``, ErrNoCredential},
		{"other case", "application/json", `{"signedtoken":"a.b.c"}`, ErrMalformed},
		{"unknown member", "application/json", `{"SignedToken":"a.b.c","x":1}`, ErrMalformed},
		{"number", "application/json", `{"SignedToken":5}`, ErrMalformed},
		{"trailing data", "application/json", `{"SignedToken":"a.b.c"} {}`, ErrMalformed},
		{"form", "application/x-www-form-urlencoded", `SignedToken=a.b.c`, ErrMalformed},
		{"bad characters", "application/json", `{"SignedToken":"a b"}`, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/Authenticate", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			p, err := signedTokenBody(r)
			if !errors.Is(err, tt.err) || (tt.err == nil && (err != nil || p.Token != "a.b.c")) {
				t.Errorf("got %+v, %v; want %v", p, err, tt.err)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(Limit{Burst: 3, Every: 2 * time.Second}, func() time.Time { return now })
	for i := range 3 {
		if err := l.failed("10.0.0.1"); err != nil {
			t.Fatalf("failure %d throttled: %v", i+1, err)
		}
	}
	var limited *RateLimitedError
	if err := l.failed("10.0.0.1"); !errors.As(err, &limited) || limited.RetryAfter != 2*time.Second {
		t.Fatalf("fourth failure: %v", err)
	}
	if err := l.failed("10.0.0.2"); err != nil {
		t.Errorf("another address throttled: %v", err)
	}
	now = now.Add(2 * time.Second)
	if err := l.failed("10.0.0.1"); err != nil {
		t.Errorf("not refilled after Retry-After: %v", err)
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name, remote, xff string
		proxies           []string
		want              string
	}{
		{"peer", "192.0.2.7:5000", "", nil, "192.0.2.7"},
		{"spoofed header from an untrusted peer", "192.0.2.7:5000", "203.0.113.9", nil, "192.0.2.7"},
		{"behind a trusted proxy", "10.0.0.2:443", "203.0.113.9", []string{"10.0.0.0/8"}, "203.0.113.9"},
		{"client prepends a fake hop", "10.0.0.2:443", "1.2.3.4, 203.0.113.9", []string{"10.0.0.0/8"}, "203.0.113.9"},
		{"two proxies", "10.0.0.2:443", "203.0.113.9, 10.0.0.3", []string{"10.0.0.0/8"}, "203.0.113.9"},
		{"IPv6 peer", "[2001:db8::1]:443", "", nil, "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := clientIPFunc(tt.proxies)(r); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// FuzzClientCredentials compares clientCredentials with refClientCredentials, a
// reference reader of RFC 6749 token requests written from the rules rather than from
// net/url, on any body, query, Content-Type and Authorization header: both give the same
// credentials or the same error.
func FuzzClientCredentials(f *testing.F) {
	const form = "application/x-www-form-urlencoded"
	f.Add("grant_type=client_credentials&client_id=Cust1&client_secret=x", "", form, "")
	f.Add("grant_type=client_credentials", "", form, "Basic Q3VzdDE6eA==")
	f.Add("%zz=1", "", form, "")
	f.Add("client_id=Cust1&client_secret=x", "grant_type=client_credentials", form, "")
	f.Add("grant_type=client_credentials&client_id=Cust1&client_secret=x", "client_id=Cust2", form, "")
	f.Add("grant_type=client_credentials&client_id=a+b%20c&client_secret=%26%3D", "", "Application/X-WWW-Form-URLEncoded; charset=utf-8", "")
	f.Add("grant_type=client_credentials;client_id=Cust1&client_secret=x", "", form, "")
	f.Add("grant_type=client_credentials&scope=&client_id=Cust1&client_secret=x", "", form, "")
	f.Add("grant_type=password&client_id=Cust1&client_secret=x", "", form, "")
	f.Add("", "grant_type=client_credentials&grant_type=client_credentials", "", "Basic Q3VzdDE6eA==")
	f.Add("grant_type=client_credentials", "", "application/json", "Bearer x")
	f.Fuzz(func(t *testing.T, body, query, contentType, authz string) {
		newReq := func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/oauth/access_token", strings.NewReader(body))
			r.URL.RawQuery = query
			r.Header["Content-Type"] = []string{contentType}
			r.Header["Authorization"] = []string{authz}
			return r
		}
		got, gotErr := clientCredentials(newReq())
		want, wantErr := refClientCredentials(newReq())
		if got != want || !sameCredentialError(gotErr, wantErr) {
			t.Fatalf("body %q query %q type %q authorization %q:\n got %+v, %v\nwant %+v, %v", body, query, contentType, authz, got, gotErr, want, wantErr)
		}
		if gotErr == nil && (got.Scheme != "Basic" || got.User == "" || got.Pass == "") {
			t.Fatalf("accepted a request without client credentials: %+v", got)
		}
	})
}

// sameCredentialError reports whether a and b are the same outcome of a credential reader.
func sameCredentialError(a, b error) bool {
	for _, e := range []error{ErrNoCredential, ErrMalformed, ErrInvalidCredential, ErrUnsupportedGrant, ErrInvalidScope} {
		if errors.Is(a, e) != errors.Is(b, e) {
			return false
		}
	}
	return (a == nil) == (b == nil)
}

// refClientCredentials reads an RFC 6749 §4.4 token request as the rules say, with a
// form parser of its own: the body, when there is one, is a form; no parameter appears
// twice in it, nor in both the form and the query (grant_type aside, which may come from
// either, but not from both); grant_type is client_credentials; no scope is asked for; the
// client authenticates with Basic or with client_id and client_secret in the form, not
// both. ReadAuthorization, fuzzed on its own, reads the header.
func refClientCredentials(r *http.Request) (Presented, error) {
	if r.ContentLength != 0 {
		mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		if strings.ToLower(strings.TrimSpace(mt)) != "application/x-www-form-urlencoded" {
			return Presented{}, ErrMalformed
		}
	}
	b, err := io.ReadAll(r.Body)
	if err != nil || len(b) > maxTokenBody {
		return Presented{}, ErrMalformed
	}
	form, ok := refParseForm(string(b))
	if !ok {
		return Presented{}, ErrMalformed
	}
	query, ok := refParseForm(r.URL.RawQuery)
	if !ok {
		return Presented{}, ErrMalformed // the query is held to the body's rule
	}
	for k, v := range form {
		if len(v) > 1 || k != "grant_type" && len(query[k]) > 0 {
			return Presented{}, ErrMalformed
		}
	}
	var grant string
	switch {
	case len(form["grant_type"]) > 0 && len(query["grant_type"]) > 0:
		return Presented{}, ErrMalformed
	case len(form["grant_type"]) > 0:
		grant = form["grant_type"][0]
	case len(query["grant_type"]) > 1:
		return Presented{}, ErrMalformed
	case len(query["grant_type"]) == 1:
		grant = query["grant_type"][0]
	}
	first := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	switch {
	case grant == "":
		return Presented{}, ErrMalformed
	case grant != "client_credentials":
		return Presented{}, ErrUnsupportedGrant
	case first("scope") != "":
		return Presented{}, ErrInvalidScope
	}
	header, herr := ReadAuthorization(r)
	_, hasID := form["client_id"]
	_, hasSecret := form["client_secret"]
	switch {
	case herr == nil && (hasID || hasSecret):
		return Presented{}, ErrMalformed
	case herr == nil && header.Scheme == "Basic":
		return header, nil
	case herr == nil || !errors.Is(herr, ErrNoCredential):
		return Presented{}, ErrMalformed
	case first("client_id") == "" || first("client_secret") == "":
		return Presented{}, ErrNoCredential
	}
	return Presented{Scheme: "Basic", User: first("client_id"), Pass: first("client_secret")}, nil
}

// refParseForm parses application/x-www-form-urlencoded text: pairs separated by '&',
// empty pieces skipped, a name without '=' has an empty value, '+' is a space, %XX an
// escaped byte. A semicolon (once a separator) or a broken escape in any pair makes the
// whole form unreadable.
func refParseForm(s string) (map[string][]string, bool) {
	out := map[string][]string{}
	for _, pair := range strings.Split(s, "&") {
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return nil, false
		}
		name, value, _ := strings.Cut(pair, "=")
		n, ok1 := refUnescape(name)
		v, ok2 := refUnescape(value)
		if !ok1 || !ok2 {
			return nil, false
		}
		out[n] = append(out[n], v)
	}
	return out, true
}

// refUnescape undoes the form encoding of one name or value.
func refUnescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			hi, ok1 := refHex(s[i+1])
			lo, ok2 := refHex(s[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			b.WriteByte(hi<<4 | lo)
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

func refHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// FuzzJWTPreParse compares jwtAlgorithm and unverifiedTenant, which read a compact JWT
// before anything is verified, with reference readers written differently: a base64url
// decoder of their own and a walk over the JSON tokens instead of decoding into a struct
// or a map. Both must agree on every input, so that the verification path chosen and
// the tenant whose secrets are tried are exactly what the header and payload say.
func FuzzJWTPreParse(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.sig")
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDdXN0MSJ9.x")
	f.Add("....")
	for _, c := range []struct{ head, payload string }{
		{`{"alg":"HS256","ALG":null}`, `{"sub":"Cust1","sub":null}`},
		{`{"Alg":"RS256","alg":"HS256"}`, `{"http://schemes.superoffice.net/identity/ctx":"Cust2","sub":"Cust1"}`},
		{`{"alg":5}`, `{"http://schemes.superoffice.net/identity/ctx":7,"sub":"Cust1"}`},
		{`{"alg":"HS256"} `, `null`},
		{`{"alg":"HS256"}{}`, `[]`},
		{`{"x":{"alg":"no"},"alg":"HS256"}`, `{"sub":"Cust\u00e9"}`},
	} {
		raw := base64.RawURLEncoding.EncodeToString([]byte(c.head)) + "." + base64.RawURLEncoding.EncodeToString([]byte(c.payload)) + ".sig"
		f.Add(raw)
		f.Add(strings.Replace(raw, ".", "\n.", 1))
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if got, want := jwtAlgorithm(raw), refJWTAlgorithm(raw); got != want {
			t.Fatalf("jwtAlgorithm(%q) = %q, the reference reads %q", raw, got, want)
		}
		if got, want := unverifiedTenant(raw), refUnverifiedTenant(raw); got != want {
			t.Fatalf("unverifiedTenant(%q) = %q, the reference reads %q", raw, got, want)
		}
	})
}

// refJWTAlgorithm reads alg from the header segment (the text before the first '.', at
// most 1024 bytes): a JSON document that is one object, whose member matched
// case-insensitively by "alg" (the last such one that is not null) is a string.
func refJWTAlgorithm(raw string) string {
	i := strings.IndexByte(raw, '.')
	if i < 0 || i > 1024 {
		return ""
	}
	b, ok := refBase64URL(raw[:i])
	if !ok {
		return ""
	}
	alg := ""
	ok = refObjectMembers(b, func(name string, v json.RawMessage) bool {
		if !strings.EqualFold(name, "alg") || string(v) == "null" {
			return true
		}
		return json.Unmarshal(v, &alg) == nil
	})
	if !ok {
		return ""
	}
	return alg
}

// refUnverifiedTenant reads the tenant claim from the payload segment of a token of
// exactly three segments (the payload at most MaxCredentialLength bytes): the last
// member named exactly like SuperOffice's context claim, if it is a string, else the last
// member named "sub", if it is a string.
func refUnverifiedTenant(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || len(parts[1]) > MaxCredentialLength {
		return ""
	}
	b, ok := refBase64URL(parts[1])
	if !ok {
		return ""
	}
	last := map[string]json.RawMessage{}
	if !refObjectMembers(b, func(name string, v json.RawMessage) bool {
		last[name] = v
		return true
	}) {
		return ""
	}
	for _, name := range []string{"http://schemes.superoffice.net/identity/ctx", "sub"} {
		var s string
		if v, ok := last[name]; ok && len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return ""
}

// refObjectMembers walks the members of the JSON object in b, calling member with each
// name and raw value in order until it returns false. It reports false when b is not one
// valid JSON value, when member returned false, or when the value is neither an object
// nor null.
func refObjectMembers(b []byte, member func(name string, v json.RawMessage) bool) bool {
	if !json.Valid(b) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	if tok == nil {
		return true // null: no members
	}
	if tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if dec.Decode(&v) != nil || !member(name, v) {
			return false
		}
	}
	return true
}

// refBase64URL decodes unpadded base64url (RFC 4648 §5) as Go's non-strict decoder does:
// carriage returns and line feeds are skipped, the unused low bits of the last character
// are ignored, and one character left over, padding or any other byte is an error.
func refBase64URL(s string) ([]byte, bool) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var out []byte
	var acc uint32
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			continue
		}
		v := strings.IndexByte(alphabet, c)
		if v < 0 {
			return nil, false
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 1:
		return nil, false
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out, true
}
