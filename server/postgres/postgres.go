// Package postgres is the PostgreSQL store of quotekit: tenants, user mappings, shared
// secrets, access tokens, the JWT replay cache, the audit log and admin API keys, in one
// PostgreSQL database that several quotekit instances share. *Store satisfies
// tenancy.AdminStore, with the guarantees the SQLite store (server/sqlite) gives: each
// change and its audit event in one transaction, token issuance re-checking the secret
// and the tenant inside its transaction, revocations ending the tokens they concern in
// the same transaction, an append-only audit table enforced by the database.
//
// The schema is created and upgraded by migrations embedded in the binary and applied
// when the store is opened (server/internal/migrate, as for SQLite). Every error a method
// returns wraps one of tenancy.ErrNotFound, tenancy.ErrConflict, tenancy.ErrLimit or
// tenancy.ErrUnavailable when it is one of those outcomes; driver errors never leave
// this package as driver types.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/quotekit/quotekit/tenancy"
)

var _ tenancy.AdminStore = (*Store)(nil)

// Store is a quotekit store in a PostgreSQL database. It is safe for concurrent use, and
// any number of Stores, in one process or in several, may use the same database.
//
// It holds a pool of connections (pgxpool) for reads and writes, and one more connection
// that LISTENs for the changes other Stores commit (see DataVersion).
//
// Writes run in READ COMMITTED transactions. Where the SQLite store relies on its single
// writer, this one locks rows explicitly: a secret's creation or roll locks its tenant's
// row (so two parallel rolls cannot both see room under the cap), token issuance reads
// the tenant and the secret FOR SHARE (so a revocation or a disabling either committed
// before and is seen, or waits until the token is written and then ends it too), and a
// revocation updates the row issuance locked. A transaction that fails on a
// serialization failure or a deadlock (SQLSTATE 40001, 40P01), or on a broken
// connection before its COMMIT was sent, is run again, at most maxAttempts times.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
	feed *feed
}

// Option configures Open.
type Option func(*options)

type options struct {
	now              func() time.Time
	statementTimeout time.Duration
	connectTimeout   time.Duration
}

// WithClock sets the clock used for timestamps the caller leaves zero (a tenant's
// CreatedAt, an audit event's At, ...). The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithStatementTimeout sets PostgreSQL's statement_timeout on every connection: a
// statement still running (or waiting for a lock) after d fails with
// tenancy.ErrUnavailable. It overrides a statement_timeout in the URL. 0 keeps the
// URL's, or the default of 5 s.
func WithStatementTimeout(d time.Duration) Option {
	return func(o *options) { o.statementTimeout = d }
}

// WithConnectTimeout bounds the making of one connection (dial, TLS, authentication):
// an unreachable server fails with tenancy.ErrUnavailable after d. It overrides a
// connect_timeout in the URL. 0 keeps the URL's, or the default of 5 s.
func WithConnectTimeout(d time.Duration) Option {
	return func(o *options) { o.connectTimeout = d }
}

// Defaults of Open.
const (
	DefaultStatementTimeout = 5 * time.Second
	DefaultConnectTimeout   = 5 * time.Second
	// idleInTransactionTimeout ends a session that holds a transaction open without
	// sending anything (a hung client), so its locks are not held forever.
	idleInTransactionTimeout = time.Minute
	// maxAttempts bounds the runs of one write transaction (see Store).
	maxAttempts = 5
)

