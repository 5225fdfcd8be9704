package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

func testCreateAdminKey(t *testing.T, h Harness) {
	ctx := context.Background()
	dup := NewHash()
	tests := []struct {
		name      string
		key       func() tenancy.AdminKey
		ev        tenancy.AuditEvent
		failAudit bool // the audit event cannot be written (Harness.FailAudit)
		want      error
	}{
		{"ok", func() tenancy.AdminKey { return NewAdminKey("ops", tenancy.ScopeTenantsRead, tenancy.ScopeSupport) }, tenancy.AuditEvent{Actor: "cli:ann"}, false, nil},
		{"duplicate hash", func() tenancy.AdminKey {
			k := NewAdminKey("again", tenancy.ScopeAuditRead)
			k.Hash = dup
			return k
		}, tenancy.AuditEvent{}, false, tenancy.ErrConflict},
		{"no hash", func() tenancy.AdminKey {
			k := NewAdminKey("x", tenancy.ScopeAuditRead)
			k.Hash = [32]byte{}
			return k
		}, tenancy.AuditEvent{}, false, ErrPlain},
		{"no scopes", func() tenancy.AdminKey { return NewAdminKey("x") }, tenancy.AuditEvent{}, false, ErrPlain},
		{"audit event fails", func() tenancy.AdminKey { return NewAdminKey("x", tenancy.ScopeAuditRead) }, tenancy.AuditEvent{}, true, ErrPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			seed := NewAdminKey("seed", tenancy.ScopeTenantsRead)
			seed.Hash = dup
			MustCreateAdminKey(t, s, seed)
			audits, keys := auditCount(t, h, s), count(t, h, s).AdminKeys

			k := tt.key()
			heal := func() {}
			if tt.failAudit {
				heal = failAudit(t, h, s)
			}
			id, err := s.CreateAdminKey(ctx, k, tt.ev)
			heal()
			WantErr(t, err, tt.want)
			wantNew := 0
			if err == nil {
				wantNew = 1
			}
			if n := count(t, h, s).AdminKeys - keys; n != wantNew {
				t.Errorf("keys written = %d, want %d", n, wantNew)
			}
			if n := auditCount(t, h, s) - audits; n != wantNew {
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
			want := tenancy.AuditEvent{ID: evs[0].ID, Kind: tenancy.EventAdminKeyCreated, Actor: "cli:ann", Credential: k.Display, At: T0}
			if !reflect.DeepEqual(evs[0], want) {
				t.Errorf("audit event = %+v\nwant          %+v", evs[0], want)
			}
		})
	}
}

func testAdminKeyByHashUnknown(t *testing.T, h Harness) {
	s := open(t, h)
	_, err := s.AdminKeyByHash(context.Background(), NewHash())
	WantErr(t, err, tenancy.ErrNotFound)
}

func testListAdminKeys(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	if keys, err := s.ListAdminKeys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("ListAdminKeys of a new store = %v, %v", keys, err)
	}
	var want []tenancy.AdminKey
	for i, name := range []string{"first", "second", "third"} {
		k := NewAdminKey(name, tenancy.ScopeAuditRead)
		k.CreatedAt = T0.Add(time.Duration(i) * time.Minute)
		k.ID = MustCreateAdminKey(t, s, k)
		want = append([]tenancy.AdminKey{k}, want...)
	}
	if err := s.RevokeAdminKey(ctx, want[1].ID, T0.Add(time.Hour), tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	want[1].RevokedAt = T0.Add(time.Hour)
	got, err := s.ListAdminKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListAdminKeys =\n%+v\nwant\n%+v", got, want)
	}
}

