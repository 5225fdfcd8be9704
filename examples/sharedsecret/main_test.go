package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/examples/internal/quotetest"
	"github.com/quotekit/quotekit/openapi/model"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var banner = regexp.MustCompile(`export QK_URL=(\S+) QK_SECRET=(\S+)`)

// start runs the sample's real run(...) on 127.0.0.1:0 in dir and reads the base URL and
// the demo tenant's secret from what it prints.
func start(t *testing.T, dir string) (base, secret string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, logs := &syncBuffer{}, &syncBuffer{}
	errc := make(chan error, 1)
	args := []string{"--dev", "--http", "--addr", "127.0.0.1:0", "--superoffice", "", "--db", filepath.Join(dir, "quotekit.db")}
	go func() { errc <- run(ctx, args, func(string) string { return "" }, out, logs) }()
	stop = func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := banner.FindStringSubmatch(out.String()); m != nil {
			return m[1], m[2], stop
		}
		select {
		case err := <-errc:
			t.Fatalf("run stopped: %v\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("no banner within 30 s:\n%s\n%s", out, logs)
	return "", "", nil
}

// TestWholeQuote drives a quote from search to order over HTTP (quotetest.Lifecycle), as
// NetServer would, and then checks the ERP's own records.
func TestWholeQuote(t *testing.T) {
	dir := t.TempDir()
	base, secret, stop := start(t, dir)
	ctx := context.Background()

	// NetServer's handshake: the shared secret buys an access token.
	req, _ := http.NewRequest(http.MethodPost, base+"/Authenticate", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok model.AccessTokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("Authenticate: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	c := &quotetest.Client{Base: base, Token: tok.AccessToken}

	res := quotetest.Lifecycle(t, c)
	stop()

	// The ERP's own records after the server stopped.
	erp, err := demoerp.Open(ctx, filepath.Join(dir, "demoerp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer erp.Close()
	order, err := erp.Order(ctx, "Cust12345", res.OrderKey)
	if err != nil {
		t.Fatalf("the order is not in the ERP: %v", err)
	}
	if len(order.Lines) != 1 || order.Lines[0].Quantity != res.Quantity || order.Total <= 0 {
		t.Errorf("order %+v", order)
	}
	if stock, err := erp.Stock(ctx, res.ProductKey); err != nil || stock != res.StockBefore-res.Quantity {
		t.Errorf("stock %v (err %v), want %v: the order should reserve %v", stock, err, res.StockBefore-res.Quantity, res.Quantity)
	}
}

func TestSecondStartKeepsTheTenant(t *testing.T) {
	dir := t.TempDir()
	_, secret, stop := start(t, dir)
	stop()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--dev", "--http", "--addr", "127.0.0.1:0", "--superoffice", "", "--db", filepath.Join(dir, "quotekit.db")}, func(string) string { return "" }, out, io.Discard)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !bytes.Contains([]byte(out.String()), []byte("exists")) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if bytes.Contains([]byte(out.String()), []byte(secret)) {
		t.Error("the secret was printed a second time")
	}
}
