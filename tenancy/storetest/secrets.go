package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// seedSecrets gives tenant one active secret, whose hash is activeHash, and three that
// are not active at T0: a revoked one, an expired one and one expiring exactly at T0.
func seedSecrets(t *testing.T, s Store, tenant string, activeHash [32]byte) (active int64) {
	t.Helper()
	ctx := context.Background()
	sec := NewSecret(tenant)
	sec.Hash = activeHash
	sec.CreatedAt = T0.Add(-48 * time.Hour)
	active = MustCreateSecret(t, s, sec)

	sec = NewSecret(tenant)
	sec.CreatedAt = T0.Add(-48 * time.Hour)
	revoked := MustCreateSecret(t, s, sec)
	if err := s.RevokeSecret(ctx, revoked, T0.Add(-time.Hour), tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	for _, exp := range []time.Time{T0.Add(-time.Minute), T0} {
		sec = NewSecret(tenant)
		sec.CreatedAt = T0.Add(-48 * time.Hour)
		sec.ExpiresAt = exp
		MustCreateSecret(t, s, sec)
	}
	return active
}

func testCreateSecret(t *testing.T, h Harness) {
	ctx := context.Background()
	dupHash := NewHash()
	tests := []struct {
		name   string
		secret func() tenancy.Secret
		cap    int
		want   error
	}{
		{"under the cap", func() tenancy.Secret { return NewSecret("Cust1") }, 2, nil},
		{"at the cap", func() tenancy.Secret { return NewSecret("Cust1") }, 1, tenancy.ErrLimit},
		{"no cap", func() tenancy.Secret { return NewSecret("Cust1") }, 0, nil},
		{"unknown tenant", func() tenancy.Secret { return NewSecret("Cust2") }, 5, tenancy.ErrNotFound},
		{"duplicate hash", func() tenancy.Secret {
			sec := NewSecret("Cust1")
			sec.Hash = dupHash
			return sec
		}, 5, tenancy.ErrConflict},
		{"bad mode", func() tenancy.Secret {
			sec := NewSecret("Cust1")
			sec.Mode = "prod"
			return sec
		}, 5, ErrPlain},
		{"expires before created", func() tenancy.Secret {
			sec := NewSecret("Cust1")
			sec.ExpiresAt = sec.CreatedAt
			return sec
		}, 5, ErrPlain},
		{"zero hash", func() tenancy.Secret {
			sec := NewSecret("Cust1")
			sec.Hash = [32]byte{}
			return sec
		}, 5, ErrPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			MustCreateTenant(t, s, "Cust1")
			seedSecrets(t, s, "Cust1", dupHash)
			audits := auditCount(t, h, s)
			secrets := count(t, h, s).Secrets

			sec := tt.secret()
			id, err := s.CreateSecret(ctx, sec, tt.cap, tenancy.AuditEvent{Actor: "cli"})
			WantErr(t, err, tt.want)
			wantNew := 0
			if err == nil {
				wantNew = 1
			}
			if got := auditCount(t, h, s) - audits; got != wantNew {
				t.Errorf("audit events written = %d, want %d", got, wantNew)
			}
			if got := count(t, h, s).Secrets - secrets; got != wantNew {
				t.Errorf("secrets written = %d, want %d", got, wantNew)
			}
			if err != nil {
				return
			}
			got, tn, err := s.SecretByHash(ctx, sec.Hash)
			if err != nil {
				t.Fatal(err)
			}
			sec.ID = id
			if !reflect.DeepEqual(got, sec) || tn.ID != "Cust1" {
				t.Errorf("SecretByHash = %+v, tenant %s\nwant           %+v, tenant Cust1", got, tn.ID, sec)
			}
			evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if ev := evs[0]; ev.Kind != "secret.created" || ev.Credential != sec.Display || ev.Actor != "cli" || !ev.At.Equal(T0) {
				t.Errorf("audit event = %+v", ev)
			}
		})
	}
}

func testSecretByHashUnknown(t *testing.T, h Harness) {
	s := open(t, h)
	_, _, err := s.SecretByHash(context.Background(), NewHash())
	WantErr(t, err, tenancy.ErrNotFound)
}

func testSecretsOf(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	MustCreateTenant(t, s, "Cust2")
	var want []int64
	for i := range 3 {
		sec := NewSecret("Cust1")
		sec.CreatedAt = T0.Add(time.Duration(i) * time.Minute)
		want = append([]int64{MustCreateSecret(t, s, sec)}, want...)
	}
	if err := s.RevokeSecret(ctx, want[1], T0, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		tenant  string
		want    []int64
		wantErr error
	}{
		{"newest first, revoked included", "Cust1", want, nil},
		{"tenant without secrets", "Cust2", nil, nil},
		{"unknown tenant", "Cust3", nil, tenancy.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secs, err := s.SecretsOf(ctx, tt.tenant)
			WantErr(t, err, tt.wantErr)
			var ids []int64
			for _, sec := range secs {
				ids = append(ids, sec.ID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("ids = %v, want %v", ids, tt.want)
			}
		})
	}
}

