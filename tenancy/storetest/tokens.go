package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

func testIssueToken(t *testing.T, h Harness) {
	ctx := context.Background()
	dupHash := NewHash()
	tests := []struct {
		name string
		// tok gets the ids of an active, a revoked and an expired secret of Cust1 and an
		// active one of Cust2.
		tok  func(active, revoked, expired, foreign int64) tenancy.AccessToken
		want error
	}{
		{"from an active secret", func(a, _, _, _ int64) tenancy.AccessToken { return NewToken("Cust1", a) }, nil},
		{"without a secret", func(_, _, _, _ int64) tenancy.AccessToken {
			tok := NewToken("Cust1", 0)
			tok.Method = tenancy.MethodSuperOfficeJWT
			tok.User = connector.User{AssociateID: 12, Name: "Ann", Email: "ann@example.com", ERPUser: "ann"}
			return tok
		}, nil},
		{"support access", func(_, _, _, _ int64) tenancy.AccessToken {
			tok := NewToken("Cust1", 0)
			tok.Method, tok.Actor = tenancy.MethodSupport, "qk_admin_ab12"
			return tok
		}, nil},
		{"from a revoked secret", func(_, r, _, _ int64) tenancy.AccessToken { return NewToken("Cust1", r) }, tenancy.ErrConflict},
		{"from an expired secret", func(_, _, e, _ int64) tenancy.AccessToken { return NewToken("Cust1", e) }, tenancy.ErrConflict},
		{"from another tenant's secret", func(_, _, _, f int64) tenancy.AccessToken { return NewToken("Cust1", f) }, tenancy.ErrConflict},
		{"from an unknown secret", func(_, _, _, _ int64) tenancy.AccessToken { return NewToken("Cust1", unknownID) }, tenancy.ErrNotFound},
		{"unknown tenant", func(_, _, _, _ int64) tenancy.AccessToken { return NewToken("Cust9", 0) }, tenancy.ErrNotFound},
		{"duplicate hash", func(a, _, _, _ int64) tenancy.AccessToken {
			tok := NewToken("Cust1", a)
			tok.Hash = dupHash
			return tok
		}, tenancy.ErrConflict},
		{"expires when issued", func(a, _, _, _ int64) tenancy.AccessToken {
			tok := NewToken("Cust1", a)
			tok.ExpiresAt = tok.IssuedAt
			return tok
		}, ErrPlain},
		{"no method", func(a, _, _, _ int64) tenancy.AccessToken {
			tok := NewToken("Cust1", a)
			tok.Method = ""
			return tok
		}, ErrPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			MustCreateTenant(t, s, "Cust1")
			MustCreateTenant(t, s, "Cust2")
			active := MustCreateSecret(t, s, NewSecret("Cust1"))
			revoked := MustCreateSecret(t, s, NewSecret("Cust1"))
			if err := s.RevokeSecret(ctx, revoked, T0.Add(-time.Second), tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
			exp := NewSecret("Cust1")
			exp.CreatedAt, exp.ExpiresAt = T0.Add(-time.Hour), T0
			expired := MustCreateSecret(t, s, exp)
			foreign := MustCreateSecret(t, s, NewSecret("Cust2"))
			seed := NewToken("Cust1", 0)
			seed.Hash = dupHash
			MustIssueToken(t, s, seed)
			audits, tokens := auditCount(t, h, s), count(t, h, s).Tokens

			tok := tt.tok(active, revoked, expired, foreign)
			id, err := s.IssueToken(ctx, tok, tenancy.AuditEvent{RemoteAddr: "192.0.2.1"})
			WantErr(t, err, tt.want)
			wantNew := 0
			if err == nil {
				wantNew = 1
			}
			if n := count(t, h, s).Tokens - tokens; n != wantNew {
				t.Errorf("tokens written = %d, want %d", n, wantNew)
			}
			if n := auditCount(t, h, s) - audits; n != wantNew {
				t.Errorf("audit events written = %d, want %d", n, wantNew)
			}
			if err != nil {
				return
			}
			got, tn, err := s.TokenByHash(ctx, tok.Hash)
			if err != nil {
				t.Fatal(err)
			}
			tok.ID = id
			if !reflect.DeepEqual(got, tok) {
				t.Errorf("TokenByHash = %+v\nwant          %+v", got, tok)
			}
			if want := NewTenant("Cust1"); !reflect.DeepEqual(tn, want) {
				t.Errorf("tenant = %+v\nwant     %+v", tn, want)
			}
			evs, _ := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Limit: 1})
			if ev := evs[0]; ev.Kind != "token.issued" || ev.RemoteAddr != "192.0.2.1" || !ev.At.Equal(tok.IssuedAt) {
				t.Errorf("audit event = %+v", ev)
			}
		})
	}
}

