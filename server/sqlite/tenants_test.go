package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/quotekit/quotekit/tenancy"
)

// TestEmailColumnComparesASCIICaseInsensitively: the schema itself compares e-mails with
// SQLite's NOCASE collation, which folds the 26 ASCII letters and nothing else, so a
// statement that does not go through the store's own normalisation still cannot map
// the Kelvin sign to k, and cannot store two mappings that differ in ASCII case only.
func TestEmailColumnComparesASCIICaseInsensitively(t *testing.T) {
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	if _, err := s.w.Exec(`INSERT INTO user_mappings (tenant_id, email, erp_user) VALUES ('Cust1', 'Kate@Example.com', 'kate')`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		email string
		want  int
	}{
		{"kate@example.com", 1},
		{"KATE@EXAMPLE.COM", 1},
		{"\u212Aate@example.com", 0},
	} {
		if n := count(t, s, `SELECT count(*) FROM user_mappings WHERE tenant_id = 'Cust1' AND email = ?`, tt.email); n != tt.want {
			t.Errorf("rows with email = %q: %d, want %d", tt.email, n, tt.want)
		}
	}
	_, err := s.w.Exec(`INSERT INTO user_mappings (tenant_id, email, erp_user) VALUES ('Cust1', 'kate@example.com', 'other')`)
	if err == nil {
		t.Error("a second mapping differing in ASCII case only was stored")
	}
	if _, err := s.w.Exec(`INSERT INTO user_mappings (tenant_id, email, erp_user) VALUES ('Cust1', ?, 'kelvin')`, "\u212Aate@example.com"); err != nil {
		t.Errorf("the Kelvin-sign address is a different key: %v", err)
	}
}

// TestMigrationKeepsUserMappings upgrades a database made before e-mails compared with
// NOCASE: every mapping survives with its id, and lookups then fold ASCII only.
func TestMigrationKeepsUserMappings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old := storeAtVersion(t, path, 2)
	insertOldTenant(t, old, "Cust1")
	// As the older code stored them: lower-cased with Unicode rules.
	for _, m := range []tenancy.UserMapping{
		{TenantID: "Cust1", AssociateID: 7, Email: "kate@example.com", ERPUser: "kate"},
		{TenantID: "Cust1", Email: "\u00E5sa@example.com", ERPUser: "asa"},
		{TenantID: "Cust1", AssociateID: 9, ERPUser: "nine"},
	} {
		if err := old.SetUserMapping(ctx, m, tenancy.AuditEvent{}); err != nil {
			t.Fatal(err)
		}
	}
	before := count(t, old, `SELECT sum(id) FROM user_mappings`)
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := openAt(t, path)
	if n := count(t, s, `SELECT sum(id) FROM user_mappings`); n != before {
		t.Errorf("mapping ids changed: sum %d, was %d", n, before)
	}
	for _, tt := range []struct {
		associate   int32
		email, want string
	}{
		{0, "KATE@example.com", "kate"},
		{0, "\u212Aate@example.com", ""},
		{0, "\u00E5sa@example.com", "asa"},
		{9, "", "nine"},
	} {
		got, err := s.UserMapping(ctx, "Cust1", tt.associate, tt.email)
		if tt.want == "" {
			wantErr(t, err, tenancy.ErrNotFound)
		} else if err != nil || got != tt.want {
			t.Errorf("UserMapping(%d, %q) = %q, %v; want %q", tt.associate, tt.email, got, err, tt.want)
		}
	}
	if err := s.SetUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust2", Email: "a@x.com", ERPUser: "x"}, tenancy.AuditEvent{}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("the tenant foreign key after the rebuild: %v, want ErrNotFound", err)
	}
}
