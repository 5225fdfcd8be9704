package demoerp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/internal/servetest"
)

// These tests run the `quotekit check` command, built from cmd/quotekit, against the
// demo ERP behind the real server.

// startDemo serves a fresh demo ERP with servetest.Start; args are further server flags.
func startDemo(t *testing.T, args ...string) *servetest.Server {
	t.Helper()
	erp, err := demoerp.Open(context.Background(), filepath.Join(t.TempDir(), "demoerp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { erp.Close() })
	return servetest.Start(t, erp, args...)
}

// quotekitCLI runs a quotekit binary built for one test.
type quotekitCLI struct {
	t   *testing.T
	bin string
	dir string            // a temporary directory for the test's files
	env map[string]string // added to the environment, which has no QUOTEKIT_* variables of its own
}

// cliResult is what one run of quotekit left behind.
type cliResult struct {
	code           int
	stdout, stderr string
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// buildQuotekit builds cmd/quotekit into a temporary directory, in at most two minutes.
func buildQuotekit(t *testing.T) *quotekitCLI {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "quotekit")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/quotekit/quotekit/cmd/quotekit").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/quotekit: %v\n%s", err, out)
	}
	return &quotekitCLI{t: t, bin: bin, dir: dir, env: map[string]string{}}
}

// want runs quotekit with args, for at most two minutes, and fails the test unless it
// exits with code.
func (c *quotekitCLI) want(code int, args ...string) cliResult {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QUOTEKIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := cliResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		c.t.Fatalf("quotekit %s: %v", strings.Join(args, " "), err)
	}
	if r.code != code {
		c.t.Fatalf("quotekit %s: want exit %d, got %s", strings.Join(args, " "), code, r)
	}
	return r
}

// json runs quotekit with --json, fails the test unless it succeeds, and decodes its
// stdout into v.
func (c *quotekitCLI) json(v any, args ...string) {
	c.t.Helper()
	r := c.want(0, append(args, "--json")...)
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		c.t.Fatalf("quotekit %s --json: %v\n%s", strings.Join(args, " "), err, r.stdout)
	}
}

// The exit statuses of quotekit that these tests expect (cmd/quotekit's exitOK and
// exitFailure).
const (
	exitOK      = 0
	exitFailure = 1
)

func TestQuotekitCheckSharedSecret(t *testing.T) {
	srv := startDemo(t)
	q := buildQuotekit(t)
	q.env["QUOTEKIT_CHECK_SECRET"] = srv.Secret

	r := q.want(exitOK, "check", "--url", srv.URL, "--allow-http", "--search", "drill", "--config", "company=[I:1]")
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
	file := filepath.Join(q.dir, "secret")
	if err := os.WriteFile(file, []byte(srv.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(q.env, "QUOTEKIT_CHECK_SECRET")
	var report check.Report
	q.json(&report, "check", "--url", srv.URL, "--secret-file", file, "--allow-http", "--search", "drill", "--config", "company=[I:1]", "--quotes", "3")
	if !report.Passed || len(report.Checks) < 30 || report.Saved["GetCapabilities"] == 0 {
		t.Errorf("JSON report: passed=%v, %d checks, saved %v", report.Passed, len(report.Checks), report.Saved)
	}
	pinNonPassing(t, "the JSON report", &report, "transport=warn!")

	// Without --allow-http, plain HTTP fails the check: exit status 1, and why.
	r = q.want(exitFailure, "check", "--url", srv.URL, "--secret-file", file, "--search", "drill")
	if !strings.Contains(r.stdout, "FAIL    HTTPS with a trusted certificate") || !strings.Contains(r.stderr, "1 required check(s) failed: transport") {
		t.Errorf("plain HTTP:\n%s", r)
	}
}

func TestQuotekitCheckJWT(t *testing.T) {
	key, err := filepath.Abs(filepath.Join("..", "..", "testdata", "keys", "superoffice-test-sod.pem"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startDemo(t, "--superoffice-key", "sod="+key)
	q := buildQuotekit(t)
	var report check.Report
	q.json(&report, "check", "--url", srv.URL, "--allow-http", "--jwt-key", key, "--app-id", "quotekit-test",
		"--tenant", servetest.TenantID, "--search", "drill", "--config", "company=[I:1]")
	got := results(&report)
	if !report.Passed || got["refuse.credential"].Result != check.Pass || got["reauthenticate"].Result != check.Pass {
		t.Errorf("JWT check:\n%s", dump(&report))
	}
	pinNonPassing(t, "the JWT check", &report, "transport=warn!")

	// The wrong audience: every authentication is refused, and check says so.
	r := q.want(exitFailure, "check", "--url", srv.URL, "--allow-http", "--jwt-key", key, "--app-id", "someone-else",
		"--tenant", servetest.TenantID)
	if !tableRow(r.stdout, "FAIL", "/Authenticate with the connection's credential", "answered 401") ||
		!tableRow(r.stdout, "SKIP", "the quote lifecycle and the remaining probes") {
		t.Errorf("wrong app id:\n%s", r)
	}
}

// TestQuotekitCheckBrokenEndpoint puts a proxy that drops WWW-Authenticate in front of
// the server: check fails and says what to add.
func TestQuotekitCheckBrokenEndpoint(t *testing.T) {
	srv := startDemo(t)
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		resp.Header.Del("WWW-Authenticate")
		return nil
	}
	broken := httptest.NewServer(proxy)
	t.Cleanup(broken.Close)
	q := buildQuotekit(t)
	q.env["QUOTEKIT_CHECK_SECRET"] = srv.Secret
	r := q.want(exitFailure, "check", "--url", broken.URL, "--allow-http", "--search", "drill", "--config", "company=[I:1]")
	for _, want := range []string{
		"answered 401 without WWW-Authenticate",
		`WWW-Authenticate: Bearer realm="quote-connector", error="invalid_token"`,
		"FAILED: fix the rows marked FAIL",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check did not say %q:\n%s", want, r)
		}
	}
	if !strings.Contains(r.stderr, "3 required check(s) failed: refuse.none, refuse.credential, refuse.token") {
		t.Errorf("stderr: %s", r.stderr)
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

func TestQuotekitCheckSOAP(t *testing.T) {
	srv := startDemo(t)
	q := buildQuotekit(t)
	q.env["QUOTEKIT_CHECK_SECRET"] = srv.Secret
	r := q.want(exitOK, "check", "--soap", "--url", srv.Ready.SOAPURL, "--tenant", servetest.TenantID, "--app-id", "quotekit-test",
		"--allow-http", "--search", "drill", "--config", "company=[I:1]", "--quotes", "2")
	for _, want := range []string{"PASS    a call without SharedSecret gets a SOAP fault", "PASS    CanProvideCapability agrees with GetCapabilities",
		"PASS    an approved version", "PASSED: SuperOffice can use this endpoint", "0 failed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the table lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout+r.stderr, srv.Secret) {
		t.Error("check printed the secret")
	}

	// The wrong tenant: every quote call gets a fault, and check fails saying so.
	r = q.want(exitFailure, "check", "--soap", "--url", srv.Ready.SOAPURL, "--tenant", "Cust99999", "--allow-http", "--search", "drill")
	if !tableRow(r.stdout, "FAIL", "the capabilities", "SOAP fault") {
		t.Errorf("wrong tenant:\n%s", r)
	}
}
