package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// newAdminKey is an admin key created at t0 with the scopes.
func newAdminKey(name string, scopes ...tenancy.Scope) tenancy.AdminKey {
	h := newHash()
	return tenancy.AdminKey{
		Hash:      h,
		Name:      name,
		Display:   fmt.Sprintf("qk_ak_test_%x", h[:2]),
		Last4:     fmt.Sprintf("%x", h[30:]),
		Scopes:    scopes,
		CreatedAt: t0,
	}
}

func mustCreateAdminKey(t testing.TB, s *Store, k tenancy.AdminKey) int64 {
	t.Helper()
	id, err := s.CreateAdminKey(context.Background(), k, tenancy.AuditEvent{Actor: "test"})
	if err != nil {
		t.Fatalf("CreateAdminKey: %v", err)
	}
	return id
}

// tooLate cannot be stored: an audit event at it makes its transaction fail.
var tooLate = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)

func TestCreateAdminKey(t *testing.T) {
	ctx := context.Background()
	dup := newHash()
	tests := []struct {
		name string
		key  func() tenancy.AdminKey
		ev   tenancy.AuditEvent
		want error
	}{
		{"ok", func() tenancy.AdminKey { return newAdminKey("ops", tenancy.ScopeTenantsRead, tenancy.ScopeSupport) }, tenancy.AuditEvent{Actor: "cli:ann"}, nil},
		{"duplicate hash", func() tenancy.AdminKey {
			k := newAdminKey("again", tenancy.ScopeAuditRead)
			k.Hash = dup
			return k
		}, tenancy.AuditEvent{}, tenancy.ErrConflict},
		{"no hash", func() tenancy.AdminKey {
			k := newAdminKey("x", tenancy.ScopeAuditRead)
			k.Hash = [32]byte{}
			return k
		}, tenancy.AuditEvent{}, errPlain},
		{"no scopes", func() tenancy.AdminKey { return newAdminKey("x") }, tenancy.AuditEvent{}, errPlain},
		{"audit event fails", func() tenancy.AdminKey { return newAdminKey("x", tenancy.ScopeAuditRead) }, tenancy.AuditEvent{At: tooLate}, errPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t)
			seed := newAdminKey("seed", tenancy.ScopeTenantsRead)
			seed.Hash = dup
			mustCreateAdminKey(t, s, seed)
			audits, keys := auditCount(t, s), count(t, s, `SELECT count(*) FROM admin_keys`)

			k := tt.key()
			id, err := s.CreateAdminKey(ctx, k, tt.ev)
			wantErr(t, err, tt.want)
			wantNew := 0
			if err == nil {
				wantNew = 1
			}
			if n := count(t, s, `SELECT count(*) FROM admin_keys`) - keys; n != wantNew {
				t.Errorf("keys written = %d, want %d", n, wantNew)
			}
			if n := auditCount(t, s) - audits; n != wantNew {
				t.Errorf("audit events written = %d, want %d", n, wantNew)
			}
			if err != nil {
				return
			}
			got, err := s.AdminKeyByHash(ctx, k.Hash)
			if err != nil {
				t.Fatal(err)
			}
			k.ID = id
			if !reflect.DeepEqual(got, k) {
				t.Errorf("AdminKeyByHash = %+v\nwant            %+v", got, k)
			}
			evs, _ := s.AuditEvents(ctx, tenancy.AuditFilter{Limit: 1})
			want := tenancy.AuditEvent{ID: evs[0].ID, Kind: tenancy.EventAdminKeyCreated, Actor: "cli:ann", Credential: k.Display, At: t0}
			if !reflect.DeepEqual(evs[0], want) {
				t.Errorf("audit event = %+v\nwant          %+v", evs[0], want)
			}
		})
	}
}

func TestAdminKeyByHashUnknown(t *testing.T) {
	s, _ := openStore(t)
	_, err := s.AdminKeyByHash(context.Background(), newHash())
	wantErr(t, err, tenancy.ErrNotFound)
}

