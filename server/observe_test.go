package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/quotekit/quotekit/server"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestRequestLogAndMetrics(t *testing.T) {
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	metrics := server.NewMetrics()
	ready := errors.New("store down")
	readyErr := ready
	base := start(t, &shop{}, &fakeAuth{}, server.WithLogger(logger), server.WithMetrics(metrics),
		server.WithReadiness("store", func(context.Context) error { return readyErr }))

	body := encode(t, requests(t)["FindProduct"])
	status, _, _ := do(t, "POST", base+"/FindProduct", "application/json", "Bearer good", bytes.NewReader(body))
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	do(t, "POST", base+"/FindProduct", "application/json", "Bearer bad", strings.NewReader(`{}`))

	var line map[string]any
	first, _, _ := strings.Cut(logs.String(), "\n")
	if err := json.Unmarshal([]byte(first), &line); err != nil {
		t.Fatalf("log line is not JSON: %s", first)
	}
	if line["operation"] != "FindProduct" || line["status"] != 200.0 || line["tenant"] != "Cust12345" || line["request_id"] == "" {
		t.Errorf("log line %v", line)
	}
	for _, secret := range []string{"good", "qk_sk_test_this-must-never-reach-a-connector", "7T:ZXhhbXBsZS10aWNrZXQtbm90LXJlYWw="} {
		if strings.Contains(logs.String(), `"`+secret) {
			t.Errorf("the log holds %q", secret)
		}
	}

	if status, _, _ := do(t, "GET", base+"/metrics", "", "", nil); status != 404 {
		t.Errorf("the public listener answers /metrics with %d, want 404", status)
	}
	ops := httptest.NewServer(metrics.Handler())
	t.Cleanup(ops.Close)
	_, _, got := do(t, "GET", ops.URL+"/metrics", "", "", nil)
	for _, want := range []string{
		`quotekit_requests_total{code="200",operation="FindProduct",transport="rest"} 1`,
		`quotekit_requests_total{code="401",operation="FindProduct",transport="rest"} 1`,
		`quotekit_request_duration_seconds_count{operation="FindProduct",transport="rest"} 2`,
	} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if bytes.Contains(got, []byte("Cust12345")) {
		t.Error("/metrics names a tenant")
	}

	if status, _, _ := do(t, "GET", base+"/healthz", "", "", nil); status != 200 {
		t.Errorf("/healthz %d", status)
	}
	if status, _, got := do(t, "GET", base+"/readyz", "", "", nil); status != 503 || !bytes.Contains(got, []byte("store")) {
		t.Errorf("/readyz while the store is down: %d %s", status, got)
	}
	readyErr = nil
	if status, _, _ := do(t, "GET", base+"/readyz", "", "", nil); status != 200 {
		t.Errorf("/readyz when ready: %d", status)
	}
	do(t, "POST", base+"/no/such/path/"+strings.Repeat("x", 20), "application/json", "", nil)
	if _, _, got := do(t, "GET", ops.URL+"/metrics", "", "", nil); bytes.Contains(got, []byte("xxxxxxxx")) {
		t.Error("an unknown path became a metric label")
	}
}
