package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/quotekit/quotekit/internal/pgtest"
	"github.com/quotekit/quotekit/server/internal/migrate"
	"github.com/quotekit/quotekit/tenancy"
)

// exec runs statements on the database at url on a connection of its own, bypassing
// the store.
func exec(t testing.TB, url, stmt string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func queryInt(t testing.TB, url, q string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func embedded(t testing.TB) []migrate.Migration {
	t.Helper()
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestOpenRefusesNewerSchema: a database a newer program migrated is refused with
// ErrSchemaTooNew and the SQLite store's words, and left alone.
func TestOpenRefusesNewerSchema(t *testing.T) {
	s, url := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	exec(t, url, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)`)
	_, err := Open(context.Background(), url)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	want := fmt.Sprintf("postgres: database is at schema version 9999, this program knows versions up to %d: %v",
		len(embedded(t)), ErrSchemaTooNew)
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM schema_migrations`); n != len(embedded(t))+1 {
		t.Errorf("schema_migrations has %d rows after the refusal, want %d", n, len(embedded(t))+1)
	}
}

// TestConcurrentOpenMigratesOnce: instances starting at once on an empty database all
// open it, and each migration is applied once (a second run of 0001 would fail on its
// CREATE TABLE, and would record a second row).
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	url := pgtest.Start(t)
	const instances = 6
	stores := make([]*Store, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), url, WithClock(fixedClock)) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("instance %d: Open: %v", i, errs[i])
			continue
		}
		t.Cleanup(func() { s.Close() })
	}
	ms := embedded(t)
	if n := queryInt(t, url, `SELECT count(*) FROM schema_migrations`); n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
	if errs[0] == nil {
		mustCreateTenant(t, stores[0], "Cust1")
	}
}

// TestMigrateAppliesOnlyPending: a later migration runs once, a failing one leaves no
// trace, and the runner is the one the SQLite store uses.
func TestMigrateAppliesOnlyPending(t *testing.T) {
	s, url := openStore(t)
	ms := embedded(t)
	next := migrate.Migration{Version: len(ms) + 1, Name: "next", SQL: `CREATE TABLE extra (x integer); CREATE INDEX extra_x ON extra (x);`}
	for range 2 {
		if err := s.migrateTo(context.Background(), append(ms, next)); err != nil {
			t.Fatalf("migrateTo: %v", err)
		}
	}
	if n := queryInt(t, url, `SELECT count(*) FROM schema_migrations`); n != len(ms)+1 {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms)+1)
	}
	bad := migrate.Migration{Version: len(ms) + 2, Name: "bad", SQL: `CREATE TABLE half (x integer); SELECT * FROM nowhere;`}
	err := s.migrateTo(context.Background(), append(ms, next, bad))
	if err == nil || !strings.Contains(err.Error(), "migration bad") {
		t.Fatalf("a failing migration: %v", err)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM pg_class WHERE relname = 'half'`); n != 0 {
		t.Error("a failed migration left a table behind")
	}
}

// TestOpenBadURL: a malformed URL is a plain error that does not show the password; an
// unreachable server is tenancy.ErrUnavailable.
func TestOpenBadURL(t *testing.T) {
	_, err := Open(context.Background(), "postgres://u:hunter2@localhost:notaport/db")
	if err == nil || strings.Contains(err.Error(), "hunter2") || errors.Is(err, tenancy.ErrUnavailable) {
		t.Errorf("Open with a malformed URL: %v", err)
	}
	_, err = Open(context.Background(), "postgres://u:hunter2@/db?host="+t.TempDir()+"&connect_timeout=2")
	if !errors.Is(err, tenancy.ErrUnavailable) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open of a server that is not there: %v, want ErrUnavailable without the password", err)
	}
}