func TestListAdminKeys(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	if keys, err := s.ListAdminKeys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("ListAdminKeys of a new store = %v, %v", keys, err)
	}
	var want []tenancy.AdminKey
	for i, name := range []string{"first", "second", "third"} {
		k := newAdminKey(name, tenancy.ScopeAuditRead)
		k.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
		k.ID = mustCreateAdminKey(t, s, k)
		want = append([]tenancy.AdminKey{k}, want...)
	}
	if err := s.RevokeAdminKey(ctx, want[1].ID, t0.Add(time.Hour), tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	want[1].RevokedAt = t0.Add(time.Hour)
	got, err := s.ListAdminKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListAdminKeys =\n%+v\nwant\n%+v", got, want)
	}
}

// supportToken is a support token of tenant obtained by actor.
func supportToken(tenant, actor string) tenancy.AccessToken {
	tok := newToken(tenant, 0)
	tok.Method, tok.Actor = tenancy.MethodSupport, actor
	return tok
}

func TestRevokeAdminKeyCascades(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	mustCreateTenant(t, s, "Cust2")
	mustCreateTenant(t, s, "Cust3")
	key := newAdminKey("support desk", tenancy.ScopeSupport)
	id := mustCreateAdminKey(t, s, key)
	other := mustCreateAdminKey(t, s, newAdminKey("other", tenancy.ScopeSupport))
	actor := tenancy.AdminKeyActor(id)

	secID := mustCreateSecret(t, s, newSecret("Cust1"))
	earlier, at := t0.Add(5*time.Minute), t0.Add(10*time.Minute)
	revokedBefore := supportToken("Cust1", actor)
	never := time.Time{}
	tokens := map[string]struct {
		tok         tenancy.AccessToken
		wantRevoked time.Time
	}{
		"its token of Cust1":       {supportToken("Cust1", actor), at},
		"its token of Cust2":       {supportToken("Cust2", actor), at},
		"its revoked token":        {revokedBefore, earlier},
		"another key's token":      {supportToken("Cust1", tenancy.AdminKeyActor(other)), never},
		"a look-alike actor":       {supportToken("Cust3", actor+"0"), never},
		"a token from a secret":    {newToken("Cust1", secID), never},
		"a token without an actor": {newToken("Cust3", 0), never},
	}
	for _, tt := range tokens {
		mustIssueToken(t, s, tt.tok)
	}
	if _, err := s.w.Exec(`UPDATE access_tokens SET revoked_at = ? WHERE hash = ?`, earlier.UnixNano(), revokedBefore.Hash[:]); err != nil {
		t.Fatal(err)
	}

	t.Run("unknown key", func(t *testing.T) {
		audits := auditCount(t, s)
		wantErr(t, s.RevokeAdminKey(ctx, 999, at, tenancy.AuditEvent{}), tenancy.ErrNotFound)
		if auditCount(t, s) != audits {
			t.Error("an audit event was written for an unknown key")
		}
	})
	t.Run("the audit event fails", func(t *testing.T) {
		err := s.RevokeAdminKey(ctx, id, at, tenancy.AuditEvent{At: tooLate})
		wantErr(t, err, errPlain)
		if k, _ := s.AdminKeyByHash(ctx, key.Hash); !k.RevokedAt.IsZero() {
			t.Error("the key was revoked without its audit event")
		}
		if n := count(t, s, `SELECT count(*) FROM access_tokens WHERE actor = ? AND revoked_at IS NULL`, actor); n != 2 {
			t.Errorf("%d of its 2 live tokens left live, want 2: the cascade outlived the rollback", n)
		}
	})

	audits := auditCount(t, s)
	if err := s.RevokeAdminKey(ctx, id, at, tenancy.AuditEvent{Actor: "cli:ann", RemoteAddr: "192.0.2.9"}); err != nil {
		t.Fatal(err)
	}
	k, err := s.AdminKeyByHash(ctx, key.Hash)
	if err != nil || !k.RevokedAt.Equal(at) {
		t.Fatalf("key after revoking: %+v, %v", k, err)
	}
	for name, tt := range tokens {
		got, _, err := s.TokenByHash(ctx, tt.tok.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if !got.RevokedAt.Equal(tt.wantRevoked) {
			t.Errorf("%s: revoked at %v, want %v", name, got.RevokedAt, tt.wantRevoked)
		}
	}
	if n := auditCount(t, s) - audits; n != 3 {
		t.Errorf("%d audit events written, want 3 (the key's, one per tenant that had live tokens)", n)
	}
	evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAdminKeyRevoked, tenancy.EventTokensRevoked}})
	if err != nil {
		t.Fatal(err)
	}
	want := []tenancy.AuditEvent{
		{Kind: tenancy.EventTokensRevoked, TenantID: "Cust2", Reason: "adminkey_revoked", Actor: "cli:ann", Credential: key.Display, RemoteAddr: "192.0.2.9", At: at},
		{Kind: tenancy.EventTokensRevoked, TenantID: "Cust1", Reason: "adminkey_revoked", Actor: "cli:ann", Credential: key.Display, RemoteAddr: "192.0.2.9", At: at},
		{Kind: tenancy.EventAdminKeyRevoked, Actor: "cli:ann", Credential: key.Display, RemoteAddr: "192.0.2.9", At: at},
	}
	for i := range evs {
		evs[i].ID = 0
	}
	if !reflect.DeepEqual(evs, want) {
		t.Errorf("audit events =\n%+v\nwant\n%+v", evs, want)
	}

	t.Run("again", func(t *testing.T) {
		audits := auditCount(t, s)
		if err := s.RevokeAdminKey(ctx, id, at.Add(time.Hour), tenancy.AuditEvent{}); err != nil {
			t.Fatal(err)
		}
		if k, _ := s.AdminKeyByHash(ctx, key.Hash); !k.RevokedAt.Equal(at) {
			t.Errorf("revoked at %v after revoking again, want the first time %v", k.RevokedAt, at)
		}
		if n := auditCount(t, s) - audits; n != 1 {
			t.Errorf("%d audit events written, want 1 (no tokens were left to revoke)", n)
		}
	})
}

