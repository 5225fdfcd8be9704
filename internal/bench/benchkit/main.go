// Command benchkit prepares and measures what the load benchmark (scripts/bench-load.sh)
// cannot do with wrk and the shell alone:
//
//	benchkit seed  -db FILE|URL -tenant ID -tokens N
//	    tops the access tokens of a quotekit store (a SQLite file or a postgres:// URL) up
//	    to N live tokens of the tenant
//	benchkit jwts  -key PEM -tenant ID -app-id APPID -n N -out FILE
//	    mints N SuperOffice-shaped RS256 JWTs, one a line, each usable once
//	benchkit ready -url URL -n N -- COMMAND [ARG...]
//	    starts COMMAND N times and reports the time from exec to URL answering 200
//	benchkit report -samples FILE -out FILE.md
//	    turns the samples of a run into the table of medians, ranges and ratios
//
// It opens the store as the server does (server/storage, which applies the store's own
// migrations) and makes credentials with package tenancy's code, so the seeded rows are
// what the server would have written.
package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/mattn/go-sqlite3"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/storage"
	"github.com/quotekit/quotekit/soap"
	"github.com/quotekit/quotekit/tenancy"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchkit:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: benchkit seed|jwts|ready|report|soapbody [flags]")
	}
	switch args[0] {
	case "seed":
		return seed(ctx, args[1:], stdout)
	case "jwts":
		return jwts(args[1:], stdout)
	case "ready":
		return ready(ctx, args[1:], stdout)
	case "report":
		return report(args[1:], stdout)
	case "soapbody":
		return soapBody(args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// seed tops the live access tokens of a tenant up to -tokens. The store is opened
// through server/storage, as the server opens it: -db is a SQLite file or a postgres://
// URL, and opening applies that store's migrations. The rows are then inserted in one
// transaction (SQLite) or one COPY (PostgreSQL) with the columns IssueToken writes;
// issuing a million tokens one IssueToken (and one audit event) at a time would take
// minutes and fill the audit log, which the benchmark does not measure. The tokens
// themselves are thrown away: nobody presents them, they only make the index the
// per-request lookup searches as large as a busy deployment's.
func seed(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	db := fs.String("db", "", "the store: a SQLite database file or a postgres:// URL")
	tenant := fs.String("tenant", "Cust12345", "tenant of the tokens")
	want := fs.Int("tokens", 1000, "live access tokens the tenant should have")
	ttl := fs.Duration("ttl", 2*time.Hour, "lifetime of the seeded tokens")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" {
		return errors.New("seed: -db is required")
	}
	// Open applies the migrations: the schema is the server's.
	store, err := storage.Open(ctx, *db)
	if err != nil {
		return err
	}
	t, err := store.Tenant(ctx, *tenant)
	store.Close()
	if err != nil {
		return err
	}
	var insert seeder = seedSQLite
	if storage.IsURL(*db) {
		insert = seedPostgres
	}
	start, now := time.Now(), time.Now()
	token := func() ([]any, error) {
		plain, err := tenancy.NewCredential(tenancy.KindAccessToken, t.Environment)
		if err != nil {
			return nil, err
		}
		c, err := tenancy.ParseCredential(plain)
		if err != nil {
			return nil, err
		}
		h := c.Hash()
		return []any{h[:], t.ID, string(tenancy.MethodSecret), now.UnixNano(), now.Add(*ttl).UnixNano()}, nil
	}
	added, total, err := insert(ctx, *db, t.ID, now, *want, token)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d access tokens (%d added in %s)\n", storage.Redact(*db), total, added, time.Since(start).Round(time.Millisecond))
	return nil
}

// A seeder adds rows made by token (hash, tenant, method, issued, expires; a new token
// each call) until tenantID has want live tokens at now, and returns how many it added
// and how many access tokens the store then holds.
type seeder func(ctx context.Context, db, tenantID string, now time.Time, want int, token func() ([]any, error)) (added, total int, err error)

// seedSQLite inserts the rows in one transaction and checkpoints the WAL, so that the
// server starts on a database file like one it wrote itself.
func seedSQLite(ctx context.Context, path, tenantID string, now time.Time, want int, token func() ([]any, error)) (added, total int, err error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000&_foreign_keys=on")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var have int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM access_tokens WHERE tenant_id = ? AND expires_at > ?`,
		tenantID, now.UnixNano()).Scan(&have); err != nil {
		return 0, 0, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO access_tokens
		(hash, tenant_id, associate_id, user_name, user_email, erp_user, method, secret_id, actor, issued_at, expires_at)
		VALUES (?, ?, 0, '', '', '', ?, NULL, '', ?, ?)`)
	if err != nil {
		return 0, 0, err
	}
	defer ins.Close()
	for added < want-have {
		row, err := token()
		if err != nil {
			return 0, 0, err
		}
		if _, err := ins.ExecContext(ctx, row...); err != nil {
			return 0, 0, err
		}
		added++
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM access_tokens`).Scan(&total); err != nil {
		return 0, 0, err
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, 0, err
	}
	return added, total, nil
}

