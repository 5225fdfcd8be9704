package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/tenancy"
)

// benchStack is the sample's server wired as app.Serve wires it (store, authentication,
// metrics, the JSON request log, the connector openERP opens), served in-process without a listener, so
// a CPU profile of these benchmarks shows the server's own work only.
type benchStack struct {
	h      http.Handler
	secret string
}

func newBenchStack(b *testing.B) *benchStack {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "quotekit.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	keys, err := tenancy.LoadMasterKey("", filepath.Join(dir, "master.key"), true)
	if err != nil {
		b.Fatal(err)
	}
	erp, closeERP, err := openERP(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = closeERP() })
	// The JSON handler, as in production, so its cost is in the figures; only the
	// bytes are dropped.
	log := slog.New(slog.NewJSONHandler(dropWriter{}, nil))
	metrics := server.NewMetrics()
	svc := auth.NewService(store, auth.WithKeyring(keys), auth.WithLogger(log), auth.WithMetrics(metrics.Registerer()))
	h, err := server.New(erp, svc, server.WithLogger(log), server.WithMetrics(metrics), server.WithReadiness("store", store.Ping))
	if err != nil {
		b.Fatal(err)
	}
	admin := tenancy.NewService(store, tenancy.WithKeyring(keys))
	if _, err := admin.AddTenant(ctx, tenancy.Tenant{
		ID: demoTenantID, Name: "Demo customer", Environment: connector.EnvironmentTest, Enabled: true,
		Config: map[string]string{"company": "[I:1]"},
	}, "benchmark"); err != nil {
		b.Fatal(err)
	}
	secret, _, err := admin.CreateSecret(ctx, demoTenantID, "benchmark")
	if err != nil {
		b.Fatal(err)
	}
	return &benchStack{h: h, secret: secret}
}

// dropWriter accepts and drops everything written to it.
type dropWriter struct{}

func (dropWriter) Write(p []byte) (int, error) { return len(p), nil }

// serve serves one request; anything but a 200 is an error.
func (s *benchStack) serve(path, authz string, body []byte) (*httptest.ResponseRecorder, error) {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.RemoteAddr = "127.0.0.1:40000"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", authz)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return rec, fmt.Errorf("%s: status %d: %s", path, rec.Code, rec.Body)
	}
	return rec, nil
}

// post serves one request and stops the benchmark unless it answers 200.
func (s *benchStack) post(b *testing.B, path, authz string, body []byte) *httptest.ResponseRecorder {
	rec, err := s.serve(path, authz, body)
	if err != nil {
		b.Fatal(err)
	}
	return rec
}

func (s *benchStack) accessToken(b *testing.B) string {
	rec := s.post(b, "/Authenticate", "Bearer "+s.secret, nil)
	tok, _, ok := strings.Cut(strings.TrimPrefix(rec.Body.String(), `{"access_token":"`), `"`)
	if !ok {
		b.Fatalf("no access token in %s", rec.Body)
	}
	return tok
}

// operationBody is a request as NetServer sends it: the quote's context, the members
// of the operation, the connection's ConfigValues and ConnectionInfo.
func operationBody(b *testing.B, members string) []byte {
	b.Helper()
	ctxJSON, err := os.ReadFile(filepath.Join("..", "..", "testdata", "requests", "context.json"))
	if err != nil {
		b.Fatal(err)
	}
	return []byte(`{"Context":` + string(ctxJSON) + `,` + members +
		`,"ConfigValues":{"ApplicationId":"quotekit-demo","QuoteConnectorUrl":"https://erp.example.com/quote","SharedSecret":"qk_sk_test_x","company":"[I:1]"},` +
		`"ConnectionInfo":{"CRMConnectionId":2,"ERPClientName":"Example ERP","ERPClientKey":"ex-erp"}}`)
}

// BenchmarkSampleOperation is one operation call on the shared-secret sample, the load
// benchmark's GetProduct and a product search, with a real access token: the token
// check, decoding, the connector, encoding, the request log and metrics.
func BenchmarkSampleOperation(b *testing.B) {
	for _, op := range []struct{ path, members string }{
		{"/GetProduct", `"ErpProductKey":"CP-32-GG@NOK-STD"`},
		{"/FindProduct", `"UserInput":"pump","CurrencyCode":"NOK"`},
	} {
		b.Run(strings.TrimPrefix(op.path, "/"), func(b *testing.B) {
			s := newBenchStack(b)
			authz := "Bearer " + s.accessToken(b)
			body := operationBody(b, op.members)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				s.post(b, op.path, authz, body)
			}
		})
	}
}

// BenchmarkSampleAuthenticate is POST /Authenticate with the shared secret on the sample:
// verify the secret, issue and store a token with its audit event, record the secret's
// use. "parallel" has 16 requests in flight, as the load benchmark has.
func BenchmarkSampleAuthenticate(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		s := newBenchStack(b)
		authz := "Bearer " + s.secret
		b.ReportAllocs()
		for b.Loop() {
			s.post(b, "/Authenticate", authz, nil)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		s := newBenchStack(b)
		authz := "Bearer " + s.secret
		b.ReportAllocs()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.serve("/Authenticate", authz, nil); err != nil {
					b.Error(err) // not Fatal: this is not the benchmark's goroutine
					return
				}
			}
		})
	})
}
