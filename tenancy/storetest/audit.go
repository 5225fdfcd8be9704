package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

func testAudit(t *testing.T, h Harness) {
	ctx := context.Background()
	tests := []struct {
		name   string
		ev     tenancy.AuditEvent
		want   error
		wantAt time.Time
	}{
		{"complete", tenancy.AuditEvent{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, Reason: "bad_checksum",
			Credential: "qk_test_ab", RemoteAddr: "192.0.2.7", At: T0.Add(time.Second)}, nil, T0.Add(time.Second)},
		{"unknown tenant is fine", tenancy.AuditEvent{TenantID: "Cust404", Kind: tenancy.EventAuthRefused, Reason: "unknown"}, nil, T0},
		{"no tenant", tenancy.AuditEvent{Kind: tenancy.EventAuthRefused, Reason: "malformed"}, nil, T0},
		{"no kind", tenancy.AuditEvent{TenantID: "Cust1"}, ErrPlain, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			err := s.Audit(ctx, tt.ev)
			WantErr(t, err, tt.want)
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

func testAuditEventsFilter(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	// Events at T0+0s .. T0+5s, alternating tenants and kinds; the last two share a time.
	// Their reasons e1 .. e6 name them in the order they are written.
	seed := []tenancy.AuditEvent{
		{TenantID: "Cust1", Kind: tenancy.EventSecretCreated, Reason: "e1", At: T0},
		{TenantID: "Cust2", Kind: tenancy.EventSecretCreated, Reason: "e2", At: T0.Add(1 * time.Second)},
		{TenantID: "Cust1", Kind: tenancy.EventTokenIssued, Reason: "e3", At: T0.Add(2 * time.Second)},
		{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, Reason: "e4", At: T0.Add(3 * time.Second)},
		{TenantID: "Cust1", Kind: tenancy.EventTokenIssued, Reason: "e5", At: T0.Add(4 * time.Second)},
		{TenantID: "Cust1", Kind: tenancy.EventTokenIssued, Reason: "e6", At: T0.Add(4 * time.Second)},
	}
	for _, ev := range seed {
		if err := s.Audit(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.AuditEvents(ctx, tenancy.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, ev := range all {
		if ids[ev.ID] {
			t.Errorf("id %d given to two events", ev.ID)
		}
		ids[ev.ID] = true
	}
	tests := []struct {
		name string
		f    tenancy.AuditFilter
		want []string
	}{
		{"tenant, newest first, ties by insertion", tenancy.AuditFilter{TenantID: "Cust1"}, []string{"e6", "e5", "e4", "e3", "e1"}},
		{"every tenant", tenancy.AuditFilter{}, []string{"e6", "e5", "e4", "e3", "e2", "e1"}},
		{"one kind", tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTokenIssued}}, []string{"e6", "e5", "e3"}},
		{"two kinds", tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventAuthRefused, tenancy.EventSecretCreated}}, []string{"e4", "e1"}},
		{"since is inclusive", tenancy.AuditFilter{TenantID: "Cust1", Since: T0.Add(3 * time.Second)}, []string{"e6", "e5", "e4"}},
		{"until is exclusive", tenancy.AuditFilter{TenantID: "Cust1", Until: T0.Add(3 * time.Second)}, []string{"e3", "e1"}},
		{"window", tenancy.AuditFilter{Since: T0.Add(time.Second), Until: T0.Add(4 * time.Second)}, []string{"e4", "e3", "e2"}},
		{"limit keeps the newest", tenancy.AuditFilter{TenantID: "Cust1", Limit: 2}, []string{"e6", "e5"}},
		{"all filters", tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTokenIssued},
			Since: T0.Add(time.Second), Until: T0.Add(5 * time.Second), Limit: 1}, []string{"e6"}},
		{"unknown kind", tenancy.AuditFilter{Kinds: []tenancy.EventKind{"nope"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := s.AuditEvents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range evs {
				got = append(got, ev.Reason)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("events = %v, want %v", got, tt.want)
			}
		})
	}
}

// defaultAuditLimit is the number of events AuditEvents returns for a Limit of 0, as
// tenancy.AuditFilter documents it.
const defaultAuditLimit = 100

func testAuditEventsDefaultLimit(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	for i := range defaultAuditLimit + 5 {
		if err := s.Audit(ctx, tenancy.AuditEvent{Kind: tenancy.EventAuthRefused, At: T0.Add(time.Duration(i))}); err != nil {
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

// testAuditLogIsAppendOnly goes around the store's methods: even a statement straight on
// the database cannot rewrite or delete audit events.
func testAuditLogIsAppendOnly(t *testing.T, h Harness) {
	s := open(t, h)
	if err := s.Audit(context.Background(), tenancy.AuditEvent{TenantID: "Cust1", Kind: tenancy.EventSecretCreated}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []Tamper{TamperUpdateAll, TamperDeleteAll, TamperDeleteNewest} {
		if err := tamperAudit(t, h, s, op); err == nil {
			t.Errorf("%s: the database let it through", op)
		}
	}
	evs, err := s.AuditEvents(context.Background(), tenancy.AuditFilter{})
	if err != nil || len(evs) != 1 || evs[0].Kind != "secret.created" {
		t.Errorf("audit log after the attempts = %+v, %v", evs, err)
	}
}

// fixture is what testChangeAndAuditAreOneTransaction starts from: tenant Cust1 with one
// secret and one token minted from it.
type fixture struct {
	secretID int64
	token    [32]byte
}

// testChangeAndAuditAreOneTransaction makes the audit insert fail (Harness.FailAudit)
// after each method's change has been written inside its transaction: the change must
// be rolled back with it.
func testChangeAndAuditAreOneTransaction(t *testing.T, h Harness) {
	ctx := context.Background()
	tests := []struct {
		name      string
		change    func(s Store, fx fixture) error
		unchanged func(t *testing.T, s Store, fx fixture)
	}{
		{"CreateTenant", func(s Store, _ fixture) error {
			return s.CreateTenant(ctx, NewTenant("Cust2"), tenancy.AuditEvent{})
		}, func(t *testing.T, s Store, _ fixture) {
			_, err := s.Tenant(ctx, "Cust2")
			WantErr(t, err, tenancy.ErrNotFound)
			if n := count(t, h, s).Tenants; n != 1 {
				t.Errorf("%d tenants, want 1", n)
			}
		}},
		{"UpdateTenant", func(s Store, _ fixture) error {
			tn := NewTenant("Cust1")
			tn.Name = "changed"
			return s.UpdateTenant(ctx, tn, tenancy.AuditEvent{})
		}, func(t *testing.T, s Store, _ fixture) {
			if tn, _ := s.Tenant(ctx, "Cust1"); tn.Name == "changed" {
				t.Error("name changed")
			}
		}},
		{"SetTenantEnabled", func(s Store, _ fixture) error {
			return s.SetTenantEnabled(ctx, "Cust1", false, T0, tenancy.AuditEvent{})
		}, func(t *testing.T, s Store, _ fixture) {
			if tn, _ := s.Tenant(ctx, "Cust1"); !tn.Enabled || !tn.TokensValidAfter.IsZero() {
				t.Errorf("tenant changed: %+v", tn)
			}
		}},
		{"CreateSecret", func(s Store, _ fixture) error {
			_, err := s.CreateSecret(ctx, NewSecret("Cust1"), 0, tenancy.AuditEvent{})
			return err
		}, func(t *testing.T, s Store, _ fixture) {
			if n := count(t, h, s).Secrets; n != 1 {
				t.Errorf("%d secrets, want 1", n)
			}
		}},
		{"RollSecret", func(s Store, fx fixture) error {
			_, err := s.RollSecret(ctx, fx.secretID, NewSecret("Cust1"), T0.Add(time.Hour), 0, tenancy.AuditEvent{})
			return err
		}, func(t *testing.T, s Store, _ fixture) {
			secs, err := s.SecretsOf(ctx, "Cust1")
			if err != nil {
				t.Fatal(err)
			}
			if n := count(t, h, s).Secrets; n != 1 || len(secs) != 1 || !secs[0].ExpiresAt.IsZero() {
				t.Errorf("%d secrets, %+v; want the 1 before the roll, without expiry", n, secs)
			}
		}},
		{"RevokeSecret", func(s Store, fx fixture) error {
			return s.RevokeSecret(ctx, fx.secretID, T0, tenancy.AuditEvent{})
		}, func(t *testing.T, s Store, fx fixture) {
			secs, err := s.SecretsOf(ctx, "Cust1")
			if err != nil {
				t.Fatal(err)
			}
			tok, _, err := s.TokenByHash(ctx, fx.token)
			if err != nil {
				t.Fatal(err)
			}
			if len(secs) != 1 || !secs[0].RevokedAt.IsZero() || !tok.RevokedAt.IsZero() {
				t.Errorf("secrets %+v, token %+v; want the secret and its token unrevoked", secs, tok)
			}
		}},
		{"IssueToken", func(s Store, fx fixture) error {
			_, err := s.IssueToken(ctx, NewToken("Cust1", fx.secretID), tenancy.AuditEvent{})
			return err
		}, func(t *testing.T, s Store, _ fixture) {
			if n := count(t, h, s).Tokens; n != 1 {
				t.Errorf("%d tokens, want 1", n)
			}
		}},
		{"RevokeTokens", func(s Store, _ fixture) error {
			_, err := s.RevokeTokens(ctx, "Cust1", 0, T0, tenancy.AuditEvent{})
			return err
		}, func(t *testing.T, s Store, fx fixture) {
			live, err := s.ListTokens(ctx, "Cust1", T0)
			if err != nil {
				t.Fatal(err)
			}
			if tok, _, err := s.TokenByHash(ctx, fx.token); err != nil || !tok.RevokedAt.IsZero() || len(live) != 1 {
				t.Errorf("%d live tokens, the token %+v, %v; want it live", len(live), tok, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			MustCreateTenant(t, s, "Cust1")
			id := MustCreateSecret(t, s, NewSecret("Cust1"))
			tok := NewToken("Cust1", id)
			MustIssueToken(t, s, tok)
			fx := fixture{secretID: id, token: tok.Hash}
			audits := auditCount(t, h, s)
			heal := failAudit(t, h, s)
			err := tt.change(s, fx)
			heal()
			WantErr(t, err, ErrPlain)
			tt.unchanged(t, s, fx)
			if n := auditCount(t, h, s) - audits; n != 0 {
				t.Errorf("%d audit events written", n)
			}
		})
	}
}

// testUserMappingAuditedInOneTransaction checks that a user mapping and its audit event
// are written together: both exist after the change, and when the audit row cannot be
// written the mapping is not changed either.
func testUserMappingAuditedInOneTransaction(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	m := tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7, ERPUser: "ann"}

	before := auditCount(t, h, s)
	if err := s.SetUserMapping(ctx, m, tenancy.AuditEvent{Kind: tenancy.EventUserMapped, Actor: "cli"}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventUserMapped}})
	if err != nil {
		t.Fatal(err)
	}
	if auditCount(t, h, s)-before != 1 || len(evs) != 1 || evs[0].Actor != "cli" {
		t.Fatalf("after mapping: %d new audit rows, events %+v; want one user.mapped by cli", auditCount(t, h, s)-before, evs)
	}

	// The fault: every insert of an audit event fails, as a full disk would fail it.
	heal := failAudit(t, h, s)
	defer heal()

	before = auditCount(t, h, s)
	other := tenancy.UserMapping{TenantID: "Cust1", AssociateID: 8, ERPUser: "bob"}
	if err := s.SetUserMapping(ctx, other, tenancy.AuditEvent{}); err == nil {
		t.Fatal("SetUserMapping succeeded although its audit event could not be written")
	}
	if _, err := s.UserMapping(ctx, "Cust1", 8, ""); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("mapping of associate 8 after a failed audit write: %v, want not found", err)
	}
	if err := s.DeleteUserMapping(ctx, m, tenancy.AuditEvent{}); err == nil {
		t.Fatal("DeleteUserMapping succeeded although its audit event could not be written")
	}
	if got, err := s.UserMapping(ctx, "Cust1", 7, ""); err != nil || got != "ann" {
		t.Errorf("mapping of associate 7 after a failed unmapping: %q, %v; want ann", got, err)
	}
	if n := auditCount(t, h, s) - before; n != 0 {
		t.Errorf("%d audit rows written during the fault, want 0", n)
	}
}

// testPruneAudit: PruneAudit deletes the events recorded before its cut-off, of every
// tenant and of none, and writes its own event in the same transaction; the log stays
// append-only for every other statement, before and after. A prune whose event cannot be
// written deletes nothing.
func testPruneAudit(t *testing.T, h Harness) {
	ctx := context.Background()
	cut := T0.Add(-24 * time.Hour)
	setup := func(t *testing.T) Store {
		s := open(t, h)
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
	// events returns every event f selects, whatever the default limit.
	events := func(t *testing.T, s Store, f tenancy.AuditFilter) []tenancy.AuditEvent {
		t.Helper()
		f.Limit = 1000
		evs, err := s.AuditEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	// appendOnly checks that the database still refuses to rewrite or delete events.
	appendOnly := func(t *testing.T, s Store, when string) {
		t.Helper()
		for _, op := range []Tamper{TamperDeleteAll, TamperUpdateAll} {
			if err := tamperAudit(t, h, s, op); err == nil {
				t.Errorf("%s %s: the database let it through, want the append-only refusal", op, when)
			}
		}
	}

	t.Run("deletes before the cut-off and records it", func(t *testing.T) {
		s := setup(t)
		n, err := s.PruneAudit(ctx, cut, tenancy.AuditEvent{Kind: tenancy.EventAuditPruned, Actor: "cli:ops", Reason: "before=" + cut.Format(time.RFC3339), At: T0})
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("deleted %d events, want 4", n)
		}
		if got := len(events(t, s, tenancy.AuditFilter{Until: cut})); got != 0 {
			t.Errorf("%d events before the cut-off remain", got)
		}
		if got := len(events(t, s, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}})); got != 4 {
			t.Errorf("%d refusals remain, want the 4 at or after the cut-off", got)
		}
		if got := auditCount(t, h, s); got != 5 {
			t.Errorf("%d events in the database, want the 4 refusals and the prune's", got)
		}
		evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuditPruned}})
		if err != nil || len(evs) != 1 {
			t.Fatalf("prune events %+v, %v", evs, err)
		}
		if ev := evs[0]; ev.TenantID != "" || ev.Actor != "cli:ops" || ev.Reason != "before="+cut.Format(time.RFC3339)+" deleted=4" || !ev.At.Equal(T0) {
			t.Errorf("prune event %+v", ev)
		}
		appendOnly(t, s, "after the prune")
	})
	t.Run("nothing to delete still records the prune", func(t *testing.T) {
		s := setup(t)
		n, err := s.PruneAudit(ctx, cut.Add(-365*24*time.Hour), tenancy.AuditEvent{Kind: tenancy.EventAuditPruned, Reason: "r"})
		if err != nil || n != 0 {
			t.Fatalf("PruneAudit = %d, %v", n, err)
		}
		got := 0
		for _, ev := range events(t, s, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuditPruned}}) {
			if ev.Reason == "r deleted=0" {
				got++
			}
		}
		if got != 1 {
			t.Errorf("%d prune events", got)
		}
	})
	t.Run("a failed prune deletes nothing", func(t *testing.T) {
		s := setup(t)
		audits := auditCount(t, h, s)
		heal := failAudit(t, h, s)
		_, err := s.PruneAudit(ctx, cut, tenancy.AuditEvent{Kind: tenancy.EventAuditPruned})
		heal()
		WantErr(t, err, ErrPlain)
		if n := auditCount(t, h, s); n != audits {
			t.Errorf("%d events, want the %d before", n, audits)
		}
		appendOnly(t, s, "after a failed prune")
	})
	t.Run("no cut-off", func(t *testing.T) {
		s := setup(t)
		_, err := s.PruneAudit(ctx, time.Time{}, tenancy.AuditEvent{Kind: tenancy.EventAuditPruned})
		WantErr(t, err, ErrPlain)
	})
}