// seedPostgres copies the rows in with COPY and analyses the table, so that the planner
// knows its size as it would after the server had filled it.
func seedPostgres(ctx context.Context, url, tenantID string, now time.Time, want int, token func() ([]any, error)) (added, total int, err error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, 0, fmt.Errorf("connect to %s: %w", storage.Redact(url), err)
	}
	defer conn.Close(context.Background())
	var have int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM access_tokens WHERE tenant_id = $1 AND expires_at > $2`,
		tenantID, now.UnixNano()).Scan(&have); err != nil {
		return 0, 0, err
	}
	rows := pgx.CopyFromFunc(func() ([]any, error) {
		if added >= want-have {
			return nil, nil
		}
		row, err := token()
		if err != nil {
			return nil, err
		}
		added++
		return []any{row[0], row[1], int32(0), "", "", "", row[2], nil, "", row[3], row[4]}, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"access_tokens"},
		[]string{"hash", "tenant_id", "associate_id", "user_name", "user_email", "erp_user", "method", "secret_id", "actor", "issued_at", "expires_at"},
		rows); err != nil {
		return 0, 0, err
	}
	if _, err := conn.Exec(ctx, `ANALYZE access_tokens`); err != nil {
		return 0, 0, err
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM access_tokens`).Scan(&total); err != nil {
		return 0, 0, err
	}
	return added, total, nil
}

// SuperOffice claim names, as `quotekit devjwt` writes them.
const (
	claimTenant      = "http://schemes.superoffice.net/identity/ctx"
	claimAssociateID = "http://schemes.superoffice.net/identity/associateid"
	claimEmail       = "http://schemes.superoffice.net/identity/email"
	claimUPN         = "http://schemes.superoffice.net/identity/upn"
)

// jwts mints -n JWTs shaped like `quotekit devjwt`'s (and SuperOffice's), each with its
// own jti and nonce, valid from now for -ttl. The server refuses a JWT it has seen, so
// a load run needs one per request.
func jwts(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("jwts", flag.ContinueOnError)
	keyPath := fs.String("key", "", "RSA private key, PEM (a test key)")
	tenant := fs.String("tenant", "Cust12345", "tenant (ctx claim)")
	appID := fs.String("app-id", "quotekit-demo", "AppId of the audience spn:<AppId>")
	associate := fs.Int("associate-id", 12, "the user's associate id")
	email := fs.String("email", "ola.nygard@example.com", "the user's e-mail")
	n := fs.Int("n", 1000, "how many")
	ttl := fs.Duration("ttl", 10*time.Minute, "lifetime, at most 10m")
	out := fs.String("out", "", "output file, one JWT a line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *keyPath == "" {
		return errors.New("jwts: -key and -out are required")
	}
	key, err := readPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	start := time.Now()
	now := start.Truncate(time.Second)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	toks := make([]string, *n)
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(toks); i += workers {
				claims := map[string]any{
					"iss": "SuperOffice AS", "aud": "spn:" + *appID,
					"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(*ttl).Unix(),
					"jti": randomHex(16), "nonce": randomHex(16),
					claimTenant: *tenant, claimAssociateID: fmt.Sprint(*associate),
					claimEmail: *email, claimUPN: *email, "sub": *email,
				}
				payload, err := json.Marshal(claims)
				if err != nil {
					errs[w] = err
					return
				}
				signing := header + "." + base64.RawURLEncoding.EncodeToString(payload)
				digest := sha256.Sum256([]byte(signing))
				sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
				if err != nil {
					errs[w] = err
					return
				}
				toks[i] = signing + "." + base64.RawURLEncoding.EncodeToString(sig)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	for _, t := range toks {
		fmt.Fprintln(f, t)
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d JWTs in %s, valid until %s\n", *n, time.Since(start).Round(time.Millisecond), now.Add(*ttl).Format(time.TimeOnly))
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	return hex.EncodeToString(b)
}

func readPrivateKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an RSA key", path)
	}
	return rk, nil
}

