package sqlite

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/quotekit/quotekit/tenancy"
)

func TestAudit(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		ev     tenancy.AuditEvent
		want   error
		wantAt time.Time
	}{
		{"complete", tenancy.AuditEvent{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, Reason: "bad_checksum",
			Credential: "qk_test_ab", RemoteAddr: "192.0.2.7", At: t0.Add(time.Second)}, nil, t0.Add(time.Second)},
		{"unknown tenant is fine", tenancy.AuditEvent{TenantID: "Cust404", Kind: tenancy.EventAuthRefused, Reason: "unknown"}, nil, t0},
		{"no tenant", tenancy.AuditEvent{Kind: tenancy.EventAuthRefused, Reason: "malformed"}, nil, t0},
		{"no kind", tenancy.AuditEvent{TenantID: "Cust1"}, errPlain, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t)
			err := s.Audit(ctx, tt.ev)
			wantErr(t, err, tt.want)
			evs, err2 := s.AuditEvents(ctx, tenancy.AuditFilter{})
			if err2 != nil {
				t.Fatal(err2)
			}
			if err != nil {
				if len(evs) != 0 {
					t.Errorf("a refused event was stored: %+v", evs)
				}
				return
			}
			want := tt.ev
			want.ID, want.At = evs[0].ID, tt.wantAt
			if len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
				t.Errorf("AuditEvents = %+v\nwant         [%+v]", evs, want)
			}
		})
	}
}

