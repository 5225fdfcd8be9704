package auth_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/tenancy"
)

const appID = "quotekit-demo-app"

// clock is a settable time source shared by the service, the verifier and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a whole authentication setup: a real SQLite store in a temp dir, a keyring,
// local SuperOffice keys for the sod (test) and online (live) environments, the service
// behind the real server, and a log buffer to search for leaked credentials.
type env struct {
	t       testing.TB
	dbPath  string
	store   *sqlite.Store
	admin   *tenancy.Service
	svc     *auth.Service
	clock   *clock
	sod     *rsa.PrivateKey
	online  *rsa.PrivateKey
	partner *rsa.PrivateKey
	base    string
	logs    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var (
	keysOnce                  sync.Once
	sodKey, onlineKey, ptnKey *rsa.PrivateKey
)

func newEnv(t testing.TB, opts ...auth.Option) *env {
	t.Helper()
	keysOnce.Do(func() { sodKey, onlineKey, ptnKey = newKey(t), newKey(t), newKey(t) })
	e := &env{t: t, clock: &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}, sod: sodKey, online: onlineKey, partner: ptnKey, logs: &syncBuffer{}}
	e.dbPath = filepath.Join(t.TempDir(), "quotekit.db")
	ctx := context.Background()
	store, err := sqlite.Open(ctx, e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e.store = store
	keys, err := tenancy.NewKeyring(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewSuperOfficeVerifier(ctx, auth.SuperOfficeConfig{
		Envs: []auth.Env{
			{Name: "sod", Mode: connector.EnvironmentTest, Keys: []crypto.PublicKey{&e.sod.PublicKey}},
			{Name: "online", Mode: connector.EnvironmentLive, Keys: []crypto.PublicKey{&e.online.PublicKey}},
		},
		Clock: e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.admin = tenancy.NewService(store, tenancy.WithKeyring(keys), tenancy.WithClock(e.clock.Now))
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.svc = auth.NewService(store, append([]auth.Option{
		auth.WithSuperOffice(verifier), auth.WithKeyring(keys), auth.WithPartnerKey(e.partner),
		auth.WithClock(e.clock.Now), auth.WithLogger(logger),
		// These tests fail on purpose far more often than any real client; TestRateLimit
		// sets its own limits.
		auth.WithRateLimits(auth.Limit{Burst: 100_000, Every: time.Millisecond}),
	}, opts...)...)
	h, err := server.New(connector.Unsupported{}, e.svc, server.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.base = srv.URL
	return e
}

// tenant adds an enabled tenant trusting appID.
func (e *env) tenant(id string, mode connector.Environment) {
	e.t.Helper()
	err := e.store.CreateTenant(context.Background(), tenancy.Tenant{
		ID: id, Name: id + " AS", Environment: mode, AppIDs: []string{appID}, Enabled: true,
		Config: map[string]string{"erp-url": "https://erp.example.com"}, CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now(),
	}, tenancy.AuditEvent{TenantID: id, Kind: "tenant.created", At: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) secret(tenantID string) (string, tenancy.Secret) {
	e.t.Helper()
	plain, sec, err := e.admin.CreateSecret(context.Background(), tenantID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return plain, sec
}

// soJWT signs a SuperOffice-shaped connector token; edit changes its claims.
func (e *env) soJWT(key *rsa.PrivateKey, tenantID string, edit func(jwt.Token)) string {
	e.t.Helper()
	now := e.clock.Now()
	tok := jwt.New()
	_ = tok.Set(jwt.IssuerKey, "SuperOffice AS")
	_ = tok.Set(jwt.AudienceKey, "spn:"+appID)
	_ = tok.Set(jwt.IssuedAtKey, now)
	_ = tok.Set(jwt.ExpirationKey, now.Add(5*time.Minute))
	_ = tok.Set("nonce", "n0nce-123")
	_ = tok.Set("http://schemes.superoffice.net/identity/ctx", tenantID)
	_ = tok.Set("http://schemes.superoffice.net/identity/associateid", "12")
	_ = tok.Set("http://schemes.superoffice.net/identity/email", "kari.holm@example.no")
	if edit != nil {
		edit(tok)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, key))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(signed)
}

// hs256 signs the JWT SuperOffice's draft describes: HS256 with the shared secret.
func (e *env) hs256(secret, tenantID string) string {
	e.t.Helper()
	now := e.clock.Now()
	tok := jwt.New()
	_ = tok.Set(jwt.IssuedAtKey, now)
	_ = tok.Set(jwt.ExpirationKey, now.Add(5*time.Minute))
	_ = tok.Set("http://schemes.superoffice.net/identity/ctx", tenantID)
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, []byte(secret)))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(signed)
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) post(path, authz, contentType, body string) answer {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// token exchanges a credential at /Authenticate and returns the access token.
func (e *env) token(authz string) string {
	e.t.Helper()
	a := e.post("/Authenticate", authz, "", "")
	var tok model.AccessTokenResponse
	if a.status != http.StatusOK || json.Unmarshal(a.body, &tok) != nil {
		e.t.Fatalf("/Authenticate: %d %s", a.status, a.body)
	}
	return tok.AccessToken
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// operations lists the contract's operations: every POST path but the token endpoints.
func operations(t *testing.T) []string {
	t.Helper()
	doc, err := openapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path := range doc.Paths.Map() {
		if path != "/Authenticate" && path != "/oauth/access_token" && !strings.HasPrefix(path, "/admin/") {
			ops = append(ops, strings.TrimPrefix(path, "/"))
		}
	}
	if len(ops) != 27 {
		t.Fatalf("%d operations in the contract, want 27", len(ops))
	}
	return ops
}

// TestEveryRouteIsProtected runs the authentication table against every operation: a
// route that skipped authentication is the classic hole.
func TestEveryRouteIsProtected(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	access := e.token("Bearer " + secret)

	accepted := []struct{ name, authz string }{
		{"access token", "Bearer " + access},
		{"Basic tenant:secret", basic("Cust100", secret)},
		{"raw Basic form of SuperOffice's draft", "Basic Cust100:" + secret},
		{"HS256 JWT signed with the secret", "Bearer " + e.hs256(secret, "Cust100")},
	}
	refused := []struct {
		name, authz, challenge string
		status                 int
	}{
		{"no credential", "", `Bearer realm="quotekit"`, 401},
		{"unknown token", "Bearer qk_at_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA000000", `Bearer realm="quotekit", error="invalid_token", error_description="Invalid credential"`, 401},
		{"secret as a bearer token", "Bearer " + secret, `Bearer realm="quotekit", error="invalid_token", error_description="Invalid credential"`, 401},
		{"malformed header", "Bearer  x", `Bearer realm="quotekit", error="invalid_request", error_description="Malformed credential"`, 400},
		{"wrong Basic secret", basic("Cust100", "qk_sk_test_nope"), `Bearer realm="quotekit", error="invalid_token", error_description="Invalid credential"`, 401},
	}
	for _, op := range operations(t) {
		t.Run(op, func(t *testing.T) {
			// A SuperOffice JWT is accepted once: each operation gets its own.
			fresh := e.soJWT(e.sod, "Cust100", func(tok jwt.Token) { _ = tok.Set(jwt.JwtIDKey, op) })
			accepted := append(accepted, struct{ name, authz string }{"SuperOffice JWT", "Bearer " + fresh})
			for _, c := range accepted {
				a := e.post("/"+op, c.authz, "application/json", `{}`)
				if a.status == 401 || a.status == 403 || (a.status != 404 && op != "GetCapabilities") {
					t.Errorf("%s: status %d: %s", c.name, a.status, a.body)
				}
			}
			for _, c := range refused {
				a := e.post("/"+op, c.authz, "application/json", `{}`)
				if a.status != c.status || a.header.Get("WWW-Authenticate") != c.challenge {
					t.Errorf("%s: status %d, challenge %q", c.name, a.status, a.header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

func TestAuthenticateWithSharedSecret(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	a := e.post("/Authenticate", "Bearer "+secret, "", "")
	var tok model.AccessTokenResponse
	if a.status != 200 || json.Unmarshal(a.body, &tok) != nil {
		t.Fatalf("%d %s", a.status, a.body)
	}
	if !strings.HasPrefix(tok.AccessToken, "qk_at_test_") || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.IssuedAt != e.clock.Now().Unix() {
		t.Errorf("token answer %+v", tok)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Error("token answer may be cached")
	}
	if e.post("/FindProduct", "Bearer "+tok.AccessToken, "application/json", `{}`).status != 404 {
		t.Error("the new token does not reach the connector")
	}

	t.Run("expires after an hour", func(t *testing.T) {
		e.clock.Add(time.Hour)
		defer e.clock.Add(-time.Hour)
		if a := e.post("/FindProduct", "Bearer "+tok.AccessToken, "application/json", `{}`); a.status != 401 {
			t.Errorf("expired token: %d", a.status)
		}
	})
	t.Run("an access token cannot mint another", func(t *testing.T) {
		if a := e.post("/Authenticate", "Bearer "+tok.AccessToken, "", ""); a.status != 401 {
			t.Errorf("status %d", a.status)
		}
	})
}

// TestRefusalsLookAlike: unknown tenant, wrong tenant, wrong secret, revoked, expired and
// disabled all answer the same bytes (the request id aside).
func TestRefusalsLookAlike(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	e.tenant("Cust200", connector.EnvironmentTest)
	e.tenant("Cust300", connector.EnvironmentLive)
	good, _ := e.secret("Cust100")
	other, _ := e.secret("Cust200")
	revoked, rs := e.secret("Cust100")
	if err := e.admin.RevokeSecret(context.Background(), "Cust100", rs.ID, "test"); err != nil {
		t.Fatal(err)
	}
	wrong, _ := tenancy.NewCredential(tenancy.KindSecret, connector.EnvironmentTest)
	liveTenantWithTestSecret := "Basic " + base64.StdEncoding.EncodeToString([]byte("Cust300:"+good))

	cases := map[string]string{
		"unknown tenant":           basic("Cust999", good),
		"another tenant's secret":  basic("Cust100", other),
		"wrong secret":             basic("Cust100", wrong),
		"revoked secret":           basic("Cust100", revoked),
		"test secret, live tenant": liveTenantWithTestSecret,
		"bad checksum":             basic("Cust100", flipAt(good, len(good)-1)),
	}
	var first []byte
	for name, authz := range cases {
		a := e.post("/Authenticate", authz, "", "")
		if a.status != 401 {
			t.Fatalf("%s: status %d", name, a.status)
		}
		body := stripRequestID(t, a.body)
		if first == nil {
			first = body
		} else if !bytes.Equal(body, first) {
			t.Errorf("%s answers differently:\n%s\n%s", name, body, first)
		}
	}
	if err := e.store.SetTenantEnabled(context.Background(), "Cust100", false, e.clock.Now(), tenancy.AuditEvent{TenantID: "Cust100", Kind: "tenant.disabled", At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if a := e.post("/Authenticate", basic("Cust100", good), "", ""); a.status != 401 || !bytes.Equal(stripRequestID(t, a.body), first) {
		t.Errorf("disabled tenant: %d %s", a.status, a.body)
	}
	if a := e.post("/Authenticate", basic("Cust100", wrong), "", ""); a.header.Get("Cache-Control") != "no-store" || a.header.Get("Pragma") != "no-cache" {
		t.Errorf("a 401 may be cached: %v", a.header)
	}
	refusals, err := e.store.AuditEvents(context.Background(), tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}, Limit: 100})
	if err != nil || len(refusals) == 0 {
		t.Fatalf("no refusal audited: %v", err)
	}
	e.noLeaks(good, other, revoked, wrong)
}

func stripRequestID(t *testing.T, body []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s", body)
	}
	delete(m, "request_id")
	b, _ := json.Marshal(m)
	return b
}

// noLeaks fails when any credential appears in the logs or the audit table.
func (e *env) noLeaks(credentials ...string) {
	e.t.Helper()
	logs := e.logs.String()
	events, err := e.store.AuditEvents(context.Background(), tenancy.AuditFilter{Limit: 10000})
	if err != nil {
		e.t.Fatal(err)
	}
	audit, _ := json.Marshal(events)
	for _, c := range credentials {
		if c == "" {
			continue
		}
		if strings.Contains(logs, c) || bytes.Contains(audit, []byte(c)) {
			e.t.Errorf("a credential (%.12s…) reached the logs or the audit table", c)
		}
	}
}

func TestRollAndRevoke(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.tenant("Cust100", connector.EnvironmentTest)
	old, oldSec := e.secret("Cust100")
	oldToken := e.token("Bearer " + old)

	rolled, _, err := e.admin.RollSecret(ctx, "Cust100", oldSec.ID, 24*time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{old, rolled} {
		if a := e.post("/Authenticate", "Bearer "+s, "", ""); a.status != 200 {
			t.Fatalf("during the overlap: %d", a.status)
		}
	}
	e.clock.Add(24 * time.Hour) // expires_at == now is expired
	if a := e.post("/Authenticate", "Bearer "+old, "", ""); a.status != 401 {
		t.Errorf("old secret after the overlap: %d", a.status)
	}
	if a := e.post("/Authenticate", "Bearer "+rolled, "", ""); a.status != 200 {
		t.Errorf("new secret after the overlap: %d", a.status)
	}
	e.clock.Add(-24 * time.Hour)

	if _, _, err := e.admin.RollSecret(ctx, "Cust100", oldSec.ID, 31*24*time.Hour, "test"); err == nil {
		t.Error("an overlap beyond the maximum was accepted")
	}
	if err := e.admin.RevokeSecret(ctx, "Cust100", oldSec.ID, "test"); err != nil {
		t.Fatal(err)
	}
	if a := e.post("/FindProduct", "Bearer "+oldToken, "application/json", `{}`); a.status != 401 {
		t.Errorf("a token of a revoked secret still works: %d", a.status)
	}
	if _, _, err := e.admin.RollSecret(ctx, "Cust100", oldSec.ID, time.Hour, "test"); err == nil {
		t.Error("rolled a revoked secret")
	}
	e.noLeaks(old, rolled, oldToken)
}

func TestSuperOfficeJWT(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.tenant("Cust100", connector.EnvironmentTest)
	e.tenant("Cust300", connector.EnvironmentLive)
	if err := e.store.SetUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust100", AssociateID: 12, ERPUser: "SALES-7"}, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}

	raw := e.soJWT(e.sod, "Cust100", nil)
	a := e.post("/Authenticate", "Bearer "+raw, "", "")
	var tok model.AccessTokenResponse
	if a.status != 200 || json.Unmarshal(a.body, &tok) != nil {
		t.Fatalf("%d %s", a.status, a.body)
	}
	nonce, at, err := auth.VerifyApplicationToken(&e.partner.PublicKey, tok.SignedApplicationToken)
	if err != nil || nonce != "n0nce-123" || !at.Equal(e.clock.Now().Truncate(time.Minute)) {
		t.Errorf("signed application token %q: %v %s %v", tok.SignedApplicationToken, err, nonce, at)
	}

	t.Run("replay", func(t *testing.T) {
		if a := e.post("/Authenticate", "Bearer "+raw, "", ""); a.status != 401 {
			t.Errorf("the same JWT minted twice: %d", a.status)
		}
	})
	t.Run("in the body as SignedToken", func(t *testing.T) {
		body := `{"SignedToken":"` + e.soJWT(e.sod, "Cust100", func(tk jwt.Token) { _ = tk.Set(jwt.JwtIDKey, "second") }) + `"}`
		if a := e.post("/Authenticate", "", "application/json", body); a.status != 200 {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	tests := []struct {
		name string
		raw  string
	}{
		{"live key for a test tenant", e.soJWT(e.online, "Cust100", nil)},
		{"test key for a live tenant", e.soJWT(e.sod, "Cust300", nil)},
		{"another app's audience", e.soJWT(e.sod, "Cust100", func(tk jwt.Token) { _ = tk.Set(jwt.AudienceKey, "spn:someone-else") })},
		{"unknown tenant", e.soJWT(e.sod, "Cust999", nil)},
		{"signed by a stranger", e.soJWT(newKey(t), "Cust100", nil)},
		{"expired", e.soJWT(e.sod, "Cust100", func(tk jwt.Token) {
			_ = tk.Set(jwt.IssuedAtKey, e.clock.Now().Add(-9*time.Minute))
			_ = tk.Set(jwt.ExpirationKey, e.clock.Now().Add(-2*time.Minute))
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := e.post("/Authenticate", "Bearer "+tt.raw, "", ""); a.status != 401 {
				t.Errorf("status %d: %s", a.status, a.body)
			}
		})
	}

	t.Run("the connector sees the user and the ERP user", func(t *testing.T) {
		var seen connector.Tenant
		conn := &probe{seen: func(tn connector.Tenant) { seen = tn }}
		h, _ := server.New(conn, e.svc)
		srv := httptest.NewServer(h)
		defer srv.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/FindProduct", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if seen.ID != "Cust100" || seen.User == nil || seen.User.AssociateID != 12 || seen.User.ERPUser != "SALES-7" || seen.Config.String("erp-url") == "" {
			t.Errorf("connector saw %+v (user %+v)", seen, seen.User)
		}
	})
	e.noLeaks(raw, tok.AccessToken)
}

type probe struct {
	connector.Unsupported
	seen func(connector.Tenant)
}

func (p *probe) FindProduct(ctx context.Context, _ *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	t, _ := connector.TenantFrom(ctx)
	p.seen(t)
	return nil, nil
}

func TestClientCredentialsEndpoint(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"Cust100"}, "client_secret": {secret}}.Encode()
	a := e.post("/oauth/access_token", "", "application/x-www-form-urlencoded", form)
	var tok map[string]any
	if a.status != 200 || json.Unmarshal(a.body, &tok) != nil {
		t.Fatalf("%d %s", a.status, a.body)
	}
	if _, ok := tok["refresh_token"]; ok || tok["token_type"] != "Bearer" {
		t.Errorf("answer %v", tok)
	}
	bad := url.Values{"grant_type": {"client_credentials"}, "client_id": {"Cust100"}, "client_secret": {"qk_sk_test_x"}}.Encode()
	a = e.post("/oauth/access_token", "", "application/x-www-form-urlencoded", bad)
	if a.status != 401 || a.header.Get("WWW-Authenticate") != `Basic realm="quotekit"` || !bytes.Contains(a.body, []byte(`"error":"invalid_client"`)) {
		t.Errorf("bad client: %d %q %s", a.status, a.header.Get("WWW-Authenticate"), a.body)
	}
	a = e.post("/oauth/access_token", "", "application/x-www-form-urlencoded", "grant_type=password&client_id=Cust100&client_secret=x")
	if a.status != 400 || !bytes.Contains(a.body, []byte(`"error":"unsupported_grant_type"`)) {
		t.Errorf("password grant: %d %s", a.status, a.body)
	}
	e.noLeaks(secret)
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, auth.WithRateLimits(auth.Limit{Burst: 3, Every: time.Minute}))
	e.tenant("Cust100", connector.EnvironmentTest)
	for range 3 {
		if a := e.post("/Authenticate", "Bearer qk_sk_test_wrong", "", ""); a.status != 401 {
			t.Fatalf("status %d", a.status)
		}
	}
	a := e.post("/Authenticate", "Bearer qk_sk_test_wrong", "", "")
	if a.status != 429 || a.header.Get("Retry-After") == "" || a.header.Get("WWW-Authenticate") != "" {
		t.Errorf("fourth failure: %d, Retry-After %q", a.status, a.header.Get("Retry-After"))
	}
	e.clock.Add(time.Minute)
	if a := e.post("/Authenticate", "Bearer qk_sk_test_wrong", "", ""); a.status != 401 {
		t.Errorf("after waiting: %d", a.status)
	}
}

// TestRevokeRacesAuthenticate: a token minted while its secret is revoked is either
// refused or revoked with the secret, never left alive.
func TestRevokeRacesAuthenticate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.tenant("Cust100", connector.EnvironmentTest)
	for round := range 5 {
		secret, sec := e.secret("Cust100")
		var tokens []string
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := e.post("/Authenticate", "Bearer "+secret, "", "")
				if a.status == 200 {
					var tok model.AccessTokenResponse
					_ = json.Unmarshal(a.body, &tok)
					mu.Lock()
					tokens = append(tokens, tok.AccessToken)
					mu.Unlock()
				} else if a.status != 401 {
					t.Errorf("round %d: status %d", round, a.status)
				}
			}()
		}
		if err := e.admin.RevokeSecret(ctx, "Cust100", sec.ID, "test"); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for _, tok := range tokens {
			if a := e.post("/FindProduct", "Bearer "+tok, "application/json", `{}`); a.status != 401 {
				t.Errorf("round %d: a token outlived its secret's revocation: %d", round, a.status)
			}
		}
	}
}

func TestConcurrentReplay(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	raw := e.soJWT(e.sod, "Cust100", nil)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e.post("/Authenticate", "Bearer "+raw, "", "").status == 200 {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Errorf("%d of 10 concurrent uses of one JWT minted a token, want exactly 1", ok.Load())
	}
}

// TestTwoHandlesOneFile: a revocation through one store handle is seen through another
// on the same file at once, as with two processes sharing the database.
func TestTwoHandlesOneFile(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, sec := e.secret("Cust100")
	tok := e.token("Bearer " + secret)
	other, err := sqlite.Open(context.Background(), e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := tenancy.NewService(other, tenancy.WithKeyring(nil), tenancy.WithClock(e.clock.Now)).RevokeSecret(context.Background(), "Cust100", sec.ID, "other-process"); err != nil {
		t.Fatal(err)
	}
	if a := e.post("/FindProduct", "Bearer "+tok, "application/json", `{}`); a.status != 401 {
		t.Errorf("revoked elsewhere, still accepted here: %d", a.status)
	}
}

func TestBadChecksumNeedsNoStore(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	e.store.Close() // any lookup would now fail with a store error (5xx)
	forged := flipAt(secret, len(secret)-1)
	if a := e.post("/Authenticate", "Bearer "+forged, "", ""); a.status != 401 {
		t.Errorf("bad checksum: %d %s", a.status, a.body)
	}
}

func TestDisablingATenantEndsItsTokens(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	tok := e.token("Bearer " + secret)
	e.clock.Add(time.Second)
	if err := e.store.SetTenantEnabled(context.Background(), "Cust100", false, e.clock.Now(), tenancy.AuditEvent{TenantID: "Cust100", Kind: "tenant.disabled", At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if a := e.post("/FindProduct", "Bearer "+tok, "application/json", `{}`); a.status != 401 {
		t.Errorf("token of a disabled tenant: %d", a.status)
	}
	if err := e.store.SetTenantEnabled(context.Background(), "Cust100", true, e.clock.Now(), tenancy.AuditEvent{TenantID: "Cust100", Kind: "tenant.enabled", At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if a := e.post("/FindProduct", "Bearer "+tok, "application/json", `{}`); a.status != 401 {
		t.Errorf("re-enabling revived a token issued before the disable: %d", a.status)
	}
	e.clock.Add(time.Second) // tokens issued at the disabling instant itself stay invalid
	if a := e.post("/FindProduct", "Bearer "+e.token("Bearer "+secret), "application/json", `{}`); a.status != 404 {
		t.Errorf("a new token after re-enabling: %d", a.status)
	}
}

// TestStoreFailureIsUnavailable: when the token cannot be written the answer is 503 with
// Retry-After, never a token and never a 401 that would send NetServer into a retry.
func TestStoreFailureIsUnavailable(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	ro, err := sqlite.Open(context.Background(), e.dbPath, sqlite.WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	svc := auth.NewService(ro, auth.WithClock(e.clock.Now))
	h, err := server.New(connector.Unsupported{}, svc)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/Authenticate", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || bytes.Contains(body, []byte("qk_at_")) {
		t.Errorf("status %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	b.Run("shared secret", func(b *testing.B) {
		e := benchEnv(b)
		secret, _ := e.secret("Cust100")
		e.benchToken(b, func(int) string { return "Bearer " + secret })
	})
	for _, withNonce := range []bool{false, true} {
		name := "SuperOffice RS256 JWT"
		if withNonce {
			name += " with nonce (signs the application token)"
		}
		b.Run(name, func(b *testing.B) {
			e := benchEnv(b)
			// Each JWT can be used once (the replay cache refuses a second use), so every
			// call gets its own, signed before the timer starts.
			jwts := make([]string, b.N)
			for i := range jwts {
				jwts[i] = "Bearer " + e.soJWT(e.sod, "Cust100", func(tk jwt.Token) {
					_ = tk.Set(jwt.JwtIDKey, strconv.Itoa(i))
					if !withNonce {
						_ = tk.Remove("nonce")
					}
				})
			}
			e.benchToken(b, func(i int) string { return jwts[i] })
		})
	}
}

// benchToken measures Service.Token, the work behind POST /Authenticate, b.N times.
func (e *env) benchToken(b *testing.B, authz func(i int) string) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := httptest.NewRequest(http.MethodPost, "/Authenticate", nil)
		r.Header.Set("Authorization", authz(i))
		if _, err := e.svc.Token(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenCheck is the per-request cost of an access token on an operation call.
func BenchmarkTokenCheck(b *testing.B) {
	e := benchEnv(b)
	secret, _ := e.secret("Cust100")
	tok := e.token("Bearer " + secret)
	r := httptest.NewRequest(http.MethodPost, "/FindProduct", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEnv(b *testing.B) *env {
	e := newEnv(b)
	e.tenant("Cust100", connector.EnvironmentTest)
	return e
}

func TestHS256Refusals(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	sign := func(claims map[string]any, key string) string {
		tok := jwt.New()
		for k, v := range claims {
			_ = tok.Set(k, v)
		}
		signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, []byte(key)))
		if err != nil {
			t.Fatal(err)
		}
		return string(signed)
	}
	now := e.clock.Now()
	ctxClaim := "http://schemes.superoffice.net/identity/ctx"
	tests := map[string]string{
		"another key":       sign(map[string]any{ctxClaim: "Cust100", "iat": now, "exp": now.Add(time.Minute)}, "not-the-secret"),
		"no exp":            sign(map[string]any{ctxClaim: "Cust100", "iat": now}, secret),
		"expired":           sign(map[string]any{ctxClaim: "Cust100", "iat": now.Add(-5 * time.Minute), "exp": now.Add(-2 * time.Minute)}, secret),
		"lifetime too long": sign(map[string]any{ctxClaim: "Cust100", "iat": now, "exp": now.Add(time.Hour)}, secret),
		"no tenant":         sign(map[string]any{"iat": now, "exp": now.Add(time.Minute)}, secret),
		"another tenant":    sign(map[string]any{ctxClaim: "Cust200", "iat": now, "exp": now.Add(time.Minute)}, secret),
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			if a := e.post("/FindProduct", "Bearer "+raw, "application/json", `{}`); a.status != 401 {
				t.Errorf("status %d", a.status)
			}
		})
	}
	t.Run("not at /Authenticate", func(t *testing.T) {
		if a := e.post("/Authenticate", "Bearer "+e.hs256(secret, "Cust100"), "", ""); a.status != 401 {
			t.Errorf("an HS256 JWT minted a token: %d", a.status)
		}
	})
}

func TestAuthenticateRequestShapes(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	tests := []struct {
		name, authz, contentType, body string
		status                         int
		challenge                      string
	}{
		{"no credential, empty body", "", "", "", 401, `Bearer realm="quotekit"`},
		{"body over the token endpoints' limit", "", "application/json", `{"SignedToken":"` + strings.Repeat("a", 2<<20) + `"}`, 413, ""},
		{"SQL in the tenant", basic("Cust100' OR '1'='1", secret), "", "", 401, `Basic realm="quotekit"`},
		{"tenant with a path", basic("../Cust100", secret), "", "", 401, `Basic realm="quotekit"`},
		{"full-width digits", basic("Cust１００", secret), "", "", 401, `Basic realm="quotekit"`},
		{"secret with a suffix", "Bearer " + secret + "x", "", "", 401, `Bearer realm="quotekit", error="invalid_token", error_description="Invalid credential"`},
		{"secret truncated", "Bearer " + secret[:len(secret)-3], "", "", 401, `Bearer realm="quotekit", error="invalid_token", error_description="Invalid credential"`},
		{"prefix only", "Bearer qk_sk_test_", "", "", 401, `Bearer realm="quotekit", error="invalid_token", error_description="Invalid credential"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.post("/Authenticate", tt.authz, tt.contentType, tt.body)
			if a.status != tt.status || a.header.Get("WWW-Authenticate") != tt.challenge {
				t.Errorf("status %d, challenge %q: %.200s", a.status, a.header.Get("WWW-Authenticate"), a.body)
			}
		})
	}
	e.noLeaks(secret)
}

// TestEnvironmentSwitch: a tenant moved from test to live no longer accepts what was
// issued for it as a test tenant.
func TestEnvironmentSwitch(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	tok := e.token("Bearer " + secret)
	tn, err := e.store.Tenant(ctx, "Cust100")
	if err != nil {
		t.Fatal(err)
	}
	tn.Environment = connector.EnvironmentLive
	if err := e.store.UpdateTenant(ctx, tn, tenancy.AuditEvent{TenantID: "Cust100", Kind: "tenant.updated", At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if a := e.post("/FindProduct", "Bearer "+tok, "application/json", `{}`); a.status != 401 {
		t.Errorf("test token on a live tenant: %d", a.status)
	}
	if a := e.post("/Authenticate", "Bearer "+secret, "", ""); a.status != 401 {
		t.Errorf("test secret on a live tenant: %d", a.status)
	}
	if a := e.post("/Authenticate", "Bearer "+e.soJWT(e.sod, "Cust100", nil), "", ""); a.status != 401 {
		t.Errorf("sod JWT for a live tenant: %d", a.status)
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEnv(t, auth.WithMetrics(reg))
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	e.token("Bearer " + secret)
	e.post("/Authenticate", basic("Cust100", "qk_sk_test_wrong"), "", "")
	got := map[string]float64{}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			got[key] = m.GetCounter().GetValue()
		}
	}
	for key, want := range map[string]float64{
		"quotekit_tokens_issued_total,method=secret":                    1,
		"quotekit_auth_outcomes_total,outcome=ok,reason=":               1,
		"quotekit_auth_outcomes_total,outcome=refused,reason=malformed": 1,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v (all: %v)", key, got[key], want, got)
		}
	}
}
