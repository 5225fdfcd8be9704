package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// t0 is the fixed "now" of the tests; every time is derived from it.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return t0 }

// openStore opens a fresh database file in t.TempDir() with the clock fixed at t0.
func openStore(t testing.TB, opts ...Option) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "quotekit.db")
	return openAt(t, path, opts...), path
}

// openAt opens path (another handle on an existing file, or a new file).
func openAt(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, append([]Option{WithClock(fixedClock)}, opts...)...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

var hashSeq atomic.Int64

// newHash returns a hash no other call of the test binary returns.
func newHash() [32]byte {
	return sha256.Sum256(fmt.Appendf(nil, "credential-%d", hashSeq.Add(1)))
}

func testTenant(id string) tenancy.Tenant {
	return tenancy.Tenant{
		ID:              id,
		Name:            "Tenant " + id,
		Environment:     connector.EnvironmentTest,
		SuperOfficeEnvs: []string{"sod"},
		AppIDs:          []string{"app-" + id},
		Enabled:         true,
		Config:          map[string]string{"warehouse": "main"},
		CreatedAt:       t0.Add(-24 * time.Hour),
		UpdatedAt:       t0.Add(-24 * time.Hour),
	}
}

func mustCreateTenant(t testing.TB, s *Store, id string) tenancy.Tenant {
	t.Helper()
	tn := testTenant(id)
	if err := s.CreateTenant(context.Background(), tn, tenancy.AuditEvent{Actor: "test"}); err != nil {
		t.Fatalf("CreateTenant(%s): %v", id, err)
	}
	return tn
}

// newSecret is a secret of tenant created at t0 that never expires.
func newSecret(tenant string) tenancy.Secret {
	h := newHash()
	return tenancy.Secret{
		TenantID:   tenant,
		Hash:       h,
		Mode:       connector.EnvironmentTest,
		Display:    fmt.Sprintf("qk_test_%x", h[:3]),
		Last4:      fmt.Sprintf("%x", h[30:]),
		Ciphertext: []byte("sealed:" + string(h[:4])),
		KeyID:      "k1",
		CreatedAt:  t0,
	}
}

func mustCreateSecret(t testing.TB, s *Store, sec tenancy.Secret) int64 {
	t.Helper()
	id, err := s.CreateSecret(context.Background(), sec, 0, tenancy.AuditEvent{Actor: "test"})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	return id
}

// newToken is a token of tenant issued at t0 for an hour.
func newToken(tenant string, secretID int64) tenancy.AccessToken {
	return tenancy.AccessToken{
		Hash:      newHash(),
		TenantID:  tenant,
		Method:    tenancy.MethodSecret,
		SecretID:  secretID,
		IssuedAt:  t0,
		ExpiresAt: t0.Add(time.Hour),
	}
}

func mustIssueToken(t testing.TB, s *Store, tok tenancy.AccessToken) int64 {
	t.Helper()
	id, err := s.IssueToken(context.Background(), tok, tenancy.AuditEvent{})
	if err != nil {
		t.Fatalf("IssueToken: %v", err)
	}
	return id
}

// count runs a count(*) query straight on the database, bypassing the store's methods.
func count(t testing.TB, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func auditCount(t testing.TB, s *Store) int {
	t.Helper()
	return count(t, s, `SELECT count(*) FROM audit_events`)
}

// wantErr fails unless err wraps want (nil: no error). A want of errPlain accepts any
// error that wraps none of the store's sentinels: bad input, not a store outcome.
func wantErr(t testing.TB, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case errors.Is(want, errPlain):
		if err == nil {
			t.Fatalf("got no error, want one")
		}
		for _, s := range []error{tenancy.ErrNotFound, tenancy.ErrConflict, tenancy.ErrLimit, tenancy.ErrUnavailable} {
			if errors.Is(err, s) {
				t.Fatalf("error %q wraps %v, want a plain error", err, s)
			}
		}
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error = %v, want %v", err, want)
	}
}

var errPlain = errors.New("any error that is no store sentinel")

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func isErr(err, target error) bool { return errors.Is(err, target) }

// storeAtVersion makes a database at path that only the first n migrations made, as an
// older quotekit left it, and returns a store on it that applies no more; close it before
// opening the file with Open, which migrates the rest.
func storeAtVersion(t testing.TB, path string, n int) *Store {
	t.Helper()
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	o := options{now: fixedClock, busyTimeout: 5 * time.Second, readers: 1}
	w, err := sql.Open("sqlite3", dsn(path, o, true))
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite3", dsn(path, o, false))
	if err != nil {
		t.Fatal(err)
	}
	old := newStore(w, r, o)
	if err := old.migrateTo(context.Background(), ms[:n]); err != nil {
		t.Fatal(err)
	}
	return old
}

// insertOldTenant adds an enabled tenant with the columns migration 0001 made, to a
// database that older migrations only made (see storeAtVersion).
func insertOldTenant(t testing.TB, s *Store, id string) {
	t.Helper()
	if _, err := s.w.Exec(`INSERT INTO tenants (id, name, environment, app_ids, enabled, config, created_at, updated_at)
		VALUES (?, 'Tenant ' || ?1, 'test', '["app"]', 1, '{}', ?2, ?2)`, id, t0.UnixNano()); err != nil {
		t.Fatal(err)
	}
}
