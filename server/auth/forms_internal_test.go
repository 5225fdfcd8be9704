package auth

import (
	"encoding/base64"
	"errors"
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

func FuzzClientCredentials(f *testing.F) {
	f.Add("grant_type=client_credentials&client_id=Cust1&client_secret=x", "")
	f.Add("grant_type=client_credentials", "Basic Q3VzdDE6eA==")
	f.Add("%zz=1", "")
	f.Fuzz(func(t *testing.T, body, authz string) {
		r := httptest.NewRequest(http.MethodPost, "/oauth/access_token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header["Authorization"] = []string{authz}
		p, err := clientCredentials(r)
		if err == nil && (p.User == "" || p.Pass == "") {
			t.Fatalf("accepted a request without client credentials: %+v", p)
		}
	})
}

func FuzzJWTPreParse(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.sig")
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDdXN0MSJ9.x")
	f.Add("....")
	f.Fuzz(func(t *testing.T, raw string) {
		alg := jwtAlgorithm(raw)
		tenant := unverifiedTenant(raw)
		if len(alg) > 1024 || len(tenant) > MaxCredentialLength {
			t.Fatalf("pre-parse returned oversized values")
		}
	})
}
