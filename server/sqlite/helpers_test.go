package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy/storetest"
)

// The fixtures and checks of the store conformance suite, under the names this
// package's own tests use; t0 is the fixed "now" every time derives from.
var (
	t0                 = storetest.T0
	fixedClock         = storetest.Clock
	newHash            = storetest.NewHash
	testTenant         = storetest.NewTenant
	newSecret          = storetest.NewSecret
	newToken           = storetest.NewToken
	newAdminKey        = storetest.NewAdminKey
	supportToken       = storetest.SupportToken
	mustCreateTenant   = storetest.MustCreateTenant
	mustCreateSecret   = storetest.MustCreateSecret
	mustIssueToken     = storetest.MustIssueToken
	mustCreateAdminKey = storetest.MustCreateAdminKey
	wantErr            = storetest.WantErr
	errPlain           = storetest.ErrPlain
)

// openStore opens a fresh database file in t.TempDir() with the clock fixed at t0.
func openStore(t testing.TB, opts ...Option) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "quotekit.db")
	return openAt(t, path, opts...), path
}

// openAt opens path (another handle on an existing file, or a new file), with the clock
// fixed at t0 unless opts set another.
func openAt(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, append([]Option{WithClock(fixedClock)}, opts...)...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	paths.Store(s, path)
	t.Cleanup(func() {
		paths.Delete(s)
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
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

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

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
