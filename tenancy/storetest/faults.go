package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// testReadOnlyDatabase checks that a store which cannot write answers every write with
// tenancy.ErrUnavailable, changes nothing, and keeps serving reads. The store is the
// Harness's ReadOnly handle on a database a read-write store serves.
func testReadOnlyDatabase(t *testing.T, h Harness) {
	ctx := context.Background()
	rw := open(t, h)
	MustCreateTenant(t, rw, "Cust1")
	sec := NewSecret("Cust1")
	secID := MustCreateSecret(t, rw, sec)
	tok := NewToken("Cust1", secID)
	MustIssueToken(t, rw, tok)
	if err := rw.SetUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7, ERPUser: "ann"}, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	ro := readOnly(t, h, rw)
	audits := auditCount(t, h, rw)

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
		{"ListTokens", func() error { _, err := ro.ListTokens(ctx, "Cust1", T0); return err }},
		{"AuditEvents", func() error { _, err := ro.AuditEvents(ctx, tenancy.AuditFilter{}); return err }},
		// A touch within the throttle interval needs no write.
		{"TouchSecret throttled", func() error { return ro.TouchSecret(ctx, secID, T0) }},
	}
	// The throttled touch above needs a recent last_used_at, written through rw.
	if err := rw.TouchSecret(ctx, secID, T0); err != nil {
		t.Fatal(err)
	}
	for _, r := range reads {
		t.Run("read "+r.name, func(t *testing.T) { WantErr(t, r.do(), nil) })
	}

	later := T0.Add(time.Hour)
	writes := []struct {
		name string
		do   func() error
	}{
		{"CreateTenant", func() error { return ro.CreateTenant(ctx, NewTenant("Cust2"), tenancy.AuditEvent{}) }},
		{"UpdateTenant", func() error { return ro.UpdateTenant(ctx, NewTenant("Cust1"), tenancy.AuditEvent{}) }},
		{"SetTenantEnabled", func() error { return ro.SetTenantEnabled(ctx, "Cust1", false, T0, tenancy.AuditEvent{}) }},
		{"SetUserMapping", func() error {
			return ro.SetUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", AssociateID: 8, ERPUser: "bob"}, tenancy.AuditEvent{})
		}},
		{"DeleteUserMapping", func() error {
			return ro.DeleteUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7}, tenancy.AuditEvent{})
		}},
		{"CreateSecret", func() error { _, err := ro.CreateSecret(ctx, NewSecret("Cust1"), 5, tenancy.AuditEvent{}); return err }},
		{"RollSecret", func() error {
			_, err := ro.RollSecret(ctx, secID, NewSecret("Cust1"), later, 5, tenancy.AuditEvent{})
			return err
		}},
		{"RevokeSecret", func() error { return ro.RevokeSecret(ctx, secID, T0, tenancy.AuditEvent{}) }},
		{"TouchSecret", func() error { return ro.TouchSecret(ctx, secID, later) }},
		{"IssueToken", func() error { _, err := ro.IssueToken(ctx, NewToken("Cust1", secID), tenancy.AuditEvent{}); return err }},
		{"RevokeTokens", func() error { _, err := ro.RevokeTokens(ctx, "Cust1", 0, T0, tenancy.AuditEvent{}); return err }},
		{"RememberJWT", func() error { return ro.RememberJWT(ctx, NewHash(), later) }},
		{"Audit", func() error { return ro.Audit(ctx, tenancy.AuditEvent{Kind: tenancy.EventAuthRefused}) }},
		{"Purge", func() error { _, err := ro.Purge(ctx, later.Add(time.Hour)); return err }},
	}
	for _, w := range writes {
		t.Run("write "+w.name, func(t *testing.T) { WantErr(t, w.do(), tenancy.ErrUnavailable) })
	}

	if n := auditCount(t, h, rw) - audits; n != 0 {
		t.Errorf("%d audit events written through the read-only store", n)
	}
	if got, _, err := rw.TokenByHash(ctx, tok.Hash); err != nil || !got.RevokedAt.IsZero() {
		t.Errorf("token after the refused writes: %+v, %v", got, err)
	}
	if err := rw.CreateTenant(ctx, NewTenant("Cust2"), tenancy.AuditEvent{}); err != nil {
		t.Errorf("the read-write store cannot write any more: %v", err)
	}
}

// testDataVersion: the version stays put while nothing is written and moves on a commit
// by this store or by another handle on the same database (a CLI in another process).
func testDataVersion(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	other := reopen(t, h, s)

	versionOf := func(s Store) uint64 {
		t.Helper()
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatalf("DataVersion: %v", err)
		}
		return v
	}
	version := func() uint64 {
		t.Helper()
		return versionOf(s)
	}
	v0 := version()
	if v := version(); v != v0 {
		t.Fatalf("version moved without a write: %d then %d", v0, v)
	}
	if _, err := s.Tenant(ctx, "Cust1"); err == nil {
		t.Fatal("Tenant(Cust1) found a tenant in a new store")
	}
	if v := version(); v != v0 {
		t.Fatalf("version moved on a read: %d then %d", v0, v)
	}

	MustCreateTenant(t, other, "Cust1")
	v1 := version()
	if v1 == v0 {
		t.Fatal("version unchanged after another handle committed a tenant")
	}
	o1 := versionOf(other)
	MustCreateTenant(t, s, "Cust2")
	if v := version(); v == v1 {
		t.Fatal("version unchanged after this store committed a tenant")
	}
	if v := versionOf(other); v == o1 {
		t.Fatal("the other handle's version unchanged after this store committed a tenant")
	}
}

func testAdminKeysReadOnly(t *testing.T, h Harness) {
	ctx := context.Background()
	rw := open(t, h)
	k := NewAdminKey("ops", tenancy.ScopeAuditRead)
	id := MustCreateAdminKey(t, rw, k)
	ro := readOnly(t, h, rw)
	if _, err := ro.AdminKeyByHash(ctx, k.Hash); err != nil {
		t.Errorf("read: %v", err)
	}
	if _, err := ro.ListAdminKeys(ctx); err != nil {
		t.Errorf("list: %v", err)
	}
	WantErr(t, func() error {
		_, err := ro.CreateAdminKey(ctx, NewAdminKey("x", tenancy.ScopeSupport), tenancy.AuditEvent{})
		return err
	}(), tenancy.ErrUnavailable)
	WantErr(t, ro.RevokeAdminKey(ctx, id, T0, tenancy.AuditEvent{}), tenancy.ErrUnavailable)
	WantErr(t, ro.TouchAdminKey(ctx, id, T0), tenancy.ErrUnavailable)
}

// testPing: a store that serves answers its readiness probe, and so does a handle that
// can only read.
func testPing(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := readOnly(t, h, s).Ping(ctx); err != nil {
		t.Errorf("Ping of the read-only handle: %v", err)
	}
}
