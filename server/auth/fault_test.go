package auth_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/tenancy"
)

// faultServer serves the operations, the token endpoints and the admin API on store, the
// way app.Serve wires them, and returns their base URLs.
func faultServer(t *testing.T, e *env, store *sqlite.Store, opts ...auth.Option) (ops, admin string) {
	t.Helper()
	svc := auth.NewService(store, append([]auth.Option{
		auth.WithClock(e.clock.Now), auth.WithAdminKeys(store),
		auth.WithRateLimits(auth.Limit{Burst: 1000, Every: time.Millisecond}),
	}, opts...)...)
	h, err := server.New(connector.Unsupported{}, svc)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	adm := httptest.NewServer(server.NewAdmin(svc, store, tenancy.NewService(store, tenancy.WithKeyring(nil), tenancy.WithClock(e.clock.Now))))
	t.Cleanup(adm.Close)
	return srv.URL, adm.URL + "/admin/v1/tenants/"
}

// call sends one request; a client timeout bounds the wait, so a hung server fails the
// test instead of stalling it. A request that gets no answer is reported, and its answer
// has status 0. It may run on any goroutine.
func call(t *testing.T, method, url, authz, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return answer{}
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, url, err)
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// wantUnavailable checks a 503 that tells the caller to come back: Retry-After, the
// unavailable problem type, no credential in the body, no challenge (a 401 or a challenge
// would send NetServer into re-authenticating).
func wantUnavailable(t *testing.T, what string, a answer) {
	t.Helper()
	var p struct {
		Type  string `json:"type"`
		Error string `json:"error"`
	}
	switch {
	case a.status != http.StatusServiceUnavailable:
		t.Errorf("%s: status %d, want 503: %s", what, a.status, a.body)
	case a.header.Get("Retry-After") == "":
		t.Errorf("%s: 503 without Retry-After", what)
	case a.header.Get("WWW-Authenticate") != "":
		t.Errorf("%s: 503 with a challenge %q", what, a.header.Get("WWW-Authenticate"))
	case json.Unmarshal(a.body, &p) != nil || p.Type != server.ProblemTypeBase+"unavailable":
		t.Errorf("%s: body %s", what, a.body)
	case bytes.Contains(a.body, []byte("qk_at_")) || bytes.Contains(a.body, []byte("qk_sk_")):
		t.Errorf("%s: a credential in a failed answer: %s", what, a.body)
	}
}

