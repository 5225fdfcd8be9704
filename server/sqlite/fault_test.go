package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

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
