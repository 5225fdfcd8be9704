package check_test

// The checker's tests against a running connector are in examples/demoerp/check_test.go:
// they need a connector that implements every operation, and the demo ERP is that one.

import (
	"context"
	"testing"

	"github.com/quotekit/quotekit/connector/check"
)

func TestRunRefusesBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://example.com", "/relative", "http://"} {
		if _, err := check.Run(context.Background(), check.Options{URL: u}); err == nil {
			t.Errorf("Run(%q) accepted the URL", u)
		}
	}
}