// TestStoreFaultsOverHTTP: while the store cannot write — another connection holds the
// write lock past the busy timeout, or the file is open read-only — every write
// (/Authenticate and /oauth/access_token issuing a token, creating, rolling and revoking
// secrets, revoking tokens) answers 503 with Retry-After, and reads go on: an operation
// with an existing token or with Basic tenant:secret, the admin API's listings. A wrong
// credential is still a 401, although its audit event cannot be written. Nothing changes
// in the database, and once the lock is released writes work again.
//
// The store tests (server/sqlite) show the store's errors; this one shows the answers.
func TestStoreFaultsOverHTTP(t *testing.T) {
	for _, tc := range []struct {
		name string
		// fault opens the store the server uses on path and makes it unable to write;
		// release (nil when the fault stays) ends that.
		fault func(t *testing.T, path string) (store *sqlite.Store, release func())
	}{
		{"locked by BEGIN IMMEDIATE", lockedBy("BEGIN IMMEDIATE")},
		{"locked by BEGIN EXCLUSIVE", lockedBy("BEGIN EXCLUSIVE")},
		{"read-only", func(t *testing.T, path string) (*sqlite.Store, func()) {
			return openStore(t, path, sqlite.WithReadOnly()), nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.tenant("Cust100", connector.EnvironmentTest)
			secret, sec := e.secret("Cust100")
			key, _, err := e.admin.CreateAdminKey(ctx, "ops", []tenancy.Scope{tenancy.ScopeTenantsRead, tenancy.ScopeSecretsWrite, tenancy.ScopeTokensWrite}, connector.EnvironmentTest, "test")
			if err != nil {
				t.Fatal(err)
			}
			token := e.token("Bearer " + secret)
			before := snapshot(t, e)

			store, release := tc.fault(t, e.dbPath)
			ops, admin := faultServer(t, e, store)
			adminKey := "Bearer " + key
			tenant := admin + "Cust100"
			roll := fmt.Sprintf("%s/secrets/%d/roll", tenant, sec.ID)
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"Cust100"}, "client_secret": {secret}}.Encode()

			// NetServer calls for many users at once: every waiting request gets its 503,
			// also those that queued for the store's one write connection.
			var wg sync.WaitGroup
			answers := make([]answer, 8)
			for i := range answers {
				wg.Go(func() { answers[i] = call(t, "POST", ops+"/Authenticate", "Bearer "+secret, "", "") })
			}
			wg.Wait()
			for _, a := range answers {
				wantUnavailable(t, "/Authenticate", a)
			}
			// The other writes, at once too: each waits out the busy timeout.
			for what, send := range map[string]func() answer{
				"/oauth/access_token": func() answer {
					return call(t, "POST", ops+"/oauth/access_token", "", "application/x-www-form-urlencoded", form)
				},
				"roll": func() answer {
					return call(t, "POST", roll, adminKey, "application/json", `{"expire_old_in_seconds":3600}`)
				},
				"create": func() answer { return call(t, "POST", tenant+"/secrets", adminKey, "", "") },
				"revoke secret": func() answer {
					return call(t, "POST", fmt.Sprintf("%s/secrets/%d/revoke", tenant, sec.ID), adminKey, "", "")
				},
				"revoke tokens": func() answer { return call(t, "POST", tenant+"/tokens/revoke", adminKey, "", "") },
			} {
				wg.Go(func() { wantUnavailable(t, what, send()) })
			}
			wg.Wait()

			for what, a := range map[string]answer{
				"an operation with an access token": call(t, "POST", ops+"/GetCapabilities", "Bearer "+token, "", ""),
				"an operation with Basic":           call(t, "POST", ops+"/GetCapabilities", basic("Cust100", secret), "", ""),
				"listing secrets":                   call(t, "GET", tenant+"/secrets", adminKey, "", ""),
				"listing tokens":                    call(t, "GET", tenant+"/tokens", adminKey, "", ""),
			} {
				if a.status != http.StatusOK {
					t.Errorf("%s: status %d: %s", what, a.status, a.body)
				}
			}
			unknown, err := tenancy.NewCredential(tenancy.KindSecret, connector.EnvironmentTest)
			if err != nil {
				t.Fatal(err)
			}
			if a := call(t, "POST", ops+"/Authenticate", "Bearer "+unknown, "", ""); a.status != http.StatusUnauthorized {
				t.Errorf("an unknown secret: status %d, want 401: %s", a.status, a.body)
			}
			if after := snapshot(t, e); after != before {
				t.Errorf("the failed writes changed the database:\nbefore %s\nafter  %s", before, after)
			}

			if release == nil {
				return
			}
			release()
			if a := call(t, "POST", ops+"/Authenticate", "Bearer "+secret, "", ""); a.status != http.StatusOK {
				t.Errorf("/Authenticate after the lock was released: status %d: %s", a.status, a.body)
			}
			if a := call(t, "POST", roll, adminKey, "application/json", `{"expire_old_in_seconds":3600}`); a.status != http.StatusCreated {
				t.Errorf("roll after the lock was released: status %d: %s", a.status, a.body)
			}
		})
	}
}

// lockedBy opens a store with a short busy timeout and holds the database's write lock
// from another connection with begin until release.
func lockedBy(begin string) func(t *testing.T, path string) (*sqlite.Store, func()) {
	return func(t *testing.T, path string) (*sqlite.Store, func()) {
		store := openStore(t, path, sqlite.WithBusyTimeout(time.Second))
		other, err := sql.Open("sqlite3", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		conn, err := other.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), begin); err != nil {
			t.Fatal(err)
		}
		released := false
		release := func() {
			if !released {
				released = true
				if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
					t.Error(err)
				}
				conn.Close()
			}
		}
		t.Cleanup(release)
		return store, release
	}
}

