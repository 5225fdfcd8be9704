package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/quotekit/quotekit/tenancy/storetest"
)

// TestConformance runs the store conformance suite on SQLite stores, each on a file of
// its own in the test's temporary directory.
func TestConformance(t *testing.T) { storetest.Run(t, harness) }

// harness gives the suite SQLite stores and reaches their database files directly.
var harness = storetest.Harness{
	Open: func(t testing.TB, now func() time.Time) storetest.Store {
		return openAt(t, filepath.Join(t.TempDir(), "quotekit.db"), WithClock(now))
	},
	Reopen: func(t testing.TB, s storetest.Store, now func() time.Time) storetest.Store {
		return openAt(t, pathOf(t, s), WithClock(now))
	},
	// A second handle opened with WithReadOnly (SQLite's mode=ro). Making the file
	// read-only with chmod would not do: tests may run as root, which ignores permission
	// bits, and connections opened before the chmod keep their read-write descriptors.
	ReadOnly: func(t testing.TB, s storetest.Store) storetest.Store {
		return openAt(t, pathOf(t, s), WithReadOnly())
	},
	Count:       countRows,
	FailAudit:   failAudit,
	TamperAudit: tamperAudit,
}

// paths maps every open *Store of the tests to its database file, for the hooks that
// open the file again.
var paths sync.Map

// pathOf returns the database file of s, a store openAt opened.
func pathOf(t testing.TB, s storetest.Store) string {
	t.Helper()
	p, ok := paths.Load(s)
	if !ok {
		t.Fatalf("store %p was not opened by openAt", s)
	}
	return p.(string)
}

// countRows counts the rows of every table straight on the read pool of s.
func countRows(t testing.TB, s storetest.Store) storetest.Counts {
	t.Helper()
	var c storetest.Counts
	err := s.(*Store).r.QueryRow(storetest.CountQuery).Scan(c.Dest()...)
	if err != nil {
		t.Fatalf("count rows: %v", err)
	}
	return c
}

// failAudit adds, through a connection of its own, a trigger that aborts every insert
// into audit_events: SQLite reports it as a constraint failure, which the store passes on
// as a plain error. heal drops the trigger.
func failAudit(t testing.TB, s storetest.Store) (heal func()) {
	t.Helper()
	path := pathOf(t, s)
	exec := func(stmt string) {
		t.Helper()
		db, err := sql.Open("sqlite3", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	exec(`CREATE TRIGGER audit_fault BEFORE INSERT ON audit_events
		BEGIN SELECT RAISE(ABORT, 'audit fault'); END`)
	var once sync.Once
	heal = func() { once.Do(func() { exec(`DROP TRIGGER audit_fault`) }) }
	t.Cleanup(heal)
	return heal
}

// tamperAudit runs op's statement on the write pool of s. It fails t unless the statement
// went through or was stopped by one of the schema's append-only triggers.
func tamperAudit(t testing.TB, s storetest.Store, op storetest.Tamper) error {
	t.Helper()
	stmt := op.SQL()
	if stmt == "" {
		t.Fatalf("no statement for %v", op)
	}
	_, err := s.(*Store).w.ExecContext(context.Background(), stmt)
	var se sqlite3.Error
	if err != nil && (!errors.As(err, &se) || se.ExtendedCode != sqlite3.ErrConstraintTrigger ||
		!strings.Contains(err.Error(), "append-only")) {
		t.Errorf("%s: err = %v, want the append-only trigger's abort", stmt, err)
	}
	return err
}
