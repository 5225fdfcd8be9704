package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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
	base, secret, _, stop = startPrinting(t, dir)
	return base, secret, stop
}

// startPrinting is start that also returns everything the sample printed.
func startPrinting(t *testing.T, dir string) (base, secret, printed string, stop func()) {
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
			return m[1], m[2], out.String(), stop
		}
		select {
		case err := <-errc:
			t.Fatalf("run stopped: %v\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("no banner within 30 s:\n%s\n%s", out, logs)
	return "", "", "", nil
}

// soapCurl is the SOAP call the sample prints: its URL, SOAPAction and body.
var soapCurl = regexp.MustCompile(`curl -s "(\S+)" -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: ([^']+)' --data-binary "(.+)"`)

// TestPrintedSOAPCall runs the curl SOAP call the sample prints, as a shell would (with
// $QK_SECRET from the export line it prints), and gets products from the demo ERP.
func TestPrintedSOAPCall(t *testing.T) {
	base, secret, printed, stop := startPrinting(t, t.TempDir())
	defer stop()
	m := soapCurl.FindStringSubmatch(printed)
	if m == nil {
		t.Fatalf("no SOAP curl command in:\n%s", printed)
	}
	url, action := m[1], m[2]
	body := strings.ReplaceAll(strings.ReplaceAll(m[3], `\"`, `"`), "$QK_SECRET", secret)
	if !strings.HasPrefix(url, base) {
		t.Errorf("SOAP URL %s is not on %s", url, base)
	}
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", action)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), "<FindProductResponse") || !strings.Contains(string(answer), "<ProductInfo>") {
		t.Fatalf("the printed SOAP call answered %d:\n%s", resp.StatusCode, answer)
	}
}

// TestWholeQuote drives a quote from search to order over HTTP, as NetServer would: the
// order reserves the product, so its stock goes down by the quantity ordered. (The
// order's own records in the demo ERP are checked in examples/demoerp.)
func TestWholeQuote(t *testing.T) {
	base, secret, stop := start(t, t.TempDir())
	defer stop()

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
	if res.StockAfter != res.StockBefore-res.Quantity {
		t.Errorf("stock %v, want %v: the order should reserve %v", res.StockAfter, res.StockBefore-res.Quantity, res.Quantity)
	}
}

// TestSecondStartKeepsTheTenant starts the sample twice on one directory: the second
// start says that the demo tenant exists, keeps it (the secret of the first start still
// authenticates), does not print its secret again, and prints a command that makes a new
// one. That command, run as printed from the repository root, succeeds, and its secret
// authenticates at the running sample.
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
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}()
	var serving, hint []string
	for deadline := time.Now().Add(30 * time.Second); hint == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		serving, hint = servingExisting.FindStringSubmatch(out.String()), newSecretHint.FindStringSubmatch(out.String())
	}
	if serving == nil || hint == nil {
		t.Fatalf("the second start did not say the tenant exists and how to make a secret:\n%s", out)
	}
	if serving[2] != demoTenantID {
		t.Errorf("the second start says tenant %s exists, want %s:\n%s", serving[2], demoTenantID, out)
	}
	if strings.Contains(out.String(), secret) {
		t.Error("the secret was printed a second time")
	}
	if status := authenticate(t, serving[1], secret); status != http.StatusOK {
		t.Errorf("Authenticate with the first start's secret: %d, want 200: the tenant was not kept", status)
	}

	// The printed command, as a user would paste it at the repository root.
	cmdCtx, cmdCancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cmdCancel()
	cmd := exec.CommandContext(cmdCtx, "sh", "-c", hint[1])
	cmd.Dir = filepath.Join("..", "..")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QUOTEKIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	printed, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", hint[1], err, printed)
	}
	made := printedSecret.FindSubmatch(printed)
	if made == nil || string(made[1]) == secret {
		t.Fatalf("%s printed no new secret:\n%s", hint[1], printed)
	}
	if status := authenticate(t, serving[1], string(made[1])); status != http.StatusOK {
		t.Errorf("Authenticate with the new secret: %d, want 200", status)
	}
}

// authenticate posts secret to base's /Authenticate and returns the status.
func authenticate(t *testing.T, base, secret string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/Authenticate", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var (
	servingExisting = regexp.MustCompile(`Serving (\S+)\. Tenant (\S+) exists`)
	newSecretHint   = regexp.MustCompile(`Make a new one with: (.+)\n`)
	printedSecret   = regexp.MustCompile(`(?m)^Secret +(qk_sk_test_\S+)$`)
)
