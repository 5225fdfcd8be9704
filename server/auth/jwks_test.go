package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// jwksKey is one entry of a fake JWKS.
type jwksKey struct {
	kid string
	key any // *rsa.PublicKey, *rsa.PrivateKey, *ecdsa.PublicKey or []byte (oct)
	use string
	alg string
	ops []string
}

func jwksJSON(t testing.TB, keys ...jwksKey) []byte {
	t.Helper()
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		m := map[string]any{}
		switch key := k.key.(type) {
		case *rsa.PublicKey:
			m["kty"], m["n"], m["e"] = "RSA", b64url(key.N.Bytes()), b64url(big.NewInt(int64(key.E)).Bytes())
		case *rsa.PrivateKey:
			m["kty"], m["n"], m["e"] = "RSA", b64url(key.N.Bytes()), b64url(big.NewInt(int64(key.E)).Bytes())
			m["d"], m["p"], m["q"] = b64url(key.D.Bytes()), b64url(key.Primes[0].Bytes()), b64url(key.Primes[1].Bytes())
			m["dp"], m["dq"], m["qi"] = b64url(key.Precomputed.Dp.Bytes()), b64url(key.Precomputed.Dq.Bytes()), b64url(key.Precomputed.Qinv.Bytes())
		case *ecdsa.PublicKey:
			pt, err := key.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			m["kty"], m["crv"], m["x"], m["y"] = "EC", "P-256", b64url(pt[1:33]), b64url(pt[33:])
		case []byte:
			m["kty"], m["k"] = "oct", b64url(key)
		default:
			t.Fatalf("jwks: key of type %T", k.key)
		}
		if k.kid != "" {
			m["kid"] = k.kid
		}
		if k.use != "" {
			m["use"] = k.use
		}
		if k.alg != "" {
			m["alg"] = k.alg
		}
		if k.ops != nil {
			m["key_ops"] = k.ops
		}
		out = append(out, m)
	}
	return mustJSON(t, map[string]any{"keys": out})
}

// fakeJWKS is SuperOffice's JWKS endpoint over TLS, with a hit counter and a behaviour
// that tests switch.
type fakeJWKS struct {
	srv     *httptest.Server
	hits    atomic.Int64
	written atomic.Int64 // body bytes the last huge response got out
	stop    chan struct{}

	mu      sync.Mutex
	handler http.HandlerFunc
}

func newFakeJWKS(t testing.TB, keys ...jwksKey) *fakeJWKS {
	t.Helper()
	f := &fakeJWKS{stop: make(chan struct{})}
	f.serve(t, keys...)
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		f.mu.Lock()
		h := f.handler
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.stop) }) // runs first: releases hanging handlers
	return f
}

func (f *fakeJWKS) set(h http.HandlerFunc) {
	f.mu.Lock()
	f.handler = h
	f.mu.Unlock()
}

