package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/tenancy"
)

// adminEnv is the admin API on a real store, with one admin key per scope.
type adminEnv struct {
	base  string
	keys  map[tenancy.Scope]string
	store *sqlite.Store
	svc   *auth.Service
}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "quotekit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := auth.NewService(store, auth.WithAdminKeys(store))
	admin := tenancy.NewService(store)
	srv := httptest.NewServer(server.NewAdmin(svc, store, admin))
	t.Cleanup(srv.Close)
	e := &adminEnv{base: srv.URL + "/admin/v1", keys: map[tenancy.Scope]string{}, store: store, svc: svc}
	for _, s := range tenancy.AllScopes {
		plain, _, err := admin.CreateAdminKey(ctx, "key for "+string(s), []tenancy.Scope{s}, connector.EnvironmentTest, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.keys[s] = plain
	}
	return e
}

func (e *adminEnv) call(t *testing.T, method, path, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	var r *bytes.Reader
	if body != "" {
		r = bytes.NewReader([]byte(body))
	} else {
		r = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, e.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(t, req)
}

// do sends req to the admin API and checks every 2xx answer against the contract.
func (e *adminEnv) do(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if resp.StatusCode/100 == 2 {
		if err := openapi.ValidateResponseFor(req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), buf.Bytes()); err != nil {
			t.Errorf("%s %s %d does not match the contract: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, buf.Bytes())
		}
	}
	return resp.StatusCode, resp.Header, buf.Bytes()
}

// TestAdminRoutesAndScopes calls every route with every scope: the key with the route's
// scope gets its answer, every other key 403.
func TestAdminRoutesAndScopes(t *testing.T) {
	e := newAdminEnv(t)
	ctx := context.Background()
	for _, id := range []string{"Cust100", "Cust300"} {
		if err := e.store.CreateTenant(ctx, tenancy.Tenant{ID: id, Name: id, Environment: connector.EnvironmentTest, Enabled: true},
			tenancy.AuditEvent{TenantID: id, Kind: tenancy.EventTenantCreated}); err != nil {
			t.Fatal(err)
		}
	}
	admin := tenancy.NewService(e.store)
	_, toRoll, _ := admin.CreateSecret(ctx, "Cust100", "test")
	_, toRevoke, _ := admin.CreateSecret(ctx, "Cust100", "test")

	routes := []struct {
		method, path, body string
		scope              tenancy.Scope
		status             int
	}{
		{"GET", "/tenants", "", tenancy.ScopeTenantsRead, 200},
		{"POST", "/tenants", `{"id":"Cust200","name":"Nord AS","environment":"live","app_ids":["app-1"]}`, tenancy.ScopeTenantsWrite, 201},
		{"GET", "/tenants/Cust100", "", tenancy.ScopeTenantsRead, 200},
		{"PATCH", "/tenants/Cust100", `{"name":"Fjord AS"}`, tenancy.ScopeTenantsWrite, 200},
		{"POST", "/tenants/Cust300/disable", "", tenancy.ScopeTenantsWrite, 200},
		{"POST", "/tenants/Cust300/enable", "", tenancy.ScopeTenantsWrite, 200},
		{"PUT", "/tenants/Cust100/users", `{"associate_id":12,"erp_user":"ONY"}`, tenancy.ScopeTenantsWrite, 200},
		{"DELETE", "/tenants/Cust100/users", `{"associate_id":12}`, tenancy.ScopeTenantsWrite, 204},
		{"GET", "/tenants/Cust100/secrets", "", tenancy.ScopeTenantsRead, 200},
		{"POST", "/tenants/Cust100/secrets/" + strconv.FormatInt(toRevoke.ID, 10) + "/revoke", "", tenancy.ScopeSecretsWrite, 204},
		{"POST", "/tenants/Cust100/secrets", "", tenancy.ScopeSecretsWrite, 201},
		{"POST", "/tenants/Cust100/secrets/" + strconv.FormatInt(toRoll.ID, 10) + "/roll", `{"expire_old_in_seconds":3600}`, tenancy.ScopeSecretsWrite, 201},
		{"GET", "/tenants/Cust100/tokens", "", tenancy.ScopeTenantsRead, 200},
		{"POST", "/tenants/Cust100/tokens/revoke", "", tenancy.ScopeTokensWrite, 200},
		{"GET", "/tenants/Cust100/audit?kind=secret.created&limit=10", "", tenancy.ScopeAuditRead, 200},
		{"POST", "/tenants/Cust100/support-token", `{"ttl_seconds":600}`, tenancy.ScopeSupport, 201},
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			for _, scope := range tenancy.AllScopes {
				if scope == rt.scope {
					continue
				}
				status, header, body := e.call(t, rt.method, rt.path, rt.body, "Authorization", "Bearer "+e.keys[scope])
				if status != 403 || !strings.Contains(header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
					t.Errorf("scope %s: %d %s", scope, status, body)
				}
			}
			status, _, body := e.call(t, rt.method, rt.path, rt.body, "api_key", e.keys[rt.scope])
			if status != rt.status {
				t.Errorf("scope %s: %d, want %d: %s", rt.scope, status, rt.status, body)
			}
		})
	}
}