// ready starts the command -n times, one after the other, and measures each time from
// exec to the first 200 from -url; then it stops the command with SIGTERM. It prints
// the times in milliseconds, one a line, and a summary line.
func ready(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ready", flag.ContinueOnError)
	url := fs.String("url", "", "readiness URL, e.g. http://127.0.0.1:8080/readyz")
	n := fs.Int("n", 5, "how many starts")
	limit := fs.Duration("timeout", 30*time.Second, "give up on one start after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmdArgs := fs.Args()
	if *url == "" || len(cmdArgs) == 0 {
		return errors.New("ready: -url and a command are required")
	}
	client := &http.Client{Timeout: time.Second}
	var ms []float64
	for range *n {
		cmd := exec.CommandContext(ctx, cmdArgs[0], cmdArgs[1:]...) //nolint:gosec // G204: timing the caller's own command is what ready is for
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		d, err := pollReady(ctx, client, *url, start, *limit)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() {
			_ = cmd.Wait() // "signal: terminated": the stop we asked for
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if err != nil {
			return err
		}
		ms = append(ms, float64(d.Microseconds())/1000)
		fmt.Fprintf(stdout, "%.1f\n", ms[len(ms)-1])
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	fmt.Fprintf(stdout, "READY median=%.1f min=%.1f max=%.1f\n", s[len(s)/2], s[0], s[len(s)-1])
	return nil
}

// pollReady asks url every millisecond until it answers 200, at most limit after start.
func pollReady(ctx context.Context, client *http.Client, url string, start time.Time, limit time.Duration) (time.Duration, error) {
	for time.Since(start) < limit {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("%s not ready after %s", url, limit)
}

// soapBody turns a REST request body of an operation into the SOAP envelope NetServer
// sends for the same call, so that the SOAP and REST scenarios decode the same request:
// the body's ConfigValues become the ConnectionConfigFields header (ApplicationId first,
// as from SuperOffice Online), the tenant the ContextIdentifier. It prints the SOAPAction
// and writes the envelope to -out.
func soapBody(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("soapbody", flag.ContinueOnError)
	in := fs.String("json", "", "REST request body (JSON)")
	opName := fs.String("op", "GetProduct", "operation")
	tenant := fs.String("tenant", "", "the ContextIdentifier")
	out := fs.String("out", "", "where the envelope goes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	op, ok := connector.Lookup(*opName)
	if !ok || *in == "" || *out == "" || *tenant == "" {
		return errors.New("soapbody: -json, -out, -tenant and a known -op are required")
	}
	raw, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	req := op.NewRequest()
	if err := json.Unmarshal(raw, req); err != nil {
		return fmt.Errorf("soapbody: %s: %w", *in, err)
	}
	var envelope struct {
		ConfigValues   map[string]string
		ConnectionInfo *connector.QuoteConnectionInfo
	}
	if err := json.Unmarshal(raw, &envelope); err != nil {
		return err
	}
	h := soap.Header{ContextIdentifier: *tenant, ConnectionData: envelope.ConnectionInfo, SessionID: "bench",
		UserInfo: &connector.UserInfo{AssociateId: 5, FullName: "Ola Nordmann", Email: "ola.nordmann@example.no"}}
	if envelope.ConnectionInfo != nil {
		h.ConnectionID = envelope.ConnectionInfo.CRMConnectionId
	}
	cv := envelope.ConfigValues
	if v, ok := cv["ApplicationId"]; ok {
		h.ConfigFields = append(h.ConfigFields, soap.KeyValue{Key: "ApplicationId", Value: v})
	}
	keys := make([]string, 0, len(cv))
	for k := range cv {
		if k != "ApplicationId" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		h.ConfigFields = append(h.ConfigFields, soap.KeyValue{Key: k, Value: cv[k]})
	}
	var env bytes.Buffer
	action, err := soap.WriteCall(&env, op, h, req)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, env.Bytes(), 0o600); err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, action)
	return err
}
