package demoerp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"runtime"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
)

// ERP is the demo ERP behind a quote connector. It is safe for concurrent use.
type ERP struct {
	connector.Unsupported

	w, r    *sql.DB // writes: one connection, BEGIN IMMEDIATE; reads: several, query-only
	now     func() time.Time
	latency func(op string) time.Duration
	baseURL string
	thumbs  map[string]string // image name → base64 thumbnail, loaded once at Open
}

var _ connector.Connector = (*ERP)(nil)

// ErrNotFound is returned by the read helpers Order, Quote and Stock for a key the ERP
// does not know. The connector operations never return it: for them an unknown key is a
// connector.Invalid error.
var ErrNotFound = errors.New("demoerp: not found")

// Option configures Open.
type Option func(*ERP)

// WithClock sets the ERP's clock, which decides which price lists are valid, stamps
// quotes and orders, and drives the warehouse that moves orders along. The default is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(e *ERP) { e.now = now }
}

// WithLatency makes every connector operation wait delay(op) before it starts, op being
// the operation's name ("FindProduct"), as a slow or hanging ERP would. The wait ends
// early when the call's context ends, with the context's error. The default is no delay.
func WithLatency(delay func(op string) time.Duration) Option {
	return func(e *ERP) { e.latency = delay }
}

// WithBaseURL sets the address of the ERP's web pages, to which OnAfterSentQuoteVersion
// sends the user (base + "/quotes/" + the ERP quote key). The default is
// https://erp.example.com.
func WithBaseURL(base string) Option {
	return func(e *ERP) { e.baseURL = strings.TrimSuffix(base, "/") }
}

// Open opens the demo ERP's database at path, creating and seeding it when the file is
// new, and returns the ERP. Products, prices and customers come from the embedded seed
// (see the package documentation); quotes and orders are kept per tenant and survive a
// restart. Delete the file to start again from the seed.
func Open(ctx context.Context, path string, opts ...Option) (*ERP, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("demoerp: open %q: a database file path is required", path)
	}
	e := &ERP{now: time.Now, baseURL: "https://erp.example.com"}
	for _, opt := range opts {
		opt(e)
	}

	var err error
	if e.w, err = sql.Open("sqlite3", dsn(path, true)); err != nil {
		return nil, fmt.Errorf("demoerp: open %s: %w", path, err)
	}
	// One writer: write transactions queue in Go instead of in SQLite's busy handler, and
	// BEGIN IMMEDIATE takes the write lock before a transaction reads what it will change
	// (the stock it reserves, the number it draws).
	e.w.SetMaxOpenConns(1)
	if err := e.w.PingContext(ctx); err != nil {
		e.w.Close()
		return nil, fmt.Errorf("demoerp: open %s: %w", path, err)
	}
	if err := e.migrate(ctx); err != nil {
		e.w.Close()
		return nil, err
	}
	if e.r, err = sql.Open("sqlite3", dsn(path, false)); err != nil {
		e.w.Close()
		return nil, fmt.Errorf("demoerp: open %s: %w", path, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	e.r.SetMaxOpenConns(readers)
	e.r.SetMaxIdleConns(readers)
	if e.thumbs, err = e.loadThumbnails(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// dsn puts every setting into the connection string, so that each pooled connection gets it.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_synchronous", "NORMAL")
	// Per-connection cache of prepared statements: a product lookup or search has the
	// same text on every call, and preparing its four-way join anew cost as much as
	// running it.
	q.Set("_stmt_cache_size", "32")
	if writer {
		q.Set("_journal_mode", "WAL")
		q.Set("_txlock", "immediate")
	} else {
		q.Set("_query_only", "on")
	}
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + p + "?" + q.Encode()
}

// Close closes the database.
func (e *ERP) Close() error {
	var errs []error
	if e.r != nil {
		errs = append(errs, e.r.Close())
	}
	return errors.Join(append(errs, e.w.Close())...)
}

// enter starts operation op: it waits out the injected latency, if any, and gives up when
// ctx ends first.
func (e *ERP) enter(ctx context.Context, op string) error {
	if e.latency != nil {
		if d := e.latency(op); d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return fmt.Errorf("demoerp: %s: %w", op, ctx.Err())
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("demoerp: %s: %w", op, err)
	}
	return nil
}

// write runs fn in one write transaction and commits it; an error rolls everything back.
func (e *ERP) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := e.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// next draws the next number of a tenant's number series.
func next(ctx context.Context, tx *sql.Tx, tenant, series string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO sequences (tenant, name, last) VALUES (?, ?, 1)
		ON CONFLICT (tenant, name) DO UPDATE SET last = last + 1
		RETURNING last`, tenant, series).Scan(&n)
	return n, err
}

// tenant returns the id of the tenant ctx carries. Quotes and orders cannot be kept
// without one; the server always sets it, so its absence is a fault, not bad input.
func tenant(ctx context.Context) (string, error) {
	t, ok := connector.TenantFrom(ctx)
	if !ok || t.ID == "" {
		return "", errors.New("demoerp: no tenant in the request context")
	}
	return t.ID, nil
}

// Configuration keys of the connection dialog (see GetConfigurationFields).
const (
	// ConfigCompany is the ERP company (legal entity) the connection works for, an integer.
	ConfigCompany = "company"
	// ConfigPriceList is the price list offered first, a key of the PriceLists list.
	ConfigPriceList = "pricelist"
	// ConfigWarnLowStock turns the stock warnings on quote lines on (the default) or off.
	ConfigWarnLowStock = "warnlowstock"
)

// config returns the tenant's configuration with the request's ConfigValues on top: what
// SuperOffice sends with the call is what the admin typed into the connection dialog.
func config(ctx context.Context, values map[string]string) culture.Config {
	t, _ := connector.TenantFrom(ctx)
	if len(t.Config) == 0 {
		return culture.Config(values)
	}
	if len(values) == 0 {
		return t.Config
	}
	c := maps.Clone(t.Config)
	maps.Copy(c, values)
	return c
}

func warnLowStock(c culture.Config) bool {
	on, err := c.Bool(ConfigWarnLowStock)
	return err != nil || on
}

// stamp is how event times are stored.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// validityStamp is how "now" compares with price list validity dates.
func validityStamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000") }

// msg builds a text SuperOffice shows in the user's language.
func msg(us, no string, args ...any) string {
	return connector.ML("US", fmt.Sprintf(us, args...), "NO", fmt.Sprintf(no, args...))
}