func TestAdminRefusesTenantCredentials(t *testing.T) {
	e := newAdminEnv(t)
	ctx := context.Background()
	if err := e.store.CreateTenant(ctx, tenancy.Tenant{ID: "Cust100", Name: "x", Environment: connector.EnvironmentTest, Enabled: true},
		tenancy.AuditEvent{TenantID: "Cust100", Kind: tenancy.EventTenantCreated}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := tenancy.NewService(e.store).CreateSecret(ctx, "Cust100", "test")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/Authenticate", nil)
	r.Header.Set("Authorization", "Bearer "+secret)
	tok, err := e.svc.Token(r)
	if err != nil {
		t.Fatal(err)
	}
	for name, header := range map[string][]string{
		"no key":            nil,
		"shared secret":     {"Authorization", "Bearer " + secret},
		"access token":      {"Authorization", "Bearer " + tok.AccessToken},
		"Basic":             {"Authorization", "Basic Cust100:" + secret},
		"secret as api_key": {"api_key", secret},
	} {
		status, h, body := e.call(t, "GET", "/tenants", "", header...)
		if status != 401 || h.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %s", name, status, body)
		}
		if bytes.Contains(body, []byte(secret)) {
			t.Errorf("%s: the answer repeats the credential", name)
		}
	}

	// A support token works on operations as the tenant, and never opens the admin API.
	status, _, body := e.call(t, "POST", "/tenants/Cust100/support-token", "", "Authorization", "Bearer "+e.keys[tenancy.ScopeSupport])
	var support struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if status != 201 || json.Unmarshal(body, &support) != nil || support.ExpiresIn > 900 {
		t.Fatalf("support token: %d %s", status, body)
	}
	r = httptest.NewRequest(http.MethodPost, "/FindProduct", nil)
	r.Header.Set("Authorization", "Bearer "+support.AccessToken)
	if tn, err := e.svc.Authenticate(r); err != nil || tn.ID != "Cust100" {
		t.Errorf("support token on an operation: %v %v", tn, err)
	}
	if status, _, _ := e.call(t, "GET", "/tenants", "", "Authorization", "Bearer "+support.AccessToken); status != 401 {
		t.Errorf("support token on the admin API: %d", status)
	}
	events, _ := e.store.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust100", Kinds: []tenancy.EventKind{tenancy.EventSupportToken}})
	if len(events) != 1 || !strings.HasPrefix(events[0].Actor, "adminkey:") {
		t.Errorf("support access not audited with its actor: %+v", events)
	}
}

