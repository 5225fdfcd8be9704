// Package connectortest checks a connector the way SuperOffice NetServer will use it, in
// a partner's own go test:
//
//	func TestConnector(t *testing.T) {
//		erp := myerp.New(...)
//		connectortest.Run(t, erp, connectortest.Config{Search: "bolt"})
//	}
//
// Run serves the connector in-process over loopback HTTP with the real server and runs
// the checks of `quotekit check` (package check) against it, the authentication probes
// excepted: every answer against the contract, the capabilities, the search, an unknown
// product, and a whole quote from creation to order and deletion. Operations the
// connector leaves to connector.Unsupported are skipped, as NetServer would skip them.
//
// With Config.SOAP the same checks run over the SOAP endpoint, as SuperOffice Online
// calls it today: every call written as NetServer's WCF client writes it and every answer
// read as strictly, the SOAP-only operations included (the refusal probes excepted).
package connectortest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
)

// Config says how to drive the connector. Every field has a default.
type Config struct {
	// Tenant is who the calls act for (default: test tenant Cust12345).
	Tenant connector.Tenant
	// ConfigValues are sent with every request, as SuperOffice sends the connection's values.
	ConfigValues map[string]string
	// Currency is the sale's ISO currency (default NOK).
	Currency string
	// Search is a FindProduct input that finds products (default "%", everything).
	Search string
	// SOAP runs the checks over the SOAP endpoint instead of REST.
	SOAP bool
}

// Run checks c; see the package documentation. Each check is a subtest named by its
// check.Check ID; a failed one fails t with what NetServer would make of the problem and
// how to fix it, an operation c leaves to connector.Unsupported is a skipped subtest.
func Run(t *testing.T, c connector.Connector, cfg Config) {
	t.Helper()
	if cfg.Tenant.ID == "" {
		cfg.Tenant = connector.Tenant{ID: "Cust12345", Environment: connector.EnvironmentTest}
	}
	h, err := server.New(c, admit{cfg.Tenant})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := check.Options{
		URL: srv.URL, AllowHTTP: true, // in-process: no credentials, no TLS
		ConfigValues: cfg.ConfigValues, Currency: cfg.Currency, Search: cfg.Search,
	}
	if cfg.SOAP {
		// admit takes any secret; one is sent so that GetQuoteList answers its lists.
		opts.URL, opts.SOAP = srv.URL+server.DefaultSOAPPath, true
		opts.Tenant, opts.Secret, opts.NoRefusals = cfg.Tenant.ID, "connectortest", true
	}
	report, err := check.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range report.Checks {
		if k.ID == "transport" {
			continue // loopback HTTP is this test's own choice
		}
		t.Run(k.ID, func(t *testing.T) {
			switch k.Result {
			case check.Fail:
				t.Errorf("%s: %s\nfix: %s", k.Name, k.Why, k.Fix)
			case check.Skip:
				t.Skip(k.Why)
			default:
				t.Logf("%s: %s %s", k.Name, k.Result, k.Why)
			}
		})
	}
}

// admit lets every call act for one tenant: Run checks the connector, not credentials.
type admit struct{ tenant connector.Tenant }

func (a admit) Authenticate(*http.Request) (connector.Tenant, error) { return a.tenant, nil }
func (admit) Token(*http.Request) (*model.AccessTokenResponse, error) {
	return nil, fmt.Errorf("connectortest does not issue tokens")
}
func (admit) ClientCredentials(*http.Request) (*model.AccessTokenResponse, error) {
	return nil, fmt.Errorf("connectortest does not issue tokens")
}
func (a admit) AuthenticateSecret(*http.Request, string, string) (connector.Tenant, error) {
	return a.tenant, nil
}
func (admit) Handshake(*http.Request, string) auth.HandshakeResult {
	return auth.HandshakeResult{Reason: auth.HandshakeFailed}
}
