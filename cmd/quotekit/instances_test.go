package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quotekit/quotekit/internal/pgtest"
	"github.com/quotekit/quotekit/tenancy"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// instances runs quotekit processes on one throwaway PostgreSQL database, with the same
// master key, as a deployment of several instances behind a load balancer does.
type instances struct {
	t        *testing.T
	bin      string
	env      []string
	adminKey string
}

func newInstances(t *testing.T, tenants ...string) *instances {
	t.Helper()
	url := pgtest.Start(t)
	in := &instances{t: t, bin: buildQuotekit(t), env: append(os.Environ(),
		"QUOTEKIT_DB="+url,
		tenancy.MasterKeyEnv+"="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))}
	for _, id := range tenants {
		runCLI(t, in.bin, in.env, "tenant", "add", id, "--name", "Instances "+id, "--env", "test")
	}
	var key struct {
		Key string `json:"key"`
	}
	out := runCLI(t, in.bin, in.env, "adminkey", "create", "--name", "instances test",
		"--scope", "secrets:write", "--scope", "tokens:write", "--scope", "tenants:write", "--json")
	if err := json.Unmarshal([]byte(out), &key); err != nil || key.Key == "" {
		t.Fatalf("adminkey create: %v\n%s", err, out)
	}
	in.adminKey = key.Key
	return in
}

func (in *instances) start() *quotekitProcess { return startQuotekit(in.t, in.bin, in.env) }

// createSecret creates a secret of tenant through p's admin API.
func (in *instances) createSecret(p *quotekitProcess, tenant string) issuedSecret {
	in.t.Helper()
	status, body, err := p.post(p.admin+"/admin/v1/tenants/"+tenant+"/secrets", "Bearer "+in.adminKey, "")
	var s issuedSecret
	if err != nil || status != 201 || json.Unmarshal(body, &s) != nil || s.Secret == "" {
		in.t.Fatalf("create a secret of %s: %d %s %v", tenant, status, body, err)
	}
	return s
}

// admin makes a change through p's admin API and requires status want.
func (in *instances) admin(p *quotekitProcess, path string, want int) {
	in.t.Helper()
	status, body, err := p.post(p.admin+"/admin/v1"+path, "Bearer "+in.adminKey, "")
	if err != nil || status != want {
		in.t.Fatalf("POST %s: %d %s %v, want %d", path, status, body, err, want)
	}
}

// token buys an access token with secret on p.
func token(t *testing.T, p *quotekitProcess, secret string) string {
	t.Helper()
	status, body, err := p.post(p.base+"/Authenticate", "Bearer "+secret, "")
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err != nil || status != 200 || json.Unmarshal(body, &out) != nil || out.AccessToken == "" {
		t.Fatalf("Authenticate on %s: %d %s %v", p.base, status, body, err)
	}
	return out.AccessToken
}

// call makes an operation call with credential on p and returns the status.
func call(t *testing.T, p *quotekitProcess, credential string) int {
	t.Helper()
	status, body, err := p.post(p.base+"/GetCapabilities", "Bearer "+credential, "")
	if err != nil {
		t.Fatalf("GetCapabilities on %s: %v", p.base, err)
	}
	if status != 200 && status != 401 {
		t.Fatalf("GetCapabilities on %s: %d %s", p.base, status, body)
	}
	return status
}

