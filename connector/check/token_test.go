package check_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/connector/netserver"
)

// tokenEndpoint answers POST /Authenticate with an RFC 6749 token under the Content-Type
// contentType, and every other request with 401.
func tokenEndpoint(contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path != "/Authenticate" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, `{"access_token":"qk_at_test","token_type":"Bearer","expires_in":3600}`)
	})
}

// TestTokenMediaType: the /Authenticate check holds the answer's real Content-Type
// against the contract, so a token answered as text/plain fails where the same bytes
// as application/json pass.
func TestTokenMediaType(t *testing.T) {
	for _, tt := range []struct {
		contentType string
		want        check.Result
	}{
		{"application/json", check.Pass},
		{"application/json; charset=utf-8", check.Pass},
		{"text/plain; charset=utf-8", check.Fail},
	} {
		t.Run(tt.contentType, func(t *testing.T) {
			srv := httptest.NewServer(tokenEndpoint(tt.contentType))
			t.Cleanup(srv.Close)
			report, err := check.Run(context.Background(), check.Options{
				URL: srv.URL, Credentials: netserver.SharedSecret("secret"), AllowHTTP: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			var got *check.Check
			for i := range report.Checks {
				if report.Checks[i].ID == "authenticate" {
					got = &report.Checks[i]
				}
			}
			if got == nil {
				t.Fatalf("no authenticate check in %+v", report.Checks)
			}
			if got.Result != tt.want {
				t.Errorf("authenticate = %+v, want %v", *got, tt.want)
			}
			if tt.want == check.Fail && !strings.Contains(got.Why, "text/plain") {
				t.Errorf("the failure does not name the media type: %s", got.Why)
			}
		})
	}
}