func openStore(t *testing.T, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// snapshot describes the credentials in the database: every secret and token with its
// state, and the number of audit events other than refusals.
func snapshot(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	secrets, err := e.store.SecretsOf(ctx, "Cust100")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := e.store.ListTokens(ctx, "Cust100", e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	events, err := e.store.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust100", Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	changes := 0
	for _, ev := range events {
		if ev.Kind != "auth.refused" {
			changes++
		}
	}
	var b strings.Builder
	for _, s := range secrets {
		fmt.Fprintf(&b, "secret %d expires %v revoked %v; ", s.ID, s.ExpiresAt, s.RevokedAt)
	}
	for _, k := range tokens {
		fmt.Fprintf(&b, "token %d; ", k.ID)
	}
	fmt.Fprintf(&b, "%d audit events", changes)
	return b.String()
}

// jwksEndpoint is SuperOffice's JWKS endpoint over TLS, switchable between serving keys,
// failing, answering garbage and hanging.
type jwksEndpoint struct {
	srv  *httptest.Server
	stop chan struct{}
	mu   sync.Mutex
	mode string // serve, down, garbage, hang
	body []byte
}

func newJWKSEndpoint(t *testing.T) *jwksEndpoint {
	j := &jwksEndpoint{stop: make(chan struct{}), mode: "down"}
	j.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.mu.Lock()
		mode, body := j.mode, j.body
		j.mu.Unlock()
		switch mode {
		case "serve":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		case "down":
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
		case "garbage":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"keys":[{"kty":"RSA","n":`)
		case "hang":
			select {
			case <-r.Context().Done():
			case <-j.stop:
			}
		}
	}))
	t.Cleanup(j.srv.Close)
	t.Cleanup(func() { close(j.stop) }) // runs first: releases hanging handlers
	return j
}

func (j *jwksEndpoint) set(mode string) {
	j.mu.Lock()
	j.mode = mode
	j.mu.Unlock()
}

// serve publishes the public halves of keys, by kid.
func (j *jwksEndpoint) serve(t *testing.T, keys map[string]*rsa.PrivateKey) {
	t.Helper()
	set := jwk.NewSet()
	for kid, key := range keys {
		k, err := jwk.FromRaw(&key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: jwa.RS256, jwk.KeyUsageKey: "sig"} {
			if err := k.Set(name, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := set.AddKey(k); err != nil {
			t.Fatal(err)
		}
	}
	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	j.mu.Lock()
	j.mode, j.body = "serve", body
	j.mu.Unlock()
}

// TestJWKSFaultsOverHTTP drives /Authenticate with SuperOffice JWTs while the JWKS
// endpoint fails in the ways a real one does. Before any key was loaded the answer is
// 503 with Retry-After (the key set is unavailable: NetServer should come back, not
// re-authenticate); a hanging endpoint costs the fetch's timeout, never the caller's
// patience; once the endpoint serves keys again, /Authenticate works without a restart;
// a rotated key is picked up by the refresh an unknown kid triggers, and the withdrawn
// one is refused; while keys are loaded, a failing endpoint leaves them in place and a
// token with an unknown kid is a 401.
func TestJWKSFaultsOverHTTP(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	jwks := newJWKSEndpoint(t)
	client := jwks.srv.Client()
	client.Timeout = time.Second // the fetch's own deadline: a hang costs this much
	v, err := auth.NewSuperOfficeVerifier(t.Context(), auth.SuperOfficeConfig{
		Envs:       []auth.Env{{Name: "sod", JWKSURL: jwks.srv.URL + "/login/.well-known/jwks"}},
		HTTPClient: client,
		Clock:      e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.Ready() {
		t.Fatal("ready without keys")
	}
	ops, _ := faultServer(t, e, e.store, auth.WithSuperOffice(v))
	k1, k2, k3 := e.sod, e.online, e.partner
	n := 0
	authenticate := func(key *rsa.PrivateKey, kid string) answer {
		t.Helper()
		n++ // each JWT is good for one /Authenticate
		return call(t, "POST", ops+"/Authenticate", "Bearer "+kidJWT(t, e, key, kid, strconv.Itoa(n)), "", "")
	}
	wantStatus := func(what string, a answer, status int) {
		t.Helper()
		if a.status != status {
			t.Errorf("%s: status %d, want %d: %s", what, a.status, status, a.body)
		}
		if status == http.StatusUnauthorized && a.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without a challenge", what)
		}
	}
	// Forced refreshes are at most one a minute per environment: each step waits it out.
	later := func() { e.clock.Add(61 * time.Second) }

	wantUnavailable(t, "endpoint down", authenticate(k1, "k1"))
	later()
	jwks.set("garbage")
	wantUnavailable(t, "endpoint answers garbage", authenticate(k1, "k1"))
	later()
	jwks.set("hang")
	wantUnavailable(t, "endpoint hangs", authenticate(k1, "k1"))

	later()
	jwks.serve(t, map[string]*rsa.PrivateKey{"k1": k1})
	wantStatus("endpoint back", authenticate(k1, "k1"), http.StatusOK)

	later()
	jwks.serve(t, map[string]*rsa.PrivateKey{"k2": k2})
	wantStatus("rotated key", authenticate(k2, "k2"), http.StatusOK)
	wantStatus("withdrawn key", authenticate(k1, "k1"), http.StatusUnauthorized)

	for _, mode := range []string{"hang", "garbage", "down"} {
		later()
		jwks.set(mode)
		wantStatus("unknown kid, endpoint "+mode, authenticate(k3, "k3"), http.StatusUnauthorized)
		wantStatus("loaded key, endpoint "+mode, authenticate(k2, "k2"), http.StatusOK)
	}
}

// kidJWT signs a SuperOffice connector token for Cust100 with key, naming kid.
func kidJWT(t *testing.T, e *env, key *rsa.PrivateKey, kid, jti string) string {
	t.Helper()
	now := e.clock.Now()
	tok := jwt.New()
	for name, v := range map[string]any{
		jwt.IssuerKey: "SuperOffice AS", jwt.AudienceKey: "spn:" + appID, jwt.JwtIDKey: jti,
		jwt.IssuedAtKey: now, jwt.ExpirationKey: now.Add(5 * time.Minute),
		"http://schemes.superoffice.net/identity/ctx": "Cust100",
	} {
		if err := tok.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	h := jws.NewHeaders()
	if err := h.Set(jws.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}
