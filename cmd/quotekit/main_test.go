package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/tenancy"
)

// harness runs the real program against a database in a temporary directory, with an
// environment of its own.
type harness struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	return &harness{t: t, dir: dir, env: map[string]string{
		"QUOTEKIT_DB":        filepath.Join(dir, "var", "quotekit.db"),
		tenancy.MasterKeyEnv: base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"USER":               "tester",
	}}
}

func (h *harness) dbPath() string { return h.env["QUOTEKIT_DB"] }

// result is what one run of the program left behind.
type result struct {
	code           int
	stdout, stderr string
	err            error
}

func (r result) String() string {
	return fmt.Sprintf("exit %d, err %v\nstdout:\n%s\nstderr:\n%s", r.code, r.err, r.stdout, r.stderr)
}

// run runs quotekit with args.
func (h *harness) run(args ...string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"quotekit"}, args...), func(k string) string { return h.env[k] }, &stdout, &stderr)
	return result{code: exitCode(err), stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// want runs quotekit and fails the test unless it exits with code.
func (h *harness) want(code int, args ...string) result {
	h.t.Helper()
	r := h.run(args...)
	if r.code != code {
		h.t.Fatalf("quotekit %s: want exit %d, got %s", strings.Join(args, " "), code, r)
	}
	return r
}

// ok runs quotekit and fails the test unless it succeeds.
func (h *harness) ok(args ...string) result {
	h.t.Helper()
	return h.want(exitOK, args...)
}

// json runs quotekit with --json and decodes its stdout into v.
func (h *harness) json(v any, args ...string) result {
	h.t.Helper()
	r := h.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		h.t.Fatalf("quotekit %s --json: %v\n%s", strings.Join(args, " "), err, r.stdout)
	}
	return r
}

// store opens the harness's database beside the program, as a second process would.
func (h *harness) store() *sqlite.Store {
	h.t.Helper()
	s, err := sqlite.Open(context.Background(), h.dbPath())
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.t.Cleanup(func() { s.Close() })
	return s
}

// snapshot describes everything the database holds, to show that a command changed
// nothing. It is "" when there is no database.
func (h *harness) snapshot() string {
	h.t.Helper()
	if _, err := os.Stat(h.dbPath()); errors.Is(err, os.ErrNotExist) {
		return ""
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, h.dbPath())
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	defer s.Close()
	var b strings.Builder
	must := func(v any, err error) {
		h.t.Helper()
		if err != nil {
			h.t.Fatalf("snapshot: %v", err)
		}
		fmt.Fprintf(&b, "%+v\n", v)
	}
	ts, err := s.ListTenants(ctx)
	must(ts, err)
	for _, t := range ts {
		must(s.SecretsOf(ctx, t.ID))
		must(s.ListUserMappings(ctx, t.ID))
		must(s.ListTokens(ctx, t.ID, time.Unix(0, 0)))
	}
	must(s.AuditEvents(ctx, tenancy.AuditFilter{Limit: 100000}))
	return b.String()
}

// unchanged runs quotekit, wants exit code, and checks that the database is as before.
func (h *harness) unchanged(code int, args ...string) result {
	h.t.Helper()
	before := h.snapshot()
	r := h.want(code, args...)
	if after := h.snapshot(); after != before {
		h.t.Fatalf("quotekit %s changed the database:\nbefore:\n%s\nafter:\n%s", strings.Join(args, " "), before, after)
	}
	return r
}

// addTenant adds a test tenant trusting the AppId "app-<id>".
func (h *harness) addTenant(id string, more ...string) {
	h.t.Helper()
	h.ok(append([]string{"tenant", "add", id, "--name", "Tenant " + id, "--env", "test", "--app-id", "app-" + id}, more...)...)
}

// createSecret creates a secret and returns its plaintext and id.
func (h *harness) createSecret(tenant string, flags ...string) (string, int64) {
	h.t.Helper()
	var out issuedSecretJSON
	h.json(&out, append([]string{"secret", "create", tenant}, flags...)...)
	return out.Secret, out.ID
}

// service is the authentication service of a server on the harness's database,
// trusting key (may be nil) as SuperOffice's sod environment.
func (h *harness) service(key *rsa.PublicKey) *auth.Service {
	h.t.Helper()
	var opts []auth.Option
	if key != nil {
		v, err := auth.NewSuperOfficeVerifier(h.t.Context(), auth.SuperOfficeConfig{Envs: []auth.Env{{Name: "sod", Keys: []crypto.PublicKey{key}}}})
		if err != nil {
			h.t.Fatal(err)
		}
		opts = append(opts, auth.WithSuperOffice(v))
	}
	return auth.NewService(h.store(), opts...)
}

