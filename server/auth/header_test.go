package auth_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/server/auth"
)

func TestReadAuthorization(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name    string
		headers []string
		query   string
		want    auth.Presented
		err     error
	}{
		{"bearer", []string{"Bearer abc.def-_~+/="}, "", auth.Presented{Scheme: "Bearer", Token: "abc.def-_~+/="}, nil},
		{"scheme case", []string{"bEARER abc"}, "", auth.Presented{Scheme: "Bearer", Token: "abc"}, nil},
		{"basic base64", []string{"Basic " + b64("Cust1234:s3cret")}, "", auth.Presented{Scheme: "Basic", User: "Cust1234", Pass: "s3cret"}, nil},
		{"basic raw SuperOffice form", []string{"Basic Cust1234:s3cret"}, "", auth.Presented{Scheme: "Basic", User: "Cust1234", Pass: "s3cret"}, nil},
		{"basic splits on the first colon", []string{"Basic " + b64("Cust1:pa:ss")}, "", auth.Presented{Scheme: "Basic", User: "Cust1", Pass: "pa:ss"}, nil},
		{"basic percent-encoded", []string{"Basic " + b64("Cust1:a%2Bb")}, "", auth.Presented{Scheme: "Basic", User: "Cust1", Pass: "a+b"}, nil},
		{"none", nil, "", auth.Presented{}, auth.ErrNoCredential},
		{"token only in the query is ignored", nil, "access_token=abc", auth.Presented{}, auth.ErrNoCredential},
		{"header and query", []string{"Bearer abc"}, "access_token=abc", auth.Presented{}, auth.ErrMalformed},
		{"two headers", []string{"Bearer abc", "Bearer def"}, "", auth.Presented{}, auth.ErrMalformed},
		{"other scheme", []string{"Digest abc"}, "", auth.Presented{}, auth.ErrNoCredential},
		{"Bearer: with a colon", []string{"Bearer:abc"}, "", auth.Presented{}, auth.ErrNoCredential},
		{"bearer alone", []string{"Bearer"}, "", auth.Presented{}, auth.ErrMalformed},
		{"bearer empty", []string{"Bearer "}, "", auth.Presented{}, auth.ErrMalformed},
		{"two spaces", []string{"Bearer  abc"}, "", auth.Presented{}, auth.ErrMalformed},
		{"space inside", []string{"Bearer ab c"}, "", auth.Presented{}, auth.ErrMalformed},
		{"quote", []string{`Bearer ab"c`}, "", auth.Presented{}, auth.ErrMalformed},
		{"non-ASCII", []string{"Bearer abç"}, "", auth.Presented{}, auth.ErrMalformed},
		{"basic not base64", []string{"Basic !!!"}, "", auth.Presented{}, auth.ErrMalformed},
		{"basic no colon", []string{"Basic " + b64("Cust1")}, "", auth.Presented{}, auth.ErrMalformed},
		{"basic empty user", []string{"Basic " + b64(":pw")}, "", auth.Presented{}, auth.ErrMalformed},
		{"basic empty password", []string{"Basic " + b64("Cust1:")}, "", auth.Presented{}, auth.ErrMalformed},
		{"basic bad escape", []string{"Basic " + b64("Cust1:%zz")}, "", auth.Presented{}, auth.ErrMalformed},
		{"huge", []string{"Bearer " + strings.Repeat(".", 100<<10)}, "", auth.Presented{}, auth.ErrInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/FindProduct?"+tt.query, nil)
			for _, h := range tt.headers {
				r.Header.Add("Authorization", h)
			}
			got, err := auth.ReadAuthorization(r)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzReadAuthorization(f *testing.F) {
	for _, seed := range []string{"Bearer abc", "Basic Q3VzdDE6eA==", "Basic Cust1:x", "Bearer", "basic ::", "Bearer a.b.c"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header["Authorization"] = []string{h}
		p, err := auth.ReadAuthorization(r)
		if err != nil {
			if !errors.Is(err, auth.ErrNoCredential) && !errors.Is(err, auth.ErrMalformed) && !errors.Is(err, auth.ErrInvalidCredential) {
				t.Fatalf("unexpected error kind %v", err)
			}
			return
		}
		if p.Scheme == "Bearer" && (p.Token == "" || strings.ContainsAny(p.Token, " \t\r\n\"")) {
			t.Fatalf("accepted bearer token %q", p.Token)
		}
		if p.Scheme == "Basic" && (p.User == "" || p.Pass == "") {
			t.Fatalf("accepted empty Basic part: %+v", p)
		}
	})
}