func TestTouchAdminKey(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	k := newAdminKey("ops", tenancy.ScopeAuditRead)
	id := mustCreateAdminKey(t, s, k)
	lastUsed := func() time.Time {
		t.Helper()
		got, err := s.AdminKeyByHash(ctx, k.Hash)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastUsed
	}
	steps := []struct {
		at, want time.Time
	}{
		{t0, t0},
		{t0.Add(30 * time.Second), t0}, // throttled
		{t0.Add(time.Minute), t0.Add(time.Minute)}, // a minute later: written
		{t0.Add(-time.Hour), t0.Add(time.Minute)},  // never moves back
		{t0.Add(3 * time.Minute), t0.Add(3 * time.Minute)},
	}
	for i, st := range steps {
		if err := s.TouchAdminKey(ctx, id, st.at); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := lastUsed(); !got.Equal(st.want) {
			t.Errorf("step %d: last used %v, want %v", i, got, st.want)
		}
	}
	wantErr(t, s.TouchAdminKey(ctx, 999, t0), tenancy.ErrNotFound)
}

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

func TestAdminKeysReadOnly(t *testing.T) {
	ctx := context.Background()
	rw, path := openStore(t)
	k := newAdminKey("ops", tenancy.ScopeAuditRead)
	id := mustCreateAdminKey(t, rw, k)
	ro := openAt(t, path, WithReadOnly())
	if _, err := ro.AdminKeyByHash(ctx, k.Hash); err != nil {
		t.Errorf("read: %v", err)
	}
	if _, err := ro.ListAdminKeys(ctx); err != nil {
		t.Errorf("list: %v", err)
	}
	wantErr(t, func() error {
		_, err := ro.CreateAdminKey(ctx, newAdminKey("x", tenancy.ScopeSupport), tenancy.AuditEvent{})
		return err
	}(), tenancy.ErrUnavailable)
	wantErr(t, ro.RevokeAdminKey(ctx, id, t0, tenancy.AuditEvent{}), tenancy.ErrUnavailable)
	wantErr(t, ro.TouchAdminKey(ctx, id, t0), tenancy.ErrUnavailable)
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
