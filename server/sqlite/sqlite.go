// Package sqlite is the embedded SQLite store of quotekit: tenants, user mappings,
// shared secrets, access tokens, the JWT replay cache and the audit log, in one database
// file. *Store satisfies tenancy.AdminStore.
//
// The schema is created and upgraded by migrations embedded in the binary and applied
// when the store is opened. Every error a method returns wraps one of tenancy.ErrNotFound,
// tenancy.ErrConflict, tenancy.ErrLimit or tenancy.ErrUnavailable when it is one of those
// outcomes; driver errors never leave this package as driver types.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/quotekit/quotekit/tenancy"
)

var _ tenancy.AdminStore = (*Store)(nil)

// Store is a quotekit store in one SQLite database file. It is safe for concurrent use,
// and several Stores (in one process or several) may open the same file.
//
// It holds two connection pools on the file. Writes go through a pool of exactly one
// connection whose transactions begin with BEGIN IMMEDIATE: writers of this process
// queue in Go (in order, without spinning, for at most the busy timeout) instead of
// polling SQLite's lock in the busy handler, and a write transaction holds the write lock
// from its first statement, so the checks it makes (is the secret still active? is the
// cap reached?) cannot be overtaken by another writer before it commits. Writes waiting
// at the same time are committed together, each in its own savepoint (see write).
// busy_timeout still covers writers in other processes. Reads go through a separate pool
// of several query-only connections; with WAL they neither wait for nor block the
// writer, so the per-request token lookup stays fast while credentials are being changed.
type Store struct {
	w, r     *sql.DB
	version  dataVersion // PRAGMA data_version on a pinned connection of its own
	now      func() time.Time
	readOnly bool
	busy     time.Duration // the busy timeout, which also bounds the wait for the writer

	writes  chan *writeReq // to the write loop, which commits them in groups
	closing chan struct{}  // closed by Close: the write loop stops
	stopped chan struct{}  // closed by the write loop when it has stopped
}

// Option configures Open.
type Option func(*options)

type options struct {
	now         func() time.Time
	busyTimeout time.Duration
	readOnly    bool
	readers     int
}

// WithClock sets the clock used for timestamps the caller leaves zero (a tenant's
// CreatedAt, an audit event's At, ...). The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithBusyTimeout sets how long a statement waits for a lock held by another connection
// (another process, another Store on the same file) before failing with
// tenancy.ErrUnavailable. The default is 5 s. A write also waits at most this long for its
// turn on the store's one write connection.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// WithReadOnly opens the file read-only (SQLite's mode=ro), for inspecting a database
// another process serves. The schema must be current: a read-only store cannot migrate.
// Every write fails with tenancy.ErrUnavailable.
func WithReadOnly() Option {
	return func(o *options) { o.readOnly = true }
}

// Open opens the database at path, creating the file if needed (unless read-only), and
// applies pending migrations, each in its own transaction. It fails with an error
// wrapping ErrSchemaTooNew when the database was migrated by a newer program, and with
// tenancy.ErrUnavailable when the file cannot be opened.
//
// Journal mode WAL, foreign keys, busy_timeout and synchronous=NORMAL are set as DSN
// parameters, so every connection either pool opens gets them. synchronous=NORMAL in WAL
// mode keeps the database consistent on power loss; the last transactions before the
// loss may be rolled back, which for credentials means re-issuing, never corruption.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: a database file path is required", path)
	}
	o := options{now: time.Now, busyTimeout: 5 * time.Second, readers: max(4, runtime.GOMAXPROCS(0))}
	for _, opt := range opts {
		opt(&o)
	}

	w, err := sql.Open("sqlite3", dsn(path, o, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %v", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	// The writer connects first: it creates the file and switches it to WAL before any
	// reader connection exists.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, storeErr("open "+path, err)
	}

	r, err := sql.Open("sqlite3", dsn(path, o, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %v", path, err)
	}
	r.SetMaxOpenConns(o.readers)
	r.SetMaxIdleConns(o.readers)

	v, err := sql.Open("sqlite3", dsn(path, o, false))
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %v", path, err)
	}
	v.SetMaxOpenConns(1)

	s := newStore(w, r, o)
	s.version.db = v
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// newStore returns a Store on the two pools and starts its write loop.
func newStore(w, r *sql.DB, o options) *Store {
	s := &Store{w: w, r: r, now: o.now, readOnly: o.readOnly, busy: o.busyTimeout,
		writes: make(chan *writeReq), closing: make(chan struct{}), stopped: make(chan struct{})}
	go s.writeLoop()
	return s
}

// dsn builds the go-sqlite3 DSN. The file: URI form is needed for mode=ro; go-sqlite3
// consumes the parameters starting with an underscore and SQLite ignores them.
func dsn(path string, o options, writer bool) string {
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.FormatInt(o.busyTimeout.Milliseconds(), 10))
	q.Set("_synchronous", "NORMAL")
	// Per-connection cache of prepared statements: the hot lookups are then not parsed
	// again on every call.
	q.Set("_stmt_cache_size", "32")
	if o.readOnly {
		q.Set("mode", "ro")
	} else if writer {
		// The journal mode is a property of the file; setting it once, from the
		// writer, is enough.
		q.Set("_journal_mode", "WAL")
	}
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		// The read pool must never write; if a bug sends a write there it fails
		// instead of bypassing the writer's serialisation.
		q.Set("_query_only", "on")
	}
	// In a URI, '?' and '#' would end the path and '%' starts an escape.
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + p + "?" + q.Encode()
}

// Close stops the write loop (after the group it is committing) and closes both pools.
// Closing the last connection to the file checkpoints the WAL. Writes after Close fail.
func (s *Store) Close() error {
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	<-s.stopped
	var verr error
	if s.version.db != nil {
		verr = s.version.close()
	}
	return errors.Join(verr, s.r.Close(), s.w.Close())
}

