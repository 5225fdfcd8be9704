package app_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/app"
)

func noEnv(string) string { return "" }

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		err  string
	}{
		{"dev defaults", []string{"--dev"}, nil, ""},
		{"plain HTTP on loopback", []string{"--http", "--addr", "127.0.0.1:0"}, nil, ""},
		{"plain HTTP on every address", []string{"--http", "--addr", ":8080"}, nil, "only on a loopback address"},
		{"plain HTTP on a public address", []string{"--http", "--addr", "192.0.2.10:80"}, nil, "only on a loopback address"},
		{"no TLS at all", nil, nil, "no TLS configured"},
		{"certificate without key", []string{"--tls-cert", "c.pem"}, nil, "go together"},
		{"two TLS modes", []string{"--http", "--acme-host", "erp.example.com"}, nil, "choose one"},
		{"from the environment", nil, map[string]string{"QUOTEKIT_DEV": "true", "QUOTEKIT_DB": "/tmp/x/q.db"}, ""},
		{"bad local key pair", []string{"--dev", "--superoffice-key", "sod"}, nil, "env=path.pem"},
		{"stray argument", []string{"--dev", "extra"}, nil, "unexpected argument"},
		{"bad duration in the environment", []string{"--dev"}, map[string]string{"QUOTEKIT_CALL_TIMEOUT": "soon"}, "QUOTEKIT_CALL_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			cfg, err := app.ParseConfig("test", tt.args, getenv, io.Discard)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("err %v, want %q", err, tt.err)
			}
			if tt.name == "from the environment" && (cfg.DB != "/tmp/x/q.db" || cfg.MasterKeyFile != "/tmp/x/master.key" || !cfg.Dev) {
				t.Errorf("config %+v", cfg)
			}
			if tt.name == "dev defaults" && len(cfg.SuperOffice) != 0 {
				t.Errorf("development fetches SuperOffice keys from %v", cfg.SuperOffice)
			}
		})
	}
	if _, err := app.ParseConfig("test", []string{"--help"}, noEnv, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serve starts Serve and returns its base URL, its log, and a stop function that shuts
// it down and returns Serve's error.
func serve(t *testing.T, args ...string) (string, *syncBuf, func() error) {
	t.Helper()
	r, logs, stop := serveReady(t, args...)
	return r.BaseURL, logs, stop
}

// serveReady is serve returning everything the server told once it listened.
func serveReady(t *testing.T, args ...string) (app.Ready, *syncBuf, func() error) {
	t.Helper()
	cfg, err := app.ParseConfig("test", append([]string{"--db", filepath.Join(t.TempDir(), "q.db"), "--superoffice", ""}, args...), noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan app.Ready, 1)
	errc := make(chan error, 1)
	logs := &syncBuf{}
	go func() {
		errc <- app.Serve(ctx, connector.Unsupported{}, cfg, noEnv, io.Discard, logs, app.OnReady(func(_ context.Context, r app.Ready) error {
			ready <- r
			return nil
		}))
	}()
	select {
	case r := <-ready:
		stop := func() error { cancel(); return <-errc }
		t.Cleanup(func() { cancel() })
		return r, logs, stop
	case err := <-errc:
		cancel()
		t.Fatalf("Serve: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("Serve did not get ready")
	}
	return app.Ready{}, nil, nil
}

// TestServePlainHTTPOnLoopback also pins where the metrics are: on their own listener
// (--metrics-addr), never on the public one, since they count refusals by reason.
func TestServePlainHTTPOnLoopback(t *testing.T) {
	ready, logs, stop := serveReady(t, "--http", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--dev")
	url := ready.BaseURL
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasPrefix(ready.MetricsURL, "http://127.0.0.1:") || ready.MetricsURL == url {
		t.Fatalf("base URL %s, metrics URL %s", url, ready.MetricsURL)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/openapi.json": 200, "/metrics": 404} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, url+"/Authenticate", nil)
	req.Header.Set("Authorization", "Bearer qk_sk_test_not-a-secret")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	if !strings.Contains(logs.String(), "metrics at "+ready.MetricsURL+"/metrics\n") {
		t.Errorf("the metrics URL is not on stderr:\n%s", logs)
	}
	resp, err := http.Get(ready.MetricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(metrics, []byte(`quotekit_auth_outcomes_total{outcome="refused",reason="malformed"} 1`)) {
		t.Errorf("/metrics does not count the refusal:\n%s", metrics)
	}
	if err := stop(); err != nil {
		t.Errorf("graceful shutdown: %v", err)
	}
	if !strings.Contains(logs.String(), "quotekit configuration:") || !strings.Contains(logs.String(), `"msg":"shutting down"`) {
		t.Errorf("log:\n%s", logs)
	}
}

func TestServeDevTLS(t *testing.T) {
	url, _, stop := serve(t, "--dev", "--addr", "127.0.0.1:0")
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("base URL %s", url)
	}
	get := func(lowest, highest uint16) error {
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, // the development certificate is self-signed
			MinVersion:         lowest, MaxVersion: highest,
		}}}
		resp, err := client.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(tls.VersionTLS12, tls.VersionTLS13); err != nil {
		t.Errorf("TLS 1.2+: %v", err)
	}
	if err := get(tls.VersionTLS10, tls.VersionTLS11); err == nil {
		t.Error("TLS 1.1 was negotiated")
	}
	// A client that checks certificates, as NetServer does, refuses the self-signed one.
	if resp, err := http.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("a self-signed certificate passed verification")
	}
}

// TestAdminListener: the admin API answers on its own address only.
func TestAdminListener(t *testing.T) {
	cfg, err := app.ParseConfig("test", []string{"--db", filepath.Join(t.TempDir(), "q.db"), "--superoffice", "",
		"--http", "--dev", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0"}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan app.Ready, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- app.Serve(ctx, connector.Unsupported{}, cfg, noEnv, io.Discard, io.Discard, app.OnReady(func(_ context.Context, r app.Ready) error {
			ready <- r
			return nil
		}))
	}()
	var r app.Ready
	select {
	case r = <-ready:
	case err := <-errc:
		cancel()
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("not ready")
	}
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}()
	status := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if r.AdminURL == "" || r.AdminURL == r.BaseURL {
		t.Fatalf("admin URL %q", r.AdminURL)
	}
	if got := status(r.AdminURL + "/admin/v1/tenants"); got != 401 {
		t.Errorf("admin API without a key: %d, want 401", got)
	}
	if got := status(r.BaseURL + "/admin/v1/tenants"); got != 404 {
		t.Errorf("admin API on the public address: %d, want 404", got)
	}
}
