package sqlite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// seedSecrets gives tenant one active secret and three that are not active at t0: a
// revoked one, an expired one and one expiring exactly at t0.
func seedSecrets(t *testing.T, s *Store, tenant string) (active int64) {
	t.Helper()
	ctx := context.Background()
	sec := newSecret(tenant)
	sec.CreatedAt = t0.Add(-48 * time.Hour)
	active = mustCreateSecret(t, s, sec)

	sec = newSecret(tenant)
	sec.CreatedAt = t0.Add(-48 * time.Hour)
	revoked := mustCreateSecret(t, s, sec)
	if err := s.RevokeSecret(ctx, revoked, t0.Add(-time.Hour), tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	for _, exp := range []time.Time{t0.Add(-time.Minute), t0} {
		sec = newSecret(tenant)
		sec.CreatedAt = t0.Add(-48 * time.Hour)
		sec.ExpiresAt = exp
		mustCreateSecret(t, s, sec)
	}
	return active
}

func TestCreateSecret(t *testing.T) {
	ctx := context.Background()
	dupHash := newHash()
	tests := []struct {
		name   string
		secret func() tenancy.Secret
		cap    int
		want   error
	}{
		{"under the cap", func() tenancy.Secret { return newSecret("Cust1") }, 2, nil},
		{"at the cap", func() tenancy.Secret { return newSecret("Cust1") }, 1, tenancy.ErrLimit},
		{"no cap", func() tenancy.Secret { return newSecret("Cust1") }, 0, nil},
		{"unknown tenant", func() tenancy.Secret { return newSecret("Cust2") }, 5, tenancy.ErrNotFound},
		{"duplicate hash", func() tenancy.Secret {
			sec := newSecret("Cust1")
			sec.Hash = dupHash
			return sec
		}, 5, tenancy.ErrConflict},
		{"bad mode", func() tenancy.Secret {
			sec := newSecret("Cust1")
			sec.Mode = "prod"
			return sec
		}, 5, errPlain},
		{"expires before created", func() tenancy.Secret {
			sec := newSecret("Cust1")
			sec.ExpiresAt = sec.CreatedAt
			return sec
		}, 5, errPlain},
		{"zero hash", func() tenancy.Secret {
			sec := newSecret("Cust1")
			sec.Hash = [32]byte{}
			return sec
		}, 5, errPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t)
			mustCreateTenant(t, s, "Cust1")
			seedSecrets(t, s, "Cust1")
			if _, err := s.w.Exec(`UPDATE secrets SET hash = ? WHERE id = 1`, dupHash[:]); err != nil {
				t.Fatal(err)
			}
			audits := auditCount(t, s)
			secrets := count(t, s, `SELECT count(*) FROM secrets`)

			sec := tt.secret()
			id, err := s.CreateSecret(ctx, sec, tt.cap, tenancy.AuditEvent{Actor: "cli"})
			wantErr(t, err, tt.want)
			wantNew := 0
			if err == nil {
				wantNew = 1
			}
			if got := auditCount(t, s) - audits; got != wantNew {
				t.Errorf("audit events written = %d, want %d", got, wantNew)
			}
			if got := count(t, s, `SELECT count(*) FROM secrets`) - secrets; got != wantNew {
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
			if ev := evs[0]; ev.Kind != "secret.created" || ev.Credential != sec.Display || ev.Actor != "cli" || !ev.At.Equal(t0) {
				t.Errorf("audit event = %+v", ev)
			}
		})
	}
}

func TestSecretByHashUnknown(t *testing.T) {
	s, _ := openStore(t)
	_, _, err := s.SecretByHash(context.Background(), newHash())
	wantErr(t, err, tenancy.ErrNotFound)
}

