package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func query(ctx context.Context, url, q string) (string, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	var s string
	err = conn.QueryRow(ctx, q).Scan(&s)
	return s, err
}

// TestStartGivesFreshDatabases: two calls give two databases of one cluster, reachable
// over the socket only, and a table made in one is not in the other.
func TestStartGivesFreshDatabases(t *testing.T) {
	ctx := context.Background()
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("Start returned %s twice", a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE only_in_a (x int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := query(ctx, b, `SELECT 'x' FROM only_in_a`); err == nil {
		t.Fatal("a table of one test database is visible in another")
	}
	listen, err := query(ctx, a, `SHOW listen_addresses`)
	if err != nil || listen != "" {
		t.Fatalf("listen_addresses = %q, %v; want none", listen, err)
	}
	c := get(t)
	if fi, err := os.Stat(c.dir); err != nil || !fi.IsDir() {
		t.Fatalf("cluster directory %s: %v", c.dir, err)
	}
}

// TestStopRestart: after Stop nothing connects; after Restart the data is back.
func TestStopRestart(t *testing.T) {
	ctx := context.Background()
	url := Start(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (x text); INSERT INTO kept VALUES ('still here')`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	Stop(t)
	if _, err := query(ctx, url, `SELECT 'up'`); err == nil {
		Restart(t)
		t.Fatal("connected to a stopped cluster")
	}
	Restart(t)
	got, err := query(ctx, url, `SELECT x FROM kept`)
	if err != nil || got != "still here" {
		t.Fatalf("after Restart: %q, %v", got, err)
	}
}