func testRollSecret(t *testing.T, h Harness) {
	ctx := context.Background()
	tests := []struct {
		name        string
		oldExpires  time.Time // the old secret's expiry before the roll; zero: never
		revoked     bool      // the old secret is revoked before the roll
		others      int       // other active secrets of the tenant
		rollExpires time.Time // oldExpiresAt passed to RollSecret
		cap         int
		tenant      string // the new secret's TenantID
		unknownOld  bool
		want        error
		wantOldExp  time.Time
	}{
		{name: "overlap", rollExpires: T0.Add(time.Hour), cap: 2, want: nil, wantOldExp: T0.Add(time.Hour)},
		{name: "overlap over the cap", others: 1, rollExpires: T0.Add(time.Hour), cap: 2, want: tenancy.ErrLimit},
		{name: "immediate switch at the cap", others: 1, rollExpires: T0, cap: 2, want: nil, wantOldExp: T0},
		{name: "zero expiry is immediate", rollExpires: time.Time{}, cap: 1, want: nil, wantOldExp: T0},
		{name: "past expiry is immediate", rollExpires: T0.Add(-time.Hour), cap: 1, want: nil, wantOldExp: T0.Add(-time.Hour)},
		{name: "never extends an earlier expiry", oldExpires: T0.Add(30 * time.Minute), rollExpires: T0.Add(2 * time.Hour),
			cap: 5, want: nil, wantOldExp: T0.Add(30 * time.Minute)},
		{name: "empty tenant is the old one's", tenant: "-", rollExpires: T0.Add(time.Hour), cap: 5, want: nil, wantOldExp: T0.Add(time.Hour)},
		{name: "revoked old", revoked: true, rollExpires: T0.Add(time.Hour), cap: 5, want: tenancy.ErrConflict},
		{name: "expired old", oldExpires: T0.Add(-time.Minute), rollExpires: T0.Add(time.Hour), cap: 5, want: tenancy.ErrConflict},
		{name: "old expires exactly at the roll", oldExpires: T0, rollExpires: T0.Add(time.Hour), cap: 5, want: tenancy.ErrConflict},
		{name: "unknown old", unknownOld: true, rollExpires: T0.Add(time.Hour), cap: 5, want: tenancy.ErrNotFound},
		{name: "other tenant", tenant: "Cust2", rollExpires: T0.Add(time.Hour), cap: 5, want: tenancy.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			MustCreateTenant(t, s, "Cust1")
			MustCreateTenant(t, s, "Cust2")
			old := NewSecret("Cust1")
			old.CreatedAt = T0.Add(-48 * time.Hour)
			old.ExpiresAt = tt.oldExpires
			oldID := MustCreateSecret(t, s, old)
			if tt.revoked {
				if err := s.RevokeSecret(ctx, oldID, T0.Add(-time.Hour), tenancy.AuditEvent{}); err != nil {
					t.Fatal(err)
				}
			}
			for range tt.others {
				MustCreateSecret(t, s, NewSecret("Cust1"))
			}
			if tt.unknownOld {
				oldID = unknownID
			}
			before, err := s.SecretsOf(ctx, "Cust1")
			if err != nil {
				t.Fatal(err)
			}
			audits := auditCount(t, h, s)

			sec := NewSecret("Cust1")
			switch tt.tenant {
			case "-":
				sec.TenantID = ""
			case "":
			default:
				sec.TenantID = tt.tenant
			}
			newID, err := s.RollSecret(ctx, oldID, sec, tt.rollExpires, tt.cap, tenancy.AuditEvent{Actor: "cli"})
			WantErr(t, err, tt.want)

			after, err2 := s.SecretsOf(ctx, "Cust1")
			if err2 != nil {
				t.Fatal(err2)
			}
			if err != nil {
				if !reflect.DeepEqual(after, before) {
					t.Errorf("a refused roll changed the secrets:\nbefore %+v\nafter  %+v", before, after)
				}
				if n := auditCount(t, h, s) - audits; n != 0 {
					t.Errorf("a refused roll wrote %d audit events", n)
				}
				return
			}
			if len(after) != len(before)+1 {
				t.Fatalf("%d secrets after the roll, want %d", len(after), len(before)+1)
			}
			byID := map[int64]tenancy.Secret{}
			for _, x := range after {
				byID[x.ID] = x
			}
			if got := byID[oldID].ExpiresAt; !got.Equal(tt.wantOldExp) {
				t.Errorf("old secret expires at %v, want %v", got, tt.wantOldExp)
			}
			if got := byID[newID]; got.RolledFrom != oldID || got.TenantID != "Cust1" || !got.Active(T0) {
				t.Errorf("new secret = %+v, want active, of Cust1, rolled from %d", got, oldID)
			}
			evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if n := auditCount(t, h, s) - audits; n != 1 || evs[0].Kind != "secret.rolled" || evs[0].Credential != sec.Display {
				t.Errorf("audit: %d new events, latest %+v", n, evs[0])
			}
		})
	}
}