// TestInstancesShareOnePostgres runs two quotekit processes on one PostgreSQL database:
// a token minted on one works on the other, and a change made through either (or through
// the CLI, a third process) is refused by the other on its very next call, although each
// had just verified, and cached, the credential concerned. The revocation rounds repeat
// so that a change whose news arrives late would be caught.
func TestInstancesShareOnePostgres(t *testing.T) {
	const rounds = 25
	in := newInstances(t, "Cust1", "Cust2", "Cust3")
	a, b := in.start(), in.start()

	// A token minted on A works on B.
	s := in.createSecret(a, "Cust1")
	tok := token(t, a, s.Secret)
	if got := call(t, b, tok); got != 200 {
		t.Fatalf("a token minted on A, used on B: %d, want 200", got)
	}

	// A secret revoked through B is refused by A at once, and so are its tokens.
	for round := range rounds {
		s := in.createSecret(b, "Cust1")
		tok := token(t, a, s.Secret)
		for range 2 { // the second call is answered from A's cache
			if got := call(t, a, tok); got != 200 {
				t.Fatalf("round %d: a fresh token on A: %d", round, got)
			}
		}
		in.admin(b, fmt.Sprintf("/tenants/Cust1/secrets/%d/revoke", s.ID), 204)
		if got := call(t, a, tok); got != 401 {
			t.Fatalf("round %d: the token of a secret revoked through B was accepted by A (%d)", round, got)
		}
		if status, _, err := a.post(a.base+"/Authenticate", "Bearer "+s.Secret, ""); err != nil || status != 401 {
			t.Fatalf("round %d: a secret revoked through B bought a token on A: %d %v", round, status, err)
		}
	}

	// A tenant disabled through A is refused by B at once; enabled again, it is served.
	s2 := in.createSecret(a, "Cust2")
	for round := range rounds {
		tok := token(t, a, s2.Secret)
		for range 2 {
			if got := call(t, b, tok); got != 200 {
				t.Fatalf("round %d: a fresh token on B: %d", round, got)
			}
		}
		in.admin(a, "/tenants/Cust2/disable", 200)
		if got := call(t, b, tok); got != 401 {
			t.Fatalf("round %d: a token of a tenant disabled through A was accepted by B (%d)", round, got)
		}
		in.admin(a, "/tenants/Cust2/enable", 200)
	}

	// A roll with no overlap through the CLI, a process of its own, ends the old secret on
	// both instances at once.
	s3 := in.createSecret(a, "Cust3")
	tokA, tokB := token(t, a, s3.Secret), token(t, b, s3.Secret)
	call(t, a, tokA)
	call(t, b, tokB)
	runCLI(t, in.bin, in.env, "secret", "revoke", "Cust3", fmt.Sprint(s3.ID))
	if ga, gb := call(t, a, tokA), call(t, b, tokB); ga != 401 || gb != 401 {
		t.Fatalf("a secret revoked through the CLI: its tokens answered %d on A and %d on B, want 401", ga, gb)
	}
}

