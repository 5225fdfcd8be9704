package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/quotekit/quotekit/internal/pgtest"
	"github.com/quotekit/quotekit/tenancy/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// t0 is the fixed "now" of the tests, the conformance suite's.
var t0 = storetest.T0

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

// testTenant and mustCreateTenant are the conformance suite's, so these tests and the
// suite make the same tenants.
var (
	testTenant       = storetest.NewTenant
	mustCreateTenant = storetest.MustCreateTenant
)
