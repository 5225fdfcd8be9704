package postgres

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quotekit/quotekit/internal/pgtest"
	"github.com/quotekit/quotekit/tenancy/storetest"
)

// TestConformance runs the store conformance suite, the one every store passes, on
// PostgreSQL.
func TestConformance(t *testing.T) { storetest.Run(t, harness) }

// harness gives the suite Stores on fresh databases of the test cluster and reaches
// those databases directly for the hooks.
var harness = storetest.Harness{
	Open: func(t testing.TB, now func() time.Time) storetest.Store {
		return openHarness(t, pgtest.Start(t), now)
	},
	Reopen: func(t testing.TB, s storetest.Store, now func() time.Time) storetest.Store {
		return openHarness(t, urlOf(t, s), now)
	},
	// A handle whose sessions run every transaction read-only, as on a standby: writes
	// fail with SQLSTATE 25006, reads go on.
	ReadOnly: func(t testing.TB, s storetest.Store) storetest.Store {
		u, err := url.Parse(urlOf(t, s))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("options", "-c default_transaction_read_only=on")
		u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // libpq reads no '+' as a space
		return openHarness(t, u.String(), storetest.Clock)
	},
	Count:       countRows,
	FailAudit:   failAudit,
	TamperAudit: tamperAudit,
}

// urls maps every Store the harness opened to its database URL.
var urls sync.Map

func openHarness(t testing.TB, dbURL string, now func() time.Time) *Store {
	t.Helper()
	s := openAt(t, dbURL, WithClock(now))
	urls.Store(s, dbURL)
	t.Cleanup(func() { urls.Delete(s) })
	return s
}

func urlOf(t testing.TB, s storetest.Store) string {
	t.Helper()
	u, ok := urls.Load(s)
	if !ok {
		t.Fatalf("store %p was not opened by the harness", s)
	}
	return u.(string)
}

// countRows counts the rows of every table on a connection of its own.
func countRows(t testing.TB, s storetest.Store) storetest.Counts {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, urlOf(t, s))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var c storetest.Counts
	err = conn.QueryRow(ctx, storetest.CountQuery).Scan(c.Dest()...)
	if err != nil {
		t.Fatalf("count rows: %v", err)
	}
	return c
}

// failAudit adds a trigger that raises on every insert into audit_events (SQLSTATE
// P0001, which the store passes on as a plain error); heal drops it.
func failAudit(t testing.TB, s storetest.Store) (heal func()) {
	t.Helper()
	dbURL := urlOf(t, s)
	exec(t, dbURL, `CREATE FUNCTION audit_fault() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'audit fault'; END $$`)
	exec(t, dbURL, `CREATE TRIGGER audit_fault BEFORE INSERT ON audit_events
		FOR EACH ROW EXECUTE FUNCTION audit_fault()`)
	var once sync.Once
	heal = func() {
		once.Do(func() {
			exec(t, dbURL, `DROP TRIGGER audit_fault ON audit_events`)
			exec(t, dbURL, `DROP FUNCTION audit_fault()`)
		})
	}
	t.Cleanup(heal)
	return heal
}

// tamperAudit runs op's statement on a connection of its own. It fails t unless the
// statement went through or was stopped by the schema's append-only trigger
// (restrict_violation, "append-only").
func tamperAudit(t testing.TB, s storetest.Store, op storetest.Tamper) error {
	t.Helper()
	stmt := op.SQL()
	if stmt == "" {
		t.Fatalf("no statement for %v", op)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, urlOf(t, s))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, stmt)
	var pe *pgconn.PgError
	if err != nil && (!errors.As(err, &pe) || pe.Code != "23001" || pe.Message != "audit_events is append-only") {
		t.Errorf("%s: err = %v, want the append-only trigger's restrict_violation", stmt, err)
	}
	return err
}
