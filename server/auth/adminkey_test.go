package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

// adminEnv is env with a Service that also checks admin keys, through a store wrapper
// that counts admin key lookups.
type adminEnv struct {
	*env
	svc     *auth.Service
	lookups *countingKeys
}

// countingKeys counts the lookups of admin keys by hash.
type countingKeys struct {
	tenancy.AdminKeyStore
	n atomic.Int64
}

func (c *countingKeys) AdminKeyByHash(ctx context.Context, hash [32]byte) (tenancy.AdminKey, error) {
	c.n.Add(1)
	return c.AdminKeyStore.AdminKeyByHash(ctx, hash)
}

func newAdminEnv(t *testing.T, opts ...auth.Option) *adminEnv {
	t.Helper()
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	keys := &countingKeys{AdminKeyStore: e.store}
	svc := auth.NewService(e.store, append([]auth.Option{
		auth.WithAdminKeys(keys), auth.WithClock(e.clock.Now), auth.WithLogger(slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		auth.WithRateLimits(auth.Limit{Burst: 100_000, Every: time.Millisecond}),
	}, opts...)...)
	return &adminEnv{env: e, svc: svc, lookups: keys}
}

// adminKey creates a test-mode admin key with the scopes.
func (e *adminEnv) adminKey(scopes ...tenancy.Scope) (string, tenancy.AdminKey) {
	e.t.Helper()
	plain, k, err := e.admin.CreateAdminKey(context.Background(), "key for "+e.t.Name(), scopes, connector.EnvironmentTest, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return plain, k
}

// adminRequest is a request to the admin API with the headers.
func adminRequest(headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/tenants", nil)
	r.RemoteAddr = "192.0.2.7:4321"
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

func TestCreateAdminKey(t *testing.T) {
	e := newAdminEnv(t)
	ctx := context.Background()
	plain, k, err := e.admin.CreateAdminKey(ctx, "ops dashboard",
		[]tenancy.Scope{tenancy.ScopeSupport, tenancy.ScopeTenantsRead, tenancy.ScopeSupport}, connector.EnvironmentLive, "cli:ann")
	if err != nil {
		t.Fatal(err)
	}
	c, err := auth.ParseCredential(plain)
	if err != nil || c.Kind != tenancy.KindAdminKey || c.Mode != connector.EnvironmentLive || !strings.HasPrefix(plain, "qk_ak_live_") {
		t.Fatalf("key %.14s…: %+v, %v", plain, c, err)
	}
	if k.ID == 0 || k.Hash != c.Hash() || k.Display != c.Display() || k.Last4 != c.Last4() || k.Name != "ops dashboard" ||
		!reflect.DeepEqual(k.Scopes, []tenancy.Scope{tenancy.ScopeTenantsRead, tenancy.ScopeSupport}) || !k.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("key %+v", k)
	}
	stored, err := e.store.AdminKeyByHash(ctx, c.Hash())
	if err != nil || !reflect.DeepEqual(stored, k) {
		t.Errorf("stored %+v, %v\nwant   %+v", stored, err, k)
	}
	evs, _ := e.store.AuditEvents(ctx, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAdminKeyCreated}})
	if len(evs) != 1 || evs[0].Actor != "cli:ann" || evs[0].Credential != k.Display || evs[0].TenantID != "" || evs[0].Reason != "scopes=tenants:read,support" {
		t.Errorf("audit %+v", evs)
	}

	bad := []struct {
		name   string
		key    string
		scopes []tenancy.Scope
		mode   connector.Environment
		want   error
	}{
		{"no scope", "x", nil, connector.EnvironmentTest, tenancy.ErrBadScope},
		{"an unknown scope", "x", []tenancy.Scope{tenancy.ScopeSupport, "tenants:*"}, connector.EnvironmentTest, tenancy.ErrBadScope},
		{"a scope in capitals", "x", []tenancy.Scope{"SUPPORT"}, connector.EnvironmentTest, tenancy.ErrBadScope},
		{"no name", "", []tenancy.Scope{tenancy.ScopeSupport}, connector.EnvironmentTest, tenancy.ErrBadName},
		{"a name with a line break", "ops\nroot", []tenancy.Scope{tenancy.ScopeSupport}, connector.EnvironmentTest, tenancy.ErrBadName},
		{"a long name", strings.Repeat("x", tenancy.MaxAdminKeyName+1), []tenancy.Scope{tenancy.ScopeSupport}, connector.EnvironmentTest, tenancy.ErrBadName},
		{"an unknown mode", "x", []tenancy.Scope{tenancy.ScopeSupport}, "prod", nil},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := e.store.ListAdminKeys(ctx)
			_, _, err := e.admin.CreateAdminKey(ctx, tt.key, tt.scopes, tt.mode, "test")
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if after, _ := e.store.ListAdminKeys(ctx); len(after) != len(before) {
				t.Error("a key was stored")
			}
		})
	}
}

