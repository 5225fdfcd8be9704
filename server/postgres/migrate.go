package postgres

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/quotekit/quotekit/server/internal/migrate"
)

// ErrSchemaTooNew is wrapped by Open's error when the database records a schema version
// this program does not know: it was migrated by a newer quotekit. It is
// migrate.ErrSchemaTooNew, the error every store returns for it.
var ErrSchemaTooNew = migrate.ErrSchemaTooNew

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the transaction-level advisory lock a migration holds, so
// that instances starting at once migrate one after the other.
const migrationLock = 0x71756f74656b6974 // "quotekit"

// migrate brings the schema to the latest embedded version.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: embedded migrations: %w", err)
	}
	return s.migrateTo(ctx, ms)
}

func (s *Store) migrateTo(ctx context.Context, ms []migrate.Migration) error {
	if err := migrate.Run(ctx, migrator{s}, ms, migrate.Options{}); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// migrator is the store as migrate.Run needs it.
type migrator struct{ s *Store }

func (m migrator) Version(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, m.s.pool)
	if err != nil {
		return 0, outcome(err)
	}
	return v, nil
}

// Migrate runs fn in a transaction that first takes the advisory lock migrationLock:
// another instance migrating waits for this one to commit, then reads the version
// again (migrate.Run) and finds nothing left to do.
func (m migrator) Migrate(ctx context.Context, fn func(migrate.Tx) error) error {
	err := pgx.BeginFunc(ctx, m.s.pool, func(tx pgx.Tx) error {
		// A migration may take longer than a request's statement timeout, and so may the
		// wait for another instance's; a session that hangs holding the lock is ended by
		// idle_in_transaction_session_timeout.
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = '5min'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return err
		}
		return fn(migrationTx{tx: tx, now: m.s.now})
	})
	if err != nil {
		return outcome(err)
	}
	return nil
}

type migrationTx struct {
	tx  pgx.Tx
	now func() time.Time
}

func (t migrationTx) Version(ctx context.Context) (int, error) { return schemaVersion(ctx, t.tx) }

func (t migrationTx) Apply(ctx context.Context, m migrate.Migration) error {
	if _, err := t.tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer NOT NULL PRIMARY KEY,
		name       text    NOT NULL,
		applied_at bigint  NOT NULL
	)`); err != nil {
		return err
	}
	// No arguments: pgx sends the script with the simple protocol, which runs several
	// statements.
	if _, err := t.tx.Exec(ctx, m.SQL); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, t.now().UnixNano())
	return err
}

// schemaVersion is the highest recorded migration, 0 for a database without
// schema_migrations in the schema tables are created in (current_schema()). The catalog
// is read as a table, under the statement's snapshot: to_regclass would consult the
// session's catalog cache, which may still remember that the table did not exist after
// another instance created it while this one waited for the migration lock.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
		WHERE schemaname = current_schema() AND tablename = 'schema_migrations')`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
