package demoerp

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/mattn/go-sqlite3"

	"github.com/quotekit/quotekit/connector"
)

// TestProductReadsAreNotRecompiled guards the CASTs in the catalog's conditions: after a
// first call, looking up and searching products again, with other keys and words, must
// run the cached statements and compile nothing.
func TestProductReadsAreNotRecompiled(t *testing.T) {
	ctx := connector.WithTenant(context.Background(), connector.Tenant{ID: "Cust1"})
	e, err := Open(context.Background(), filepath.Join(t.TempDir(), "erp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	// One read connection, with an authorizer that counts compilations.
	e.r.SetMaxOpenConns(1)
	var compiles atomic.Int64
	conn, err := e.r.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		dc.(*sqlite3.SQLiteConn).RegisterAuthorizer(func(op int, _, _, _ string) int {
			if op == sqlite3.SQLITE_SELECT {
				compiles.Add(1)
			}
			return sqlite3.SQLITE_OK
		})
		return nil
	})
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}

	calls := []func(i int) error{
		func(i int) error {
			keys := []string{"CP-32-GG@NOK-STD", "CP-32-SS@NOK-STD"}
			_, err := e.GetProduct(ctx, &connector.GetProductRequest{ErpProductKey: keys[i%2]})
			return err
		},
		func(i int) error {
			words := []string{"pump", "drill"}
			_, err := e.FindProduct(ctx, &connector.FindProductRequest{UserInput: words[i%2], CurrencyCode: "NOK"})
			return err
		},
	}
	for _, call := range calls {
		if err := call(0); err != nil { // compiles and caches the statement
			t.Fatal(err)
		}
		before := compiles.Load()
		for i := 1; i <= 4; i++ {
			if err := call(i); err != nil {
				t.Fatal(err)
			}
		}
		if n := compiles.Load() - before; n != 0 {
			t.Errorf("%d compilations in 4 calls after the first; want 0", n)
		}
	}
}
