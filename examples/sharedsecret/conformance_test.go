package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/quotekit/quotekit/connector/connectortest"
	"github.com/quotekit/quotekit/examples/demoerp"
)

// TestConnectorConformance checks the connector the sample serves the way NetServer
// uses it. Keep this test when you fork: point it at your connector.
func TestConnectorConformance(t *testing.T) {
	erp, err := demoerp.Open(context.Background(), filepath.Join(t.TempDir(), "demoerp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer erp.Close()
	connectortest.Run(t, erp, connectortest.Config{Search: "drill", ConfigValues: map[string]string{"company": "[I:1]"}})
}