func TestAuthenticateAdminScopes(t *testing.T) {
	e := newAdminEnv(t)
	for _, has := range tenancy.AllScopes {
		plain, k := e.adminKey(has)
		for _, how := range []struct{ name, header, value string }{
			{"Bearer", "Authorization", "Bearer " + plain},
			{"api_key", "api_key", plain},
		} {
			for _, need := range tenancy.AllScopes {
				got, err := e.svc.AuthenticateAdmin(adminRequest(how.header, how.value), need)
				switch {
				case need == has && (err != nil || got.ID != k.ID || !got.Has(has)):
					t.Errorf("key with %s via %s, needing %s: %+v, %v", has, how.name, need, got, err)
				case need != has && (!errors.Is(err, auth.ErrForbidden) || errors.Is(err, auth.ErrInvalidCredential) || got.ID != 0):
					t.Errorf("key with %s via %s, needing %s: %+v, %v; want ErrForbidden", has, how.name, need, got, err)
				}
			}
		}
	}
	keys, err := e.store.ListAdminKeys(context.Background())
	if err != nil || len(keys) != len(tenancy.AllScopes) || !keys[0].LastUsed.Equal(e.clock.Now()) {
		t.Errorf("a successful use was not recorded on the key: %+v, %v", keys, err)
	}
	evs, _ := e.store.AuditEvents(context.Background(), tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}, Limit: 1000})
	if want := 2 * len(tenancy.AllScopes) * (len(tenancy.AllScopes) - 1); len(evs) != want {
		t.Fatalf("%d refusals audited, want %d (one per missing scope)", len(evs), want)
	}
	if ev := evs[0]; ev.Reason != "insufficient_scope" || ev.TenantID != "" || !strings.HasPrefix(ev.Actor, "adminkey:") ||
		!strings.HasPrefix(ev.Credential, "qk_ak_test_") || ev.RemoteAddr != "192.0.2.7" {
		t.Errorf("audit %+v", ev)
	}
}

