// Package servetest runs a connector behind the real quotekit server, store and
// authentication on loopback, for tests that call it over HTTP.
package servetest

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/app"
	"github.com/quotekit/quotekit/tenancy"
)

// TenantID is the tenant Start creates.
const TenantID = "Cust12345"

// Server is a running server.
type Server struct {
	URL    string // base URL, http://127.0.0.1:port
	Secret string // TenantID's shared secret
	Ready  app.Ready
}

// Start serves conn with app.Serve in development mode over plain HTTP on
// 127.0.0.1:0, on a database in a temporary directory, with tenant TenantID and a
// shared secret; args are further server flags. The server stops when the test ends.
func Start(t testing.TB, conn connector.Connector, args ...string) *Server {
	t.Helper()
	cfg, err := app.ParseConfig("servetest", append([]string{"--dev", "--http", "--addr", "127.0.0.1:0", "--superoffice", "",
		"--db", filepath.Join(t.TempDir(), "quotekit.db")}, args...), noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{}
	ready := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- app.Serve(ctx, conn, cfg, noEnv, io.Discard, io.Discard, app.OnReady(func(ctx context.Context, r app.Ready) error {
			defer close(ready)
			s.URL, s.Ready = r.BaseURL, r
			_, err := r.Admin.AddTenant(ctx, tenancy.Tenant{ID: TenantID, Name: "Test customer", Environment: connector.EnvironmentTest,
				Enabled: true, AppIDs: []string{"quotekit-test"}, Config: map[string]string{"company": "[I:1]"}}, "servetest")
			if err != nil {
				return err
			}
			s.Secret, _, err = r.Admin.CreateSecret(ctx, TenantID, "servetest")
			return err
		}))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-errc:
		t.Fatalf("the server stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server was not ready within 30 s")
	}
	if s.Secret == "" {
		t.Fatal("servetest: no shared secret was created")
	}
	return s
}

func noEnv(string) string { return "" }