// TestInstanceKilledUnderLoad kills one of two instances with SIGKILL while it makes
// credential changes and mints tokens, as a dead machine behind a load balancer would,
// while the other serves a steady stream of calls: the survivor fails none of them, and
// every change the killed instance acknowledged is in force on the survivor.
func TestInstanceKilledUnderLoad(t *testing.T) {
	in := newInstances(t, "Cust10", "Cust11", "Cust12")
	a, b := in.start(), in.start()
	steady := in.createSecret(b, "Cust12")

	type secretState struct {
		tenant     string
		secret     issuedSecret
		token      string // minted on A with the secret, "" when the kill came first
		revokeSent bool   // a revocation was asked for: unanswered, it may or may not have happened
		revoked    bool   // acknowledged
	}
	var (
		mu      sync.Mutex
		secrets []*secretState // acknowledged by A
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	revoke := func(st *secretState) bool {
		mu.Lock()
		st.revokeSent = true
		mu.Unlock()
		status, body, err := a.post(fmt.Sprintf("%s/admin/v1/tenants/%s/secrets/%d/revoke", a.admin, st.tenant, st.secret.ID), "Bearer "+in.adminKey, "")
		if err != nil {
			return false // the kill
		}
		if status != 204 {
			t.Errorf("revoke on A: %d %s", status, body)
			return false
		}
		mu.Lock()
		st.revoked = true
		mu.Unlock()
		return true
	}
	// Load on A, for two tenants: create a secret, mint a token with it, and revoke the
	// secret made before it, so that each tenant keeps one or two active secrets.
	for _, tenant := range []string{"Cust10", "Cust11"} {
		wg.Go(func() {
			var previous *secretState
			for i := 0; i < 2000 && !stop.Load(); i++ {
				status, body, err := a.post(a.admin+"/admin/v1/tenants/"+tenant+"/secrets", "Bearer "+in.adminKey, "")
				if err != nil {
					return // the kill
				}
				st := &secretState{tenant: tenant}
				if status != 201 || json.Unmarshal(body, &st.secret) != nil {
					t.Errorf("create on A: %d %s", status, body)
					return
				}
				mu.Lock()
				secrets = append(secrets, st)
				mu.Unlock()
				status, body, err = a.post(a.base+"/Authenticate", "Bearer "+st.secret.Secret, "")
				if err != nil {
					return
				}
				var out struct {
					AccessToken string `json:"access_token"`
				}
				if status != 200 || json.Unmarshal(body, &out) != nil {
					t.Errorf("Authenticate on A: %d %s", status, body)
					return
				}
				mu.Lock()
				st.token = out.AccessToken
				mu.Unlock()
				if previous != nil && !revoke(previous) {
					return
				}
				previous = st
			}
		})
	}
	// Steady calls on B, counted; a failure is anything but the answer expected.
	var served, failed atomic.Int64
	for range 2 {
		wg.Go(func() {
			for i := 0; i < 100000 && !stop.Load(); i++ {
				status, body, err := b.post(b.base+"/Authenticate", "Bearer "+steady.Secret, "")
				var out struct {
					AccessToken string `json:"access_token"`
				}
				if err != nil || status != 200 || json.Unmarshal(body, &out) != nil {
					failed.Add(1)
					t.Errorf("B failed Authenticate: %d %s %v", status, body, err)
					continue
				}
				status, body, err = b.post(b.base+"/GetCapabilities", "Bearer "+out.AccessToken, "")
				if err != nil || status != 200 {
					failed.Add(1)
					t.Errorf("B failed GetCapabilities: %d %s %v", status, body, err)
					continue
				}
				served.Add(2)
			}
		})
	}

	// Kill A once it has acknowledged changes, then keep the load on B a while longer.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		mu.Lock()
		n := len(secrets)
		mu.Unlock()
		if n >= 30 {
			break
		}
		if time.Now().After(deadline) || t.Failed() {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("A acknowledged only %d secrets in two minutes", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.kill()
	servedAtKill := served.Load()
	time.Sleep(time.Second)
	stop.Store(true)
	wg.Wait()
	t.Logf("B served %d calls (%d after A was killed), failed %d", served.Load(), served.Load()-servedAtKill, failed.Load())
	if failed.Load() != 0 {
		t.Fatalf("the surviving instance failed %d calls", failed.Load())
	}
	if served.Load() == servedAtKill {
		t.Fatal("the surviving instance served nothing after the kill")
	}

	// Every change A acknowledged is in force on B: a live secret and its token work, a
	// revoked one and its token are refused.
	mu.Lock()
	defer mu.Unlock()
	revoked := 0
	for _, st := range secrets {
		if st.revokeSent && !st.revoked {
			continue // unanswered at the kill
		}
		want := 200
		if st.revoked {
			want, revoked = 401, revoked+1
		}
		status, body, err := b.post(b.base+"/Authenticate", "Bearer "+st.secret.Secret, "")
		if err != nil {
			t.Fatal(err)
		}
		if status != want {
			t.Errorf("secret %d of %s (revoked %v) on B: %d %s, want %d", st.secret.ID, st.tenant, st.revoked, status, body, want)
		}
		if st.token != "" {
			if got := call(t, b, st.token); got != want {
				t.Errorf("the token of secret %d of %s (revoked %v) on B: %d, want %d", st.secret.ID, st.tenant, st.revoked, got, want)
			}
		}
	}
	t.Logf("%d secrets acknowledged by A (%d of them revoked) checked on B with their tokens", len(secrets), revoked)
}

// TestPostgresOutage stops the database under a running instance: calls that need the
// store, a token verified a moment before included, answer 503 with Retry-After, and
// /readyz says not ready; once the database is back, the instance serves again by itself.
func TestPostgresOutage(t *testing.T) {
	in := newInstances(t, "Cust20")
	a := in.start()
	s := in.createSecret(a, "Cust20")
	tok := token(t, a, s.Secret)
	if got := call(t, a, tok); got != 200 {
		t.Fatalf("before the outage: %d", got)
	}
	// request returns the status and the Retry-After header of a request to a.
	request := func(method, path, authz string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, a.base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := a.client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	// eventually polls until f holds, for at most 30 s.
	eventually := func(what string, f func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !f(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s", what)
			}
		}
	}

	pgtest.Stop(t)
	// Until the instance has noticed the outage it may still answer from what it verified:
	// no change can be committed to a database that is down, so that weakens nothing.
	eventually("the token answered 503 during the outage", func() bool {
		status, retryAfter := request(http.MethodPost, "/GetCapabilities", "Bearer "+tok)
		switch status {
		case http.StatusOK:
			return false
		case http.StatusServiceUnavailable:
			if retryAfter == "" {
				t.Fatal("503 without Retry-After")
			}
			return true
		}
		t.Fatalf("GetCapabilities during the outage: %d", status)
		return false
	})
	if status, retryAfter := request(http.MethodPost, "/Authenticate", "Bearer "+s.Secret); status != 503 || retryAfter == "" {
		t.Fatalf("Authenticate during the outage: %d, Retry-After %q; want 503 with Retry-After", status, retryAfter)
	}
	if status, _ := request(http.MethodGet, "/readyz", ""); status != 503 {
		t.Fatalf("/readyz during the outage: %d, want 503", status)
	}

	pgtest.Restart(t)
	eventually("/readyz after the outage", func() bool { status, _ := request(http.MethodGet, "/readyz", ""); return status == 200 })
	eventually("the token after the outage", func() bool {
		status, _ := request(http.MethodPost, "/GetCapabilities", "Bearer "+tok)
		return status == 200
	})
	if got := call(t, a, token(t, a, s.Secret)); got != 200 {
		t.Fatalf("a token minted after the outage: %d", got)
	}
}