// Open connects to the PostgreSQL database at url (a postgres:// URL or a key=value
// connection string, as libpq takes them; pool settings such as pool_max_conns are
// honoured), applies pending migrations, each in its own transaction and under an
// advisory lock so that instances starting at once migrate once, and starts the change
// listener DataVersion needs.
//
// Timeouts: every connection is made within the connect timeout (default 5 s: the URL's
// connect_timeout, or WithConnectTimeout) and runs with statement_timeout (default 5 s:
// the URL's statement_timeout parameter, or WithStatementTimeout) and
// idle_in_transaction_session_timeout of one minute. The application_name is "quotekit"
// unless the URL names one.
//
// Open fails with an error wrapping ErrSchemaTooNew when the database was migrated by a
// newer program, with tenancy.ErrUnavailable when the server cannot be reached, and with
// a plain error when url is malformed. The error never contains the password.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgconn's parse errors redact the password.
		return nil, fmt.Errorf("postgres: open: %s", err.Error())
	}
	cc := cfg.ConnConfig
	switch {
	case o.connectTimeout > 0:
		cc.ConnectTimeout = o.connectTimeout
	case cc.ConnectTimeout == 0:
		cc.ConnectTimeout = DefaultConnectTimeout
	}
	setParam(cc.RuntimeParams, "statement_timeout", o.statementTimeout, DefaultStatementTimeout)
	setParam(cc.RuntimeParams, "idle_in_transaction_session_timeout", 0, idleInTransactionTimeout)
	if cc.RuntimeParams["application_name"] == "" {
		cc.RuntimeParams["application_name"] = "quotekit"
	}
	target := fmt.Sprintf("%s@%s:%d/%s", cc.User, cc.Host, cc.Port, cc.Database)

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %s", target, err.Error())
	}
	s := &Store{pool: pool, now: o.now}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, storeErr("open "+target, err)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	f, err := startFeed(ctx, cc.Copy())
	if err != nil {
		pool.Close()
		return nil, storeErr("listen for changes on "+target, err)
	}
	s.feed = f
	return s, nil
}

// setParam sets a runtime parameter in milliseconds: to d when set, else to def unless
// the URL gave one.
func setParam(params map[string]string, name string, d, def time.Duration) {
	switch {
	case d > 0:
		params[name] = strconv.FormatInt(d.Milliseconds(), 10)
	case params[name] == "":
		params[name] = strconv.FormatInt(def.Milliseconds(), 10)
	}
}

// Close stops the change listener and closes every connection. Operations after Close
// fail.
func (s *Store) Close() error {
	if s.feed != nil {
		s.feed.close()
	}
	s.pool.Close()
	return nil
}

// Ping checks that the database answers a query, for readiness probes. It fails with
// tenancy.ErrUnavailable when it does not.
func (s *Store) Ping(ctx context.Context) error {
	return s.read(ctx, "ping", func(q querier) error {
		var one int
		return q.QueryRow(ctx, "SELECT 1").Scan(&one)
	})
}

// querier is what reads need of a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// read runs fn on the pool. A read that fails because its connection broke (the server
// restarted, a pooled connection had died) is run once more on a fresh connection.
func (s *Store) read(ctx context.Context, op string, fn func(q querier) error) error {
	err := fn(s.pool)
	if err != nil && brokenConn(err) && ctx.Err() == nil {
		s.pool.Reset()
		err = fn(s.pool)
	}
	return storeErr(op, err)
}

// write runs fn in a transaction, announces the change to every Store on the database
// (NOTIFY, see DataVersion) in the same transaction, and commits. An error of fn rolls
// back everything fn did, so a failed write did not happen; the one exception is a
// connection that breaks after COMMIT was sent and before its answer came, which no
// client can tell from a failure: the error then wraps tenancy.ErrUnavailable and the
// change may have been committed.
//
// The transaction is run again (see Store) after a serialization failure, a deadlock, or
// a connection that broke before COMMIT was sent; fn must therefore only set what it
// returns, never accumulate.
func (s *Store) write(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	return s.run(ctx, op, false, fn)
}

// change is write for a change that restricts access: after the commit it waits until
// every other Store listening on the database has counted it (see DataVersion).
func (s *Store) change(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	return s.run(ctx, op, true, fn)
}

func (s *Store) run(ctx context.Context, op string, wait bool, fn func(tx pgx.Tx) error) error {
	payload := s.feed.id
	var seq uint64
	if wait {
		seq, payload = s.feed.expect()
		defer s.feed.forget(seq)
	}
	var err error
	for attempt := 1; ; attempt++ {
		var committing bool
		committing, err = s.tryWrite(ctx, payload, fn)
		if err == nil {
			s.feed.committed()
			if wait {
				s.feed.await(ctx, s.pool, seq)
			}
			return nil
		}
		if attempt >= maxAttempts || ctx.Err() != nil || !retryable(err, committing) {
			break
		}
		if brokenConn(err) {
			s.pool.Reset()
		}
		// A short random pause lets the transaction that won go first.
		pause := time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond //nolint:gosec // G404: jitter between retries, no secret
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return storeErr(op, ctx.Err())
		}
	}
	return storeErr(op, err)
}

