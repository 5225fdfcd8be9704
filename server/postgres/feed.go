package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/quotekit/quotekit/tenancy"
)

// The NOTIFY channels of the change feed. Every write transaction announces itself on
// changesChannel with the payload "<store id>", or "<store id>:<seq>" when the writer
// waits for the other Stores to acknowledge it; they do on acksChannel with
// "<store id>:<seq>:<their id>".
const (
	changesChannel = "quotekit_changes"
	acksChannel    = "quotekit_acks"
	// listenerName is the application_name of a listener connection, followed by a space
	// and its Store's id once it LISTENs; writers find the listeners to wait for by it.
	listenerName = "quotekit-listener"
)

// ackTimeout bounds a writer's wait for the acknowledgements of the other Stores. A
// listener that has not acknowledged by then has its connection ended by the writer
// (pg_terminate_backend): its Store's DataVersion then fails until it has reconnected,
// with a new number, so it cannot go on answering from what it cached before the change.
const ackTimeout = time.Second

// Timing of the change listener.
const (
	// listenerPing is how long the listener waits for a notification before it checks
	// that its connection still answers: a server that vanished without closing the
	// connection (a dead machine, a cut network) is noticed within listenerPing plus
	// the connect timeout.
	listenerPing = 5 * time.Second
	// listenerBackoff and listenerMaxBackoff pace the reconnection attempts.
	listenerBackoff    = 50 * time.Millisecond
	listenerMaxBackoff = 5 * time.Second
)

// feed is the change listener of a Store: one connection of its own that LISTENs on
// changesChannel, and the counter DataVersion returns.
type feed struct {
	id      string // this Store's NOTIFY payload
	cfg     *pgx.ConnConfig
	version atomic.Uint64 // moves on every change seen and on every reconnection
	up      atomic.Bool   // the listener is connected and listening

	cancel context.CancelFunc
	done   chan struct{} // closed when the listener has stopped

	mu    sync.Mutex
	watch chan struct{} // closed and replaced whenever up changes (for tests)

	seq     atomic.Uint64 // numbers the changes that wait for acknowledgements
	ackMu   sync.Mutex
	waiters map[uint64]*ackWaiter
}

// ackWaiter collects the acknowledgements of one change.
type ackWaiter struct {
	acked map[string]bool // by Store id
	more  chan struct{}   // gets a value when an acknowledgement arrives
}

// DataVersion returns a number that differs between two calls whenever a change was
// committed to the database in between, by this Store or by any other Store on the same
// database, in this process or another. It is read from memory: no round trip.
//
// Every write transaction of every Store sends a notification (NOTIFY) on the channel
// quotekit_changes as part of the transaction, so the notification exists exactly when
// the change is committed. Each Store keeps one connection LISTENing on that channel; the
// number moves when a notification arrives, when this Store commits (before the method
// that wrote returns), and when the listener reconnects (changes made meanwhile were not
// seen, so everything cached before is dropped). While the listener is not connected,
// DataVersion fails with an error wrapping tenancy.ErrUnavailable, so callers do not
// trust what they cached.
//
// The window: a change committed by another Store moves this Store's number once its
// notification has been delivered: after the commit, PostgreSQL signals the listening
// sessions, which send the notification to their clients, whose listener goroutine
// counts it. Until then a call here still returns the old number. The changes that
// restrict access (everything an AuditEvent comes with except IssueToken and Audit:
// revocations, rolls, disabling, tenant and mapping changes, admin keys, audit pruning)
// close that window: the writing method returns only when every listening Store on the
// database has counted the change and acknowledged it (NOTIFY on quotekit_acks), so any
// call that starts after it returned, in any process, sees a new number. A Store that does
// not acknowledge within a second has its listener connection ended by the writer, so its
// DataVersion fails until it reconnects. What remains is that Store's own delay between
// losing its connection and its listener goroutine noticing it. Token issuance, audit
// events on their own, touches, remembered JWTs and purges do not wait: they let no
// credential through that a cache would otherwise refuse. TestDataVersionAcrossStores
// shows the bound.
func (s *Store) DataVersion(ctx context.Context) (uint64, error) {
	return s.feed.dataVersion()
}

func (f *feed) dataVersion() (uint64, error) {
	if !f.up.Load() {
		return 0, fmt.Errorf("postgres: data version: the change listener is not connected: %w", tenancy.ErrUnavailable)
	}
	return f.version.Load(), nil
}

// committed records a commit of this Store.
func (f *feed) committed() { f.version.Add(1) }

// startFeed connects the listener and starts the goroutine that keeps it connected.
func startFeed(ctx context.Context, cfg *pgx.ConnConfig) (*feed, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = listenerName
	f := &feed{id: hex.EncodeToString(b[:]), cfg: cfg, done: make(chan struct{}), watch: make(chan struct{}),
		waiters: map[uint64]*ackWaiter{}}
	conn, err := f.connect(ctx)
	if err != nil {
		return nil, err
	}
	f.setUp(true)
	lctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go f.run(lctx, conn) //nolint:gosec // G118: the listener outlives Open's context; Close ends it
	return f, nil
}

// connect opens the listener's connection and LISTENs. The counter moves only then: a
// change committed before LISTEN took effect was not notified to this connection.
func (f *feed) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, f.cfg)
	if err != nil {
		return nil, err
	}
	// The name with the id is set only once LISTEN has taken effect: a writer that finds
	// it will get this Store's acknowledgement.
	for _, stmt := range []string{"LISTEN " + changesChannel, "LISTEN " + acksChannel,
		"SET application_name = '" + listenerName + " " + f.id + "'"} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			conn.Close(context.Background())
			return nil, err
		}
	}
	f.version.Add(1 << 20) // a jump: nothing counted before can come back
	return conn, nil
}

