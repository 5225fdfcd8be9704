package auth_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/internal/pgtest"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/postgres"
	"github.com/quotekit/quotekit/tenancy"
)

// TestMain stops the throwaway PostgreSQL cluster, if a benchmark started one, after
// the tests and benchmarks of the package.
func TestMain(m *testing.M) { pgtest.Main(m) }

// BenchmarkTokenCheckPostgres is BenchmarkTokenCheck on the PostgreSQL store: the
// per-request cost of an access token on an operation call, with the service set up as
// newEnv sets it up for SQLite (keyring, clock, JSON debug log, rate limits). It needs
// PostgreSQL's initdb and pg_ctl and is skipped, as pgtest skips, without them.
func BenchmarkTokenCheckPostgres(b *testing.B) {
	url := pgtest.Start(b)
	ctx := context.Background()
	store, err := postgres.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	clk := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	keys, err := tenancy.NewKeyring(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		b.Fatal(err)
	}
	if err := store.CreateTenant(ctx, tenancy.Tenant{
		ID: "Cust100", Name: "Cust100 AS", Environment: connector.EnvironmentTest, AppIDs: []string{appID}, Enabled: true,
		Config: map[string]string{"erp-url": "https://erp.example.com"}, CreatedAt: clk.Now(), UpdatedAt: clk.Now(),
	}, tenancy.AuditEvent{TenantID: "Cust100", Kind: "tenant.created", At: clk.Now()}); err != nil {
		b.Fatal(err)
	}
	secret, _, err := tenancy.NewService(store, tenancy.WithKeyring(keys), tenancy.WithClock(clk.Now)).CreateSecret(ctx, "Cust100", "test")
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(&syncBuffer{}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := auth.NewService(store, auth.WithKeyring(keys), auth.WithClock(clk.Now), auth.WithLogger(logger),
		auth.WithRateLimits(auth.Limit{Burst: 100_000, Every: time.Millisecond}))

	r := httptest.NewRequest(http.MethodPost, "/Authenticate", nil)
	r.Header.Set("Authorization", "Bearer "+secret)
	tok, err := svc.Token(r)
	if err != nil {
		b.Fatal(err)
	}

	r = httptest.NewRequest(http.MethodPost, "/FindProduct", nil)
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}
