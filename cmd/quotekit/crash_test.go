package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

// TestCrashSafety runs the real quotekit binary on a database in a temporary directory,
// drives concurrent credential changes and token traffic against it over loopback, kills
// it with SIGKILL at a random moment, restarts it on the same file, and checks what a
// crash may and may not do:
//
//   - every change the server acknowledged (a 2xx answer was read in full) is there: an
//     acknowledged secret authenticates, an acknowledged revocation or immediate roll
//     refuses it, an acknowledged token authenticates unless a revocation covers it;
//   - no change was half made. A change is one write transaction together with its audit
//     event, so "half" means any of: a secret, token or revocation without its audit event
//     (or an event without its change); a roll that created the new secret without ending
//     the old one, or ended the old one without creating the new one; a secret revocation
//     that left a token minted from it alive; a tenant-wide token revocation that took
//     some of the tokens it covers and not others. An unacknowledged change must have
//     happened entirely or not at all, and nothing may have happened that nobody asked for;
//   - PRAGMA integrity_check answers ok after the kill, and the restarted server serves.
//
// The test can fail, and fails loudly rather than pass on nothing:
//
//   - every round must reach floors before its kill: at least minSecretChanges
//     acknowledged credential changes (secrets created, rolled, revoked; a tenant's tokens
//     revoked) and, counted apart, at least minTokenIssues acknowledged token issues;
//   - the kill time is recorded: a request that fails before it means the server failed
//     by itself, and fails the test; after it, only requests sent before the kill are
//     settled as "may or may not have happened", and one the kernel refused to connect
//     never reached the server;
//   - a server that exits before the kill, or whose log shows a panic, a fatal runtime
//     error or a data race, fails the test;
//   - the server under test is built with the quotekit_crashtest tag, which holds each
//     committed credential change for a moment before answering it
//     (server/sqlite/commitstall_crashtest.go), so that kills find changes committed but
//     unanswered; the run fails unless that happened at least once;
//   - a token or secret used after its revocation was acknowledged must be refused: a 200
//     fails the test, during the load as after a restart.
//
// What SIGKILL proves: crash atomicity. The process dies at an arbitrary instruction, so
// every write either committed with its audit event or left no trace, and SQLite's WAL
// recovery brings the file back to a consistent state. What it does not prove: durability
// on power failure. The kernel survives the kill, so whatever the process wrote sits in
// the OS page cache and reaches the disk later; losing that cache (power failure, a kernel
// crash), where synchronous=NORMAL may roll back the last transactions, is not tested here.
//
// QUOTEKIT_CRASH_SEED replays a run: the seed picks the kill points and every worker's
// sequence of operations (the interleaving is up to the scheduler).
func TestCrashSafety(t *testing.T) {
	const (
		rounds  = 5 // kills
		tenants = 3
		maxOps  = 20000 // per worker and round; workers stop at the kill, or at this bound
		// Floors every round reaches before its kill.
		minSecretChanges = 8
		minTokenIssues   = 20
		// floorWait bounds the wait for the floors: a server that acknowledges nothing
		// fails the round after it.
		floorWait = 2 * time.Minute
	)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("QUOTEKIT_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("QUOTEKIT_CRASH_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (QUOTEKIT_CRASH_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	bin := buildQuotekit(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "quotekit.db")
	env := append(os.Environ(),
		"QUOTEKIT_DB="+db,
		tenancy.MasterKeyEnv+"="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)))
	m := &crashModel{t: t, tenants: map[string]*crashTenant{}}
	for i := range tenants {
		id := fmt.Sprintf("Cust%d", 100+i)
		runCLI(t, bin, env, "tenant", "add", id, "--name", "Crash "+id, "--env", "test")
		m.tenants[id] = &crashTenant{id: id, secrets: map[int64]*crashSecret{}}
	}
	var key struct {
		Key string `json:"key"`
	}
	out := runCLI(t, bin, env, "adminkey", "create", "--name", "crash test", "--scope", "secrets:write", "--scope", "tokens:write", "--json")
	if err := json.Unmarshal([]byte(out), &key); err != nil || key.Key == "" {
		t.Fatalf("adminkey create: %v\n%s", err, out)
	}
	m.adminKey = key.Key

	for round := 0; round <= rounds; round++ {
		srv := startQuotekit(t, bin, env)
		m.srv = srv
		m.check(db, round)
		if t.Failed() || round == rounds {
			srv.kill()
			break
		}
		killAfter := time.Duration(100+rng.IntN(1400)) * time.Millisecond
		m.startRound()
		started := time.Now()
		var wg sync.WaitGroup
		for _, id := range m.tenantIDs() {
			admin := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
			wg.Go(func() { m.adminWorker(id, admin, maxOps) })
			for range 2 {
				tok := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
				wg.Go(func() { m.tokenWorker(id, tok, maxOps) })
			}
		}
		// The kill comes at the random moment, or once the floors are reached if that
		// is later.
		for {
			changes, issues := m.roundCounts()
			if time.Since(started) >= killAfter && changes >= minSecretChanges && issues >= minTokenIssues {
				break
			}
			if t.Failed() {
				m.kill()
				wg.Wait()
				t.FailNow()
			}
			if time.Since(started) > floorWait {
				m.kill()
				wg.Wait()
				t.Fatalf("round %d: after %v only %d acknowledged secret changes (floor %d) and %d token issues (floor %d)",
					round, time.Since(started).Round(time.Millisecond), changes, minSecretChanges, issues, minTokenIssues)
			}
			time.Sleep(5 * time.Millisecond)
		}
		m.kill()
		wg.Wait()
		m.mu.Lock()
		t.Logf("round %d: killed after %v; floors met: %d acknowledged secret changes (at least %d), %d acknowledged token issues (at least %d); "+
			"%d requests sent before the kill unanswered, %d refused a connection after it",
			round, m.killAt.Sub(started).Round(time.Millisecond), m.roundChanges, minSecretChanges, m.roundIssues, minTokenIssues,
			len(m.pending), m.roundRefused)
		m.mu.Unlock()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t.Logf("%d kills; %d acknowledged secret changes and %d acknowledged token issues checked; %d unanswered changes happened in full",
		rounds, m.changes, m.issues, m.happened)
	if !t.Failed() && m.happened == 0 {
		t.Errorf("no change was committed but unanswered at a kill in %d rounds: the commit stall of the quotekit_crashtest build is not in effect", rounds)
	}
}

// buildQuotekit builds the program under test, with the quotekit_crashtest tag, into a
// temporary directory.
func buildQuotekit(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go") // go test puts its own go first in PATH
	if err != nil {
		t.Skip("no go command to build quotekit with")
	}
	bin := filepath.Join(t.TempDir(), "quotekit")
	// The tag holds committed credential changes before they are answered; see
	// server/sqlite/commitstall_crashtest.go.
	args := []string{"build", "-tags", "quotekit_crashtest", "-o", bin}
	if raceBuild {
		args = append(args, "-race")
	}
	cmd := exec.Command(gobin, append(args, ".")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runCLI runs a quotekit command and returns its standard output.
func runCLI(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("quotekit %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// quotekitProcess is a running `quotekit serve`.
type quotekitProcess struct {
	t               *testing.T
	cmd             *exec.Cmd
	base, admin     string
	client          *http.Client
	logs            *lockedBuffer
	killOnce        sync.Once
	drained, waited chan struct{}
}

// startQuotekit starts the server on free loopback ports (plain HTTP, the admin API on a
// listener of its own, no connector) and waits until it listens.
func startQuotekit(t *testing.T, bin string, env []string) *quotekitProcess {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--dev", "--http", "--superoffice", "",
		"--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &quotekitProcess{t: t, cmd: cmd, logs: &lockedBuffer{}, drained: make(chan struct{}), waited: make(chan struct{}),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	t.Cleanup(p.kill)
	urls := make(chan [2]string, 1)
	go func() {
		defer close(p.drained)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Bytes()
			_, _ = p.logs.Write(append(line, '\n'))
			var l struct {
				Msg      string `json:"msg"`
				URL      string `json:"url"`
				AdminURL string `json:"admin_url"`
			}
			if !sent && json.Unmarshal(line, &l) == nil && l.Msg == "listening" {
				urls <- [2]string{l.URL, l.AdminURL}
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() {
		<-p.drained
		_ = cmd.Wait() // killed: the error says so
		close(p.waited)
	}()
	select {
	case u := <-urls:
		p.base, p.admin = u[0], u[1]
	case <-p.waited:
		t.Fatalf("quotekit serve exited before listening:\n%s", p.logs)
	case <-time.After(60 * time.Second):
		p.kill()
		t.Fatalf("quotekit serve did not listen within a minute:\n%s", p.logs)
	}
	return p
}

// kill ends the process with SIGKILL and waits for it. A process that had exited by
// itself before, or whose log shows that something went wrong inside it (see
// failureMarks), fails the test.
func (p *quotekitProcess) kill() {
	p.killOnce.Do(func() {
		select {
		case <-p.waited:
			p.t.Errorf("quotekit serve exited by itself before the kill (%v):\n%s", p.cmd.ProcessState, p.logs)
		default:
		}
		_ = p.cmd.Process.Kill() // fails only when it has exited already
		select {
		case <-p.waited:
		case <-time.After(30 * time.Second):
			p.t.Errorf("quotekit serve did not exit after SIGKILL")
		}
		logs := p.logs.String()
		for _, mark := range failureMarks {
			if strings.Contains(logs, mark) {
				p.t.Errorf("the server's log shows %q:\n%s", mark, logs)
				break
			}
		}
		p.client.CloseIdleConnections()
	})
}

// failureMarks are what a server that went wrong by itself leaves in its log: a panic
// (an unrecovered one kills the process; one recovered in a handler is logged as an error
// starting with "panic:"), a fatal runtime error, a data race in a -race build.
var failureMarks = []string{"panic:", "http: panic serving", "fatal error:", "DATA RACE"}

// post sends a request and reads the whole answer. err is non-nil when no complete
// answer arrived: the request may or may not have taken effect.
func (p *quotekitProcess) post(url, authz, body string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(http.MethodPost, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", authz)
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// integrityCheck runs SQLite's full consistency check on db.
func integrityCheck(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0] != "ok" {
		t.Errorf("integrity_check: %q", lines)
	}
}

// --- the model of what the server acknowledged -------------------------------------------

type crashModel struct {
	t        *testing.T
	srv      *quotekitProcess
	adminKey string

	mu      sync.Mutex
	tenants map[string]*crashTenant
	pending []crashPending // requests of this round sent before the kill that got no answer
	// killed is closed, and killAt set, just before the round's SIGKILL is sent; no
	// request is sent after it.
	killed chan struct{}
	killAt time.Time
	// This round's acknowledged credential changes and token issues, and its requests
	// that could not connect after the kill.
	roundChanges, roundIssues, roundRefused int
	changes, issues                         int // the same, all rounds
	happened                                int // unanswered changes that happened
}

type crashTenant struct {
	id      string
	secrets map[int64]*crashSecret
	tokens  []*crashToken
	revokes []*crashRevoke // tenant-wide token revocations that took effect
}

type crashSecret struct {
	id    int64
	plain string // "" for a secret made by a request whose answer was lost
	// endSent: a revocation or immediate roll of it was sent (it may stop working at any
	// moment); revokeSent: a revocation was sent (its tokens may stop working).
	endSent, revokeSent bool
	rolled              bool // a roll of it was sent; it is never rolled twice
	// Acknowledged ends.
	revoked, expired bool
	// endAck is when its end (revocation or immediate roll) was known to have happened:
	// its acknowledgement, or the check after a restart that found it. A request sent
	// after it must be refused; so must its tokens after revokeAck.
	endAck, revokeAck time.Time
}

type crashToken struct {
	plain     string
	secretID  int64
	sent, ack time.Time
	// refusedOnce: a check saw the server refuse it; revocations are for good, so later
	// rounds look at it in the database only.
	refusedOnce bool
}

// crashRevoke is a tenant-wide revocation of access tokens. ack is when it was known to
// have happened: its acknowledgement, or, when the answer was lost, the check after the
// restart that found its audit event. It is zero while it may or may not have happened.
type crashRevoke struct {
	sent, ack time.Time
}

// crashPending is a request that got no complete answer.
type crashPending struct {
	kind     string // create, roll, revoke, revoke-tokens, authenticate
	tenant   string
	secretID int64 // roll: the old secret; revoke: the secret
	overlap  int64 // roll: seconds the old secret lives on
	sent     time.Time
}

func (m *crashModel) tenantIDs() []string {
	return slices.Sorted(maps.Keys(m.tenants))
}

// active lists the secrets of the tenant the server holds active, known or not.
func (tn *crashTenant) active() []*crashSecret {
	var out []*crashSecret
	for _, id := range tn.secretIDs() {
		if s := tn.secrets[id]; !s.endSent && !s.revoked && !s.expired {
			out = append(out, s)
		}
	}
	return out
}

func (tn *crashTenant) secretIDs() []int64 {
	return slices.Sorted(maps.Keys(tn.secrets))
}

// startRound opens a round: requests may be sent until kill.
func (m *crashModel) startRound() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.killed = make(chan struct{})
	m.killAt = time.Time{}
	m.roundChanges, m.roundIssues, m.roundRefused = 0, 0, 0
}

// roundCounts returns this round's acknowledged credential changes and token issues.
func (m *crashModel) roundCounts() (changes, issues int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.roundChanges, m.roundIssues
}

// kill records the kill time, after which no request is sent, and kills the server.
func (m *crashModel) kill() {
	m.mu.Lock()
	m.killAt = time.Now()
	close(m.killed)
	m.mu.Unlock()
	m.srv.kill()
}

// stopped reports whether the round's kill was recorded. The caller holds m.mu.
func (m *crashModel) stopped() bool {
	select {
	case <-m.killed:
		return true
	default:
		return false
	}
}

// unanswered settles a request that got no complete answer: before the kill it means the
// server failed by itself, which fails the test; after it, a request the kernel refused to
// connect never reached the server, and any other was sent before the kill (no request is
// sent after it) and may or may not have taken effect.
func (m *crashModel) unanswered(p crashPending, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case !m.stopped():
		m.t.Errorf("%s %s (secret %d): no answer %v after it was sent, before any kill: %v", p.kind, p.tenant, p.secretID, time.Since(p.sent).Round(time.Millisecond), err)
	case !p.sent.Before(m.killAt):
		m.t.Errorf("%s %s was sent after the kill", p.kind, p.tenant)
	case errors.Is(err, syscall.ECONNREFUSED):
		m.roundRefused++
	default:
		m.pending = append(m.pending, p)
	}
}

type issuedSecret struct {
	ID     int64  `json:"id"`
	Secret string `json:"secret"`
}

// adminWorker changes one tenant's secrets and tokens, one request at a time, until the
// server stops answering.
func (m *crashModel) adminWorker(tenant string, rng *rand.Rand, maxOps int) {
	t := m.t
	base := m.srv.admin + "/admin/v1/tenants/" + tenant
	authz := "Bearer " + m.adminKey
	for range maxOps {
		// Credential changes are rarer than token traffic, as in production.
		time.Sleep(time.Duration(5+rng.IntN(30)) * time.Millisecond)
		m.mu.Lock()
		if m.stopped() {
			m.mu.Unlock()
			return
		}
		tn := m.tenants[tenant]
		active := tn.active()
		var known []*crashSecret
		for _, s := range active {
			if s.plain != "" && !s.rolled {
				known = append(known, s)
			}
		}
		// 0-7 create, 8-15 roll, 16-18 revoke a secret, 19 revoke the tenant's tokens.
		op := rng.IntN(20)
		switch {
		case op < 8 && len(active) >= tenancy.DefaultMaxActiveSecrets, op >= 8 && op < 16 && len(known) == 0:
			op = 16 // at the cap, or nothing to roll: revoke
		}
		if op >= 16 && op < 19 && len(active) == 0 {
			op = 0 // nothing to revoke: create
		}
		var p crashPending
		var target *crashSecret
		switch {
		case op < 8:
			p = crashPending{kind: "create", tenant: tenant}
		case op < 16:
			target = known[rng.IntN(len(known))]
			p = crashPending{kind: "roll", tenant: tenant, secretID: target.id, overlap: 3600}
			if rng.IntN(2) == 0 || len(active) >= tenancy.DefaultMaxActiveSecrets {
				p.overlap = 0
				target.endSent = true
			}
			target.rolled = true
		case op < 19:
			target = active[rng.IntN(len(active))]
			p = crashPending{kind: "revoke", tenant: tenant, secretID: target.id}
			target.endSent, target.revokeSent = true, true
		default:
			p = crashPending{kind: "revoke-tokens", tenant: tenant}
		}
		p.sent = time.Now()
		if p.kind == "revoke-tokens" {
			tn.revokes = append(tn.revokes, &crashRevoke{sent: p.sent})
		}
		m.mu.Unlock()

		var status int
		var body []byte
		var err error
		switch p.kind {
		case "create":
			status, body, err = m.srv.post(base+"/secrets", authz, "")
		case "roll":
			status, body, err = m.srv.post(fmt.Sprintf("%s/secrets/%d/roll", base, p.secretID), authz,
				fmt.Sprintf(`{"expire_old_in_seconds":%d}`, p.overlap))
		case "revoke":
			status, body, err = m.srv.post(fmt.Sprintf("%s/secrets/%d/revoke", base, p.secretID), authz, "")
		case "revoke-tokens":
			status, body, err = m.srv.post(base+"/tokens/revoke", authz, "")
		}
		ack := time.Now()
		if err != nil {
			m.mu.Lock()
			if p.kind == "revoke-tokens" {
				tn.revokes = tn.revokes[:len(tn.revokes)-1] // known only after the restart
			}
			m.mu.Unlock()
			m.unanswered(p, err)
			return
		}
		want := map[string]int{"create": 201, "roll": 201, "revoke": 204, "revoke-tokens": 200}[p.kind]
		if status != want {
			t.Errorf("%s %s: status %d, want %d: %s", p.kind, tenant, status, want, body)
			return
		}
		m.mu.Lock()
		m.roundChanges++
		m.changes++
		switch p.kind {
		case "create", "roll":
			var s issuedSecret
			if err := json.Unmarshal(body, &s); err != nil || s.ID == 0 || s.Secret == "" {
				t.Errorf("%s %s: answer %s", p.kind, tenant, body)
			}
			tn.secrets[s.ID] = &crashSecret{id: s.ID, plain: s.Secret}
			if p.kind == "roll" && p.overlap == 0 {
				target.expired, target.endAck = true, ack
			}
		case "revoke":
			target.revoked, target.endAck, target.revokeAck = true, ack, ack
		case "revoke-tokens":
			tn.revokes[len(tn.revokes)-1].ack = ack
		}
		m.mu.Unlock()
	}
}

// tokenWorker buys access tokens with the tenant's known secrets and uses them on an
// operation, until the kill. Refusals are checked against what was sent: a secret is
// refused only once its end was asked for, a token only once a revocation that may cover
// it was. Acceptances are checked against what was acknowledged: a secret whose end, or a
// token whose revocation, was acknowledged before the request was sent must be refused.
func (m *crashModel) tokenWorker(tenant string, rng *rand.Rand, maxOps int) {
	t := m.t
	for range maxOps {
		m.mu.Lock()
		if m.stopped() {
			m.mu.Unlock()
			return
		}
		tn := m.tenants[tenant]
		var usable []*crashSecret
		for _, s := range tn.active() {
			if s.plain != "" {
				usable = append(usable, s)
			}
		}
		var sec *crashSecret
		var tok *crashToken
		if len(tn.tokens) > 0 && (len(usable) == 0 || rng.IntN(2) == 0) {
			tok = tn.tokens[len(tn.tokens)-1-rng.IntN(min(len(tn.tokens), 20))]
		} else if len(usable) > 0 {
			sec = usable[rng.IntN(len(usable))]
		}
		sent := time.Now()
		m.mu.Unlock()
		if sec == nil && tok == nil {
			time.Sleep(5 * time.Millisecond)
			continue
		}

		var status int
		var body []byte
		var err error
		if sec != nil {
			status, body, err = m.srv.post(m.srv.base+"/Authenticate", "Bearer "+sec.plain, "")
		} else {
			status, body, err = m.srv.post(m.srv.base+"/GetCapabilities", "Bearer "+tok.plain, "")
		}
		ack := time.Now()
		if err != nil {
			p := crashPending{kind: "use-token", tenant: tenant, sent: sent}
			if sec != nil {
				p = crashPending{kind: "authenticate", tenant: tenant, secretID: sec.id, sent: sent}
			}
			m.unanswered(p, err)
			return
		}
		m.mu.Lock()
		switch {
		case status == 200 && sec != nil:
			var out struct {
				AccessToken string `json:"access_token"`
			}
			if json.Unmarshal(body, &out) != nil || out.AccessToken == "" {
				t.Errorf("Authenticate: %s", body)
			}
			if !sec.endAck.IsZero() && sec.endAck.Before(sent) {
				t.Errorf("Authenticate with secret %d of %s, whose end was acknowledged %v before the request: status 200",
					sec.id, tenant, sent.Sub(sec.endAck).Round(time.Microsecond))
			}
			tn.tokens = append(tn.tokens, &crashToken{plain: out.AccessToken, secretID: sec.id, sent: sent, ack: ack})
			m.roundIssues++
			m.issues++
		case status == 200:
			if by := tn.revokedBefore(tok, sent); !by.IsZero() {
				t.Errorf("a token of %s (secret %d) was accepted, although a revocation covering it was acknowledged %v before the request",
					tenant, tok.secretID, sent.Sub(by).Round(time.Microsecond))
			}
		case (status == 401 || status == 429) && sec != nil:
			if !sec.endSent {
				t.Errorf("Authenticate with active secret %d of %s: status %d: %s", sec.id, tenant, status, body)
			}
		case status == 401 || status == 429:
			if !tn.secrets[tok.secretID].revokeSent && !tn.mayRevoke(tok) {
				t.Errorf("a live token of %s (secret %d) was refused: status %d: %s", tenant, tok.secretID, status, body)
			}
		default:
			t.Errorf("%s: status %d: %s", tenant, status, body)
		}
		m.mu.Unlock()
	}
}

// revokedBefore returns when a revocation covering tok was acknowledged (or found after a
// restart), if that was before t: its secret's revocation, or a tenant-wide one sent after
// tok was issued. It returns the zero time when there is none.
func (tn *crashTenant) revokedBefore(tok *crashToken, t time.Time) time.Time {
	if s := tn.secrets[tok.secretID]; s != nil && !s.revokeAck.IsZero() && s.revokeAck.Before(t) {
		return s.revokeAck
	}
	for _, r := range tn.revokes {
		if !r.ack.IsZero() && r.ack.Before(t) && tok.ack.Before(r.sent) {
			return r.ack
		}
	}
	return time.Time{}
}

// mayRevoke reports whether a tenant-wide revocation that may cover tok has been sent.
// One acknowledged before tok was asked for cannot cover it.
func (tn *crashTenant) mayRevoke(tok *crashToken) bool {
	for _, r := range tn.revokes {
		if r.ack.IsZero() || !r.ack.Before(tok.sent) {
			return true
		}
	}
	return false
}

// --- the checks after a restart ----------------------------------------------------------

type dbSecret struct {
	id, rolledFrom      int64
	expires, revoked    bool
	expiresAt           time.Time
	liveTokensOfRevoked int
}

// check compares the restarted server and its database with the model: it runs SQLite's
// integrity check on the file the server recovered after the kill, settles the requests
// that got no answer (each happened entirely or not at all), then asks the server about
// every secret and token whose state the model knows.
func (m *crashModel) check(path string, round int) {
	t := m.t
	db, err := sql.Open("sqlite3", "file:"+path+"?_query_only=on")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	integrityCheck(t, db)
	now := time.Now()
	m.mu.Lock()
	pending := m.pending
	m.pending = nil
	m.mu.Unlock()

	for _, id := range m.tenantIDs() {
		tn := m.tenants[id]
		rows := dbSecrets(t, db, id)
		var mine []crashPending
		for _, p := range pending {
			if p.tenant == id {
				mine = append(mine, p)
			}
		}
		// Secrets the model does not know were made by unanswered creates and rolls; each
		// such request made at most one, of its own kind.
		used := map[int]bool{}
		for _, sid := range slices.Sorted(maps.Keys(rows)) {
			r := rows[sid]
			if _, ok := tn.secrets[sid]; ok {
				continue
			}
			match := -1
			for i, p := range mine {
				if !used[i] && (p.kind == "create" && r.rolledFrom == 0 || p.kind == "roll" && r.rolledFrom == p.secretID) {
					match = i
					break
				}
			}
			if match < 0 {
				t.Errorf("round %d: secret %d of %s (rolled from %d) exists, but no unanswered request can have made it", round, sid, id, r.rolledFrom)
				continue
			}
			used[match] = true
			tn.secrets[sid] = &crashSecret{id: sid}
			t.Logf("round %d: the unanswered %s of %s happened (secret %d)", round, mine[match].kind, id, sid)
			m.happened++
		}
		for _, sid := range tn.secretIDs() {
			s, r := tn.secrets[sid], rows[sid]
			if r == nil {
				t.Errorf("round %d: acknowledged secret %d of %s is gone", round, sid, id)
				delete(tn.secrets, sid)
				continue
			}
			// A roll either made the successor and set the old secret's expiry, or neither.
			successor := false
			for _, o := range rows {
				successor = successor || o.rolledFrom == sid
			}
			expired := r.expires && !r.expiresAt.After(now)
			switch {
			case successor != r.expires:
				t.Errorf("round %d: half a roll of secret %d of %s: successor %v, old secret's expiry set %v", round, sid, id, successor, r.expires)
			case r.expires && !s.rolled:
				t.Errorf("round %d: secret %d of %s expires, but nobody rolled it", round, sid, id)
			case s.expired && !expired:
				t.Errorf("round %d: the acknowledged immediate roll of secret %d of %s is gone", round, sid, id)
			}
			switch {
			case s.revoked && !r.revoked:
				t.Errorf("round %d: the acknowledged revocation of secret %d of %s is gone", round, sid, id)
			case r.revoked && !s.revokeSent:
				t.Errorf("round %d: secret %d of %s is revoked, but nobody asked", round, sid, id)
			}
			if r.liveTokensOfRevoked > 0 {
				t.Errorf("round %d: secret %d of %s is revoked, but %d tokens minted from it are not", round, sid, id, r.liveTokensOfRevoked)
			}
			if r.revoked && !s.revoked && s.revokeSent {
				t.Logf("round %d: the unanswered revocation of secret %d of %s happened", round, sid, id)
				m.happened++
			}
			// Settled: from now on the model holds what the database holds, known from now.
			if r.revoked && s.revokeAck.IsZero() {
				s.revokeAck = now
			}
			if (r.revoked || expired) && s.endAck.IsZero() {
				s.endAck = now
			}
			s.revoked, s.expired = r.revoked, expired
			s.endSent, s.revokeSent, s.rolled = s.revoked || s.expired, s.revoked, successor
		}

		// Each change and its audit event are one transaction.
		for _, q := range []struct{ kind, query string }{
			{"secret.created", `SELECT count(*) FROM secrets WHERE tenant_id = ? AND rolled_from IS NULL`},
			{"secret.rolled", `SELECT count(*) FROM secrets WHERE tenant_id = ? AND rolled_from IS NOT NULL`},
			{"secret.revoked", `SELECT count(*) FROM secrets WHERE tenant_id = ? AND revoked_at IS NOT NULL`},
			{"token.issued", `SELECT count(*) FROM access_tokens WHERE tenant_id = ?`},
		} {
			var n, events int
			if err := db.QueryRow(q.query, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow(`SELECT count(*) FROM audit_events WHERE tenant_id = ? AND kind = ?`, id, q.kind).Scan(&events); err != nil {
				t.Fatal(err)
			}
			if n != events {
				t.Errorf("round %d: %s: %d rows but %d %s audit events", round, id, n, events, q.kind)
			}
		}

		// Tenant-wide token revocations leave only their audit event to count them by.
		var revokeEvents int
		if err := db.QueryRow(`SELECT count(*) FROM audit_events WHERE tenant_id = ? AND kind = 'tokens.revoked'`, id).Scan(&revokeEvents); err != nil {
			t.Fatal(err)
		}
		var lostRevokes []crashPending
		for _, p := range mine {
			if p.kind == "revoke-tokens" {
				lostRevokes = append(lostRevokes, p)
			}
		}
		switch happened := revokeEvents - len(tn.revokes); {
		case happened < 0 || happened > len(lostRevokes):
			t.Errorf("round %d: %s: %d token revocations in the audit log, %d acknowledged and %d unanswered", round, id, revokeEvents, len(tn.revokes), len(lostRevokes))
		case happened == 1:
			tn.revokes = append(tn.revokes, &crashRevoke{sent: lostRevokes[0].sent, ack: now})
			t.Logf("round %d: the unanswered token revocation of %s happened", round, id)
			m.happened++
		}

		// A revocation took every token it covers, and nothing revoked a token that no
		// revocation covers.
		for _, tok := range tn.tokens {
			covered, live := tn.expect(tok)
			switch revoked := tokenRevoked(t, db, tok.plain); {
			case covered && !revoked:
				t.Errorf("round %d: a token of %s (secret %d) is covered by a revocation but live in the database", round, id, tok.secretID)
			case live && revoked:
				t.Errorf("round %d: a token of %s (secret %d) is revoked in the database, but no revocation covers it", round, id, tok.secretID)
			}
		}
	}
	m.checkOverHTTP(round)
}

// expect says whether tok must be refused (covered: its secret is revoked, or a
// revocation was asked for after tok was issued) or must work (live: nothing revokes
// it). A tenant-wide revocation sent while tok was being issued leaves it neither.
func (tn *crashTenant) expect(tok *crashToken) (covered, live bool) {
	sec := tn.secrets[tok.secretID]
	covered = sec != nil && sec.revoked
	live = !covered
	for _, r := range tn.revokes {
		covered = covered || tok.ack.Before(r.sent)
		live = live && !r.ack.IsZero() && r.ack.Before(tok.sent)
	}
	return covered, live
}

func dbSecrets(t *testing.T, db *sql.DB, tenant string) map[int64]*dbSecret {
	t.Helper()
	rows, err := db.Query(`SELECT s.id, coalesce(s.rolled_from, 0), s.expires_at, s.revoked_at IS NOT NULL,
		(SELECT count(*) FROM access_tokens k WHERE k.secret_id = s.id AND k.revoked_at IS NULL AND s.revoked_at IS NOT NULL)
		FROM secrets s WHERE s.tenant_id = ?`, tenant)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]*dbSecret{}
	for rows.Next() {
		var s dbSecret
		var exp sql.NullInt64
		if err := rows.Scan(&s.id, &s.rolledFrom, &exp, &s.revoked, &s.liveTokensOfRevoked); err != nil {
			t.Fatal(err)
		}
		s.expires = exp.Valid
		if exp.Valid {
			s.expiresAt = time.Unix(0, exp.Int64)
		}
		out[s.id] = &s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func tokenRevoked(t *testing.T, db *sql.DB, plain string) bool {
	t.Helper()
	c, err := auth.ParseCredential(plain)
	if err != nil {
		t.Fatalf("an issued token does not parse: %v", err)
	}
	h := c.Hash()
	var revoked bool
	if err := db.QueryRow(`SELECT revoked_at IS NOT NULL FROM access_tokens WHERE hash = ?`, h[:]).Scan(&revoked); err != nil {
		t.Fatalf("an acknowledged token is not in the database: %v", err)
	}
	return revoked
}

// checkOverHTTP asks the restarted server about every known secret and token.
func (m *crashModel) checkOverHTTP(round int) {
	t := m.t
	srv := m.srv
	for _, id := range m.tenantIDs() {
		tn := m.tenants[id]
		for _, sid := range tn.secretIDs() {
			s := tn.secrets[sid]
			if s.plain == "" {
				continue
			}
			sent := time.Now()
			status, body, err := srv.post(srv.base+"/Authenticate", "Bearer "+s.plain, "")
			if err != nil {
				t.Fatalf("round %d: the restarted server does not answer: %v", round, err)
			}
			live := !s.revoked && !s.expired
			switch {
			case live && status == 200:
				var out struct {
					AccessToken string `json:"access_token"`
				}
				if json.Unmarshal(body, &out) != nil || out.AccessToken == "" {
					t.Errorf("Authenticate: %s", body)
				}
				tn.tokens = append(tn.tokens, &crashToken{plain: out.AccessToken, secretID: sid, sent: sent, ack: time.Now()})
			case live:
				t.Errorf("round %d: secret %d of %s should authenticate: status %d: %s", round, sid, id, status, body)
			case status != 401 && status != 429:
				t.Errorf("round %d: secret %d of %s (revoked %v, expired %v) should be refused: status %d: %s", round, sid, id, s.revoked, s.expired, status, body)
			}
		}
		for _, tok := range tn.tokens {
			covered, live := tn.expect(tok)
			if !covered && !live || tok.refusedOnce {
				continue // a revocation raced with its minting: the database check covers it
			}
			status, body, err := srv.post(srv.base+"/GetCapabilities", "Bearer "+tok.plain, "")
			if err != nil {
				t.Fatalf("round %d: the restarted server does not answer: %v", round, err)
			}
			switch {
			case live && status != 200:
				t.Errorf("round %d: a token of %s (secret %d) should authenticate: status %d: %s", round, id, tok.secretID, status, body)
			case covered && status != 401 && status != 429:
				t.Errorf("round %d: a revoked token of %s (secret %d) was accepted: status %d", round, id, tok.secretID, status)
			case covered:
				tok.refusedOnce = true
			}
		}
	}
	if status, body, err := srv.get(srv.base + "/readyz"); err != nil || status != 200 {
		t.Errorf("round %d: /readyz after the restart: %d %s %v", round, status, body, err)
	}
}

func (p *quotekitProcess) get(url string) (int, []byte, error) {
	resp, err := p.client.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