func TestAdminAnswers(t *testing.T) {
	e := newAdminEnv(t)
	write := e.keys[tenancy.ScopeTenantsWrite]
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"bad tenant id", "PATCH", "/tenants/Cust12a", `{"name":"x"}`, 400},
		{"unknown tenant", "PATCH", "/tenants/Cust999", `{"name":"x"}`, 404},
		{"duplicate tenant", "POST", "/tenants", `{"id":"Cust500","name":"x","environment":"test"}`, 201},
		{"duplicate tenant again", "POST", "/tenants", `{"id":"Cust500","name":"x","environment":"test"}`, 409},
		{"bad environment", "POST", "/tenants", `{"id":"Cust501","name":"x","environment":"prod"}`, 400},
		{"unknown member", "POST", "/tenants", `{"id":"Cust502","name":"x","environment":"test","admin":true}`, 400},
		{"not JSON", "POST", "/tenants", `id=Cust503`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, _, body := e.call(t, tt.method, tt.path, tt.body, "Authorization", "Bearer "+write); status != tt.status {
				t.Errorf("%d, want %d: %s", status, tt.status, body)
			}
		})
	}
}

// TestAdminOptionalBodies: a route whose body may be left out takes an empty body in
// either framing, and still refuses a malformed one.
func TestAdminOptionalBodies(t *testing.T) {
	e := newAdminEnv(t)
	if err := e.store.CreateTenant(context.Background(), tenancy.Tenant{ID: "Cust100", Name: "x", Environment: connector.EnvironmentTest, Enabled: true},
		tenancy.AuditEvent{TenantID: "Cust100", Kind: tenancy.EventTenantCreated}); err != nil {
		t.Fatal(err)
	}
	post := func(body io.Reader) int {
		req, _ := http.NewRequest(http.MethodPost, e.base+"/tenants/Cust100/tokens/revoke", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.keys[tenancy.ScopeTokensWrite])
		status, _, _ := e.do(t, req)
		return status
	}
	for name, tc := range map[string]struct {
		body   io.Reader
		status int
	}{
		"no body":         {nil, 200},
		"empty, chunked":  {io.MultiReader(strings.NewReader("")), 200},
		"a user, chunked": {io.MultiReader(strings.NewReader(`{"associate_id":12}`)), 200},
		"malformed":       {strings.NewReader(`{"associate_id":`), 400},
		"unknown member":  {strings.NewReader(`{"everyone":true}`), 400},
	} {
		if got := post(tc.body); got != tc.status {
			t.Errorf("%s: %d, want %d", name, got, tc.status)
		}
	}
}

func TestAdminBodyLimit(t *testing.T) {
	e := newAdminEnv(t)
	big := `{"id":"Cust700","name":"` + strings.Repeat("x", server.TokenBodyLimit) + `","environment":"test"}`
	if status, _, body := e.call(t, "POST", "/tenants", big, "Authorization", "Bearer "+e.keys[tenancy.ScopeTenantsWrite]); status != 413 {
		t.Errorf("%d, want 413: %.200s", status, body)
	}
	// The same body chunked: no Content-Length to refuse it early.
	req, _ := http.NewRequest(http.MethodPost, e.base+"/tenants", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.keys[tenancy.ScopeTenantsWrite])
	if status, _, _ := e.do(t, req); status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: %d, want 413", status)
	}
}

