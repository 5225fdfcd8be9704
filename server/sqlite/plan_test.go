package sqlite

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/quotekit/quotekit/tenancy"
)

// TestReadsAreNotRecompiled guards the speed of the lookups on the request path. SQLite
// compiles a statement again whenever new values are bound to parameters its planner has
// looked at, and go-sqlite3 rebinds on every execution, so a careless WHERE clause makes
// every lookup pay for parsing and planning. Compiling runs the authorizer; once a
// statement is cached, running it again with other values must not.
func TestReadsAreNotRecompiled(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	mustCreateTenant(t, s, "Cust2")
	var secrets []tenancy.Secret
	var tokens []tenancy.AccessToken
	for range 3 {
		sec := newSecret("Cust1")
		id := mustCreateSecret(t, s, sec)
		secrets = append(secrets, sec)
		tok := newToken("Cust1", id)
		mustIssueToken(t, s, tok)
		tokens = append(tokens, tok)
		if err := s.TouchSecret(ctx, id, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", AssociateID: 1, Email: "a@x.com", ERPUser: "a"}, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}

	// One read connection, with an authorizer that counts compilations.
	s.r.SetMaxOpenConns(1)
	var compiles atomic.Int64
	conn, err := s.r.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		dc.(*sqlite3.SQLiteConn).RegisterAuthorizer(func(op int, _, _, _ string) int {
			if op == sqlite3.SQLITE_SELECT {
				compiles.Add(1)
			}
			return sqlite3.SQLITE_OK
		})
		return nil
	})
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}

	lookups := []struct {
		name string
		run  func(i int) error
	}{
		{"TokenByHash", func(i int) error { _, _, err := s.TokenByHash(ctx, tokens[i].Hash); return err }},
		{"SecretByHash", func(i int) error { _, _, err := s.SecretByHash(ctx, secrets[i].Hash); return err }},
		{"Tenant", func(i int) error { _, err := s.Tenant(ctx, []string{"Cust1", "Cust2", "Cust1"}[i]); return err }},
		{"UserMapping", func(i int) error {
			_, err := s.UserMapping(ctx, "Cust1", int32(i), "a@x.com")
			return err
		}},
		{"ListTokens", func(i int) error {
			_, err := s.ListTokens(ctx, []string{"Cust1", "Cust2", "Cust1"}[i], t0.Add(time.Duration(i)*time.Second))
			return err
		}},
		{"TouchSecret (throttled)", func(i int) error { return s.TouchSecret(ctx, int64(i+1), t0) }},
	}
	for _, l := range lookups {
		t.Run(l.name, func(t *testing.T) {
			if err := l.run(0); err != nil {
				t.Fatal(err)
			}
			before := compiles.Load()
			for i := 1; i < 3; i++ {
				if err := l.run(i); err != nil {
					t.Fatal(err)
				}
			}
			if n := compiles.Load() - before; n != 0 {
				t.Errorf("compiled %d more times when run with other values", n)
			}
		})
	}
}

// TestHashLookupsUseIndexes checks the plans of the per-request lookups: one search in
// the unique hash index, one in the tenants' primary key, no scan.
func TestHashLookupsUseIndexes(t *testing.T) {
	s, _ := openStore(t)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"token by hash", tokenByHashQuery, []string{
			"SEARCH k USING INDEX sqlite_autoindex_access_tokens_1 (hash=?)",
			"SEARCH t USING INDEX sqlite_autoindex_tenants_1 (id=?)",
		}},
		{"secret by hash", secretByHashQuery, []string{
			"SEARCH s USING INDEX sqlite_autoindex_secrets_1 (hash=?)",
			"SEARCH t USING INDEX sqlite_autoindex_tenants_1 (id=?)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.r.Query("EXPLAIN QUERY PLAN "+tt.query, make([]byte, 32))
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				got = append(got, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan = %q\nwant   %q", got, tt.want)
			}
		})
	}
}