func TestAuditEventsFilter(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	// Events at t0+0s .. t0+5s, alternating tenants and kinds; the last two share a time.
	seed := []tenancy.AuditEvent{
		{TenantID: "Cust1", Kind: tenancy.EventSecretCreated, At: t0},
		{TenantID: "Cust2", Kind: tenancy.EventSecretCreated, At: t0.Add(1 * time.Second)},
		{TenantID: "Cust1", Kind: tenancy.EventTokenIssued, At: t0.Add(2 * time.Second)},
		{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, At: t0.Add(3 * time.Second)},
		{TenantID: "Cust1", Kind: tenancy.EventTokenIssued, At: t0.Add(4 * time.Second)},
		{TenantID: "Cust1", Kind: tenancy.EventTokenIssued, At: t0.Add(4 * time.Second)},
	}
	for _, ev := range seed {
		if err := s.Audit(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	// ids are 1..6 in seed order.
	tests := []struct {
		name string
		f    tenancy.AuditFilter
		want []int64
	}{
		{"tenant, newest first, ties by insertion", tenancy.AuditFilter{TenantID: "Cust1"}, []int64{6, 5, 4, 3, 1}},
		{"every tenant", tenancy.AuditFilter{}, []int64{6, 5, 4, 3, 2, 1}},
		{"one kind", tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTokenIssued}}, []int64{6, 5, 3}},
		{"two kinds", tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventAuthRefused, tenancy.EventSecretCreated}}, []int64{4, 1}},
		{"since is inclusive", tenancy.AuditFilter{TenantID: "Cust1", Since: t0.Add(3 * time.Second)}, []int64{6, 5, 4}},
		{"until is exclusive", tenancy.AuditFilter{TenantID: "Cust1", Until: t0.Add(3 * time.Second)}, []int64{3, 1}},
		{"window", tenancy.AuditFilter{Since: t0.Add(time.Second), Until: t0.Add(4 * time.Second)}, []int64{4, 3, 2}},
		{"limit keeps the newest", tenancy.AuditFilter{TenantID: "Cust1", Limit: 2}, []int64{6, 5}},
		{"all filters", tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTokenIssued},
			Since: t0.Add(time.Second), Until: t0.Add(5 * time.Second), Limit: 1}, []int64{6}},
		{"unknown kind", tenancy.AuditFilter{Kinds: []tenancy.EventKind{"nope"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := s.AuditEvents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, ev := range evs {
				ids = append(ids, ev.ID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("ids = %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestAuditEventsDefaultLimit(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	for i := range defaultAuditLimit + 5 {
		if err := s.Audit(ctx, tenancy.AuditEvent{Kind: tenancy.EventAuthRefused, At: t0.Add(time.Duration(i))}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != defaultAuditLimit {
		t.Errorf("%d events, want the default %d", len(evs), defaultAuditLimit)
	}
}

// TestAuditLogIsAppendOnly goes around the store's methods: even a direct statement on
// the database cannot rewrite or delete audit rows.
func TestAuditLogIsAppendOnly(t *testing.T) {
	s, _ := openStore(t)
	if err := s.Audit(context.Background(), tenancy.AuditEvent{TenantID: "Cust1", Kind: tenancy.EventSecretCreated}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_events SET kind = 'nothing.happened'`,
		`DELETE FROM audit_events`,
		`DELETE FROM audit_events WHERE id = 1`,
	} {
		_, err := s.w.Exec(stmt)
		var se sqlite3.Error
		if !errors.As(err, &se) || se.ExtendedCode != sqlite3.ErrConstraintTrigger {
			t.Errorf("%s: err = %v, want the trigger's abort", stmt, err)
		}
	}
	evs, err := s.AuditEvents(context.Background(), tenancy.AuditFilter{})
	if err != nil || len(evs) != 1 || evs[0].Kind != "secret.created" {
		t.Errorf("audit log after the attempts = %+v, %v", evs, err)
	}
}

// TestChangeAndAuditAreOneTransaction makes the audit insert fail (an event time that
// cannot be stored) after each method's change has been written inside its transaction:
// the change must be rolled back with it.
func TestChangeAndAuditAreOneTransaction(t *testing.T) {
	ctx := context.Background()
	badEv := tenancy.AuditEvent{At: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name      string
		change    func(s *Store, secretID int64) error
		unchanged func(t *testing.T, s *Store, secretID int64)
	}{
		{"CreateTenant", func(s *Store, _ int64) error {
			return s.CreateTenant(ctx, testTenant("Cust2"), badEv)
		}, func(t *testing.T, s *Store, _ int64) {
			_, err := s.Tenant(ctx, "Cust2")
			wantErr(t, err, tenancy.ErrNotFound)
		}},
		{"UpdateTenant", func(s *Store, _ int64) error {
			tn := testTenant("Cust1")
			tn.Name = "changed"
			return s.UpdateTenant(ctx, tn, badEv)
		}, func(t *testing.T, s *Store, _ int64) {
			if tn, _ := s.Tenant(ctx, "Cust1"); tn.Name == "changed" {
				t.Error("name changed")
			}
		}},
		{"SetTenantEnabled", func(s *Store, _ int64) error {
			return s.SetTenantEnabled(ctx, "Cust1", false, t0, badEv)
		}, func(t *testing.T, s *Store, _ int64) {
			if tn, _ := s.Tenant(ctx, "Cust1"); !tn.Enabled || !tn.TokensValidAfter.IsZero() {
				t.Errorf("tenant changed: %+v", tn)
			}
		}},
		{"CreateSecret", func(s *Store, _ int64) error {
			_, err := s.CreateSecret(ctx, newSecret("Cust1"), 0, badEv)
			return err
		}, func(t *testing.T, s *Store, _ int64) {
			if n := count(t, s, `SELECT count(*) FROM secrets`); n != 1 {
				t.Errorf("%d secrets, want 1", n)
			}
		}},
		{"RollSecret", func(s *Store, id int64) error {
			_, err := s.RollSecret(ctx, id, newSecret("Cust1"), t0.Add(time.Hour), 0, badEv)
			return err
		}, func(t *testing.T, s *Store, _ int64) {
			if n := count(t, s, `SELECT count(*) FROM secrets WHERE expires_at IS NULL`); n != 1 {
				t.Errorf("%d secrets without expiry, want the 1 before the roll", n)
			}
		}},
		{"RevokeSecret", func(s *Store, id int64) error {
			return s.RevokeSecret(ctx, id, t0, badEv)
		}, func(t *testing.T, s *Store, _ int64) {
			if n := count(t, s, `SELECT count(*) FROM secrets WHERE revoked_at IS NULL`) +
				count(t, s, `SELECT count(*) FROM access_tokens WHERE revoked_at IS NULL`); n != 2 {
				t.Errorf("%d unrevoked secrets and tokens, want 2", n)
			}
		}},
		{"IssueToken", func(s *Store, id int64) error {
			_, err := s.IssueToken(ctx, newToken("Cust1", id), badEv)
			return err
		}, func(t *testing.T, s *Store, _ int64) {
			if n := count(t, s, `SELECT count(*) FROM access_tokens`); n != 1 {
				t.Errorf("%d tokens, want 1", n)
			}
		}},
		{"RevokeTokens", func(s *Store, _ int64) error {
			_, err := s.RevokeTokens(ctx, "Cust1", 0, t0, badEv)
			return err
		}, func(t *testing.T, s *Store, _ int64) {
			if n := count(t, s, `SELECT count(*) FROM access_tokens WHERE revoked_at IS NULL`); n != 1 {
				t.Errorf("%d live tokens, want 1", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t)
			mustCreateTenant(t, s, "Cust1")
			id := mustCreateSecret(t, s, newSecret("Cust1"))
			mustIssueToken(t, s, newToken("Cust1", id))
			audits := auditCount(t, s)
			wantErr(t, tt.change(s, id), errPlain)
			tt.unchanged(t, s, id)
			if n := auditCount(t, s) - audits; n != 0 {
				t.Errorf("%d audit events written", n)
			}
		})
	}
}
