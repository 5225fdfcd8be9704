package postgres

import (
	"context"
	"testing"

	"github.com/quotekit/quotekit/tenancy"
)

// TestDataVersionAcrossStores: two Stores on one database stand for two instances. After
// each change acknowledged through one, the other's DataVersion is read at once, 200
// times: it must have moved every time. The same holds for the writer's own version, and
// the version stays put while nothing is written.
func TestDataVersionAcrossStores(t *testing.T) {
	ctx := context.Background()
	a, url := openStore(t)
	b := openAt(t, url)
	mustCreateTenant(t, a, "Cust1")

	version := func(s *Store) uint64 {
		t.Helper()
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatalf("DataVersion: %v", err)
		}
		return v
	}
	v0 := version(b)
	if _, err := b.Tenant(ctx, "Cust1"); err != nil {
		t.Fatal(err)
	}
	if v := version(b); v != v0 {
		t.Fatalf("version moved on a read: %d then %d", v0, v)
	}

	const changes = 200
	lagged := 0
	for i := range changes {
		writer, other := a, b
		if i%2 == 1 {
			writer, other = b, a
		}
		before, own := version(other), version(writer)
		if err := writer.SetTenantEnabled(ctx, "Cust1", i%4 < 2, t0, tenancy.AuditEvent{}); err != nil {
			t.Fatal(err)
		}
		if version(writer) == own {
			t.Fatalf("change %d: the writer's own version did not move", i)
		}
		if version(other) == before {
			lagged++
		}
	}
	t.Logf("%d of %d changes had not moved the other store's version when the writer returned", lagged, changes)
	if lagged != 0 {
		t.Errorf("the other store's version lagged behind %d of %d acknowledged changes", lagged, changes)
	}
}
