package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/quotekit/quotekit/internal/pgtest"
	"github.com/quotekit/quotekit/tenancy"
)

// waitListener waits until s's change listener is connected (up) or not.
func waitListener(t *testing.T, s *Store, up bool) {
	t.Helper()
	guard := time.After(time.Minute)
	for {
		ch, now := s.feed.changed()
		if now == up {
			return
		}
		select {
		case <-ch:
		case <-guard:
			t.Fatalf("the change listener did not become up=%v within a minute", up)
		}
	}
}

// TestServerOutage stops the server under a Store: DataVersion and every operation fail
// with tenancy.ErrUnavailable at once (the socket is gone; no timeout to sit out), and
// after the server is back the same Store serves again, its listener reconnected and its
// DataVersion at a number it never returned before. The tests of this file stop the
// shared cluster and so must not run in parallel with others.
func TestServerOutage(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t, WithConnectTimeout(2*time.Second), WithStatementTimeout(2*time.Second))
	mustCreateTenant(t, s, "Cust1")
	before, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}

	pgtest.Stop(t)
	t.Cleanup(func() { pgtest.Restart(t) }) // when the test fails before its own Restart
	waitListener(t, s, false)
	if _, err := s.DataVersion(ctx); !errors.Is(err, tenancy.ErrUnavailable) {
		t.Fatalf("DataVersion with the server down: %v, want ErrUnavailable", err)
	}
	start := time.Now()
	ops := map[string]func() error{
		"Ping":   func() error { return s.Ping(ctx) },
		"Tenant": func() error { _, err := s.Tenant(ctx, "Cust1"); return err },
		"CreateTenant": func() error {
			return s.CreateTenant(ctx, testTenant("Cust2"), tenancy.AuditEvent{})
		},
		"IssueToken": func() error {
			_, err := s.IssueToken(ctx, tenancy.AccessToken{Hash: [32]byte{1}, TenantID: "Cust1", Method: tenancy.MethodSecret,
				IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}, tenancy.AuditEvent{})
			return err
		},
		"Audit": func() error { return s.Audit(ctx, tenancy.AuditEvent{Kind: tenancy.EventAuthRefused}) },
	}
	for name, op := range ops {
		if err := op(); !errors.Is(err, tenancy.ErrUnavailable) {
			t.Errorf("%s with the server down: %v, want ErrUnavailable", name, err)
		}
	}
	// A sanity bound, not a measurement: several times the timeouts the Store was given.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the operations took %v with the server down: they waited beyond their timeouts", d)
	}

	pgtest.Restart(t)
	// No wait, no reopening: the first operations after the restart find the pool's
	// connections broken and make new ones.
	if _, err := s.Tenant(ctx, "Cust1"); err != nil {
		t.Errorf("Tenant after the restart: %v", err)
	}
	if err := s.CreateTenant(ctx, testTenant("Cust2"), tenancy.AuditEvent{}); err != nil {
		t.Errorf("CreateTenant after the restart: %v", err)
	}
	waitListener(t, s, true)
	after, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatalf("DataVersion after the restart: %v", err)
	}
	if after == before {
		t.Errorf("DataVersion is %d again after the outage", after)
	}

	// A restart that no operation saw: the pool still holds the connections to the old
	// server, and the first read and write after it must not fail on them.
	for _, op := range []string{"read", "write"} {
		if _, err := s.Tenant(ctx, "Cust1"); err != nil { // fills the pool again
			t.Fatal(err)
		}
		pgtest.Stop(t)
		pgtest.Restart(t)
		if op == "read" {
			if _, err := s.Tenant(ctx, "Cust2"); err != nil {
				t.Errorf("first read after an unseen restart: %v", err)
			}
		} else if err := s.SetTenantEnabled(ctx, "Cust2", false, t0, tenancy.AuditEvent{}); err != nil {
			t.Errorf("first write after an unseen restart: %v", err)
		}
	}
}

// TestListenerReconnects ends the listener's connection while the server stays up: the
// listener reconnects by itself, DataVersion comes back at a new number, and changes of
// another Store are counted again.
func TestListenerReconnects(t *testing.T) {
	ctx := context.Background()
	s, url := openStore(t)
	other := openAt(t, url)
	mustCreateTenant(t, other, "Cust1")
	before, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	down, _ := s.feed.changed()
	exec(t, url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = $1`, listenerName+" "+s.feed.id)
	select {
	case <-down:
	case <-time.After(time.Minute):
		t.Fatal("the listener did not notice that its connection ended")
	}
	waitListener(t, s, true)
	v, err := s.DataVersion(ctx)
	if err != nil || v == before {
		t.Fatalf("DataVersion after the reconnection: %d, %v; want a new number (was %d)", v, err, before)
	}
	if err := other.SetTenantEnabled(ctx, "Cust1", false, t0, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	if w, err := s.DataVersion(ctx); err != nil || w == v {
		t.Errorf("DataVersion after another store's change: %d, %v; want it moved from %d", w, err, v)
	}
}

// TestSilentListenerIsCutOff: a listener that never acknowledges (it stands for an
// instance whose listener hangs) does not hold up a change beyond the wait, and the
// writer ends its connection, so the hung instance cannot go on trusting its cache.
func TestSilentListenerIsCutOff(t *testing.T) {
	ctx := context.Background()
	s, url := openStore(t)
	mustCreateTenant(t, s, "Cust1")

	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["application_name"] = listenerName + " silent"
	silent, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close(ctx)
	if _, err := silent.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		t.Fatal(err)
	}

	if err := s.SetTenantEnabled(ctx, "Cust1", false, t0, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	if tn, err := s.Tenant(ctx, "Cust1"); err != nil || tn.Enabled {
		t.Fatalf("tenant after disabling: %+v, %v", tn, err)
	}
	if err := silent.Ping(ctx); err == nil {
		t.Error("the listener that did not acknowledge still has its connection")
	}
}
