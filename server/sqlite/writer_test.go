package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// TestWriterQueueIsBounded: writes of one process take turns on the store's one write
// connection. While one holds it (here: a transaction the test keeps open, in production
// a write waiting for another process's lock), the others give up after the busy timeout
// with tenancy.ErrUnavailable, a 503 for the caller, instead of queueing for as long as it
// takes: n waiting requests would otherwise answer after n busy timeouts. Once the
// connection is free, writes go through again.
func TestWriterQueueIsBounded(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t, WithBusyTimeout(time.Second))
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
		go func() { errs <- s.RevokeSecret(ctx, id, t0, tenancy.AuditEvent{}) }()
	}
	go func() { errs <- s.TouchSecret(ctx, id, t0) }()
	go func() { errs <- s.RememberJWT(ctx, newHash(), t0.Add(time.Minute)) }()
	// The deadline only keeps a regression from hanging the test run.
	deadline := time.After(30 * time.Second)
	for range waiters + 2 {
		select {
		case err := <-errs:
			if !errors.Is(err, tenancy.ErrUnavailable) {
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
	if err := s.SetTenantEnabled(ctx, "Cust1", false, t0, tenancy.AuditEvent{}); err != nil {
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
	err := s.SetTenantEnabled(ctx, "Cust1", false, t0, tenancy.AuditEvent{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, tenancy.ErrUnavailable) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

// TestGroupCommit: the writes of one group share a transaction, but each is all or
// nothing on its own and sees the writes before it; a group whose transaction fails
// commits nothing, and every write in it hears so.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	insert := func(h [32]byte) func(tx *sql.Tx) error {
		return func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO jwt_replay (hash, expires_at) VALUES (?, ?)`, h[:], t0.UnixNano())
			return err
		}
	}
	remembered := func(h [32]byte) bool {
		return count(t, s, `SELECT count(*) FROM jwt_replay WHERE hash = ?`, h[:]) == 1
	}
	req := func(fn func(tx *sql.Tx) error) *writeReq {
		return &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	}

	a, b, c := newHash(), newHash(), newHash()
	failing := errors.New("refused after writing")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	group := []*writeReq{
		req(insert(a)),
		req(insert(a)), // sees the first: a duplicate
		req(func(tx *sql.Tx) error { // writes, then fails: rolled back alone
			if err := insert(b)(tx); err != nil {
				return err
			}
			return failing
		}),
		{ctx: cancelled, fn: insert(c), done: make(chan error, 1)}, // its caller went away: not run
		req(insert(c)),
	}
	s.commitGroup(group)
	results := make([]error, len(group))
	for i, r := range group {
		results[i] = <-r.done
	}
	if results[0] != nil || results[1] == nil || !errors.Is(results[2], failing) ||
		!errors.Is(results[3], context.Canceled) || results[4] != nil {
		t.Fatalf("results %v", results)
	}
	if !remembered(a) || remembered(b) || !remembered(c) {
		t.Fatalf("committed a=%v b=%v c=%v, want a and c", remembered(a), remembered(b), remembered(c))
	}

	// A write that ends the transaction itself makes the whole group fail: nothing of it
	// is committed, and the writes that had succeeded hear the error too.
	d, e := newHash(), newHash()
	group = []*writeReq{
		req(insert(d)),
		req(func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `ROLLBACK`)
			return err
		}),
		req(insert(e)),
	}
	s.commitGroup(group)
	for i, r := range group {
		if err := <-r.done; err == nil {
			t.Errorf("write %d of a failed group reported success", i)
		}
	}
	if remembered(d) || remembered(e) {
		t.Fatalf("a failed group committed d=%v e=%v", remembered(d), remembered(e))
	}

	// The store writes on.
	if err := s.RememberJWT(ctx, newHash(), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
}