func testRevokeAdminKeyCascades(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	MustCreateTenant(t, s, "Cust2")
	MustCreateTenant(t, s, "Cust3")
	key := NewAdminKey("support desk", tenancy.ScopeSupport)
	id := MustCreateAdminKey(t, s, key)
	other := MustCreateAdminKey(t, s, NewAdminKey("other", tenancy.ScopeSupport))
	actor := tenancy.AdminKeyActor(id)

	secID := MustCreateSecret(t, s, NewSecret("Cust1"))
	earlier, at := T0.Add(5*time.Minute), T0.Add(10*time.Minute)
	revokedBefore := SupportToken("Cust1", actor)
	never := time.Time{}
	tokens := map[string]struct {
		tok         tenancy.AccessToken
		wantRevoked time.Time
	}{
		"its token of Cust1":       {SupportToken("Cust1", actor), at},
		"its token of Cust2":       {SupportToken("Cust2", actor), at},
		"its revoked token":        {revokedBefore, earlier},
		"another key's token":      {SupportToken("Cust1", tenancy.AdminKeyActor(other)), never},
		"a look-alike actor":       {SupportToken("Cust3", actor+"0"), never},
		"a token from a secret":    {NewToken("Cust1", secID), never},
		"a token without an actor": {NewToken("Cust3", 0), never},
	}
	// The revoked one is issued and revoked first, while it is Cust1's only token.
	issueRevoked(t, s, revokedBefore, earlier)
	for _, tt := range tokens {
		if tt.tok.Hash != revokedBefore.Hash {
			MustIssueToken(t, s, tt.tok)
		}
	}

	t.Run("unknown key", func(t *testing.T) {
		audits := auditCount(t, h, s)
		WantErr(t, s.RevokeAdminKey(ctx, unknownID, at, tenancy.AuditEvent{}), tenancy.ErrNotFound)
		if auditCount(t, h, s) != audits {
			t.Error("an audit event was written for an unknown key")
		}
	})
	t.Run("the audit event fails", func(t *testing.T) {
		heal := failAudit(t, h, s)
		err := s.RevokeAdminKey(ctx, id, at, tenancy.AuditEvent{})
		heal()
		WantErr(t, err, ErrPlain)
		if k, _ := s.AdminKeyByHash(ctx, key.Hash); !k.RevokedAt.IsZero() {
			t.Error("the key was revoked without its audit event")
		}
		live := 0
		for _, name := range []string{"its token of Cust1", "its token of Cust2"} {
			if tok, _, err := s.TokenByHash(ctx, tokens[name].tok.Hash); err == nil && tok.RevokedAt.IsZero() {
				live++
			}
		}
		if live != 2 {
			t.Errorf("%d of its 2 live tokens left live, want 2: the cascade outlived the rollback", live)
		}
	})

	audits := auditCount(t, h, s)
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
	if n := auditCount(t, h, s) - audits; n != 3 {
		t.Errorf("%d audit events written, want 3 (the key's, one per tenant that had live tokens)", n)
	}
	// Since at: the tokens.revoked event of revoking revokedBefore, at earlier, is not the revocation's.
	evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAdminKeyRevoked, tenancy.EventTokensRevoked}, Since: at})
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
		audits := auditCount(t, h, s)
		if err := s.RevokeAdminKey(ctx, id, at.Add(time.Hour), tenancy.AuditEvent{}); err != nil {
			t.Fatal(err)
		}
		if k, _ := s.AdminKeyByHash(ctx, key.Hash); !k.RevokedAt.Equal(at) {
			t.Errorf("revoked at %v after revoking again, want the first time %v", k.RevokedAt, at)
		}
		if n := auditCount(t, h, s) - audits; n != 1 {
			t.Errorf("%d audit events written, want 1 (no tokens were left to revoke)", n)
		}
	})
}

func testTouchAdminKey(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	k := NewAdminKey("ops", tenancy.ScopeAuditRead)
	id := MustCreateAdminKey(t, s, k)
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
		{T0, T0},
		{T0.Add(30 * time.Second), T0}, // throttled
		{T0.Add(time.Minute), T0.Add(time.Minute)}, // a minute later: written
		{T0.Add(-time.Hour), T0.Add(time.Minute)},  // never moves back
		{T0.Add(3 * time.Minute), T0.Add(3 * time.Minute)},
	}
	for i, st := range steps {
		if err := s.TouchAdminKey(ctx, id, st.at); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := lastUsed(); !got.Equal(st.want) {
			t.Errorf("step %d: last used %v, want %v", i, got, st.want)
		}
	}
	WantErr(t, s.TouchAdminKey(ctx, unknownID, T0), tenancy.ErrNotFound)
}