// authenticate presents a credential to POST /Authenticate and returns the access token.
func authenticate(t *testing.T, svc *auth.Service, credential string) (string, error) {
	t.Helper()
	resp, err := svc.Token(bearer("/Authenticate", credential))
	if err != nil {
		return "", err
	}
	return resp.AccessToken, nil
}

// bearer is a request to path presenting credential as a bearer token.
func bearer(path, credential string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, nil)
	r.Header.Set("Authorization", "Bearer "+credential)
	return r
}

func TestHelp(t *testing.T) {
	h := newHarness(t)
	leaves := [][]string{
		{"tenant", "add"}, {"tenant", "list"}, {"tenant", "show"}, {"tenant", "update"},
		{"tenant", "disable"}, {"tenant", "enable"}, {"tenant", "map-user"}, {"tenant", "unmap-user"},
		{"secret", "create"}, {"secret", "roll"}, {"secret", "revoke"}, {"secret", "list"},
		{"token", "list"}, {"token", "revoke"}, {"audit"}, {"devjwt"},
	}
	for _, path := range leaves {
		name := strings.Join(path, " ")
		t.Run(name, func(t *testing.T) {
			for _, args := range [][]string{
				append(append([]string{}, path...), "--help"),
				append(append([]string{}, path...), "-h"),
				append([]string{"help"}, path...),
			} {
				r := h.ok(args...)
				if !strings.HasPrefix(r.stdout, "Usage: quotekit "+name+" ") || !strings.Contains(r.stdout, "Flags:") {
					t.Errorf("quotekit %s: usage not printed:\n%s", strings.Join(args, " "), r.stdout)
				}
				if r.stderr != "" {
					t.Errorf("quotekit %s: stderr %q", strings.Join(args, " "), r.stderr)
				}
			}
		})
	}
	t.Run("groups", func(t *testing.T) {
		for _, g := range []string{"tenant", "secret", "token"} {
			r := h.ok(g, "--help")
			if !strings.Contains(r.stdout, "Usage: quotekit "+g+" <command>") {
				t.Errorf("%s --help:\n%s", g, r.stdout)
			}
		}
		r := h.ok("--help")
		for _, want := range []string{"tenant", "secret", "token", "audit", "devjwt", "Exit status:"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("--help lacks %q:\n%s", want, r.stdout)
			}
		}
	})
	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{}, {"nonsense"}, {"tenant"}, {"tenant", "nonsense"}, {"tenant", "list", "--nonsense"},
			{"tenant", "list", "extra"}, {"tenant", "show"},
		} {
			r := h.unchanged(exitUsage, args...)
			if r.err.Error() == "" {
				t.Errorf("quotekit %v: empty message", args)
			}
		}
	})
	if _, err := os.Stat(h.dbPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("help or usage errors created the database: %v", err)
	}
}

