package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/internal/pgtest"
	"github.com/quotekit/quotekit/server/storage"
	"github.com/quotekit/quotekit/tenancy"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestSeed tops a tenant's tokens up on each store, as the load script does, and checks
// that the store itself then lists that many live tokens of the tenant (and none of
// another), and that a second seed only adds what is missing.
func TestSeed(t *testing.T) {
	for name, db := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "quotekit.db") },
		"postgres": func(t *testing.T) string { return pgtest.Start(t) },
	} {
		t.Run(name, func(t *testing.T) {
			db := db(t)
			ctx := context.Background()
			store, err := storage.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			now := time.Now()
			for _, id := range []string{"Cust1", "Cust2"} {
				if err := store.CreateTenant(ctx, tenancy.Tenant{ID: id, Name: id, Environment: connector.EnvironmentTest,
					Enabled: true, CreatedAt: now, UpdatedAt: now}, tenancy.AuditEvent{TenantID: id, Kind: "tenant.created", At: now}); err != nil {
					t.Fatal(err)
				}
			}
			live := func(tenant string) int {
				t.Helper()
				toks, err := store.ListTokens(ctx, tenant, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				for _, tok := range toks {
					if tok.TenantID != tenant || tok.Method != tenancy.MethodSecret || !tok.ExpiresAt.After(time.Now()) {
						t.Fatalf("seeded token %+v", tok)
					}
				}
				return len(toks)
			}
			for _, step := range []struct{ want, added, live int }{{50, 50, 50}, {80, 30, 80}, {20, 0, 80}} {
				var out bytes.Buffer
				if err := run(ctx, []string{"seed", "-db", db, "-tenant", "Cust1", "-tokens", strconv.Itoa(step.want)}, &out); err != nil {
					t.Fatalf("seed -tokens %d: %v", step.want, err)
				}
				if got := out.String(); !strings.Contains(got, "("+strconv.Itoa(step.added)+" added in ") {
					t.Errorf("seed -tokens %d printed %q, want %d added", step.want, got, step.added)
				}
				if n := live("Cust1"); n != step.live {
					t.Errorf("after seed -tokens %d: %d live tokens, want %d", step.want, n, step.live)
				}
			}
			if n := live("Cust2"); n != 0 {
				t.Errorf("another tenant has %d tokens", n)
			}
			if err := run(ctx, []string{"seed", "-db", db, "-tenant", "Nobody", "-tokens", "5"}, &bytes.Buffer{}); !errors.Is(err, tenancy.ErrNotFound) {
				t.Errorf("seed for an unknown tenant: %v, want ErrNotFound", err)
			}
		})
	}
}
