package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/quotekit/quotekit/server/internal/migrate"
)

// ErrSchemaTooNew is wrapped by Open's error when the database records a schema version
// this program does not know: it was migrated by a newer quotekit, and running an older
// one against it could misread or damage data. It is migrate.ErrSchemaTooNew, the error
// every store returns for it.
var ErrSchemaTooNew = migrate.ErrSchemaTooNew

//go:embed migrations/*.sql
var migrationFiles embed.FS

// A migration is one file migrations/NNNN_name.sql. Versions start at 1 and have no
// gaps; each runs once, in its own transaction, and is recorded in schema_migrations.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	loaded, err := migrate.Load(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	ms := make([]migration, len(loaded))
	for i, m := range loaded {
		ms[i] = migration{version: m.Version, name: m.Name, sql: m.SQL}
	}
	return ms, nil
}

// migrate brings the schema to the latest embedded version. Several processes may open
// the same file at once: each migration re-reads the version inside its write
// transaction, so it runs exactly once.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return fmt.Errorf("sqlite: embedded migrations: %v", err)
	}
	return s.migrateTo(ctx, ms)
}

func (s *Store) migrateTo(ctx context.Context, ms []migration) error {
	run := make([]migrate.Migration, len(ms))
	for i, m := range ms {
		run[i] = migrate.Migration{Version: m.version, Name: m.name, SQL: m.sql}
	}
	if err := migrate.Run(ctx, migrator{s}, run, migrate.Options{ReadOnly: s.readOnly}); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// migrator is the store as migrate.Run needs it: each migration is a write of its own,
// which holds the file's write lock from its first statement.
type migrator struct{ s *Store }

func (m migrator) Version(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, m.s.w)
	return v, storeErr("", err)
}

func (m migrator) Migrate(ctx context.Context, fn func(migrate.Tx) error) error {
	return m.s.write(ctx, "", func(tx *sql.Tx) error {
		return fn(migrationTx{tx: tx, now: m.s.now})
	})
}

type migrationTx struct {
	tx  *sql.Tx
	now func() time.Time
}

func (t migrationTx) Version(ctx context.Context) (int, error) { return schemaVersion(ctx, t.tx) }

func (t migrationTx) Apply(ctx context.Context, m migrate.Migration) error {
	if _, err := t.tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, t.now().UnixNano())
	return err
}

// schemaVersion is the highest recorded migration, 0 for a new database.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (int, error) {
	var n int
	err := q.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v int
	err = q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