// TestUnknownTenant runs every command that names a tenant on one that does not exist.
func TestUnknownTenant(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	h.createSecret("Cust1")
	for _, args := range [][]string{
		{"tenant", "show", "Cust404"},
		{"tenant", "update", "Cust404", "--name", "x"},
		{"tenant", "disable", "Cust404"},
		{"tenant", "enable", "Cust404"},
		{"tenant", "map-user", "Cust404", "--associate-id", "7", "--erp-user", "x"},
		{"tenant", "unmap-user", "Cust404", "--associate-id", "7"},
		{"secret", "create", "Cust404"},
		{"secret", "create", "Cust404", "--dev"},
		{"secret", "roll", "Cust404", "1", "--expire-old-in", "0"},
		{"secret", "revoke", "Cust404", "1"},
		{"secret", "list", "Cust404"},
		{"token", "list", "Cust404"},
		{"token", "revoke", "Cust404"},
		{"audit", "Cust404"},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			r := h.unchanged(exitNotFound, args...)
			if msg := r.err.Error(); !strings.Contains(msg, "Cust404") || !strings.Contains(msg, "does not exist") {
				t.Errorf("message %q does not say the tenant does not exist", msg)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(h.dir, "var", "master.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("secret create --dev on an unknown tenant made a master key file: %v", err)
	}
}

// TestBadTenantID runs every command that names a tenant with ids of the wrong form.
func TestBadTenantID(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	commands := [][]string{
		{"tenant", "add", "ID", "--name", "x", "--env", "test"},
		{"tenant", "show", "ID"},
		{"tenant", "update", "ID", "--name", "x"},
		{"tenant", "disable", "ID"},
		{"tenant", "enable", "ID"},
		{"tenant", "map-user", "ID", "--associate-id", "7", "--erp-user", "x"},
		{"tenant", "unmap-user", "ID", "--associate-id", "7"},
		{"secret", "create", "ID"},
		{"secret", "roll", "ID", "1", "--expire-old-in", "0"},
		{"secret", "revoke", "ID", "1"},
		{"secret", "list", "ID"},
		{"token", "list", "ID"},
		{"token", "revoke", "ID"},
		{"audit", "ID"},
		{"devjwt", "ID", "--key", "x.pem", "--app-id", "a"},
	}
	for _, bad := range []string{"cust1", "Cust", "Cust12345678901", "Cust1 ", "Cust-1", "CUST1", ""} {
		for _, cmd := range commands {
			args := append([]string{}, cmd...)
			for i, a := range args {
				if a == "ID" {
					args[i] = bad
				}
			}
			t.Run(fmt.Sprintf("%s/%q", strings.Join(cmd[:2], " "), bad), func(t *testing.T) {
				r := h.unchanged(exitUsage, args...)
				if !strings.Contains(r.err.Error(), "not a tenant id") {
					t.Errorf("message %q does not explain the tenant id", r.err)
				}
			})
		}
	}
}

// TestExitCodes checks the mapping of errors to exit statuses.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{errors.New("boom"), exitFailure},
		{usageError("bad"), exitUsage},
		{fmt.Errorf("x: %w", tenancy.ErrNotFound), exitNotFound},
		{fmt.Errorf("x: %w", tenancy.ErrConflict), exitConflict},
		{fmt.Errorf("x: %w", tenancy.ErrLimit), exitConflict},
		{fmt.Errorf("x: %w", tenancy.ErrUnavailable), exitUnavailable},
		{fmt.Errorf("x: %w", sqlite.ErrSchemaTooNew), exitUnavailable},
		{fail(tenancy.ErrNotFound, "gone"), exitNotFound},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestMissingDatabase: commands other than tenant add do not create a database.
func TestMissingDatabase(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"tenant", "list"}, {"secret", "list", "Cust1"}, {"audit", "Cust1"}} {
		r := h.want(exitUnavailable, args...)
		if !strings.Contains(r.err.Error(), "no database at") {
			t.Errorf("quotekit %v: message %q", args, r.err)
		}
	}
	if _, err := os.Stat(h.dbPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a database was created: %v", err)
	}
}

func TestParseArgs(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	// Flags before, between and after positional arguments; "--" ends the flags.
	for _, args := range [][]string{
		{"tenant", "show", "--json", "Cust1"},
		{"tenant", "show", "Cust1", "--json"},
		{"tenant", "show", "--json", "--", "Cust1"},
	} {
		var out tenantShowJSON
		if err := json.Unmarshal([]byte(h.ok(args...).stdout), &out); err != nil || out.ID != "Cust1" {
			t.Errorf("%v: %+v, %v", args, out, err)
		}
	}
	// After "--" a flag is an argument.
	h.want(exitUsage, "tenant", "show", "--", "Cust1", "--json")
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-02-01T10:00:00Z", time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-02-01T10:00:00+02:00", time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)},
		{"2026-02-01", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"24h", now.Add(-24 * time.Hour)},
		{"7d", now.Add(-7 * 24 * time.Hour)},
		{"1d12h", now.Add(-36 * time.Hour)},
		{"90m", now.Add(-90 * time.Minute)},
	}
	for _, tt := range tests {
		got, err := parseWhen(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "-1h", "d", "1x", "2026-13-01"} {
		if _, err := parseWhen(bad, now); err == nil {
			t.Errorf("parseWhen(%q) succeeded", bad)
		}
	}
}

// TestNoCredentialInErrors: credentials typed in the wrong place are not repeated.
func TestNoCredentialInErrors(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	secret, _ := h.createSecret("Cust1")
	for i, args := range [][]string{
		{"secret", "revoke", "Cust1", secret},
		{"secret", "revoke", secret, "1"},
		{"secret", "roll", "Cust1", "1", "--expire-old-in", secret},
		{"tenant", "show", secret},
		{"token", "list", "Cust1", "--associate-id", secret},
		{secret},
		{"tenant", secret},
	} {
		r := h.unchanged(exitUsage, args...)
		if strings.Contains(r.err.Error(), secret[len("qk_sk_test_"):]) || strings.Contains(r.stderr, secret[len("qk_sk_test_"):]) {
			t.Errorf("case %d repeated the secret: %v", i, r.err)
		}
	}
}
