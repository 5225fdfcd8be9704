// Package migrate applies the versioned schema migrations a store embeds, the same way
// for every store: migrations are files migrations/NNNN_description.sql, numbered from 1
// without gaps; each runs once, in its own transaction, and is recorded in the store's
// schema_migrations table. A store supplies the database side (DB and Tx); this package
// decides what runs and refuses a database migrated by a newer program.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// ErrSchemaTooNew is wrapped by Run's error when the database records a schema version
// the program does not know: it was migrated by a newer quotekit, and running an older
// one against it could misread or damage data. The stores export it under their own
// name (sqlite.ErrSchemaTooNew, postgres.ErrSchemaTooNew); it is the same error.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// Migration is one file migrations/NNNN_description.sql.
type Migration struct {
	Version int    // NNNN, from 1
	Name    string // the file name without .sql
	SQL     string // the file's statements, run as one script
}

// Load reads the migrations in dir of fsys (dir/*.sql), ordered by version. It fails
// when a name is not NNNN_description.sql, a version repeats, or the versions do not run
// from 1 without gaps.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(base, ".sql"), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d expected, versions must run from 1 without gaps", m.Name, i+1)
		}
	}
	return ms, nil
}

// DB is the database side of a store, as Run needs it.
type DB interface {
	// Version returns the highest recorded migration, 0 for a database without
	// schema_migrations.
	Version(ctx context.Context) (int, error)
	// Migrate runs fn in one transaction that no other migrating process runs at the
	// same time (a write lock, an advisory lock), and commits when fn returns nil.
	Migrate(ctx context.Context, fn func(Tx) error) error
}

// Tx is a migration transaction of DB.Migrate.
type Tx interface {
	// Version is DB.Version read inside the transaction, after its lock was taken.
	Version(ctx context.Context) (int, error)
	// Apply creates schema_migrations when it does not exist, runs m.SQL and records m.
	Apply(ctx context.Context, m Migration) error
}

// Options say how Run may change the database.
type Options struct {
	// ReadOnly: the schema must be current already; Run changes nothing.
	ReadOnly bool
}

// Run brings db to the last version of ms (Load's result, from version 1 without gaps).
// It fails with an error wrapping ErrSchemaTooNew, and naming both versions, when db is
// at a version after the last of ms; it fails when db is behind and opts.ReadOnly is set.
// Each pending migration runs in its own DB.Migrate transaction, which reads the version
// again under its lock and skips a migration another process applied meanwhile, so
// several processes starting at once apply each migration exactly once. Error texts do
// not name the store: the caller prefixes its own.
func Run(ctx context.Context, db DB, ms []Migration, opts Options) error {
	cur, err := db.Version(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if err := tooNew(cur, len(ms)); err != nil {
		return err
	}
	switch latest := len(ms); {
	case cur == latest:
		return nil
	case opts.ReadOnly:
		return fmt.Errorf("database is at schema version %d, this program needs %d; open it read-write once to migrate",
			cur, latest)
	}
	for _, m := range ms[cur:] {
		err := db.Migrate(ctx, func(tx Tx) error {
			v, err := tx.Version(ctx)
			if err != nil {
				return err
			}
			if err := tooNew(v, len(ms)); err != nil {
				return err // a newer program migrated it meanwhile
			}
			if v >= m.Version {
				return nil // another process applied it meanwhile
			}
			return tx.Apply(ctx, m)
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

func tooNew(cur, latest int) error {
	if cur > latest {
		return fmt.Errorf("database is at schema version %d, this program knows versions up to %d: %w",
			cur, latest, ErrSchemaTooNew)
	}
	return nil
}