func TestSecretsOf(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	mustCreateTenant(t, s, "Cust2")
	var want []int64
	for i := range 3 {
		sec := newSecret("Cust1")
		sec.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
		want = append([]int64{mustCreateSecret(t, s, sec)}, want...)
	}
	if err := s.RevokeSecret(ctx, want[1], t0, tenancy.AuditEvent{}); err != nil {
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
			wantErr(t, err, tt.wantErr)
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

func TestRollSecret(t *testing.T) {
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
		{name: "overlap", rollExpires: t0.Add(time.Hour), cap: 2, want: nil, wantOldExp: t0.Add(time.Hour)},
		{name: "overlap over the cap", others: 1, rollExpires: t0.Add(time.Hour), cap: 2, want: tenancy.ErrLimit},
		{name: "immediate switch at the cap", others: 1, rollExpires: t0, cap: 2, want: nil, wantOldExp: t0},
		{name: "zero expiry is immediate", rollExpires: time.Time{}, cap: 1, want: nil, wantOldExp: t0},
		{name: "past expiry is immediate", rollExpires: t0.Add(-time.Hour), cap: 1, want: nil, wantOldExp: t0.Add(-time.Hour)},
		{name: "never extends an earlier expiry", oldExpires: t0.Add(30 * time.Minute), rollExpires: t0.Add(2 * time.Hour),
			cap: 5, want: nil, wantOldExp: t0.Add(30 * time.Minute)},
		{name: "empty tenant is the old one's", tenant: "-", rollExpires: t0.Add(time.Hour), cap: 5, want: nil, wantOldExp: t0.Add(time.Hour)},
		{name: "revoked old", revoked: true, rollExpires: t0.Add(time.Hour), cap: 5, want: tenancy.ErrConflict},
		{name: "expired old", oldExpires: t0.Add(-time.Minute), rollExpires: t0.Add(time.Hour), cap: 5, want: tenancy.ErrConflict},
		{name: "old expires exactly at the roll", oldExpires: t0, rollExpires: t0.Add(time.Hour), cap: 5, want: tenancy.ErrConflict},
		{name: "unknown old", unknownOld: true, rollExpires: t0.Add(time.Hour), cap: 5, want: tenancy.ErrNotFound},
		{name: "other tenant", tenant: "Cust2", rollExpires: t0.Add(time.Hour), cap: 5, want: tenancy.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t)
			mustCreateTenant(t, s, "Cust1")
			mustCreateTenant(t, s, "Cust2")
			old := newSecret("Cust1")
			old.CreatedAt = t0.Add(-48 * time.Hour)
			old.ExpiresAt = tt.oldExpires
			oldID := mustCreateSecret(t, s, old)
			if tt.revoked {
				if err := s.RevokeSecret(ctx, oldID, t0.Add(-time.Hour), tenancy.AuditEvent{}); err != nil {
					t.Fatal(err)
				}
			}
			for range tt.others {
				mustCreateSecret(t, s, newSecret("Cust1"))
			}
			if tt.unknownOld {
				oldID = 999
			}
			before, err := s.SecretsOf(ctx, "Cust1")
			if err != nil {
				t.Fatal(err)
			}
			audits := auditCount(t, s)

			sec := newSecret("Cust1")
			switch tt.tenant {
			case "-":
				sec.TenantID = ""
			case "":
			default:
				sec.TenantID = tt.tenant
			}
			newID, err := s.RollSecret(ctx, oldID, sec, tt.rollExpires, tt.cap, tenancy.AuditEvent{Actor: "cli"})
			wantErr(t, err, tt.want)

			after, err2 := s.SecretsOf(ctx, "Cust1")
			if err2 != nil {
				t.Fatal(err2)
			}
			if err != nil {
				if !reflect.DeepEqual(after, before) {
					t.Errorf("a refused roll changed the secrets:\nbefore %+v\nafter  %+v", before, after)
				}
				if n := auditCount(t, s) - audits; n != 0 {
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
			if got := byID[newID]; got.RolledFrom != oldID || got.TenantID != "Cust1" || !got.Active(t0) {
				t.Errorf("new secret = %+v, want active, of Cust1, rolled from %d", got, oldID)
			}
			evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if n := auditCount(t, s) - audits; n != 1 || evs[0].Kind != "secret.rolled" || evs[0].Credential != sec.Display {
				t.Errorf("audit: %d new events, latest %+v", n, evs[0])
			}
		})
	}
}

func TestRevokeSecret(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	a := mustCreateSecret(t, s, newSecret("Cust1"))
	b := mustCreateSecret(t, s, newSecret("Cust1"))

	fromA1, fromA2 := newToken("Cust1", a), newToken("Cust1", a)
	fromAEarlier := newToken("Cust1", a) // revoked before the secret is
	fromB := newToken("Cust1", b)
	bySO := newToken("Cust1", 0)
	bySO.Method = tenancy.MethodSuperOfficeJWT
	for _, tok := range []tenancy.AccessToken{fromA1, fromA2, fromAEarlier, fromB, bySO} {
		mustIssueToken(t, s, tok)
	}
	earlier := t0.Add(time.Minute)
	if _, err := s.w.Exec(`UPDATE access_tokens SET revoked_at = ? WHERE hash = ?`, earlier.UnixNano(), fromAEarlier.Hash[:]); err != nil {
		t.Fatal(err)
	}

	at := t0.Add(2 * time.Minute)
	audits := auditCount(t, s)
	if err := s.RevokeSecret(ctx, a, at, tenancy.AuditEvent{Actor: "cli"}); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, s) - audits; n != 1 {
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
		mustCreateTenant(t, s, "Cust2")
		audits := auditCount(t, s)
		wantErr(t, s.RevokeSecret(ctx, b, at, tenancy.AuditEvent{TenantID: "Cust2"}), tenancy.ErrNotFound)
		if n := auditCount(t, s) - audits; n != 0 {
			t.Errorf("a refused revoke wrote %d audit events", n)
		}
		if tok, _, _ := s.TokenByHash(ctx, fromB.Hash); !tok.RevokedAt.IsZero() {
			t.Error("a refused revoke revoked a token")
		}
	})
	t.Run("unknown secret", func(t *testing.T) {
		audits := auditCount(t, s)
		wantErr(t, s.RevokeSecret(ctx, 999, at, tenancy.AuditEvent{}), tenancy.ErrNotFound)
		if n := auditCount(t, s) - audits; n != 0 {
			t.Errorf("a failed revoke wrote %d audit events", n)
		}
	})
}

func TestTouchSecret(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	id := mustCreateSecret(t, s, newSecret("Cust1"))
	// The steps run in order against the same secret.
	steps := []struct {
		name     string
		id       int64
		at       time.Time
		wantLast time.Time
		wantErr  error
	}{
		{"first use", id, t0, t0, nil},
		{"within a minute: skipped", id, t0.Add(59 * time.Second), t0, nil},
		{"a minute later: written", id, t0.Add(time.Minute), t0.Add(time.Minute), nil},
		{"earlier: never moves back", id, t0, t0.Add(time.Minute), nil},
		{"unknown secret", 999, t0, t0.Add(time.Minute), tenancy.ErrNotFound},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			wantErr(t, s.TouchSecret(ctx, st.id, st.at), st.wantErr)
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