func TestAuthenticateAdminRefusals(t *testing.T) {
	e := newAdminEnv(t)
	ctx := context.Background()
	key, _ := e.adminKey(tenancy.AllScopes...)
	secret, _ := e.secret("Cust100")
	access := e.token("Bearer " + secret)
	revoked, rk := e.adminKey(tenancy.AllScopes...)
	if err := e.admin.RevokeAdminKey(ctx, rk.ID, "test"); err != nil {
		t.Fatal(err)
	}
	unknown, _ := tenancy.NewCredential(tenancy.KindAdminKey, connector.EnvironmentTest)
	forged := flipAt(key, len(key)-1)

	tests := []struct {
		name    string
		headers []string
		want    error
		reason  string
	}{
		{"no credential", nil, auth.ErrNoCredential, ""},
		{"an unsupported scheme", []string{"Authorization", "Digest x"}, auth.ErrNoCredential, ""},
		{"Bearer and api_key", []string{"Authorization", "Bearer " + key, "api_key", key}, auth.ErrMalformed, "malformed"},
		{"api_key twice", []string{"api_key", key, "api_key", key}, auth.ErrMalformed, "malformed"},
		{"an empty api_key", []string{"api_key", ""}, auth.ErrMalformed, "malformed"},
		{"api_key with a space", []string{"api_key", "qk_ak x"}, auth.ErrMalformed, "malformed"},
		{"a shared secret", []string{"Authorization", "Bearer " + secret}, auth.ErrInvalidCredential, "wrong_kind"},
		{"a shared secret in api_key", []string{"api_key", secret}, auth.ErrInvalidCredential, "wrong_kind"},
		{"an access token", []string{"Authorization", "Bearer " + access}, auth.ErrInvalidCredential, "wrong_kind"},
		{"an access token in api_key", []string{"api_key", access}, auth.ErrInvalidCredential, "wrong_kind"},
		{"Basic tenant:secret", []string{"Authorization", basic("Cust100", secret)}, auth.ErrInvalidCredential, "wrong_kind"},
		{"Basic with an admin key", []string{"Authorization", basic("Cust100", key)}, auth.ErrInvalidCredential, "wrong_kind"},
		{"a SuperOffice JWT", []string{"Authorization", "Bearer " + e.soJWT(e.sod, "Cust100", nil)}, auth.ErrInvalidCredential, "wrong_kind"},
		{"an HS256 JWT", []string{"Authorization", "Bearer " + e.hs256(secret, "Cust100")}, auth.ErrInvalidCredential, "wrong_kind"},
		{"a revoked key", []string{"Authorization", "Bearer " + revoked}, auth.ErrInvalidCredential, "revoked"},
		{"an unknown key", []string{"api_key", unknown}, auth.ErrInvalidCredential, "unknown_key"},
		{"a bad checksum", []string{"Authorization", "Bearer " + forged}, auth.ErrInvalidCredential, "bad_checksum"},
		{"a truncated key", []string{"Authorization", "Bearer " + key[:len(key)-2]}, auth.ErrInvalidCredential, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.lookups.n.Load()
			audits, _ := e.store.AuditEvents(ctx, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}, Limit: 1000})
			got, err := e.svc.AuthenticateAdmin(adminRequest(tt.headers...), tenancy.ScopeTenantsRead)
			if !errors.Is(err, tt.want) || got.ID != 0 {
				t.Fatalf("AuthenticateAdmin = %+v, %v; want %v", got, err, tt.want)
			}
			if errors.Is(tt.want, auth.ErrInvalidCredential) && errors.Is(err, auth.ErrForbidden) {
				t.Error("a refusal that also says forbidden")
			}
			if auth.ReasonOf(err) != tt.reason && tt.reason != "malformed" {
				t.Errorf("reason %q, want %q", auth.ReasonOf(err), tt.reason)
			}
			if looked := e.lookups.n.Load() - before; looked != 0 && tt.reason != "revoked" && tt.reason != "unknown_key" {
				t.Errorf("%d admin key lookups for a credential that is no admin key or fails its checksum", looked)
			}
			after, _ := e.store.AuditEvents(ctx, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}, Limit: 1000})
			switch {
			case tt.reason == "" && len(after) != len(audits):
				t.Errorf("a missing credential was audited: %+v", after[0])
			case tt.reason != "" && (len(after) != len(audits)+1 || after[0].Reason != tt.reason || after[0].TenantID != "" || after[0].RemoteAddr != "192.0.2.7"):
				t.Errorf("refusal audit %+v, want reason %s without a tenant", after, tt.reason)
			}
		})
	}
	e.noLeaks(key, secret, access, revoked, unknown, forged)
}

func TestAuthenticateAdminUnconfigured(t *testing.T) {
	e := newAdminEnv(t)
	key, _ := e.adminKey(tenancy.ScopeTenantsRead)
	svc := auth.NewService(e.store)
	if _, err := svc.AuthenticateAdmin(adminRequest("Authorization", "Bearer "+key), tenancy.ScopeTenantsRead); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("without WithAdminKeys: %v, want ErrUnavailable", err)
	}
}

func TestAuthenticateAdminRateLimit(t *testing.T) {
	e := newAdminEnv(t, auth.WithRateLimits(auth.Limit{Burst: 2, Every: time.Minute}))
	key, _ := e.adminKey(tenancy.ScopeTenantsRead)
	bad, _ := tenancy.NewCredential(tenancy.KindAdminKey, connector.EnvironmentTest)
	for range 2 {
		if _, err := e.svc.AuthenticateAdmin(adminRequest("api_key", bad), tenancy.ScopeTenantsRead); !errors.Is(err, auth.ErrInvalidCredential) {
			t.Fatalf("error %v", err)
		}
	}
	var limited *auth.RateLimitedError
	if _, err := e.svc.AuthenticateAdmin(adminRequest("api_key", bad), tenancy.ScopeTenantsRead); !errors.As(err, &limited) || limited.RetryAfter <= 0 {
		t.Errorf("third failure: %v, want a RateLimitedError", err)
	}
	// Successes are never throttled.
	if _, err := e.svc.AuthenticateAdmin(adminRequest("api_key", key), tenancy.ScopeTenantsRead); err != nil {
		t.Errorf("a valid key from a throttled address: %v", err)
	}
}

