package sqlite

import (
	"context"
	"testing"
)

// TestDataVersion: the version stays put while nothing is written and moves on a commit
// by this store or by another handle on the same file (a CLI in another process).
func TestDataVersion(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	other := openAt(t, path)

	version := func() uint64 {
		t.Helper()
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatalf("DataVersion: %v", err)
		}
		return v
	}
	v0 := version()
	if v := version(); v != v0 {
		t.Fatalf("version moved without a write: %d then %d", v0, v)
	}
	if _, err := s.Tenant(ctx, "Cust1"); err == nil {
		t.Fatal("Tenant(Cust1) found a tenant in a new file")
	}
	if v := version(); v != v0 {
		t.Fatalf("version moved on a read: %d then %d", v0, v)
	}

	mustCreateTenant(t, other, "Cust1")
	v1 := version()
	if v1 == v0 {
		t.Fatal("version unchanged after another handle committed a tenant")
	}
	mustCreateTenant(t, s, "Cust2")
	if v := version(); v == v1 {
		t.Fatal("version unchanged after this store committed a tenant")
	}
}
