package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

var secretPattern = regexp.MustCompile(`qk_sk_(test|live)_[A-Za-z0-9_-]{49}`)

// secretStates lists the tenant's secrets as id → state, through the program.
func (h *harness) secretStates(tenant string) map[int64]secretJSON {
	h.t.Helper()
	var list []secretJSON
	h.json(&list, "secret", "list", tenant)
	out := map[int64]secretJSON{}
	for _, s := range list {
		out[s.ID] = s
	}
	return out
}

func TestSecretCreatePrintedOnce(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")

	var created issuedSecretJSON
	h.json(&created, "secret", "create", "Cust1")
	if !secretPattern.MatchString(created.Secret) || !strings.HasPrefix(created.Secret, "qk_sk_test_") {
		t.Fatalf("secret create --json: secret %q", created.Secret)
	}
	if created.ID == 0 || created.Tenant != "Cust1" || created.State != "active" || created.Mode != "test" ||
		!strings.HasPrefix(created.Secret, created.Display) || !strings.HasSuffix(created.Secret, created.Last4) {
		t.Errorf("secret create --json = %+v", created)
	}

	r := h.ok("secret", "create", "Cust1")
	human := secretPattern.FindString(r.stdout)
	if human == "" || human == created.Secret {
		t.Fatalf("secret create: no new secret in stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "only time the secret is shown") || secretPattern.MatchString(r.stderr) {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	// Both authenticate at a server on the same database, HS256 copy included.
	svc := h.service(nil)
	for _, s := range []string{created.Secret, human} {
		if _, err := authenticate(t, svc, s); err != nil {
			t.Errorf("the printed secret does not authenticate: %v", err)
		}
	}
	stored, err := h.store().SecretsOf(t.Context(), "Cust1")
	if err != nil || len(stored) != 2 || len(stored[0].Ciphertext) == 0 || stored[0].KeyID == "" {
		t.Errorf("stored secrets %+v, %v: want an encrypted copy", stored, err)
	}

	// Nothing prints it again.
	for _, args := range [][]string{
		{"secret", "list", "Cust1"}, {"secret", "list", "Cust1", "--json"},
		{"tenant", "show", "Cust1"}, {"tenant", "show", "Cust1", "--json"},
		{"audit", "Cust1"}, {"audit", "Cust1", "--json"},
		{"token", "list", "Cust1"}, {"token", "list", "Cust1", "--json"},
	} {
		r := h.ok(args...)
		if secretPattern.MatchString(r.stdout) || secretPattern.MatchString(r.stderr) {
			t.Errorf("quotekit %s printed a secret:\n%s", strings.Join(args, " "), r)
		}
	}
	list := h.secretStates("Cust1")
	if got := list[created.ID]; got.Display != created.Display || got.Last4 != created.Last4 || got.State != "active" || got.LastUsedAt == nil {
		t.Errorf("secret list: %+v", got)
	}
	r = h.ok("secret", "list", "Cust1")
	if !strings.HasPrefix(r.stdout, "ID  DISPLAY          LAST4  STATE   CREATED") ||
		!strings.Contains(r.stdout, created.Display+"  "+created.Last4+"   active") {
		t.Errorf("secret list:\n%s", r.stdout)
	}
}

func TestSecretCreateLimit(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	for range tenancy.DefaultMaxActiveSecrets {
		h.createSecret("Cust1")
	}
	r := h.unchanged(exitConflict, "secret", "create", "Cust1")
	if !strings.Contains(r.err.Error(), "3 active secrets") {
		t.Errorf("message %q", r.err)
	}
}

func TestSecretMasterKey(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	delete(h.env, tenancy.MasterKeyEnv)
	keyFile := filepath.Join(h.dir, "var", "master.key")

	r := h.unchanged(exitFailure, "secret", "create", "Cust1")
	if !strings.Contains(r.err.Error(), "master key") || !strings.Contains(r.err.Error(), "--dev") {
		t.Errorf("message %q", r.err)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("master key file made without --dev: %v", err)
	}

	secret, _ := h.createSecret("Cust1", "--dev")
	fi, err := os.Stat(keyFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v, %v", fi, err)
	}
	// The file is then found without --dev, also through QUOTEKIT_MASTER_KEY_FILE.
	h.ok("secret", "create", "Cust1")
	moved := filepath.Join(h.dir, "elsewhere.key")
	if err := os.Rename(keyFile, moved); err != nil {
		t.Fatal(err)
	}
	h.env["QUOTEKIT_MASTER_KEY_FILE"] = moved
	h.ok("secret", "roll", "Cust1", "1", "--expire-old-in", "1h")
	if _, err := authenticate(t, h.service(nil), secret); err != nil {
		t.Errorf("secret made with --dev: %v", err)
	}
}

func TestSecretRoll(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	h.addTenant("Cust2")
	old, oldID := h.createSecret("Cust1")
	_, otherID := h.createSecret("Cust2")
	id := strconv.FormatInt(oldID, 10)

	t.Run("overlap out of range changes nothing", func(t *testing.T) {
		for _, d := range []string{"-1h", "31d", "720h1s", "soon"} {
			r := h.unchanged(exitUsage, "secret", "roll", "Cust1", id, "--expire-old-in", d)
			if r.stdout != "" {
				t.Errorf("--expire-old-in %s: stdout %q", d, r.stdout)
			}
		}
		r := h.unchanged(exitUsage, "secret", "roll", "Cust1", id)
		if !strings.Contains(r.err.Error(), "--expire-old-in is required") {
			t.Errorf("message %q", r.err)
		}
		h.unchanged(exitUsage, "secret", "roll", "Cust1", "qk_sk_test_"+strings.Repeat("A", 40), "--expire-old-in", "0")
		h.unchanged(exitUsage, "secret", "roll", "Cust1", "0", "--expire-old-in", "0")
	})
	t.Run("unknown secret", func(t *testing.T) {
		r := h.unchanged(exitNotFound, "secret", "roll", "Cust1", "999", "--expire-old-in", "0")
		if !strings.Contains(r.err.Error(), "Cust1 has no secret 999") {
			t.Errorf("message %q", r.err)
		}
		// Another tenant's secret is not found either.
		h.unchanged(exitNotFound, "secret", "roll", "Cust1", strconv.FormatInt(otherID, 10), "--expire-old-in", "0")
		h.unchanged(exitNotFound, "secret", "revoke", "Cust1", strconv.FormatInt(otherID, 10))
	})

	var rolled issuedSecretJSON
	start := time.Now()
	h.json(&rolled, "secret", "roll", "Cust1", id, "--expire-old-in", "24h")
	if !secretPattern.MatchString(rolled.Secret) || rolled.RolledFrom != oldID || rolled.Replaced == nil ||
		rolled.Replaced.ID != oldID || rolled.Replaced.State != "expiring" {
		t.Fatalf("secret roll --json = %+v", rolled)
	}
	if exp := *rolled.Replaced.ExpiresAt; exp.Before(start.Add(24*time.Hour)) || exp.After(time.Now().Add(24*time.Hour)) {
		t.Errorf("old secret expires at %v, want 24h after the roll", exp)
	}
	svc := h.service(nil)
	for _, s := range []string{old, rolled.Secret} {
		if _, err := authenticate(t, svc, s); err != nil {
			t.Errorf("during the overlap a secret does not authenticate: %v", err)
		}
	}
	states := h.secretStates("Cust1")
	if states[oldID].State != "expiring" || states[rolled.ID].State != "active" {
		t.Errorf("secret list after roll: %+v", states)
	}

	// Rolling by display form with no overlap: the old one stops at once.
	r := h.ok("secret", "roll", "Cust1", rolled.Display, "--expire-old-in", "0")
	if !strings.Contains(r.stderr, "stopped working now") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if _, err := authenticate(t, svc, rolled.Secret); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("secret rolled with 0 overlap still authenticates: %v", err)
	}
	if got := h.secretStates("Cust1")[rolled.ID].State; got != "expired" {
		t.Errorf("state after roll with 0 overlap: %s", got)
	}
	r = h.unchanged(exitConflict, "secret", "roll", "Cust1", strconv.FormatInt(rolled.ID, 10), "--expire-old-in", "1h")
	if !strings.Contains(r.err.Error(), "is expired and cannot be rolled") {
		t.Errorf("message %q", r.err)
	}
}

func TestSecretRevoke(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	secret, id := h.createSecret("Cust1")
	keep, _ := h.createSecret("Cust1")
	svc := h.service(nil)
	token, err := authenticate(t, svc, secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authenticate(t, svc, keep); err != nil {
		t.Fatal(err)
	}
	sid := strconv.FormatInt(id, 10)

	var got secretJSON
	h.json(&got, "secret", "revoke", "Cust1", sid)
	if got.ID != id || got.State != "revoked" || got.RevokedAt == nil {
		t.Errorf("secret revoke --json = %+v", got)
	}
	if _, err := authenticate(t, svc, secret); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("revoked secret: %v", err)
	}
	if _, err := svc.Authenticate(bearer("/QuoteConnector/GetCapabilities", token)); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("token minted from the revoked secret: %v", err)
	}
	var toks []tokenJSON
	h.json(&toks, "token", "list", "Cust1")
	if len(toks) != 1 || toks[0].SecretID == id {
		t.Errorf("live tokens after revoking: %+v", toks)
	}

	// Rolling a revoked secret: exit 4, and nothing changed (listing shows the same).
	before := h.secretStates("Cust1")
	r := h.unchanged(exitConflict, "secret", "roll", "Cust1", sid, "--expire-old-in", "24h")
	if !strings.Contains(r.err.Error(), "is revoked and cannot be rolled") || !strings.Contains(r.err.Error(), "secret create Cust1") {
		t.Errorf("message %q", r.err)
	}
	if after := h.secretStates("Cust1"); !reflect.DeepEqual(after, before) {
		t.Errorf("secret list changed:\nbefore %+v\nafter  %+v", before, after)
	}

	// Revoking again changes nothing.
	r = h.unchanged(exitOK, "secret", "revoke", "Cust1", sid)
	if !strings.Contains(r.stderr, "already revoked") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	evs, _ := h.store().AuditEvents(t.Context(), tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventSecretRevoked}})
	if len(evs) != 1 || evs[0].Actor != "cli:tester" || evs[0].Credential != got.Display || got.Display == "" {
		t.Errorf("audit events %+v, want one by cli:tester naming %q", evs, got.Display)
	}
}
