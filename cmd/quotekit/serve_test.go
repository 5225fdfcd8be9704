package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
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

var listening = regexp.MustCompile(`"msg":"listening","url":"(http://127\.0\.0\.1:[0-9]+)"`)

// TestServe runs `quotekit serve` for real on loopback, with each built-in connector.
func TestServe(t *testing.T) {
	for _, conn := range []string{"none", "demoerp"} {
		t.Run(conn, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			logs := &lockedBuffer{}
			errc := make(chan error, 1)
			args := []string{"quotekit", "serve", "--connector", conn, "--dev", "--http", "--addr", "127.0.0.1:0",
				"--superoffice", "", "--db", filepath.Join(t.TempDir(), "quotekit.db")}
			go func() { errc <- run(ctx, args, func(string) string { return "" }, &bytes.Buffer{}, logs) }()
			var url string
			for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if m := listening.FindStringSubmatch(logs.String()); m != nil {
					url = m[1]
				}
			}
			if url == "" {
				cancel()
				t.Fatalf("serve did not start:\n%s", logs)
			}
			resp, err := http.Post(url+"/GetCapabilities", "application/json", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("an operation without a credential: %d, want 401", resp.StatusCode)
			}
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
}

func TestServeUsage(t *testing.T) {
	ctx := context.Background()
	getenv := func(string) string { return "" }
	if err := run(ctx, []string{"quotekit", "serve", "--help"}, getenv, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("--help: %v", err)
	}
	for name, args := range map[string][]string{
		"unknown connector":           {"--connector", "sap", "--dev"},
		"plain HTTP on every address": {"--http", "--addr", ":8080"},
		"no TLS":                      {"--superoffice", ""},
	} {
		err := run(ctx, append([]string{"quotekit", "serve"}, args...), getenv, &bytes.Buffer{}, &bytes.Buffer{})
		if exitCode(err) != 2 {
			t.Errorf("%s: exit %d (%v), want 2", name, exitCode(err), err)
		}
	}
}
