package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/quotekit/quotekit/server/auth"
)

// TestWriterQueueIsBounded: writes of one process take turns on the store's one write
// connection. While one holds it (here: a transaction the test keeps open, in production
// a write waiting for another process's lock), the others give up after the busy timeout
// with auth.ErrUnavailable, a 503 for the caller, instead of queueing for as long as it
// takes: n waiting requests would otherwise answer after n busy timeouts. Once the
// connection is free, writes go through again.
func TestWriterQueueIsBounded(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t, WithBusyTimeout(50*time.Millisecond))
	mustCreateTenant(t, s, "Cust1")
	id := mustCreateSecret(t, s, newSecret("Cust1"))

	holding, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.write(ctx, "hold the writer", func(*sql.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding

	const waiters = 8
	errs := make(chan error, waiters)
	for range waiters {
		go func() { errs <- s.RevokeSecret(ctx, id, t0, auth.AuditEvent{}) }()
	}
	go func() { errs <- s.TouchSecret(ctx, id, t0) }()
	go func() { errs <- s.RememberJWT(ctx, newHash(), t0.Add(time.Minute)) }()
	// The deadline only keeps a regression from hanging the test run.
	deadline := time.After(30 * time.Second)
	for range waiters + 2 {
		select {
		case err := <-errs:
			if !errors.Is(err, auth.ErrUnavailable) {
				t.Errorf("a write waiting for the busy writer: %v, want ErrUnavailable", err)
			}
		case <-deadline:
			close(release)
			t.Fatal("writes queued behind the busy writer without bound")
		}
	}
	// Reads do not wait for the writer.
	if _, err := s.Tenant(ctx, "Cust1"); err != nil {
		t.Errorf("read while the writer is busy: %v", err)
	}

	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := s.SetTenantEnabled(ctx, "Cust1", false, t0, auth.AuditEvent{}); err != nil {
		t.Errorf("write once the writer is free: %v", err)
	}
}

// TestWriterWaitKeepsTheCallersContext: a caller whose own context ends while it waits
// for the writer gets its context's error, not ErrUnavailable: it went away, the store
// is fine.
func TestWriterWaitKeepsTheCallersContext(t *testing.T) {
	s, _ := openStore(t, WithBusyTimeout(time.Minute))
	mustCreateTenant(t, s, "Cust1")
	holding, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	go func() {
		_ = s.write(context.Background(), "hold the writer", func(*sql.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.SetTenantEnabled(ctx, "Cust1", false, t0, auth.AuditEvent{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}