func testTokenByHashUnknown(t *testing.T, h Harness) {
	s := open(t, h)
	_, _, err := s.TokenByHash(context.Background(), NewHash())
	WantErr(t, err, tenancy.ErrNotFound)
}

func testListAndRevokeTokens(t *testing.T, h Harness) {
	ctx := context.Background()
	now := T0.Add(10 * time.Minute)
	user := func(assoc int32, issued time.Time) tenancy.AccessToken {
		tok := NewToken("Cust1", 0)
		tok.Method = tenancy.MethodSuperOfficeJWT
		tok.User.AssociateID = assoc
		tok.IssuedAt, tok.ExpiresAt = issued, issued.Add(time.Hour)
		return tok
	}
	// Tokens of Cust1: live ones of users 7 and 8, one expired, one revoked, one issued
	// before the tenant's TokensValidAfter; and a live one of Cust2.
	live7a, live7b, live8 := user(7, T0), user(7, T0.Add(time.Minute)), user(8, T0)
	expired := user(7, T0.Add(-2*time.Hour))
	revoked := user(7, T0)
	stale := user(7, T0.Add(-30*time.Minute))
	other := NewToken("Cust2", 0)
	setup := func(t *testing.T) Store {
		s := open(t, h)
		MustCreateTenant(t, s, "Cust1")
		MustCreateTenant(t, s, "Cust2")
		// IssueToken refuses a token already invalidated, so the stale ones are issued
		// first and invalidated afterwards, by disabling the tenant at TokensValidAfter.
		// The revoked one is issued and revoked first, while it is the tenant's only token.
		issueRevoked(t, s, revoked, T0)
		for _, tok := range []tenancy.AccessToken{expired, stale} {
			MustIssueToken(t, s, tok)
		}
		for _, enabled := range []bool{false, true} {
			if err := s.SetTenantEnabled(ctx, "Cust1", enabled, T0.Add(-20*time.Minute), tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tok := range []tenancy.AccessToken{live7a, live7b, live8, other} {
			MustIssueToken(t, s, tok)
		}
		return s
	}
	hashes := func(toks []tenancy.AccessToken) [][32]byte {
		var hs [][32]byte
		for _, k := range toks {
			hs = append(hs, k.Hash)
		}
		return hs
	}

	t.Run("list", func(t *testing.T) {
		s := setup(t)
		toks, err := s.ListTokens(ctx, "Cust1", now)
		if err != nil {
			t.Fatal(err)
		}
		// Newest first; live8 and live7a were issued at the same time, live8 later.
		want := [][32]byte{live7b.Hash, live8.Hash, live7a.Hash}
		if got := hashes(toks); !reflect.DeepEqual(got, want) {
			t.Errorf("ListTokens = %x\nwant        %x", got, want)
		}
		_, err = s.ListTokens(ctx, "Cust9", now)
		WantErr(t, err, tenancy.ErrNotFound)
	})

	tests := []struct {
		name      string
		tenant    string
		associate int32
		wantN     int
		wantLeft  [][32]byte // live tokens of Cust1 afterwards
		wantErr   error
	}{
		{"every user", "Cust1", 0, 3, nil, nil},
		{"one user", "Cust1", 7, 2, [][32]byte{live8.Hash}, nil},
		{"user without tokens", "Cust1", 99, 0, [][32]byte{live7b.Hash, live8.Hash, live7a.Hash}, nil},
		{"unknown tenant", "Cust9", 0, 0, [][32]byte{live7b.Hash, live8.Hash, live7a.Hash}, tenancy.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run("revoke "+tt.name, func(t *testing.T) {
			s := setup(t)
			audits := auditCount(t, h, s)
			n, err := s.RevokeTokens(ctx, tt.tenant, tt.associate, now, tenancy.AuditEvent{Actor: "cli"})
			WantErr(t, err, tt.wantErr)
			if n != tt.wantN {
				t.Errorf("revoked %d, want %d", n, tt.wantN)
			}
			wantAudit := 1
			if err != nil {
				wantAudit = 0
			}
			if got := auditCount(t, h, s) - audits; got != wantAudit {
				t.Errorf("audit events written = %d, want %d", got, wantAudit)
			}
			toks, err := s.ListTokens(ctx, "Cust1", now)
			if err != nil {
				t.Fatal(err)
			}
			if got := hashes(toks); !reflect.DeepEqual(got, tt.wantLeft) {
				t.Errorf("live afterwards = %x\nwant             %x", got, tt.wantLeft)
			}
			if toks, _ := s.ListTokens(ctx, "Cust2", now); len(toks) != 1 {
				t.Errorf("Cust2 has %d live tokens, want 1", len(toks))
			}
			if tok, _, _ := s.TokenByHash(ctx, revoked.Hash); !tok.RevokedAt.Equal(T0) {
				t.Errorf("an already revoked token's time moved to %v", tok.RevokedAt)
			}
		})
	}
}

func testRememberJWT(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	jwt := NewHash()
	steps := []struct {
		name    string
		hash    [32]byte
		expires time.Time
		want    error
	}{
		{"first time", jwt, T0.Add(5 * time.Minute), nil},
		{"replay", jwt, T0.Add(5 * time.Minute), tenancy.ErrConflict},
		{"replay with another expiry", jwt, T0.Add(time.Hour), tenancy.ErrConflict},
		{"another JWT", NewHash(), T0.Add(5 * time.Minute), nil},
		{"no expiry", NewHash(), time.Time{}, ErrPlain},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			WantErr(t, s.RememberJWT(ctx, st.hash, st.expires), st.want)
		})
	}
}

// testIssueTokenRemembersItsJWT: a token minted from a JWT remembers the JWT in its own
// transaction, so the JWT is accepted once, and an issuance that fails does not use it up.
func testIssueTokenRemembersItsJWT(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	jwt := NewHash()
	fromJWT := func(tenant string) tenancy.AccessToken {
		tok := NewToken(tenant, 0)
		tok.Method, tok.JWT, tok.JWTExpiresAt = tenancy.MethodSuperOfficeJWT, jwt, T0.Add(11*time.Minute)
		return tok
	}

	// An unknown tenant fails the issuance: nothing written, the JWT still unused.
	_, err := s.IssueToken(ctx, fromJWT("Cust404"), tenancy.AuditEvent{})
	WantErr(t, err, tenancy.ErrNotFound)
	if n := count(t, h, s).Replays; n != 0 {
		t.Fatalf("a failed issuance remembered the JWT (%d rows)", n)
	}

	first := fromJWT("Cust1")
	MustIssueToken(t, s, first)
	second := fromJWT("Cust1")
	_, err = s.IssueToken(ctx, second, tenancy.AuditEvent{})
	WantErr(t, err, tenancy.ErrConflict)
	if _, _, err := s.TokenByHash(ctx, second.Hash); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("the replayed JWT's token was stored: %v", err)
	}
	if _, _, err := s.TokenByHash(ctx, first.Hash); err != nil {
		t.Errorf("the first token: %v", err)
	}
	// RememberJWT and IssueToken share the one replay cache.
	WantErr(t, s.RememberJWT(ctx, jwt, T0.Add(time.Hour)), tenancy.ErrConflict)

	bad := fromJWT("Cust1")
	bad.JWT, bad.JWTExpiresAt = NewHash(), time.Time{}
	_, err = s.IssueToken(ctx, bad, tenancy.AuditEvent{})
	WantErr(t, err, ErrPlain)
}

