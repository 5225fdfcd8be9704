package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/quotekit/quotekit/tenancy"
)

// TestUserMappingAuditedInOneTransaction checks that a user mapping and its audit event
// are written together: both exist after the change, and when the audit row cannot be
// written the mapping is not changed either.
func TestUserMappingAuditedInOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	m := tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7, ERPUser: "ann"}

	before := auditCount(t, s)
	if err := s.SetUserMapping(ctx, m, tenancy.AuditEvent{Kind: tenancy.EventUserMapped, Actor: "cli"}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventUserMapped}})
	if err != nil {
		t.Fatal(err)
	}
	if auditCount(t, s)-before != 1 || len(evs) != 1 || evs[0].Actor != "cli" {
		t.Fatalf("after mapping: %d new audit rows, events %+v; want one user.mapped by cli", auditCount(t, s)-before, evs)
	}

	// The fault: every insert into audit_events fails, as a full disk would fail it.
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TRIGGER audit_fault BEFORE INSERT ON audit_events
		BEGIN SELECT RAISE(ABORT, 'audit fault'); END`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	before = auditCount(t, s)
	other := tenancy.UserMapping{TenantID: "Cust1", AssociateID: 8, ERPUser: "bob"}
	if err := s.SetUserMapping(ctx, other, tenancy.AuditEvent{}); err == nil {
		t.Fatal("SetUserMapping succeeded although its audit event could not be written")
	}
	if _, err := s.UserMapping(ctx, "Cust1", 8, ""); !isNotFound(err) {
		t.Errorf("mapping of associate 8 after a failed audit write: %v, want not found", err)
	}
	if err := s.DeleteUserMapping(ctx, m, tenancy.AuditEvent{}); err == nil {
		t.Fatal("DeleteUserMapping succeeded although its audit event could not be written")
	}
	if got, err := s.UserMapping(ctx, "Cust1", 7, ""); err != nil || got != "ann" {
		t.Errorf("mapping of associate 7 after a failed unmapping: %q, %v; want ann", got, err)
	}
	if n := auditCount(t, s) - before; n != 0 {
		t.Errorf("%d audit rows written during the fault, want 0", n)
	}
}

func isNotFound(err error) bool { return errors.Is(err, tenancy.ErrNotFound) }
