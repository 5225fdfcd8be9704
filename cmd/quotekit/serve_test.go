package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
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

// TestServe runs `quotekit serve` for real on loopback: it serves no connector, so an
// operation without a credential answers 401, and one with an access token bought with a
// tenant's shared secret answers 404 (not supported).
func TestServe(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	secret, _ := h.createSecret("Cust1")

	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	errc := make(chan error, 1)
	args := []string{"quotekit", "serve", "--dev", "--http", "--addr", "127.0.0.1:0", "--superoffice", ""}
	go func() { errc <- run(ctx, args, func(k string) string { return h.env[k] }, &bytes.Buffer{}, logs) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := listening.FindStringSubmatch(logs.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("serve did not start:\n%s", logs)
	}
	post := func(path, authz string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	if status, _ := post("/GetCapabilities", ""); status != http.StatusUnauthorized {
		t.Errorf("an operation without a credential: %d, want 401", status)
	}
	status, body := post("/Authenticate", "Bearer "+secret)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || status != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("Authenticate: %d %v", status, err)
	}
	if status, _ := post("/FindProduct", "Bearer "+tok.AccessToken); status != http.StatusNotFound {
		t.Errorf("an operation with an access token: %d, want 404 (no connector)", status)
	}
}

func TestServeUsage(t *testing.T) {
	ctx := context.Background()
	getenv := func(string) string { return "" }
	if err := run(ctx, []string{"quotekit", "serve", "--help"}, getenv, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("--help: %v", err)
	}
	for name, args := range map[string][]string{
		"a connector to choose":       {"--connector", "demoerp", "--dev"},
		"plain HTTP on every address": {"--http", "--addr", ":8080"},
		"no TLS":                      {"--superoffice", ""},
	} {
		err := run(ctx, append([]string{"quotekit", "serve"}, args...), getenv, &bytes.Buffer{}, &bytes.Buffer{})
		if exitCode(err) != 2 {
			t.Errorf("%s: exit %d (%v), want 2", name, exitCode(err), err)
		}
	}
}