func (f *fakeJWKS) serve(t testing.TB, keys ...jwksKey) {
	body := jwksJSON(t, keys...)
	f.set(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

func (f *fakeJWKS) respond(status int, contentType, body string) {
	f.set(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

func (f *fakeJWKS) hang() {
	f.set(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-f.stop:
		}
	})
}

// huge streams a JSON-looking body of n bytes, announcing its length or not.
func (f *fakeJWKS) huge(n int, announce bool) {
	f.written.Store(0)
	f.set(func(w http.ResponseWriter, _ *http.Request) {
		if announce {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		copy(chunk, `{"keys":[`)
		for sent := 0; sent < n; sent += len(chunk) {
			m, err := w.Write(chunk[:min(len(chunk), n-sent)])
			f.written.Add(int64(m))
			if err != nil {
				return
			}
		}
	})
}

func (f *fakeJWKS) url() string { return f.srv.URL + "/login/.well-known/jwks" }

// client trusts the test server's certificate, with the hardened defaults otherwise.
func (f *fakeJWKS) client(timeout time.Duration) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(f.srv.Certificate())
	c := jwksClient(nil)
	c.Timeout = timeout
	c.Transport.(cappedTransport).next.(*http.Transport).TLSClientConfig.RootCAs = pool
	return c
}

// verifier trusts f as environment sod, through a client with a 2 s timeout.
func (f *fakeJWKS) verifier(t testing.TB, clk *soClock, mut func(*SuperOfficeConfig)) *SuperOfficeVerifier {
	t.Helper()
	cfg := SuperOfficeConfig{
		Envs:       []Env{{Name: "sod", JWKSURL: f.url()}},
		HTTPClient: f.client(2 * time.Second),
		Clock:      clk.Now,
	}
	if mut != nil {
		mut(&cfg)
	}
	ctx := context.Background()
	if tc, ok := t.(interface{ Context() context.Context }); ok {
		ctx = tc.Context()
	}
	v, err := NewSuperOfficeVerifier(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// unsignedKID is a token naming kid with a signature that verifies under no key: enough
// for every path that ends at the kid lookup.
func unsignedKID(t testing.TB, kid string) string {
	t.Helper()
	return b64url(mustJSON(t, soHeader("RS256", kid))) + "." + b64url(mustJSON(t, soClaims(soT0))) + "." + b64url(make([]byte, 256))
}

func TestJWKSWarmUp(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	fake := newFakeJWKS(t, jwksKey{kid: "sod-1", key: &key.PublicKey, use: "sig"})
	v := fake.verifier(t, newSOClock(soT0), nil)
	if !v.Ready() {
		t.Fatal("Ready = false after a good warm-up")
	}
	if n := fake.hits.Load(); n != 1 {
		t.Errorf("warm-up fetched %d times", n)
	}
	for range 3 {
		if _, err := v.Verify(t.Context(), soMint(t, key, "sod-1", soClaims(soT0))); err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.hits.Load(); n != 1 {
		t.Errorf("verifying fetched again: %d hits", n)
	}
}

func TestJWKSUnavailable(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	clk := newSOClock(soT0)
	fake := newFakeJWKS(t)
	fake.respond(http.StatusInternalServerError, "text/plain", "down")
	v := fake.verifier(t, clk, nil)
	if v.Ready() {
		t.Fatal("Ready = true without keys")
	}
	tok := soMint(t, key, "sod-1", soClaims(soT0))
	wantUnavailable := func() {
		t.Helper()
		_, err := v.Verify(t.Context(), tok)
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrInvalidCredential) {
			t.Fatalf("err = %v, want ErrUnavailable only", err)
		}
	}
	wantUnavailable() // forces one fetch: warm-up + 1
	wantUnavailable() // within the cooldown: no fetch
	fake.serve(t, jwksKey{kid: "sod-1", key: &key.PublicKey})
	wantUnavailable()
	if n := fake.hits.Load(); n != 2 {
		t.Errorf("hits = %d, want 2", n)
	}
	// Refusals that need no key do not depend on the key set.
	_, err := v.Verify(t.Context(), "not a token")
	wantRefusal(t, err, reasonMalformed)

	clk.Add(time.Minute)
	c := soClaims(clk.Now())
	if _, err := v.Verify(t.Context(), soMint(t, key, "sod-1", c)); err != nil {
		t.Fatalf("after the endpoint recovered: %v", err)
	}
	if !v.Ready() || fake.hits.Load() != 3 {
		t.Errorf("Ready %v, hits %d; want true, 3", v.Ready(), fake.hits.Load())
	}

	t.Run("connection refused", func(t *testing.T) {
		gone := newFakeJWKS(t)
		gone.srv.Close()
		start := time.Now()
		v := gone.verifier(t, newSOClock(soT0), nil)
		if v.Ready() || time.Since(start) > 2*time.Second {
			t.Errorf("Ready %v after %v", v.Ready(), time.Since(start))
		}
	})
}

// TestJWKSHang: a JWKS endpoint that never answers costs the client's timeout, here
// 2 s, and never more than the caller's context, here 1 s. (The upper bounds only keep a
// regression from hanging the run.)
func TestJWKSHang(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	const timeout = 2 * time.Second
	short := func(c *SuperOfficeConfig) { c.HTTPClient.Timeout = timeout }

	t.Run("at start", func(t *testing.T) {
		fake := newFakeJWKS(t)
		fake.hang()
		start := time.Now()
		v := fake.verifier(t, newSOClock(soT0), short)
		if took := time.Since(start); took < timeout || took > 30*time.Second {
			t.Errorf("New took %v, want about %v", took, timeout)
		}
		if v.Ready() {
			t.Error("Ready = true")
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start = time.Now()
		_, err := v.Verify(ctx, soMint(t, key, "sod-1", soClaims(soT0)))
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("err = %v", err)
		}
		if took := time.Since(start); took > timeout {
			t.Errorf("Verify took %v beyond its context", took)
		}
	})

	t.Run("after start", func(t *testing.T) {
		fake := newFakeJWKS(t, jwksKey{kid: "sod-1", key: &key.PublicKey})
		v := fake.verifier(t, newSOClock(soT0), short)
		fake.hang()
		start := time.Now()
		_, err := v.Verify(t.Context(), unsignedKID(t, "sod-2"))
		wantRefusal(t, err, reasonUnknownKID)
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("unknown kid took %v", took)
		}
		if _, err := v.Verify(t.Context(), soMint(t, key, "sod-1", soClaims(soT0))); err != nil {
			t.Errorf("the last good set was lost: %v", err)
		}
	})
}

func TestJWKSFilter(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	priv := soKey(t, "superoffice-test-online")
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("0123456789abcdef0123456789abcdef")
	fake := newFakeJWKS(t,
		jwksKey{kid: "sig", key: &key.PublicKey, use: "sig"},
		jwksKey{kid: "no-use", key: &key.PublicKey},
		jwksKey{kid: "rs256", key: &key.PublicKey, alg: "RS256"},
		jwksKey{kid: "ops-verify", key: &key.PublicKey, ops: []string{"verify"}},
		jwksKey{kid: "private", key: priv, use: "sig"},
		jwksKey{key: &key.PublicKey, use: "sig"},
		jwksKey{kid: "enc", key: &key.PublicKey, use: "enc"},
		jwksKey{kid: "ops-encrypt", key: &key.PublicKey, ops: []string{"encrypt"}},
		jwksKey{kid: "rs512", key: &key.PublicKey, alg: "RS512"},
		jwksKey{kid: "ps256", key: &key.PublicKey, alg: "PS256"},
		jwksKey{kid: "small", key: &small.PublicKey, use: "sig"},
		jwksKey{kid: "oct", key: secret, use: "sig", alg: "HS256"},
		jwksKey{kid: "ec", key: &ec.PublicKey, use: "sig", alg: "ES256"},
	)
	v := fake.verifier(t, newSOClock(soT0), nil)
	set := v.envs[0].current()
	if set == nil {
		t.Fatal("no keys")
	}
	if got, want := strings.Join(slices.Sorted(maps.Keys(set.byKID)), ","), "no-use,ops-verify,private,rs256,sig"; got != want {
		t.Errorf("kept kids %s, want %s", got, want)
	}
	if len(set.noKID) != 1 || len(set.all) != 6 {
		t.Errorf("kid-less %d, all %d; want 1, 6", len(set.noKID), len(set.all))
	}
	cached, err := v.envs[0].src.cache.Get(t.Context(), fake.url())
	if err != nil {
		t.Fatal(err)
	}
	for i := range cached.Len() {
		k, _ := cached.Key(i)
		if _, isPub := k.(jwk.RSAPublicKey); !isPub || k.Algorithm() != jwa.RS256 {
			t.Errorf("cached key %q: %T alg %v", k.KeyID(), k, k.Algorithm())
		}
	}

	claims := mustJSON(t, soClaims(soT0))
	_, err = v.Verify(t.Context(), signJWS(t, soHeader("HS256", "oct"), claims, secret))
	wantRefusal(t, err, reasonBadAlg)
	_, err = v.Verify(t.Context(), signJWS(t, soHeader("RS256", "oct"), claims, priv))
	wantRefusal(t, err, reasonBadSignature) // the kid-less key is tried, and fails
	if _, err := v.Verify(t.Context(), signJWS(t, soHeader("RS256", "private"), claims, priv)); err != nil {
		t.Errorf("the public half of a published private key: %v", err)
	}
	if _, err := v.Verify(t.Context(), signJWS(t, soHeader("RS256", "ec"), claims, key)); err != nil {
		t.Errorf("kid-less key stands for an unknown kid: %v", err)
	}

	t.Run("at most 16 keys", func(t *testing.T) {
		var keys []jwksKey
		for i := range 20 {
			keys = append(keys, jwksKey{kid: fmt.Sprint("k", i), key: &key.PublicKey})
		}
		set, err := jwk.Parse(jwksJSON(t, keys...))
		if err != nil {
			t.Fatal(err)
		}
		kept, ks, err := filterJWKS(set)
		if err != nil || kept.Len() != maxJWKSKeys || len(ks.all) != maxJWKSKeys {
			t.Errorf("kept %v keys, err %v", len(ks.all), err)
		}
	})
}

func TestJWKSRotation(t *testing.T) {
	old := soKey(t, "superoffice-test-sod")
	next := soGenKey(t, "rotated")
	clk := newSOClock(soT0)
	fake := newFakeJWKS(t, jwksKey{kid: "k1", key: &old.PublicKey})
	v := fake.verifier(t, clk, nil)

	fake.serve(t, jwksKey{kid: "k2", key: &next.PublicKey})
	got, err := v.Verify(t.Context(), soMint(t, next, "k2", soClaims(soT0)))
	if err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if got.Env != "sod" || fake.hits.Load() != 2 {
		t.Errorf("Env %q, hits %d", got.Env, fake.hits.Load())
	}
	// The withdrawn key is gone, and within the cooldown its kid fetches nothing.
	_, err = v.Verify(t.Context(), soMint(t, old, "k1", soClaims(soT0)))
	wantRefusal(t, err, reasonUnknownKID)
	if n := fake.hits.Load(); n != 2 {
		t.Errorf("hits = %d, want 2", n)
	}
}

// TestJWKSKeepsLastGoodSet: a refresh that fails in any way leaves the previous keys in
// place (74).
func TestJWKSKeepsLastGoodSet(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const huge = 50 << 20
	other := newFakeJWKS(t, jwksKey{kid: "sod-2", key: &key.PublicKey})
	for _, tc := range []struct {
		name string
		set  func(t *testing.T, f *fakeJWKS)
	}{
		{"500", func(_ *testing.T, f *fakeJWKS) {
			f.respond(http.StatusInternalServerError, "application/json", `{"keys":[]}`)
		}},
		{"404", func(_ *testing.T, f *fakeJWKS) { f.respond(http.StatusNotFound, "text/plain", "") }},
		{"HTML", func(_ *testing.T, f *fakeJWKS) {
			f.respond(http.StatusOK, "text/html", "<html><body>Maintenance</body></html>")
		}},
		{"not JSON", func(_ *testing.T, f *fakeJWKS) { f.respond(http.StatusOK, "application/json", `{"keys":[`) }},
		{"no keys", func(_ *testing.T, f *fakeJWKS) { f.respond(http.StatusOK, "application/json", `{"keys":[]}`) }},
		{"oct key only", func(t *testing.T, f *fakeJWKS) {
			f.serve(t, jwksKey{kid: "sod-2", key: []byte("0123456789abcdef0123456789abcdef")})
		}},
		{"EC key only", func(t *testing.T, f *fakeJWKS) { f.serve(t, jwksKey{kid: "sod-2", key: &ec.PublicKey}) }},
		{"50 MiB", func(_ *testing.T, f *fakeJWKS) { f.huge(huge, false) }},
		{"50 MiB announced", func(_ *testing.T, f *fakeJWKS) { f.huge(huge, true) }},
		{"redirect to another host", func(_ *testing.T, f *fakeJWKS) {
			f.set(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.url(), http.StatusFound) })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFakeJWKS(t, jwksKey{kid: "sod-1", key: &key.PublicKey})
			v := fake.verifier(t, newSOClock(soT0), nil)
			before := v.envs[0].current()
			tc.set(t, fake)
			start := time.Now()
			_, err := v.Verify(t.Context(), soMint(t, key, "sod-2", soClaims(soT0)))
			wantRefusal(t, err, reasonUnknownKID)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("the failed refresh took %v", took)
			}
			if n := fake.hits.Load(); n != 2 {
				t.Errorf("hits = %d, want 2", n)
			}
			if v.envs[0].current() != before {
				t.Error("the key set changed")
			}
			if _, err := v.Verify(t.Context(), soMint(t, key, "sod-1", soClaims(soT0))); err != nil {
				t.Errorf("the last good set was lost: %v", err)
			}
			if strings.HasPrefix(tc.name, "50 MiB") {
				if n := fake.written.Load(); n >= huge {
					t.Errorf("the whole %d-byte body was read", n)
				}
			}
		})
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("a redirect to another host was followed (%d hits)", n)
	}
}