// TestAdminAnswersMatchContract fills a tenant with everything the admin API shows (config,
// AppIds, users, rolled and revoked secrets, live tokens, audit events) and reads it back
// through every read route: e.do holds each answer against the contract.
func TestAdminAnswersMatchContract(t *testing.T) {
	e := newAdminEnv(t)
	write, read := e.keys[tenancy.ScopeTenantsWrite], e.keys[tenancy.ScopeTenantsRead]
	secrets := e.keys[tenancy.ScopeSecretsWrite]
	steps := []struct {
		method, path, body, key string
		status                  int
	}{
		{"POST", "/tenants", `{"id":"Cust42","name":"Nord AS","environment":"test","app_ids":["app-1"],"config":{"Currency":"NOK"}}`, write, 201},
		{"PUT", "/tenants/Cust42/users", `{"email":"ola@example.com","erp_user":"OLA"}`, write, 200},
		{"POST", "/tenants/Cust42/secrets", "", secrets, 201},
		{"POST", "/tenants/Cust42/secrets/1/roll", `{"expire_old_in_seconds":600}`, secrets, 201},
		{"POST", "/tenants/Cust42/secrets", "", secrets, 201},
		{"POST", "/tenants/Cust42/secrets/3/revoke", "", secrets, 204},
		{"POST", "/tenants/Cust42/support-token", "", e.keys[tenancy.ScopeSupport], 201},
		{"GET", "/tenants/Cust42", "", read, 200},
		{"GET", "/tenants/Cust42/secrets", "", read, 200},
		{"GET", "/tenants/Cust42/tokens", "", read, 200},
		{"GET", "/tenants/Cust42/audit", "", e.keys[tenancy.ScopeAuditRead], 200},
		{"POST", "/tenants/Cust42/disable", "", write, 200},
		{"GET", "/tenants", "", read, 200},
		{"PATCH", "/tenants/Cust42", `{"config":{}}`, write, 200},
	}
	for _, s := range steps {
		if status, _, body := e.call(t, s.method, s.path, s.body, "Authorization", "Bearer "+s.key); status != s.status {
			t.Fatalf("%s %s: %d, want %d: %s", s.method, s.path, status, s.status, body)
		}
	}
}

// TestAdminParameters: a path or query parameter the generated handler cannot read gets
// our invalid-input answer, after the admin key.
func TestAdminParameters(t *testing.T) {
	e := newAdminEnv(t)
	if err := e.store.CreateTenant(context.Background(), tenancy.Tenant{ID: "Cust100", Name: "x", Environment: connector.EnvironmentTest, Enabled: true},
		tenancy.AuditEvent{TenantID: "Cust100", Kind: tenancy.EventTenantCreated}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path string
		scope              tenancy.Scope
		detail             string
	}{
		{"secret id not a number", "POST", "/tenants/Cust100/secrets/abc/revoke", tenancy.ScopeSecretsWrite, "a secret is named by its numeric id"},
		{"secret id zero", "POST", "/tenants/Cust100/secrets/0/revoke", tenancy.ScopeSecretsWrite, "a secret is named by its numeric id"},
		{"since not a time", "GET", "/tenants/Cust100/audit?since=yesterday", tenancy.ScopeAuditRead, "since is an RFC 3339 time"},
		{"limit not a number", "GET", "/tenants/Cust100/audit?limit=ten", tenancy.ScopeAuditRead, "limit is a number from 1 to 10000"},
		{"limit zero", "GET", "/tenants/Cust100/audit?limit=0", tenancy.ScopeAuditRead, "limit is a number from 1 to 10000"},
		{"limit too large", "GET", "/tenants/Cust100/audit?limit=10001", tenancy.ScopeAuditRead, "limit is a number from 1 to 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, _, _ := e.call(t, tt.method, tt.path, ""); status != 401 {
				t.Errorf("without a key: %d, want 401", status)
			}
			status, h, body := e.call(t, tt.method, tt.path, "", "Authorization", "Bearer "+e.keys[tt.scope])
			var p struct{ Type, Detail string }
			if status != 400 || h.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body, &p) != nil ||
				p.Type != server.ProblemTypeBase+"invalid-input" || p.Detail != tt.detail {
				t.Errorf("%d %s %s", status, h.Get("Content-Type"), body)
			}
		})
	}
	if status, _, body := e.call(t, "GET", "/tenants/Cust100/nothing", ""); status != 404 {
		t.Errorf("an unknown path: %d, want 404: %s", status, body)
	}
}
