package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/internal/servetest"
)

func TestCheckSharedSecret(t *testing.T) {
	srv := servetest.Start(t, servetest.DemoERP(t))
	h := newHarness(t)
	h.env["QUOTEKIT_CHECK_SECRET"] = srv.Secret

	r := h.ok("check", "--url", srv.URL, "--allow-http", "--search", "drill", "--config", "company=[I:1]")
	for _, want := range []string{"RESULT  CHECK", "WARN    HTTPS with a trusted certificate", "PASS    placing the order",
		"PASSED: SuperOffice can use this endpoint", "0 failed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the table lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout+r.stderr, srv.Secret) {
		t.Error("check printed the secret")
	}

	// The secret from a file, JSON out.
	file := filepath.Join(h.dir, "secret")
	if err := os.WriteFile(file, []byte(srv.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(h.env, "QUOTEKIT_CHECK_SECRET")
	var report check.Report
	h.json(&report, "check", "--url", srv.URL, "--secret-file", file, "--allow-http", "--search", "drill", "--config", "company=[I:1]", "--quotes", "3")
	if !report.Passed || len(report.Checks) < 30 || report.Saved["GetCapabilities"] == 0 {
		t.Errorf("JSON report: passed=%v, %d checks, saved %v", report.Passed, len(report.Checks), report.Saved)
	}

	// Without --allow-http, plain HTTP fails the check: exit status 1, and why.
	r = h.want(exitFailure, "check", "--url", srv.URL, "--secret-file", file, "--search", "drill")
	if !strings.Contains(r.stdout, "FAIL    HTTPS with a trusted certificate") || r.err == nil || !strings.Contains(r.err.Error(), "1 required check(s) failed: transport") {
		t.Errorf("plain HTTP:\n%s", r)
	}
}

func TestCheckJWT(t *testing.T) {
	key := filepath.Join("..", "..", "testdata", "keys", "superoffice-test-sod.pem")
	srv := servetest.Start(t, servetest.DemoERP(t), "--superoffice-key", "sod="+key)
	h := newHarness(t)
	var report check.Report
	h.json(&report, "check", "--url", srv.URL, "--allow-http", "--jwt-key", key, "--app-id", "quotekit-test",
		"--tenant", servetest.TenantID, "--search", "drill", "--config", "company=[I:1]")
	got := map[string]check.Check{}
	for _, c := range report.Checks {
		got[c.ID] = c
	}
	if !report.Passed || got["refuse.credential"].Result != check.Pass || got["reauthenticate"].Result != check.Pass {
		b, _ := json.MarshalIndent(report, "", "  ")
		t.Errorf("JWT check:\n%s", b)
	}

	// The wrong audience: every authentication is refused, and check says so.
	r := h.want(exitFailure, "check", "--url", srv.URL, "--allow-http", "--jwt-key", key, "--app-id", "someone-else",
		"--tenant", servetest.TenantID)
	if !tableRow(r.stdout, "FAIL", "/Authenticate with the connection's credential", "answered 401") ||
		!tableRow(r.stdout, "SKIP", "the quote lifecycle and the remaining probes") {
		t.Errorf("wrong app id:\n%s", r)
	}
}

// TestCheckBrokenEndpoint puts a proxy that drops WWW-Authenticate in front of the
// server: check fails and says what to add.
func TestCheckBrokenEndpoint(t *testing.T) {
	srv := servetest.Start(t, servetest.DemoERP(t))
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		resp.Header.Del("WWW-Authenticate")
		return nil
	}
	broken := httptest.NewServer(proxy)
	t.Cleanup(broken.Close)
	h := newHarness(t)
	h.env["QUOTEKIT_CHECK_SECRET"] = srv.Secret
	r := h.want(exitFailure, "check", "--url", broken.URL, "--allow-http", "--search", "drill", "--config", "company=[I:1]")
	for _, want := range []string{
		"answered 401 without WWW-Authenticate",
		`WWW-Authenticate: Bearer realm="quote-connector", error="invalid_token"`,
		"FAILED: fix the rows marked FAIL",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check did not say %q:\n%s", want, r)
		}
	}
	if r.err == nil || !strings.Contains(r.err.Error(), "3 required check(s) failed: refuse.none, refuse.credential, refuse.token") {
		t.Errorf("error: %v", r.err)
	}
}

func TestCheckUsage(t *testing.T) {
	h := newHarness(t)
	key := filepath.Join("..", "..", "testdata", "keys", "superoffice-test-sod.pem")
	for _, args := range [][]string{
		{"check"},
		{"check", "--url", "https://example.com"},
		{"check", "--url", "https://example.com", "--secret", "s", "--jwt-key", key, "--app-id", "a", "--tenant", "t"},
		{"check", "--url", "https://example.com", "--jwt-key", key},
		{"check", "--url", "ftp://example.com", "--secret", "s"},
		{"check", "--url", "https://example.com", "--secret", "s", "--quotes", "0"},
	} {
		r := h.want(exitUsage, args...)
		if strings.Contains(r.stderr, " s ") {
			t.Errorf("%v: the secret was repeated: %s", args, r.stderr)
		}
	}
}

// tableRow reports whether a line of the table starts with result and holds every cell.
func tableRow(table, result string, cells ...string) bool {
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, result+" ") {
			continue
		}
		found := true
		for _, c := range cells {
			found = found && strings.Contains(line, c)
		}
		if found {
			return true
		}
	}
	return false
}
