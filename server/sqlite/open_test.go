package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/quotekit/quotekit/tenancy"
)

func TestOpenSetsPragmasOnEveryPool(t *testing.T) {
	s, _ := openStore(t)
	pools := map[string]*sql.DB{"writer": s.w, "reader": s.r}
	want := map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "5000",
		"synchronous":  "1", // NORMAL
	}
	for poolName, db := range pools {
		for pragma, v := range want {
			var got string
			if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", poolName, pragma, err)
			}
			if got != v {
				t.Errorf("%s: PRAGMA %s = %s, want %s", poolName, pragma, got, v)
			}
		}
	}
	var queryOnly int
	if err := s.r.QueryRow("PRAGMA query_only").Scan(&queryOnly); err != nil || queryOnly != 1 {
		t.Errorf("reader PRAGMA query_only = %d, %v; want 1", queryOnly, err)
	}
}

func TestOpenRefusesNonFiles(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if s, err := Open(context.Background(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestOpenUnreachableFileIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "quotekit.db")
	_, err := Open(context.Background(), path)
	wantErr(t, err, tenancy.ErrUnavailable)
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd?dir#%41")
	path := filepath.Join(dir, "q.db")
	if err := mkdir(dir); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	mustCreateTenant(t, s, "Cust1")
	if !fileExists(path) {
		t.Fatalf("database not created at %s", path)
	}
}

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	s, path := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s2 := openAt(t, path)
		if n := count(t, s2, `SELECT count(*) FROM schema_migrations`); n != len(ms) {
			t.Fatalf("schema_migrations has %d rows, want %d", n, len(ms))
		}
		if _, err := s2.Tenant(context.Background(), "Cust1"); err != nil {
			t.Fatalf("data lost on reopen: %v", err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s, path := openStore(t)
	if _, err := s.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)`); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]Option{nil, {WithReadOnly()}} {
		_, err := Open(context.Background(), path, opts...)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
		}
		if !strings.Contains(err.Error(), "9999") {
			t.Errorf("error %q does not name the database's version", err)
		}
	}
}

func TestReadOnlyOpenRefusesUnmigratedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE unrelated (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := Open(context.Background(), path, WithReadOnly()); err == nil {
		s.Close()
		t.Fatal("read-only Open of an unmigrated database succeeded")
	}
}

func TestMigrateAppliesOnlyPending(t *testing.T) {
	s, _ := openStore(t)
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	next := migration{version: len(ms) + 1, name: "next", sql: `CREATE TABLE extra (x INTEGER);`}
	for range 2 { // the second run finds nothing to do
		if err := s.migrateTo(context.Background(), append(ms, next)); err != nil {
			t.Fatalf("migrateTo: %v", err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM schema_migrations`); n != len(ms)+1 {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms)+1)
	}
	// A failing migration leaves no trace: its transaction rolls back.
	bad := migration{version: len(ms) + 2, name: "bad", sql: `CREATE TABLE half (x INTEGER); SELECT * FROM nowhere;`}
	if err := s.migrateTo(context.Background(), append(ms, next, bad)); err == nil {
		t.Fatal("a failing migration was reported as applied")
	}
	if n := count(t, s, `SELECT count(*) FROM sqlite_schema WHERE name = 'half'`); n != 0 {
		t.Error("a failed migration left a table behind")
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"ordered by number", fstest.MapFS{
			"migrations/0002_b.sql": file("B"),
			"migrations/0001_a.sql": file("A"),
		}, []int{1, 2}, false},
		{"gap", fstest.MapFS{
			"migrations/0001_a.sql": file("A"),
			"migrations/0003_c.sql": file("C"),
		}, nil, true},
		{"duplicate version", fstest.MapFS{
			"migrations/0001_a.sql": file("A"),
			"migrations/0001_b.sql": file("B"),
		}, nil, true},
		{"no number", fstest.MapFS{"migrations/init.sql": file("A")}, nil, true},
		{"starts at zero", fstest.MapFS{"migrations/0000_a.sql": file("A")}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.fsys)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("versions = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("versions = %v, want %v", got, tt.want)
				}
			}
		})
	}
	if _, err := loadMigrations(migrationFiles); err != nil {
		t.Errorf("embedded migrations: %v", err)
	}
}