// run keeps the listener connected until ctx ends.
func (f *feed) run(ctx context.Context, conn *pgx.Conn) {
	defer close(f.done)
	for {
		err := f.listen(ctx, conn)
		f.setUp(false)
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn.Close(cctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		_ = err // the listener reconnects whatever broke
		conn = f.reconnect(ctx)
		if conn == nil {
			return
		}
		f.setUp(true)
	}
}

// listen counts the notifications arriving on conn until the connection fails or ctx
// ends. When nothing arrives for listenerPing it pings the server.
func (f *feed) listen(ctx context.Context, conn *pgx.Conn) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, listenerPing)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if err := f.notified(ctx, conn, n); err != nil {
				return err
			}
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case !pgconn.Timeout(err):
			return err
		}
		pctx, cancel := context.WithTimeout(ctx, f.cfg.ConnectTimeout)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return err
		}
	}
}

// notified handles a notification: a change of another Store moves the version (this
// Store's own were counted by committed) and is acknowledged when its writer waits; an
// acknowledgement of this Store's change goes to its waiter.
func (f *feed) notified(ctx context.Context, conn *pgx.Conn, n *pgconn.Notification) error {
	switch n.Channel {
	case changesChannel:
		writer, seq, wait := strings.Cut(n.Payload, ":")
		if writer == f.id {
			return nil
		}
		f.version.Add(1)
		if !wait {
			return nil
		}
		actx, cancel := context.WithTimeout(ctx, f.cfg.ConnectTimeout)
		defer cancel()
		_, err := conn.Exec(actx, `SELECT pg_notify($1, $2)`, acksChannel, writer+":"+seq+":"+f.id)
		return err
	case acksChannel:
		parts := strings.Split(n.Payload, ":")
		if len(parts) != 3 || parts[0] != f.id {
			return nil
		}
		seq, err := strconv.ParseUint(parts[1], 10, 64)
		if err != nil {
			return nil
		}
		f.ackMu.Lock()
		defer f.ackMu.Unlock()
		if w := f.waiters[seq]; w != nil {
			w.acked[parts[2]] = true
			select {
			case w.more <- struct{}{}:
			default:
			}
		}
	}
	return nil
}

// expect registers a change that will wait for acknowledgements and returns its
// NOTIFY payload; forget must be called when the wait is over.
func (f *feed) expect() (seq uint64, payload string) {
	seq = f.seq.Add(1)
	f.ackMu.Lock()
	f.waiters[seq] = &ackWaiter{acked: map[string]bool{}, more: make(chan struct{}, 1)}
	f.ackMu.Unlock()
	return seq, f.id + ":" + strconv.FormatUint(seq, 10)
}

func (f *feed) forget(seq uint64) {
	f.ackMu.Lock()
	delete(f.waiters, seq)
	f.ackMu.Unlock()
}

// await waits until every other Store listening on the database has acknowledged change
// seq, committed just before, or ackTimeout has passed; then it ends the listener
// connections of the Stores that have not, when this Store's own listener is connected
// (else the missing acknowledgements may be its own fault). The change is committed
// whatever happens here: failures only end the wait.
func (f *feed) await(ctx context.Context, pool *pgxpool.Pool, seq uint64) {
	f.ackMu.Lock()
	w := f.waiters[seq]
	f.ackMu.Unlock()
	// The listeners are read after the commit: one that LISTENed before it gets the
	// notification; one that connects later counts the change by its reconnection jump.
	type listener struct {
		pid int32
		id  string
	}
	var others []listener
	rows, err := pool.Query(ctx, `SELECT pid, substr(application_name, $1) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name LIKE $2`,
		len(listenerName)+2, listenerName+" %")
	if err != nil {
		return
	}
	for rows.Next() {
		var l listener
		if rows.Scan(&l.pid, &l.id) == nil && l.id != f.id {
			others = append(others, l)
		}
	}
	rows.Close()
	if rows.Err() != nil {
		return
	}
	timeout := time.NewTimer(ackTimeout)
	defer timeout.Stop()
	for {
		var missing []listener
		f.ackMu.Lock()
		for _, l := range others {
			if !w.acked[l.id] {
				missing = append(missing, l)
			}
		}
		f.ackMu.Unlock()
		if len(missing) == 0 {
			return
		}
		select {
		case <-w.more:
			continue
		case <-ctx.Done():
			return
		case <-timeout.C:
		}
		if !f.up.Load() {
			return
		}
		for _, l := range missing {
			_, _ = pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, l.pid)
		}
		return
	}
}

// reconnect connects again, pausing between attempts (doubling up to
// listenerMaxBackoff); nil when ctx ended first.
func (f *feed) reconnect(ctx context.Context) *pgx.Conn {
	pause := listenerBackoff
	for {
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return nil
		}
		conn, err := f.connect(ctx)
		if err == nil {
			return conn
		}
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return nil
		}
		pause = min(2*pause, listenerMaxBackoff)
	}
}

func (f *feed) setUp(up bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.up.Swap(up) != up {
		close(f.watch)
		f.watch = make(chan struct{})
	}
}

// changed returns a channel closed when the listener next connects or disconnects, and
// whether it is connected now.
func (f *feed) changed() (<-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.watch, f.up.Load()
}

// close stops the listener and waits for it.
func (f *feed) close() {
	f.cancel()
	<-f.done
}
