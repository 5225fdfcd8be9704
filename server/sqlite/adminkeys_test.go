package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// TestMigrationAddsAdminKeys opens a database that only migration 0001 made, with data in
// it, as an upgraded quotekit would find it.
func TestMigrationAddsAdminKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
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
	if err := old.migrateTo(ctx, ms[:1]); err != nil {
		t.Fatal(err)
	}
	insertOldTenant(t, old, "Cust1")
	tok := supportToken("Cust1", "adminkey:1")
	mustIssueToken(t, old, tok)
	if n := count(t, old, `SELECT count(*) FROM sqlite_schema WHERE name = 'admin_keys'`); n != 0 {
		t.Fatal("migration 0001 alone made admin_keys")
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := openAt(t, path)
	var versions []int
	rows, err := s.r.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.version)
	}
	if !reflect.DeepEqual(versions, want) {
		t.Fatalf("schema versions %v, want %v", versions, want)
	}
	if _, err := s.Tenant(ctx, "Cust1"); err != nil {
		t.Fatalf("data of 0001 lost: %v", err)
	}
	id := mustCreateAdminKey(t, s, newAdminKey("after the upgrade", tenancy.ScopeSupport))
	if id != 1 {
		t.Fatalf("first admin key has id %d", id)
	}
	if err := s.RevokeAdminKey(ctx, id, t0.Add(time.Minute), tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.TokenByHash(ctx, tok.Hash); err != nil || got.RevokedAt.IsZero() {
		t.Errorf("a token issued before the upgrade was not revoked with its key: %+v, %v", got, err)
	}
}

func TestAdminKeyQueryPlans(t *testing.T) {
	s, _ := openStore(t)
	tests := []struct {
		name, query string
		args        []any
		want        string
	}{
		{"admin key by hash", adminKeyByHashQuery, []any{make([]byte, 32)}, "SEARCH a USING INDEX sqlite_autoindex_admin_keys_1 (hash=?)"},
		{"revoke by actor", revokeByActorQuery, []any{1, "adminkey:1"}, "SEARCH access_tokens USING INDEX access_tokens_by_actor (actor=?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var detail string
			var id, parent, unused int
			if err := s.w.QueryRow("EXPLAIN QUERY PLAN "+tt.query, tt.args...).Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			if detail != tt.want {
				t.Errorf("plan %q, want %q", detail, tt.want)
			}
		})
	}
}
