package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

var adminKeyPattern = regexp.MustCompile(`qk_ak_(test|live)_[A-Za-z0-9_-]{49}`)

// adminService is the authentication service of a server on the harness's database with
// the admin API on.
func (h *harness) adminService() *auth.Service {
	h.t.Helper()
	s := h.store()
	return auth.NewService(s, auth.WithAdminKeys(s))
}

// adminAuth presents key to the admin API, needing scope.
func adminAuth(svc *auth.Service, key string, scope tenancy.Scope) (tenancy.AdminKey, error) {
	r := httptest.NewRequest(http.MethodGet, "/tenants", nil)
	r.Header.Set("Authorization", "Bearer "+key)
	return svc.AuthenticateAdmin(r, scope)
}

// adminKeys lists the admin keys through the program.
func (h *harness) adminKeys() []adminKeyJSON {
	h.t.Helper()
	var list []adminKeyJSON
	h.json(&list, "adminkey", "list")
	return list
}

func TestAdminKeyCreatePrintedOnce(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")

	var created issuedAdminKeyJSON
	h.json(&created, "adminkey", "create", "--name", "ops dashboard", "--scope", "support", "--scope", "tenants:read,audit:read")
	if !adminKeyPattern.MatchString(created.Key) || !strings.HasPrefix(created.Key, "qk_ak_live_") {
		t.Fatalf("adminkey create --json: key %.14q", created.Key)
	}
	if created.ID == 0 || created.Name != "ops dashboard" || created.State != "active" ||
		!reflect.DeepEqual(created.Scopes, []string{"tenants:read", "audit:read", "support"}) ||
		!strings.HasPrefix(created.Key, created.Display) || !strings.HasSuffix(created.Key, created.Last4) {
		t.Errorf("adminkey create --json = %+v", created)
	}

	r := h.ok("adminkey", "create", "--name", "dev", "--scope", "tenants:write", "--mode", "test")
	human := adminKeyPattern.FindString(r.stdout)
	if human == "" || !strings.HasPrefix(human, "qk_ak_test_") || human == created.Key {
		t.Fatalf("adminkey create: no new key in stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "only time the key is shown") || adminKeyPattern.MatchString(r.stderr) {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	// Both open the admin API of a server on the same database, for their scopes only.
	svc := h.adminService()
	if k, err := adminAuth(svc, created.Key, tenancy.ScopeSupport); err != nil || k.ID != created.ID {
		t.Errorf("the printed key does not authenticate: %+v, %v", k, err)
	}
	if _, err := adminAuth(svc, created.Key, tenancy.ScopeTenantsWrite); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a scope the key lacks: %v", err)
	}
	if _, err := adminAuth(svc, human, tenancy.ScopeTenantsWrite); err != nil {
		t.Errorf("the key printed as a table does not authenticate: %v", err)
	}

	// Nothing prints it again.
	for _, args := range [][]string{{"adminkey", "list"}, {"adminkey", "list", "--json"}} {
		r := h.ok(args...)
		if adminKeyPattern.MatchString(r.stdout) || adminKeyPattern.MatchString(r.stderr) {
			t.Errorf("quotekit %s printed a key:\n%s", strings.Join(args, " "), r)
		}
	}
	list := h.adminKeys()
	if len(list) != 2 || list[1].ID != created.ID || list[1].Display != created.Display || list[1].Last4 != created.Last4 ||
		list[1].State != "active" || list[1].LastUsedAt == nil || !reflect.DeepEqual(list[1].Scopes, created.Scopes) {
		t.Errorf("adminkey list: %+v", list)
	}
	r = h.ok("adminkey", "list")
	if !strings.HasPrefix(r.stdout, "ID  NAME           DISPLAY") ||
		!strings.Contains(r.stdout, "ops dashboard  "+created.Display+"  "+created.Last4+"   tenants:read,audit:read,support  active") {
		t.Errorf("adminkey list:\n%s", r.stdout)
	}
}

func TestAdminKeyCreateUsage(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	for _, args := range [][]string{
		{"--name", "x", "--scope", "tenants:admin"},
		{"--name", "x", "--scope", "support,"},
		{"--name", "x", "--scope", "SUPPORT"},
		{"--name", "x"},
		{"--scope", "support"},
		{"--name", " ", "--scope", "support"},
		{"--name", "a\tb", "--scope", "support"},
		{"--name", "x", "--scope", "support", "--mode", "prod"},
		{"--name", "x", "--scope", "support", "extra"},
	} {
		r := h.unchanged(exitUsage, append([]string{"adminkey", "create"}, args...)...)
		if r.stdout != "" || r.err.Error() == "" {
			t.Errorf("%v: %s", args, r)
		}
	}
	r := h.unchanged(exitUsage, "adminkey", "create", "--name", "x", "--scope", "tenants:admin")
	if !strings.Contains(r.err.Error(), `"tenants:admin" is not a scope`) || !strings.Contains(r.err.Error(), scopeNames()) {
		t.Errorf("message %q does not name the scopes", r.err)
	}
	if len(h.adminKeys()) != 0 {
		t.Error("a refused command made a key")
	}
	// A key pasted in the wrong place is not repeated.
	var created issuedAdminKeyJSON
	h.json(&created, "adminkey", "create", "--name", "x", "--scope", "support")
	for _, args := range [][]string{
		{"adminkey", "create", "--name", "x", "--scope", created.Key},
		{"adminkey", "revoke", created.Key},
	} {
		r := h.unchanged(exitUsage, args...)
		if strings.Contains(r.err.Error(), created.Key[len("qk_ak_live_"):]) {
			t.Errorf("%v repeated the key: %v", args[:2], r.err)
		}
	}
}

func TestAdminKeyRevoke(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	var created, other issuedAdminKeyJSON
	h.json(&created, "adminkey", "create", "--name", "support desk", "--scope", "support")
	h.json(&other, "adminkey", "create", "--name", "other", "--scope", "support")
	svc := h.adminService()
	key, err := adminAuth(svc, created.Key, tenancy.ScopeSupport)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc.SupportToken(t.Context(), key, "Cust1", 0, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(bearer("/FindProduct", tok.AccessToken)); err != nil {
		t.Fatalf("the support token does not authenticate: %v", err)
	}

	h.unchanged(exitNotFound, "adminkey", "revoke", "999")
	for _, bad := range []string{"0", "-1", "one", "1.5"} {
		h.unchanged(exitUsage, "adminkey", "revoke", "--", bad)
	}
	h.unchanged(exitUsage, "adminkey", "revoke")

	var revoked adminKeyJSON
	r := h.json(&revoked, "adminkey", "revoke", strconv.FormatInt(created.ID, 10))
	if revoked.ID != created.ID || revoked.State != "revoked" || revoked.RevokedAt == nil || !strings.Contains(r.stderr, "revoked, with every support token") {
		t.Errorf("adminkey revoke: %+v\n%s", revoked, r)
	}
	if _, err := adminAuth(svc, created.Key, tenancy.ScopeSupport); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("the revoked key: %v", err)
	}
	if _, err := svc.Authenticate(bearer("/FindProduct", tok.AccessToken)); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("its support token: %v", err)
	}
	if _, err := adminAuth(svc, other.Key, tenancy.ScopeSupport); err != nil {
		t.Errorf("another key: %v", err)
	}
	states := map[int64]string{}
	for _, k := range h.adminKeys() {
		states[k.ID] = k.State
	}
	if want := map[int64]string{created.ID: "revoked", other.ID: "active"}; !reflect.DeepEqual(states, want) {
		t.Errorf("states %v, want %v", states, want)
	}

	r = h.unchanged(exitOK, "adminkey", "revoke", strconv.FormatInt(created.ID, 10))
	if !strings.Contains(r.stderr, "already revoked") || !strings.Contains(r.stdout, "revoked") {
		t.Errorf("revoking again:\n%s", r)
	}
}

