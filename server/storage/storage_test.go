package storage

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsURL(t *testing.T) {
	for db, want := range map[string]bool{
		"var/quotekit.db":                             false,
		"/srv/quotekit/postgres.db":                   false,
		"postgres://qk@db.example/quotekit":           true,
		"PostgreSQL://qk@db.example/quotekit":         true,
		"postgresql:///quotekit?host=/run/postgresql": true,
	} {
		if got := IsURL(db); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", db, got, want)
		}
	}
}

func TestRedactHidesPasswords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"var/quotekit.db", "var/quotekit.db"},
		{"postgres://qk:s3cret@db.example:5432/quotekit?sslmode=verify-full", "postgres://qk:xxxxx@db.example:5432/quotekit?sslmode=verify-full"},
		{"postgres://qk@db.example/quotekit", "postgres://qk@db.example/quotekit"},
		{"postgresql://db.example/quotekit?user=qk&password=s3cret", "postgresql://db.example/quotekit?password=xxxxx&user=qk"},
		{"postgres://qk:s3cret@db.example/%zz", "postgres://(unparsable URL)"},
	} {
		got := Redact(c.in)
		if got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) kept the password: %q", c.in, got)
		}
	}
}

func TestOpenSQLiteFile(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if tenants, err := s.ListTenants(ctx); err != nil || len(tenants) != 0 {
		t.Fatalf("ListTenants on a new store = %v, %v; want none", tenants, err)
	}
}
