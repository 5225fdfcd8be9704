package main

import (
	"context"
	"testing"

	"github.com/quotekit/quotekit/connector/connectortest"
)

// TestConnectorConformance checks the connector the sample serves the way NetServer
// uses it. Keep this test when you fork: point it at your connector.
func TestConnectorConformance(t *testing.T) {
	erp, closeERP, err := openERP(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = closeERP() }()
	connectortest.Run(t, erp, connectortest.Config{Search: "drill", ConfigValues: map[string]string{"company": "[I:1]"}})
}