// operation is a request for an operation presenting token.
func operation(token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/FindProduct", strings.NewReader(`{}`))
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

func TestSupportToken(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newAdminEnv(t, auth.WithMetrics(reg))
	ctx := context.Background()
	e.tenant("Cust200", connector.EnvironmentLive)
	e.tenant("Cust300", connector.EnvironmentTest)
	if err := e.store.SetTenantEnabled(ctx, "Cust300", false, e.clock.Now(), tenancy.AuditEvent{Kind: "tenant.disabled"}); err != nil {
		t.Fatal(err)
	}
	plainKey, key := e.adminKey(tenancy.ScopeSupport)
	_, readOnly := e.adminKey(tenancy.AllScopes[:len(tenancy.AllScopes)-1]...)

	refusals := []struct {
		name   string
		key    tenancy.AdminKey
		tenant string
		ttl    time.Duration
		want   error
	}{
		{"a key without support", readOnly, "Cust100", 0, auth.ErrForbidden},
		{"a negative ttl", key, "Cust100", -time.Second, auth.ErrBadTTL},
		{"a ttl above the maximum", key, "Cust100", auth.MaxSupportTTL + time.Nanosecond, auth.ErrBadTTL},
		{"an unknown tenant", key, "Cust999", 0, tenancy.ErrNotFound},
		{"a malformed tenant", key, "Cust1' OR '1'='1", 0, tenancy.ErrNotFound},
		{"a disabled tenant", key, "Cust300", 0, tenancy.ErrConflict},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := e.store.AuditEvents(ctx, tenancy.AuditFilter{Limit: 1000})
			tok, err := e.svc.SupportToken(ctx, tt.key, tt.tenant, tt.ttl, "192.0.2.7")
			if !errors.Is(err, tt.want) || tok != nil {
				t.Errorf("SupportToken = %v, %v; want %v", tok, err, tt.want)
			}
			if after, _ := e.store.AuditEvents(ctx, tenancy.AuditFilter{Limit: 1000}); len(after) != len(before) {
				t.Errorf("a refused support token was audited or issued: %+v", after[0])
			}
		})
	}

	t.Run("ttl 0 is the maximum", func(t *testing.T) {
		tok, err := e.svc.SupportToken(ctx, key, "Cust100", 0, "192.0.2.7")
		if err != nil || tok.ExpiresIn != int64(auth.MaxSupportTTL/time.Second) {
			t.Fatalf("%+v, %v", tok, err)
		}
	})
	t.Run("a live tenant gets a live token", func(t *testing.T) {
		tok, err := e.svc.SupportToken(ctx, key, "Cust200", time.Minute, "192.0.2.7")
		if err != nil || !strings.HasPrefix(tok.AccessToken, "qk_at_live_") {
			t.Fatalf("%.12v, %v", tok, err)
		}
		if tn, err := e.svc.Authenticate(operation(tok.AccessToken)); err != nil || tn.ID != "Cust200" {
			t.Errorf("Authenticate = %+v, %v", tn, err)
		}
	})

	tok, err := e.svc.SupportToken(ctx, key, "Cust100", 5*time.Minute, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresIn != 300 || tok.TokenType != "Bearer" || tok.IssuedAt != e.clock.Now().Unix() || tok.SignedApplicationToken != "" {
		t.Errorf("answer %+v", tok)
	}
	tn, err := e.svc.Authenticate(operation(tok.AccessToken))
	if err != nil || tn.ID != "Cust100" || tn.User != nil || tn.Environment != connector.EnvironmentTest || tn.Config.String("erp-url") == "" {
		t.Fatalf("Authenticate = %+v, %v; want Cust100 without a user", tn, err)
	}
	t.Run("it cannot mint a token", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/Authenticate", nil)
		r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if out, err := e.svc.Token(r); !errors.Is(err, auth.ErrInvalidCredential) || out != nil {
			t.Errorf("Token = %v, %v", out, err)
		}
	})
	t.Run("it is no admin key", func(t *testing.T) {
		if _, err := e.svc.AuthenticateAdmin(adminRequest("Authorization", "Bearer "+tok.AccessToken), tenancy.ScopeSupport); !errors.Is(err, auth.ErrInvalidCredential) {
			t.Errorf("AuthenticateAdmin = %v", err)
		}
	})
	t.Run("stored with its actor", func(t *testing.T) {
		toks, err := e.store.ListTokens(ctx, "Cust100", e.clock.Now())
		if err != nil || len(toks) != 2 {
			t.Fatalf("%+v, %v", toks, err)
		}
		for _, k := range toks {
			if k.Method != tenancy.MethodSupport || k.Actor != tenancy.AdminKeyActor(key.ID) || k.SecretID != 0 || k.User != (connector.User{}) {
				t.Errorf("stored token %+v", k)
			}
		}
	})
	t.Run("audited and logged", func(t *testing.T) {
		evs, _ := e.store.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust100", Kinds: []tenancy.EventKind{tenancy.EventSupportToken}})
		if len(evs) != 2 {
			t.Fatalf("audit %+v", evs)
		}
		ev := evs[0]
		if ev.Actor != "adminkey:"+strconv.FormatInt(key.ID, 10) || ev.Reason != "support" || ev.RemoteAddr != "192.0.2.7" ||
			!strings.HasPrefix(tok.AccessToken, ev.Credential) || len(ev.Credential) != len("qk_at_test_")+4 || !ev.At.Equal(e.clock.Now()) {
			t.Errorf("audit %+v", ev)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, `"msg":"support token issued"`) || !strings.Contains(logs, `"admin_key":"`+key.Display+`"`) || !strings.Contains(logs, `"tenant":"Cust100"`) {
			t.Errorf("no log line naming the key and the tenant:\n%s", logs)
		}
	})
	t.Run("expires after its ttl", func(t *testing.T) {
		e.clock.Add(5*time.Minute - time.Nanosecond)
		defer e.clock.Add(-5 * time.Minute)
		if _, err := e.svc.Authenticate(operation(tok.AccessToken)); err != nil {
			t.Errorf("just before expiry: %v", err)
		}
		e.clock.Add(time.Nanosecond)
		if _, err := e.svc.Authenticate(operation(tok.AccessToken)); !errors.Is(err, auth.ErrInvalidCredential) || auth.ReasonOf(err) != "expired" {
			t.Errorf("at expiry: %v", err)
		}
	})
	t.Run("revoking the key revokes it", func(t *testing.T) {
		if err := e.admin.RevokeAdminKey(ctx, key.ID, "cli:ann"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(operation(tok.AccessToken)); !errors.Is(err, auth.ErrInvalidCredential) || auth.ReasonOf(err) != "revoked" {
			t.Errorf("after revoking the key: %v", err)
		}
		if _, err := e.svc.AuthenticateAdmin(adminRequest("api_key", plainKey), tenancy.ScopeSupport); !errors.Is(err, auth.ErrInvalidCredential) {
			t.Errorf("the revoked key: %v", err)
		}
		// A caller still holding the key it authenticated earlier gets no token.
		if out, err := e.svc.SupportToken(ctx, key, "Cust100", 0, "192.0.2.7"); !errors.Is(err, auth.ErrForbidden) || out != nil {
			t.Errorf("SupportToken with a revoked key = %v, %v", out, err)
		}
		evs, _ := e.store.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust100", Kinds: []tenancy.EventKind{tenancy.EventTokensRevoked}})
		if len(evs) != 1 || evs[0].Actor != "cli:ann" || evs[0].Credential != key.Display {
			t.Errorf("the tenant's audit does not show the end of the support access: %+v", evs)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var issued float64
		for _, f := range families {
			for _, m := range f.GetMetric() {
				if f.GetName() == "quotekit_tokens_issued_total" && m.GetLabel()[0].GetValue() == "support" {
					issued = m.GetCounter().GetValue()
				}
			}
		}
		if issued != 3 {
			t.Errorf("support tokens counted %v, want 3", issued)
		}
	})
	e.noLeaks(plainKey, tok.AccessToken)
}

// TestRevokeAdminKeyRacesSupportToken: a support token issued while its admin key is
// revoked is either refused or revoked with the key, never left alive.
func TestRevokeAdminKeyRacesSupportToken(t *testing.T) {
	e := newAdminEnv(t)
	ctx := context.Background()
	for round := range 5 {
		_, key := e.adminKey(tenancy.ScopeSupport)
		var (
			mu     sync.Mutex
			tokens []string
			wg     sync.WaitGroup
		)
		for range 8 {
			wg.Go(func() {
				tok, err := e.svc.SupportToken(ctx, key, "Cust100", 0, "192.0.2.7")
				switch {
				case err == nil:
					mu.Lock()
					tokens = append(tokens, tok.AccessToken)
					mu.Unlock()
				case !errors.Is(err, auth.ErrForbidden):
					t.Errorf("round %d: %v", round, err)
				}
			})
		}
		if err := e.admin.RevokeAdminKey(ctx, key.ID, "test"); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for _, tok := range tokens {
			if _, err := e.svc.Authenticate(operation(tok)); !errors.Is(err, auth.ErrInvalidCredential) {
				t.Errorf("round %d: a support token outlived its key's revocation: %v", round, err)
			}
		}
	}
}