// TestJWKSUnknownKIDFlood: 1000 tokens with random kids cost one refresh per cooldown (41).
func TestJWKSUnknownKIDFlood(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")
	clk := newSOClock(soT0)
	fake := newFakeJWKS(t, jwksKey{kid: "sod-1", key: &key.PublicKey})
	v := fake.verifier(t, clk, nil)
	tokens := make([]string, 1000)
	for i := range tokens {
		b := make([]byte, 12)
		rand.Read(b)
		tokens[i] = unsignedKID(t, b64url(b))
	}
	flood := func() {
		t.Helper()
		var wg sync.WaitGroup
		var bad atomic.Int64
		next := atomic.Int64{}
		for range 25 {
			wg.Go(func() {
				for i := next.Add(1) - 1; i < int64(len(tokens)); i = next.Add(1) - 1 {
					_, err := v.Verify(t.Context(), tokens[i])
					if ReasonOf(err) != reasonUnknownKID {
						bad.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if n := bad.Load(); n != 0 {
			t.Errorf("%d tokens not refused as unknown_kid", n)
		}
	}
	flood()
	if n := fake.hits.Load(); n != 2 {
		t.Errorf("hits after the first flood = %d, want 2", n)
	}
	clk.Add(time.Minute - time.Second)
	flood()
	if n := fake.hits.Load(); n != 2 {
		t.Errorf("hits within the cooldown = %d, want 2", n)
	}
	clk.Add(time.Second)
	flood()
	if n := fake.hits.Load(); n != 3 {
		t.Errorf("hits after the cooldown = %d, want 3", n)
	}
}

// TestJWKSSingleFlight: concurrent misses share one refresh and all wait for it.
func TestJWKSSingleFlight(t *testing.T) {
	old := soKey(t, "superoffice-test-sod")
	next := soGenKey(t, "rotated")
	fake := newFakeJWKS(t, jwksKey{kid: "k1", key: &old.PublicKey})
	v := fake.verifier(t, newSOClock(soT0), nil)

	entered, release := make(chan struct{}), make(chan struct{})
	body := jwksJSON(t, jwksKey{kid: "k1", key: &old.PublicKey}, jwksKey{kid: "k2", key: &next.PublicKey})
	var once sync.Once
	fake.set(func(w http.ResponseWriter, _ *http.Request) {
		once.Do(func() { close(entered) })
		<-release
		_, _ = w.Write(body)
	})
	tok := soMint(t, next, "k2", soClaims(soT0))
	errs := make(chan error, 20)
	var wg sync.WaitGroup
	for range cap(errs) {
		wg.Go(func() {
			_, err := v.Verify(t.Context(), tok)
			errs <- err
		})
	}
	<-entered
	time.Sleep(50 * time.Millisecond) // let the others reach the wait; the result holds either way
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a waiter was refused: %v", err)
		}
	}
	if n := fake.hits.Load(); n != 2 {
		t.Errorf("hits = %d, want 2", n)
	}
}

func TestJWKSEnvironments(t *testing.T) {
	sodKey := soKey(t, "superoffice-test-sod")
	onlineKey := soKey(t, "superoffice-test-online")
	sod := newFakeJWKS(t, jwksKey{kid: "sod-1", key: &sodKey.PublicKey})
	online := newFakeJWKS(t, jwksKey{kid: "online-1", key: &onlineKey.PublicKey})
	client := sod.client(2 * time.Second)
	v, err := NewSuperOfficeVerifier(t.Context(), SuperOfficeConfig{
		Envs:       []Env{{Name: "sod", JWKSURL: sod.url()}, {Name: "online", JWKSURL: online.url()}},
		HTTPClient: client,
		Clock:      newSOClock(soT0).Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key       *rsa.PrivateKey
		kid, env  string
		wantLive  bool
		otherFake *fakeJWKS
	}{
		{sodKey, "sod-1", "sod", false, online},
		{sodKey, "", "sod", false, online},
		{onlineKey, "online-1", "online", true, sod},
		{onlineKey, "", "online", true, sod},
	} {
		got, err := v.Verify(t.Context(), soMint(t, tc.key, tc.kid, soClaims(soT0)))
		if err != nil {
			t.Fatalf("%s %q: %v", tc.env, tc.kid, err)
		}
		if got.Env != tc.env || (got.Mode == "live") != tc.wantLive {
			t.Errorf("%s %q: Env %q Mode %q", tc.env, tc.kid, got.Env, got.Mode)
		}
	}
	if sod.hits.Load() != 1 || online.hits.Load() != 1 {
		t.Errorf("hits sod %d online %d, want 1 each", sod.hits.Load(), online.hits.Load())
	}
	// A sod kid presented with an online signature is no online token; online, which
	// lacks the kid, is refreshed once.
	_, err = v.Verify(t.Context(), soMint(t, onlineKey, "sod-1", soClaims(soT0)))
	wantRefusal(t, err, reasonBadSignature)
	if sod.hits.Load() != 1 || online.hits.Load() != 2 {
		t.Errorf("hits sod %d online %d, want 1 and 2", sod.hits.Load(), online.hits.Load())
	}
}

func TestJWKSClient(t *testing.T) {
	key := soKey(t, "superoffice-test-sod")

	t.Run("defaults", func(t *testing.T) {
		c := jwksClient(nil)
		tr := c.Transport.(cappedTransport)
		ht := tr.next.(*http.Transport)
		if c.Timeout != 5*time.Second || tr.max != 1<<20 || ht.TLSClientConfig.MinVersion != tls.VersionTLS12 || c.CheckRedirect == nil {
			t.Errorf("client %+v, transport %+v", c, tr)
		}
	})

	t.Run("given client", func(t *testing.T) {
		given := &http.Client{}
		c := jwksClient(given)
		if given.Timeout != 0 || given.Transport != nil || given.CheckRedirect != nil {
			t.Error("the given client was modified")
		}
		if c.Timeout != 5*time.Second || c.CheckRedirect == nil {
			t.Errorf("defaults not applied: %+v", c)
		}
		if _, ok := c.Transport.(cappedTransport); !ok {
			t.Errorf("transport %T", c.Transport)
		}
		if again := jwksClient(c); again.Transport != c.Transport {
			t.Error("the body cap was added twice")
		}
		kept := jwksClient(&http.Client{Timeout: time.Second})
		if kept.Timeout != time.Second {
			t.Errorf("Timeout %v, want the given 1 s", kept.Timeout)
		}
	})

	t.Run("TLS 1.1 refused", func(t *testing.T) {
		fake := newFakeJWKS(t)
		fake.srv.Close()
		old := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(jwksJSON(t, jwksKey{kid: "sod-1", key: &key.PublicKey}))
		}))
		old.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
		old.Config.ErrorLog = log.New(io.Discard, "", 0)
		old.StartTLS()
		defer old.Close()
		pool := x509.NewCertPool()
		pool.AddCert(old.Certificate())
		c := jwksClient(nil)
		c.Transport.(cappedTransport).next.(*http.Transport).TLSClientConfig.RootCAs = pool
		resp, err := c.Get(old.URL)
		if err == nil {
			resp.Body.Close()
			t.Fatal("a TLS 1.1 server was accepted")
		}
	})

	t.Run("same-host redirect", func(t *testing.T) {
		fake := newFakeJWKS(t)
		body := jwksJSON(t, jwksKey{kid: "sod-1", key: &key.PublicKey})
		fake.set(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/moved" {
				http.Redirect(w, r, "/moved", http.StatusMovedPermanently)
				return
			}
			_, _ = w.Write(body)
		})
		v := fake.verifier(t, newSOClock(soT0), nil)
		if !v.Ready() {
			t.Error("a redirect on the same host was not followed")
		}
	})

	t.Run("body cap", func(t *testing.T) {
		for _, tc := range []struct {
			n    int
			want error
		}{{maxJWKSBody, nil}, {maxJWKSBody + 1, errJWKSTooLarge}} {
			b := &cappedBody{rc: io.NopCloser(bytes.NewReader(make([]byte, tc.n))), left: maxJWKSBody}
			got, err := io.ReadAll(b)
			if !errors.Is(err, tc.want) {
				t.Errorf("%d bytes: err %v, want %v", tc.n, err, tc.want)
			}
			if len(got) > maxJWKSBody {
				t.Errorf("%d bytes read", len(got))
			}
		}
	})
}
