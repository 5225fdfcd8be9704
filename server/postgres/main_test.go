package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/internal/pgtest"
	"github.com/quotekit/quotekit/tenancy"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return t0 }

// openStore opens a Store on a fresh database with the clock fixed at t0.
func openStore(t testing.TB, opts ...Option) (*Store, string) {
	t.Helper()
	url := pgtest.Start(t)
	return openAt(t, url, opts...), url
}

// openAt opens another Store on the database at url, closed when t ends.
func openAt(t testing.TB, url string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, append([]Option{WithClock(fixedClock)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func testTenant(id string) tenancy.Tenant {
	return tenancy.Tenant{
		ID:              id,
		Name:            "Tenant " + id,
		Environment:     connector.EnvironmentTest,
		SuperOfficeEnvs: []string{"sod"},
		AppIDs:          []string{"app-" + id},
		Enabled:         true,
		Config:          map[string]string{"warehouse": "main"},
		CreatedAt:       t0.Add(-24 * time.Hour),
		UpdatedAt:       t0.Add(-24 * time.Hour),
	}
}

func mustCreateTenant(t testing.TB, s *Store, id string) tenancy.Tenant {
	t.Helper()
	tn := testTenant(id)
	if err := s.CreateTenant(context.Background(), tn, tenancy.AuditEvent{Actor: "test"}); err != nil {
		t.Fatalf("CreateTenant(%s): %v", id, err)
	}
	return tn
}