func testPurge(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	now := T0.Add(2 * time.Hour)
	// Tokens and replay entries expiring an hour and a nanosecond before now (purged),
	// exactly at now and an hour after it (kept).
	var keepTokens, dropTokens, keepJWTs, dropJWTs [][32]byte
	for _, exp := range []time.Duration{-time.Hour, -time.Nanosecond, 0, time.Hour} {
		tok := NewToken("Cust1", 0)
		tok.IssuedAt, tok.ExpiresAt = now.Add(-3*time.Hour), now.Add(exp)
		MustIssueToken(t, s, tok)
		jwt := NewHash()
		if err := s.RememberJWT(ctx, jwt, now.Add(exp)); err != nil {
			t.Fatal(err)
		}
		if exp < 0 {
			dropTokens, dropJWTs = append(dropTokens, tok.Hash), append(dropJWTs, jwt)
		} else {
			keepTokens, keepJWTs = append(keepTokens, tok.Hash), append(keepJWTs, jwt)
		}
	}
	audits := auditCount(t, h, s)
	n, err := s.Purge(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(dropTokens) + len(dropJWTs); n != want {
		t.Errorf("Purge removed %d rows, want %d", n, want)
	}
	if c := count(t, h, s); c.Tokens != len(keepTokens) || c.Replays != len(keepJWTs) {
		t.Errorf("after Purge: %d tokens and %d replay entries, want %d and %d", c.Tokens, c.Replays, len(keepTokens), len(keepJWTs))
	}
	for _, hash := range keepTokens {
		if _, _, err := s.TokenByHash(ctx, hash); err != nil {
			t.Errorf("purged token %x, which expires at or after now: %v", hash[:4], err)
		}
	}
	for _, hash := range dropTokens {
		if _, _, err := s.TokenByHash(ctx, hash); !errors.Is(err, tenancy.ErrNotFound) {
			t.Errorf("kept token %x, which expired before now: %v", hash[:4], err)
		}
	}
	if auditCount(t, h, s) != audits {
		t.Error("Purge touched the audit log")
	}
	if n, err := s.Purge(ctx, now); n != 0 || err != nil {
		t.Errorf("second Purge = %d, %v; want 0, nil", n, err)
	}
	// Which replay entries are left shows in RememberJWT: a kept entry is a replay, a
	// purged one is remembered afresh. (This writes, so it comes last.)
	for _, hash := range keepJWTs {
		if err := s.RememberJWT(ctx, hash, now.Add(time.Hour)); !errors.Is(err, tenancy.ErrConflict) {
			t.Errorf("purged replay entry %x, which expires at or after now: RememberJWT = %v", hash[:4], err)
		}
	}
	for _, hash := range dropJWTs {
		if err := s.RememberJWT(ctx, hash, now.Add(time.Hour)); err != nil {
			t.Errorf("kept replay entry %x, which expired before now: RememberJWT = %v", hash[:4], err)
		}
	}
}

// testIssueTokenRechecksTheTenant: a token whose tenant was disabled after the caller
// verified the credential, but before the token was written, is not written. The race is
// played in order: the tenant is read as a verifier reads it, then disabled, then the
// token issued with a later IssuedAt, as a slower minting request would. Re-enabling must
// not bring such a token to life either, and a token issued at or before the tenant's
// TokensValidAfter is refused as well (it would be invalid from its first moment).
func testIssueTokenRechecksTheTenant(t *testing.T, h Harness) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		setup  func(t *testing.T, s Store)
		issued time.Time
		want   error
	}{
		{"disabled between verification and issue", func(t *testing.T, s Store) {
			if err := s.SetTenantEnabled(ctx, "Cust1", false, T0, tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
		}, T0.Add(time.Second), tenancy.ErrTenantDisabled},
		{"disabled and enabled again, token dated before the disabling", func(t *testing.T, s Store) {
			if err := s.SetTenantEnabled(ctx, "Cust1", false, T0, tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetTenantEnabled(ctx, "Cust1", true, T0.Add(time.Second), tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
		}, T0.Add(-time.Second), tenancy.ErrTenantDisabled},
		{"issued at the disabling instant", func(t *testing.T, s Store) {
			if err := s.SetTenantEnabled(ctx, "Cust1", false, T0, tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetTenantEnabled(ctx, "Cust1", true, T0.Add(time.Second), tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
		}, T0, tenancy.ErrTenantDisabled},
		{"enabled again, token dated after the disabling", func(t *testing.T, s Store) {
			if err := s.SetTenantEnabled(ctx, "Cust1", false, T0, tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetTenantEnabled(ctx, "Cust1", true, T0.Add(time.Second), tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
		}, T0.Add(2 * time.Second), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			MustCreateTenant(t, s, "Cust1")
			sec := MustCreateSecret(t, s, NewSecret("Cust1"))
			if tn, err := s.Tenant(ctx, "Cust1"); err != nil || !tn.Enabled {
				t.Fatalf("verification reads the tenant: %+v, %v", tn, err)
			}
			tt.setup(t, s)
			tokens, audits := count(t, h, s).Tokens, auditCount(t, h, s)

			tok := NewToken("Cust1", sec)
			tok.IssuedAt, tok.ExpiresAt = tt.issued, tt.issued.Add(time.Hour)
			_, err := s.IssueToken(ctx, tok, tenancy.AuditEvent{})
			WantErr(t, err, tt.want)
			if tt.want != nil && !errors.Is(err, tenancy.ErrConflict) {
				t.Errorf("error %v does not wrap ErrConflict", err)
			}
			written := 0
			if tt.want == nil {
				written = 1
			}
			if n := count(t, h, s).Tokens - tokens; n != written {
				t.Errorf("tokens written = %d, want %d", n, written)
			}
			if n := auditCount(t, h, s) - audits; n != written {
				t.Errorf("audit events written = %d, want %d", n, written)
			}

			// Whatever happened, the tenant enabled now has no live token from before.
			if err := s.SetTenantEnabled(ctx, "Cust1", true, T0.Add(3*time.Second), tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
			live, err := s.ListTokens(ctx, "Cust1", T0.Add(4*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if len(live) != written {
				t.Errorf("live tokens after enabling = %d, want %d", len(live), written)
			}
		})
	}
}
