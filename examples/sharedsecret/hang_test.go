package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server"
)

// tenantAuth admits every call as the demo tenant: this test is about deadlines, not
// credentials (server/auth has its own tests).
type tenantAuth struct{ server.Authenticator }

func (tenantAuth) Authenticate(*http.Request) (connector.Tenant, error) {
	return connector.Tenant{ID: demoTenantID, Environment: connector.EnvironmentTest}, nil
}

// hungFindProduct is the sample's connector with a FindProduct that waits a minute before
// it asks the ERP, as a hanging ERP would; the wait ends early when the call's context
// ends.
type hungFindProduct struct{ connector.Connector }

func (h hungFindProduct) FindProduct(ctx context.Context, req *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	wait := time.NewTimer(time.Minute)
	defer wait.Stop()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-wait.C:
	}
	return h.Connector.FindProduct(ctx, req)
}

// TestHungERPCall: an ERP call that would take a minute answers 504 at the server's
// deadline, and every goroutine it started is gone afterwards.
func TestHungERPCall(t *testing.T) {
	ctx := context.Background()
	erp, closeERP, err := openERP(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = closeERP() }()
	h, err := server.New(hungFindProduct{erp}, tenantAuth{}, server.WithCallTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	srv := httptest.NewServer(h)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Post(srv.URL+"/FindProduct", "application/json", strings.NewReader(`{"UserInput":"drill"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504", resp.StatusCode)
	}
	srv.Close()

	// Goroutines wind down asynchronously; wait a bounded while for the count to settle.
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	if after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
