package check_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector/check"
)

// TestMissingMembersFail: an answer that leaves out a member .NET would write (State,
// whose Ok is 0, so a JSON encoder with omitempty drops it) fails its check and names the
// member; the same answer with every member passes.
func TestMissingMembersFail(t *testing.T) {
	for _, tt := range []struct {
		name, answer string
		want         check.Result
	}{
		{"every member", `{"ErrorCode":"","IsOk":true,"State":0,"TechExplanation":"","UserExplanation":""}`, check.Pass},
		{"State left out", `{"ErrorCode":"","IsOk":true,"TechExplanation":"","UserExplanation":""}`, check.Fail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				switch r.URL.Path {
				case "/TestConnection":
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, tt.answer)
				case "/GetConfigurationFields":
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{}`)
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(srv.Close)
			report, err := check.Run(context.Background(), check.Options{URL: srv.URL, AllowHTTP: true})
			if err != nil {
				t.Fatal(err)
			}
			var got *check.Check
			for i := range report.Checks {
				if report.Checks[i].ID == "op.TestConnection" {
					got = &report.Checks[i]
				}
			}
			if got == nil {
				t.Fatalf("no TestConnection check in %+v", report.Checks)
			}
			if got.Result != tt.want {
				t.Errorf("TestConnection = %+v, want %v", *got, tt.want)
			}
			if tt.want == check.Fail && !strings.Contains(got.Why, "State") {
				t.Errorf("the failure does not name the member: %s", got.Why)
			}
		})
	}
}