func testRevokeSecret(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	a := MustCreateSecret(t, s, NewSecret("Cust1"))
	b := MustCreateSecret(t, s, NewSecret("Cust1"))

	fromA1, fromA2 := NewToken("Cust1", a), NewToken("Cust1", a)
	fromAEarlier := NewToken("Cust1", a) // revoked before the secret is
	fromB := NewToken("Cust1", b)
	bySO := NewToken("Cust1", 0)
	bySO.Method = tenancy.MethodSuperOfficeJWT
	earlier := T0.Add(time.Minute)
	issueRevoked(t, s, fromAEarlier, earlier)
	for _, tok := range []tenancy.AccessToken{fromA1, fromA2, fromB, bySO} {
		MustIssueToken(t, s, tok)
	}

	at := T0.Add(2 * time.Minute)
	audits := auditCount(t, h, s)
	if err := s.RevokeSecret(ctx, a, at, tenancy.AuditEvent{Actor: "cli"}); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, h, s) - audits; n != 1 {
		t.Errorf("RevokeSecret wrote %d audit events, want 1", n)
	}

	tests := []struct {
		name        string
		hash        [32]byte
		wantRevoked time.Time
	}{
		{"token of the secret", fromA1.Hash, at},
		{"other token of the secret", fromA2.Hash, at},
		{"token revoked before keeps its time", fromAEarlier.Hash, earlier},
		{"token of another secret", fromB.Hash, time.Time{}},
		{"token without a secret", bySO.Hash, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, _, err := s.TokenByHash(ctx, tt.hash)
			if err != nil {
				t.Fatal(err)
			}
			if !tok.RevokedAt.Equal(tt.wantRevoked) {
				t.Errorf("RevokedAt = %v, want %v", tok.RevokedAt, tt.wantRevoked)
			}
		})
	}

	t.Run("again keeps the first time", func(t *testing.T) {
		if err := s.RevokeSecret(ctx, a, at.Add(time.Hour), tenancy.AuditEvent{}); err != nil {
			t.Fatal(err)
		}
		secs, _ := s.SecretsOf(ctx, "Cust1")
		for _, sec := range secs {
			if sec.ID == a && !sec.RevokedAt.Equal(at) {
				t.Errorf("RevokedAt = %v, want %v", sec.RevokedAt, at)
			}
			if sec.ID == b && !sec.RevokedAt.IsZero() {
				t.Errorf("the other secret was revoked")
			}
		}
	})
	t.Run("another tenant's secret", func(t *testing.T) {
		MustCreateTenant(t, s, "Cust2")
		audits := auditCount(t, h, s)
		WantErr(t, s.RevokeSecret(ctx, b, at, tenancy.AuditEvent{TenantID: "Cust2"}), tenancy.ErrNotFound)
		if n := auditCount(t, h, s) - audits; n != 0 {
			t.Errorf("a refused revoke wrote %d audit events", n)
		}
		if tok, _, _ := s.TokenByHash(ctx, fromB.Hash); !tok.RevokedAt.IsZero() {
			t.Error("a refused revoke revoked a token")
		}
	})
	t.Run("unknown secret", func(t *testing.T) {
		audits := auditCount(t, h, s)
		WantErr(t, s.RevokeSecret(ctx, unknownID, at, tenancy.AuditEvent{}), tenancy.ErrNotFound)
		if n := auditCount(t, h, s) - audits; n != 0 {
			t.Errorf("a failed revoke wrote %d audit events", n)
		}
	})
}

func testTouchSecret(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	id := MustCreateSecret(t, s, NewSecret("Cust1"))
	// The steps run in order against the same secret.
	steps := []struct {
		name     string
		id       int64
		at       time.Time
		wantLast time.Time
		wantErr  error
	}{
		{"first use", id, T0, T0, nil},
		{"within a minute: skipped", id, T0.Add(59 * time.Second), T0, nil},
		{"a minute later: written", id, T0.Add(time.Minute), T0.Add(time.Minute), nil},
		{"earlier: never moves back", id, T0, T0.Add(time.Minute), nil},
		{"unknown secret", unknownID, T0, T0.Add(time.Minute), tenancy.ErrNotFound},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			WantErr(t, s.TouchSecret(ctx, st.id, st.at), st.wantErr)
			secs, err := s.SecretsOf(ctx, "Cust1")
			if err != nil {
				t.Fatal(err)
			}
			if got := secs[0].LastUsedAt; !got.Equal(st.wantLast) {
				t.Errorf("LastUsedAt = %v, want %v", got, st.wantLast)
			}
		})
	}
}