// tryWrite runs one attempt of write; committing reports that COMMIT was sent.
func (s *Store) tryWrite(ctx context.Context, payload string, fn func(tx pgx.Tx) error) (committing bool, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			rctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = tx.Rollback(rctx)
		}
	}()
	if err := fn(tx); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, changesChannel, payload); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// retryable reports whether a failed write transaction may run again: on a serialization
// failure or deadlock (rolled back by the server), and on a broken connection when COMMIT
// was not sent (the server rolls back a transaction whose connection ends).
func retryable(err error, committing bool) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01":
			return true
		}
		return false
	}
	if committing {
		return pgconn.SafeToRetry(err)
	}
	return brokenConn(err)
}

// brokenConn reports whether err says the connection broke or could not be made, as
// opposed to an answer of the server or an error of the caller's.
func brokenConn(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return connCode(pe.Code)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true // also when the connect timeout ran out
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		pgconn.SafeToRetry(err) || isConnClosed(err)
}

// isConnClosed recognises pgx's errors for a connection it has closed already.
func isConnClosed(err error) bool {
	return errors.Is(err, pgconn.ErrConnClosed) || err.Error() == "conn closed" || err.Error() == "closed pool"
}

// connCode reports whether a SQLSTATE says the connection is gone: a connection
// exception (08), or the server shutting down or not accepting connections yet (57P01,
// 57P02, 57P03).
func connCode(code string) bool {
	return len(code) == 5 && code[:2] == "08" || code == "57P01" || code == "57P02" || code == "57P03"
}

// unavailableCode reports whether a SQLSTATE says the server cannot serve now: connection
// exceptions (08), insufficient resources (53: disk full, out of memory, too many
// connections), operator intervention (57: shutdown, statement timeout, cancel),
// system errors (58), a lock not available (55P03), a read-only transaction (25006: a
// standby).
func unavailableCode(code string) bool {
	if len(code) != 5 {
		return false
	}
	switch code[:2] {
	case "08", "53", "57", "58":
		return true
	}
	return code == "55P03" || code == "25006" || code == "40001" || code == "40P01"
}

// storeErr turns an error of pgx into a store error: it wraps the tenancy sentinel that
// says what happened and keeps the driver's message as text only, so no caller can come
// to depend on driver types. Errors that already wrap a sentinel (returned by this
// package's own checks) and context errors keep their chain.
func storeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("postgres: %s: %w", op, outcome(err))
}

// outcome is storeErr without the prefix.
func outcome(err error) error {
	for _, sentinel := range []error{tenancy.ErrNotFound, tenancy.ErrConflict, tenancy.ErrLimit, tenancy.ErrUnavailable, ErrSchemaTooNew} {
		if errors.Is(err, sentinel) {
			return err
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return tenancy.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505": // unique_violation
			return fmt.Errorf("%w (%s)", tenancy.ErrConflict, pe.Error())
		case pe.Code == "23503": // foreign_key_violation: a tenant or secret that does not exist
			return fmt.Errorf("%w (%s)", tenancy.ErrNotFound, pe.Error())
		case unavailableCode(pe.Code):
			return fmt.Errorf("%w (%s)", tenancy.ErrUnavailable, pe.Error())
		}
		return errors.New(pe.Error())
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w (%s)", tenancy.ErrUnavailable, err.Error())
	}
	// The caller's context ended: its error, as the SQLite store returns it.
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	if brokenConn(err) {
		return fmt.Errorf("%w (%s)", tenancy.ErrUnavailable, err.Error())
	}
	return errors.New(err.Error())
}

// Times are stored as BIGINT Unix nanoseconds, NULL for the zero time, in the
// representation server/internal/dbrow defines for both SQL stores.

// orNow returns t, or the store's clock when t is zero.
func (s *Store) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// mustAffect turns an update or delete that matched no row into tenancy.ErrNotFound.
func mustAffect(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return tenancy.ErrNotFound
	}
	return nil
}
