package sqlite

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
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

// TestPruneAudit: PruneAudit deletes the events recorded before its cut-off, of every
// tenant and of none, and writes its own event in the same transaction; the log stays
// append-only for every other statement, before and after, with the very trigger the
// schema defines. A prune whose event cannot be written deletes nothing.
func TestPruneAudit(t *testing.T) {
	ctx := context.Background()
	cut := t0.Add(-24 * time.Hour)
	setup := func(t *testing.T) *Store {
		s, _ := openStore(t)
		for i, at := range []time.Time{cut.Add(-48 * time.Hour), cut.Add(-time.Nanosecond), cut, cut.Add(time.Hour)} {
			for _, tenant := range []string{"Cust1", ""} {
				ev := tenancy.AuditEvent{TenantID: tenant, Kind: tenancy.EventAuthRefused, Reason: fmt.Sprint("r", i), At: at}
				if err := s.Audit(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
		}
		return s
	}
	triggers := func(t *testing.T, s *Store) string {
		t.Helper()
		var out string
		if err := s.r.QueryRow(`SELECT group_concat(name || ':' || sql, ';') FROM
			(SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit_events' ORDER BY name)`).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}

	t.Run("deletes before the cut-off and records it", func(t *testing.T) {
		s := setup(t)
		before := triggers(t, s)
		if !strings.Contains(before, "audit_events_no_delete") || !strings.Contains(before, "audit_events_no_update") {
			t.Fatalf("the schema's triggers: %s", before)
		}
		n, err := s.PruneAudit(ctx, cut, tenancy.AuditEvent{Kind: tenancy.EventAuditPruned, Actor: "cli:ops", Reason: "before=" + cut.Format(time.RFC3339), At: t0})
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("deleted %d events, want 4", n)
		}
		if got := count(t, s, `SELECT count(*) FROM audit_events WHERE at < ?`, cut.UnixNano()); got != 0 {
			t.Errorf("%d events before the cut-off remain", got)
		}
		if got := count(t, s, `SELECT count(*) FROM audit_events WHERE kind = 'auth.refused'`); got != 4 {
			t.Errorf("%d refusals remain, want the 4 at or after the cut-off", got)
		}
		evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuditPruned}})
		if err != nil || len(evs) != 1 {
			t.Fatalf("prune events %+v, %v", evs, err)
		}
		if ev := evs[0]; ev.TenantID != "" || ev.Actor != "cli:ops" || ev.Reason != "before="+cut.Format(time.RFC3339)+" deleted=4" || !ev.At.Equal(t0) {
			t.Errorf("prune event %+v", ev)
		}
		if after := triggers(t, s); after != before {
			t.Errorf("triggers after the prune:\n%s\nwant\n%s", after, before)
		}
		if _, err := s.w.Exec(`DELETE FROM audit_events`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("a plain DELETE after the prune: %v, want the append-only refusal", err)
		}
		if _, err := s.w.Exec(`UPDATE audit_events SET reason = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("an UPDATE after the prune: %v, want the append-only refusal", err)
		}
	})
	t.Run("nothing to delete still records the prune", func(t *testing.T) {
		s := setup(t)
		n, err := s.PruneAudit(ctx, cut.Add(-365*24*time.Hour), tenancy.AuditEvent{Kind: tenancy.EventAuditPruned, Reason: "r"})
		if err != nil || n != 0 {
			t.Fatalf("PruneAudit = %d, %v", n, err)
		}
		if got := count(t, s, `SELECT count(*) FROM audit_events WHERE kind = 'audit.pruned' AND reason = 'r deleted=0'`); got != 1 {
			t.Errorf("%d prune events", got)
		}
	})
	t.Run("a failed prune deletes nothing", func(t *testing.T) {
		s := setup(t)
		before, audits := triggers(t, s), auditCount(t, s)
		_, err := s.PruneAudit(ctx, cut, tenancy.AuditEvent{Kind: tenancy.EventAuditPruned, At: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)})
		wantErr(t, err, errPlain)
		if n := auditCount(t, s); n != audits {
			t.Errorf("%d events, want the %d before", n, audits)
		}
		if after := triggers(t, s); after != before {
			t.Errorf("triggers after a failed prune:\n%s", after)
		}
	})
	t.Run("no cut-off", func(t *testing.T) {
		s := setup(t)
		_, err := s.PruneAudit(ctx, time.Time{}, tenancy.AuditEvent{Kind: tenancy.EventAuditPruned})
		wantErr(t, err, errPlain)
	})
}