func TestAdminKeyHelpAndMissingDatabase(t *testing.T) {
	h := newHarness(t)
	for _, leaf := range []string{"create", "list", "revoke"} {
		r := h.ok("adminkey", leaf, "--help")
		if !strings.HasPrefix(r.stdout, "Usage: quotekit adminkey "+leaf+" ") || !strings.Contains(r.stdout, "Flags:") || r.stderr != "" {
			t.Errorf("adminkey %s --help:\n%s", leaf, r)
		}
	}
	if r := h.ok("--help"); !strings.Contains(r.stdout, "adminkey") {
		t.Errorf("--help does not list adminkey:\n%s", r.stdout)
	}
	for _, args := range [][]string{
		{"adminkey", "list"},
		{"adminkey", "create", "--name", "x", "--scope", "support"},
		{"adminkey", "revoke", "1"},
	} {
		r := h.want(exitUnavailable, args...)
		if !strings.Contains(r.err.Error(), "no database at") {
			t.Errorf("%v: %q", args, r.err)
		}
	}
	h.addTenant("Cust1")
	r := h.ok("adminkey", "list")
	if r.stdout != "" || !strings.Contains(r.stderr, "no admin API keys") {
		t.Errorf("empty list:\n%s", r)
	}
	if r := h.ok("adminkey", "list", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("empty list --json: %q", r.stdout)
	}
}
