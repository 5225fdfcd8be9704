// Package storage opens quotekit's store from one setting: a file path selects the
// embedded SQLite store, a postgres:// or postgresql:// URL the PostgreSQL store, which
// several instances of quotekit can share. Both implement the same interfaces of package
// tenancy and pass the same conformance suite (tenancy/storetest).
package storage

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/quotekit/quotekit/server/internal/migrate"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/tenancy"
)

// Store is an open store: everything authentication, the admin API and the CLI need, and
// its lifecycle.
type Store interface {
	tenancy.AdminStore
	// Ping reports whether the store answers (the /readyz check).
	Ping(ctx context.Context) error
	// Close releases the store's connections and background work.
	Close() error
}

// Option changes how Open opens a store.
type Option func(*options)

type options struct {
	now func() time.Time
}

// WithClock makes the store use now instead of time.Now (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// IsURL reports whether db names a PostgreSQL database rather than a SQLite file.
func IsURL(db string) bool {
	lower := strings.ToLower(db)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// Open opens the store db names and brings its schema up to date. A schema newer than
// this binary is refused with an error matching ErrSchemaTooNew.
func Open(ctx context.Context, db string, opts ...Option) (Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if IsURL(db) {
		return openPostgres(ctx, db, o)
	}
	var sopts []sqlite.Option
	if o.now != nil {
		sopts = append(sopts, sqlite.WithClock(o.now))
	}
	return sqlite.Open(ctx, db, sopts...)
}

// Redact returns db as it may be printed or logged: a URL without its password (and
// without a password given as a query parameter); a file path unchanged.
func Redact(db string) string {
	if !IsURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// ErrSchemaTooNew is returned by Open when the database was migrated by a newer quotekit;
// both stores return this one error.
var ErrSchemaTooNew = migrate.ErrSchemaTooNew
