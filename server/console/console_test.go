package console_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/tenancy"
)

// TestNotOnThePublicListener: the console is served on the admin listener only.
func TestNotOnThePublicListener(t *testing.T) {
	d := deploy(t)
	pub := newBrowser(t, d.URL)
	for _, path := range []string{"/console/", "/console/signin", "/console/tenants", "/console/static/console.css"} {
		if p := pub.get(path); p.status != http.StatusNotFound {
			t.Errorf("public %s answered %d, want 404", path, p.status)
		}
	}
	if p := pub.post("/console/signin", url.Values{"key": {"qk_ak_test_x"}}); p.status != http.StatusNotFound && p.status != http.StatusMethodNotAllowed {
		t.Errorf("public POST /console/signin answered %d", p.status)
	}
	if p := newBrowser(t, d.Admin).get("/console/signin"); p.status != http.StatusOK || !strings.Contains(p.body, `id="key"`) {
		t.Errorf("admin /console/signin answered %d", p.status)
	}
}

// TestSessionCookieAndHeaders signs in and checks the cookie's attributes and the pages'
// security headers, that the key appears nowhere in the answer, and that sign-out ends
// the session.
func TestSessionCookieAndHeaders(t *testing.T) {
	d := deploy(t)
	key, _ := d.adminKey(t, "ops", allScopes...)
	b := newBrowser(t, d.Admin)
	p := b.post("/console/signin", url.Values{"key": {key}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-in answered %d", p.status)
	}
	cookies := (&http.Response{Header: p.header}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v", cookies)
	}
	ck := cookies[0]
	if ck.Name != "qk_console" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/console/" || len(ck.Value) != 43 {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/console/, a 256-bit id", ck)
	}
	if ck.Secure {
		t.Errorf("the cookie is Secure on plain HTTP on loopback in --dev: the browser would never send it back")
	}
	if strings.Contains(ck.Value, key) || strings.Contains(p.header.Get("Set-Cookie"), key[6:]) {
		t.Error("the cookie carries the key")
	}

	for _, path := range []string{"/console/tenants", "/console/health", "/console/audit", "/console/tenants/" + "Cust12345"} {
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("%s answered %d:\n%s", path, p.status, p.body)
		}
		h := p.header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", path, h)
		}
		if strings.Contains(p.body, key) || strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") {
			t.Errorf("%s holds the key, an inline script or an inline style", path)
		}
	}

	p = b.post("/console/signout", url.Values{"csrf": {csrf(t, b.get("/console/tenants"))}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/console/signin") {
		t.Fatalf("sign-out answered %d %q", p.status, p.header.Get("Location"))
	}
	// The browser dropped the cookie; the old session id is refused too.
	if p := b.get("/console/tenants"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/console/signin") {
		t.Errorf("after sign-out /console/tenants answered %d %q", p.status, p.header.Get("Location"))
	}
	replay := newBrowser(t, d.Admin)
	u, _ := url.Parse(d.Admin + "/console/")
	replay.hc.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/console/"}}) //nolint:gosec // a test client replaying a cookie over plain HTTP
	if p := replay.get("/console/tenants"); p.status != http.StatusSeeOther {
		t.Errorf("the signed-out session id still opens the console: %d", p.status)
	}
}

