package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// TestReadOnlyDatabase checks that a store which cannot write answers every write with
// tenancy.ErrUnavailable, changes nothing, and keeps serving reads.
//
// The store is a second handle opened with WithReadOnly (SQLite's mode=ro) on a file a
// read-write store serves. Making the file read-only with chmod would not do: tests may
// run as root, which ignores permission bits, and connections opened before the chmod
// keep their read-write descriptors anyway.
func TestReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	rw, path := openStore(t)
	mustCreateTenant(t, rw, "Cust1")
	sec := newSecret("Cust1")
	secID := mustCreateSecret(t, rw, sec)
	tok := newToken("Cust1", secID)
	mustIssueToken(t, rw, tok)
	if err := rw.SetUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7, ERPUser: "ann"}, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	ro := openAt(t, path, WithReadOnly())
	audits := auditCount(t, rw)

	reads := []struct {
		name string
		do   func() error
	}{
		{"Tenant", func() error { _, err := ro.Tenant(ctx, "Cust1"); return err }},
		{"ListTenants", func() error { _, err := ro.ListTenants(ctx); return err }},
		{"UserMapping", func() error { _, err := ro.UserMapping(ctx, "Cust1", 7, ""); return err }},
		{"SecretByHash", func() error { _, _, err := ro.SecretByHash(ctx, sec.Hash); return err }},
		{"SecretsOf", func() error { _, err := ro.SecretsOf(ctx, "Cust1"); return err }},
		{"TokenByHash", func() error { _, _, err := ro.TokenByHash(ctx, tok.Hash); return err }},
		{"ListTokens", func() error { _, err := ro.ListTokens(ctx, "Cust1", t0); return err }},
		{"AuditEvents", func() error { _, err := ro.AuditEvents(ctx, tenancy.AuditFilter{}); return err }},
		// A touch within the throttle interval needs no write.
		{"TouchSecret throttled", func() error { return ro.TouchSecret(ctx, secID, t0) }},
	}
	// The throttled touch above needs a recent last_used_at, written through rw.
	if err := rw.TouchSecret(ctx, secID, t0); err != nil {
		t.Fatal(err)
	}
	for _, r := range reads {
		t.Run("read "+r.name, func(t *testing.T) { wantErr(t, r.do(), nil) })
	}

	later := t0.Add(time.Hour)
	writes := []struct {
		name string
		do   func() error
	}{
		{"CreateTenant", func() error { return ro.CreateTenant(ctx, testTenant("Cust2"), tenancy.AuditEvent{}) }},
		{"UpdateTenant", func() error { return ro.UpdateTenant(ctx, testTenant("Cust1"), tenancy.AuditEvent{}) }},
		{"SetTenantEnabled", func() error { return ro.SetTenantEnabled(ctx, "Cust1", false, t0, tenancy.AuditEvent{}) }},
		{"SetUserMapping", func() error {
			return ro.SetUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", AssociateID: 8, ERPUser: "bob"}, tenancy.AuditEvent{})
		}},
		{"DeleteUserMapping", func() error {
			return ro.DeleteUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7}, tenancy.AuditEvent{})
		}},
		{"CreateSecret", func() error { _, err := ro.CreateSecret(ctx, newSecret("Cust1"), 5, tenancy.AuditEvent{}); return err }},
		{"RollSecret", func() error {
			_, err := ro.RollSecret(ctx, secID, newSecret("Cust1"), later, 5, tenancy.AuditEvent{})
			return err
		}},
		{"RevokeSecret", func() error { return ro.RevokeSecret(ctx, secID, t0, tenancy.AuditEvent{}) }},
		{"TouchSecret", func() error { return ro.TouchSecret(ctx, secID, later) }},
		{"IssueToken", func() error { _, err := ro.IssueToken(ctx, newToken("Cust1", secID), tenancy.AuditEvent{}); return err }},
		{"RevokeTokens", func() error { _, err := ro.RevokeTokens(ctx, "Cust1", 0, t0, tenancy.AuditEvent{}); return err }},
		{"RememberJWT", func() error { return ro.RememberJWT(ctx, newHash(), later) }},
		{"Audit", func() error { return ro.Audit(ctx, tenancy.AuditEvent{Kind: tenancy.EventAuthRefused}) }},
		{"Purge", func() error { _, err := ro.Purge(ctx, later.Add(time.Hour)); return err }},
	}
	for _, w := range writes {
		t.Run("write "+w.name, func(t *testing.T) { wantErr(t, w.do(), tenancy.ErrUnavailable) })
	}

	if n := auditCount(t, rw) - audits; n != 0 {
		t.Errorf("%d audit events written through the read-only store", n)
	}
	if got, _, err := rw.TokenByHash(ctx, tok.Hash); err != nil || !got.RevokedAt.IsZero() {
		t.Errorf("token after the refused writes: %+v, %v", got, err)
	}
	if err := rw.CreateTenant(ctx, testTenant("Cust2"), tenancy.AuditEvent{}); err != nil {
		t.Errorf("the read-write store cannot write any more: %v", err)
	}
}

// TestLockedDatabase holds the write lock from another connection (another process, in
// production) longer than the busy timeout: writes fail with tenancy.ErrUnavailable, reads
// go on (WAL), and once the lock is released writes work again.
func TestLockedDatabase(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t, WithBusyTimeout(time.Second))
	mustCreateTenant(t, s, "Cust1")

	other, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	err = s.SetTenantEnabled(ctx, "Cust1", false, t0, tenancy.AuditEvent{})
	wantErr(t, err, tenancy.ErrUnavailable)
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the write waited %v: it did not give up at its busy timeout", d)
	}
	wantErr(t, s.RememberJWT(ctx, newHash(), t0.Add(time.Minute)), tenancy.ErrUnavailable)
	if tn, err := s.Tenant(ctx, "Cust1"); err != nil || !tn.Enabled {
		t.Errorf("read while locked = %+v, %v; want the enabled tenant", tn, err)
	}

	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTenantEnabled(ctx, "Cust1", false, t0, tenancy.AuditEvent{}); err != nil {
		t.Errorf("write after the lock was released: %v", err)
	}
}