// Ping checks that the database answers a read, for readiness probes. It fails with
// tenancy.ErrUnavailable when it does not.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return storeErr("ping", err)
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and returns once it is
// committed; an error of fn rolls back everything fn did, so a failed write did not
// happen.
//
// Writes are committed in groups: the write loop takes every write waiting for it, runs
// each in a SAVEPOINT of one transaction, in the order they came, and commits once. Each
// write still sees the ones before it and is all or nothing, and its caller hears of it
// only after the commit: a COMMIT and its page writes are shared by everyone waiting,
// which is what lets concurrent /Authenticate calls go faster than one commit each.
//
// A write waits at most the busy timeout to be taken by the loop, then fails with
// tenancy.ErrUnavailable: the loop may itself wait up to the busy timeout for a lock another
// process holds, and without a bound the n-th waiting request would answer after n busy
// timeouts (a NetServer /Authenticate after minutes) instead of a 503 after one or two.
// A caller whose context ends while it waits gets the context's error.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	var timeout <-chan time.Time
	if s.busy > 0 {
		t := time.NewTimer(s.busy)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return storeErr(op, ctx.Err())
	case <-timeout:
		return storeErr(op, fmt.Errorf("waited %s for the writer: %w", s.busy, tenancy.ErrUnavailable))
	case <-s.closing:
		return storeErr(op, errors.New("the store is closed"))
	}
	// Always answered, and soon: fn runs under ctx, and BEGIN waits at most the busy timeout.
	err := <-req.done
	if err == nil {
		afterCommit(op)
	}
	return storeErr(op, err)
}

// writeReq is one write for the write loop; done gets its outcome.
type writeReq struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

// maxGroup bounds the writes committed together.
const maxGroup = 64

// writeLoop commits the writes sent to it, in groups, until Close.
func (s *Store) writeLoop() {
	defer close(s.stopped)
	for {
		var group []*writeReq
		select {
		case req := <-s.writes:
			group = append(group, req)
		case <-s.closing:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case req := <-s.writes:
				group = append(group, req)
			default:
				break more
			}
		}
		s.commitGroup(group)
	}
}

// commitGroup runs each write of group in its own savepoint of one transaction and
// commits. A write that fails is rolled back to its savepoint alone; when the
// transaction itself fails (BEGIN, a savepoint, COMMIT), nothing is committed and every
// write not failed already gets that error.
func (s *Store) commitGroup(group []*writeReq) {
	errs := make([]error, len(group))
	err := func() error {
		ctx := context.Background() // the transaction is everyone's; each fn uses its own ctx
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for i, req := range group {
			if errs[i] = req.ctx.Err(); errs[i] != nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, "SAVEPOINT write"); err != nil {
				return err
			}
			if errs[i] = req.fn(tx); errs[i] != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO write"); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE write"); err != nil {
				return err
			}
		}
		return tx.Commit()
	}()
	for i, req := range group {
		if err != nil && errs[i] == nil {
			errs[i] = err
		}
		req.done <- errs[i]
	}
}

// exec runs one write statement as a write of its own (see write).
func (s *Store) exec(ctx context.Context, op, query string, args ...any) error {
	return s.write(ctx, op, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
}

// storeErr turns an error of the driver or of database/sql into a store error: it wraps
// the auth sentinel that says what happened and keeps the driver's message as text only,
// so no caller can come to depend on driver types. Errors that already wrap a sentinel
// (returned by this package's own checks) and context errors keep their chain. An empty
// op leaves the "sqlite: op: " prefix off, for errors a caller prefixes itself.
func storeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	err = outcome(err)
	if op == "" {
		return err
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// outcome is storeErr without the prefix.
func outcome(err error) error {
	for _, sentinel := range []error{tenancy.ErrNotFound, tenancy.ErrConflict, tenancy.ErrLimit, tenancy.ErrUnavailable} {
		if errors.Is(err, sentinel) {
			return err
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return tenancy.ErrNotFound
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		if kind := classify(se); kind != nil {
			return fmt.Errorf("%w (%v)", kind, se)
		}
	}
	return errors.New(err.Error())
}

// classify names the store outcome of a SQLite error, or nil when it is none of them
// (a CHECK failure, a misuse: a bug or bad input, reported as a plain error).
func classify(se sqlite3.Error) error {
	switch se.Code {
	case sqlite3.ErrConstraint:
		switch se.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
			return tenancy.ErrConflict
		case sqlite3.ErrConstraintForeignKey:
			// The row refers to a tenant or secret that does not exist.
			return tenancy.ErrNotFound
		}
	case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrReadonly, sqlite3.ErrFull,
		sqlite3.ErrIoErr, sqlite3.ErrCantOpen:
		return tenancy.ErrUnavailable
	}
	return nil
}

// Parameters in joins. In a query over several tables, SQLite's planner looks at the
// value bound to a parameter compared with "=" (to guess the term's selectivity) and
// marks the statement to be compiled again when that parameter gets a new value;
// go-sqlite3 clears and rebinds the parameters on every execution, so such a statement
// is parsed and planned on every run, which costs several times the lookup itself.
// Wrapping the parameter in a CAST to the column's own type hides it from the planner
// without changing the comparison or the index used. TestReadsAreNotRecompiled guards
// the read paths. For a related reason (parameters compared with a partial index's WHERE
// clause) the schema has no partial indexes.

// Times are stored as INTEGER Unix nanoseconds, NULL for the zero time, in the
// representation server/internal/dbrow defines for both SQL stores.

// orNow returns t, or the store's clock when t is zero.
func (s *Store) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}