// TestCSRFRefused: a change without the session's token, with a wrong one, or from
// another site is refused and changes nothing.
func TestCSRFRefused(t *testing.T) {
	d := deploy(t)
	key, _ := d.adminKey(t, "ops", allScopes...)
	b := newBrowser(t, d.Admin)
	b.signIn(key)
	token := csrf(t, b.get("/console/tenants"))
	form := func(csrf string) url.Values {
		v := url.Values{"id": {"Cust777"}, "name": {"Forged"}, "environment": {"test"}}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		return v
	}
	for name, p := range map[string]page{
		"no token":    b.post("/console/tenants", form("")),
		"wrong token": b.post("/console/tenants", form(token+"x")),
		"cross-site":  b.post("/console/tenants", form(token), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"),
	} {
		if p.status != http.StatusForbidden {
			t.Errorf("%s: answered %d, want 403", name, p.status)
		}
	}
	if _, err := d.Ready.Store.Tenant(context.Background(), "Cust777"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Fatalf("a refused change was made: %v", err)
	}
	// The same form with the token works: the refusals were the token's doing.
	if p := b.post("/console/tenants", form(token)); p.status != http.StatusSeeOther {
		t.Fatalf("with its token the change answered %d:\n%s", p.status, p.body)
	}
	if _, err := d.Ready.Store.Tenant(context.Background(), "Cust777"); err != nil {
		t.Fatal(err)
	}
}

// TestReadOnlyKey: a key with read scopes only sees no buttons and gets 403 on a forged
// change, though it carries its session's valid token.
func TestReadOnlyKey(t *testing.T) {
	d := deploy(t)
	key, _ := d.adminKey(t, "viewer", tenancy.ScopeConsole, tenancy.ScopeTenantsRead, tenancy.ScopeAuditRead)
	b := newBrowser(t, d.Admin)
	b.signIn(key)
	p := b.get("/console/tenants/Cust12345")
	if p.status != http.StatusOK {
		t.Fatalf("tenant page %d", p.status)
	}
	if n := strings.Count(p.body, `method="post"`); n != 1 { // sign-out only
		t.Errorf("a read-only key sees %d forms that post, want only sign-out", n)
	}
	for _, button := range []string{"Create secret", "Roll", "Revoke", "Disable tenant", "Save settings", "Map user", "Run the test"} {
		if strings.Contains(p.body, button) {
			t.Errorf("a read-only key sees %q", button)
		}
	}
	if strings.Contains(b.get("/console/tenants").body, "Add a tenant") {
		t.Error("a read-only key sees Add a tenant")
	}
	token := csrf(t, p)
	secrets, err := d.Ready.Store.SecretsOf(context.Background(), "Cust12345")
	if err != nil || len(secrets) != 1 {
		t.Fatal(secrets, err)
	}
	sid := secrets[0].ID
	for path, form := range map[string]url.Values{
		"/console/tenants":                                            {"id": {"Cust778"}, "name": {"x"}, "environment": {"test"}},
		"/console/tenants/Cust12345/state":                            {"enabled": {"false"}, "reason": {"forged"}},
		"/console/tenants/Cust12345/secrets":                          {},
		"/console/tenants/Cust12345/secrets/" + itoa(sid) + "/revoke": {"confirm": {"yes"}},
		"/console/tenants/Cust12345/secrets/" + itoa(sid) + "/roll":   {"overlap": {"0s"}},
		"/console/tenants/Cust12345/tokens/revoke":                    {"reason": {"forged"}},
		"/console/tenants/Cust12345/check":                            {"transport": {"rest"}},
	} {
		form.Set("csrf", token)
		if p := b.post(path, form); p.status != http.StatusForbidden {
			t.Errorf("forged POST %s answered %d, want 403", path, p.status)
		}
	}
	after, err := d.Ready.Store.SecretsOf(context.Background(), "Cust12345")
	if err != nil || len(after) != 1 || !after[0].RevokedAt.IsZero() {
		t.Errorf("the secrets changed: %+v %v", after, err)
	}
	if tn, err := d.Ready.Store.Tenant(context.Background(), "Cust12345"); err != nil || !tn.Enabled {
		t.Errorf("the tenant changed: %+v %v", tn, err)
	}
	// Nor does the health page need more than the console scope, nor the audit more than audit:read.
	if p := b.get("/console/audit"); p.status != http.StatusOK {
		t.Errorf("audit answered %d", p.status)
	}
}

// TestRevokedKeyEndsSession: revoking the key ends its sessions at their next request;
// a key without the console scope cannot sign in.
func TestRevokedKeyEndsSession(t *testing.T) {
	d := deploy(t)
	key, k := d.adminKey(t, "ops", allScopes...)
	b := newBrowser(t, d.Admin)
	b.signIn(key)
	if p := b.get("/console/tenants"); p.status != http.StatusOK {
		t.Fatalf("%d", p.status)
	}
	if err := d.Ready.Admin.RevokeAdminKey(context.Background(), k.ID, "test"); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/console/tenants"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/signin?why=ended" {
		t.Errorf("after revocation: %d %q", p.status, p.header.Get("Location"))
	}
	if p := b.post("/console/signin", url.Values{"key": {key}}); p.status != http.StatusUnauthorized {
		t.Errorf("a revoked key signs in: %d", p.status)
	}

	api, _ := d.adminKey(t, "api only", tenancy.ScopeTenantsRead)
	if p := newBrowser(t, d.Admin).post("/console/signin", url.Values{"key": {api}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "console scope") {
		t.Errorf("a key without the console scope: %d", p.status)
	}
	if p := newBrowser(t, d.Admin).post("/console/signin", url.Values{"key": {d.Secret}}); p.status != http.StatusUnauthorized {
		t.Errorf("a tenant's secret signs in: %d", p.status)
	}
}

// TestConnectionTestLive: a live tenant's connection test runs read-only whatever the
// form says, and passes against this deployment.
func TestConnectionTestLive(t *testing.T) {
	d := deploy(t)
	ctx := context.Background()
	if _, err := d.Ready.Admin.AddTenant(ctx, tenancy.Tenant{ID: "Cust900", Name: "Live customer", Environment: "live", Enabled: true}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Ready.Admin.CreateSecret(ctx, "Cust900", "test"); err != nil {
		t.Fatal(err)
	}
	key, _ := d.adminKey(t, "ops", allScopes...)
	b := newBrowser(t, d.Admin)
	b.signIn(key)
	p := b.get("/console/tenants/Cust900")
	if !strings.Contains(p.body, "Live tenant: read-only operations only.") || strings.Contains(p.body, `id="check-readonly"`) {
		t.Errorf("the live tenant's page offers a writing test")
	}
	p = b.post("/console/tenants/Cust900/check", url.Values{"csrf": {csrf(t, p)}, "transport": {"rest"}, "search": {"nut"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "PASSED") || !strings.Contains(p.body, "read-only: no quote created") {
		t.Fatalf("the live connection test answered %d:\n%s", p.status, p.body)
	}
	if !strings.Contains(p.body, "creating, calculating, saving, sending, approving, ordering and deleting a quote") {
		t.Error("the report does not show the writing steps skipped")
	}
}
