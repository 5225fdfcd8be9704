package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The tests that run `quotekit check` against a running connector are in
// examples/demoerp/quotekit_check_test.go: they need a connector that implements every
// operation, and the demo ERP is that one.

func TestCheckUsage(t *testing.T) {
	h := newHarness(t)
	key := filepath.Join("..", "..", "testdata", "keys", "superoffice-test-sod.pem")
	for _, args := range [][]string{
		{"check"},
		{"check", "--url", "https://example.com"},
		{"check", "--url", "https://example.com", "--secret", "s", "--jwt-key", key, "--app-id", "a", "--tenant", "t"},
		{"check", "--url", "https://example.com", "--jwt-key", key},
		{"check", "--url", "ftp://example.com", "--secret", "s"},
		{"check", "--url", "https://example.com", "--secret", "s", "--quotes", "0"},
		{"check", "--url", "https://example.com", "--secret", "s", "--read-only", "--quotes", "2"},
		{"check", "--soap", "--url", "https://example.com/Services/QuoteConnector.svc", "--secret", "s"},
		{"check", "--soap", "--url", "https://example.com/Services/QuoteConnector.svc", "--tenant", "t"},
		{"check", "--soap", "--url", "https://example.com/Services/QuoteConnector.svc", "--jwt-key", key, "--app-id", "a", "--tenant", "t"},
	} {
		r := h.want(exitUsage, args...)
		if strings.Contains(r.stderr, " s ") {
			t.Errorf("%v: the secret was repeated: %s", args, r.stderr)
		}
	}
}
