package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	consoleKeyBanner = regexp.MustCompile(`Operator console: (\S+)/console/\nSign in with this admin key, shown this once[^\n]*\n\n\s+(qk_ak_\S+)`)
	consoleExisting  = regexp.MustCompile(`Operator console: (\S+)/console/ \(sign in with the admin key shown when it was created`)
)

// runUntil runs the sample on dir until the test ends and returns the first match of re
// in what it prints, waiting at most 30 s.
func runUntil(t *testing.T, dir string, re *regexp.Regexp) ([]string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--dev", "--http", "--addr", "127.0.0.1:0", "--superoffice", "", "--db", filepath.Join(dir, "quotekit.db")},
			func(string) string { return "" }, out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m, out.String()
		}
	}
	t.Fatalf("the sample did not print %v:\n%s", re, out)
	return nil, ""
}

// TestConsoleKeyOnFirstStart: in --dev the sample serves the console on a loopback
// admin listener, creates an admin key for it on the first start and prints it once
// with the URL; the key signs in. The second start finds the key and prints none.
func TestConsoleKeyOnFirstStart(t *testing.T) {
	dir := t.TempDir()
	first, _ := runUntil(t, dir, consoleKeyBanner)
	admin, key := first[1], first[2]
	if !strings.HasPrefix(admin, "http://127.0.0.1:") {
		t.Errorf("the admin listener is at %s, not on loopback", admin)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(http.MethodPost, admin+"/console/signin", strings.NewReader(url.Values{"key": {key}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", admin)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/tenants" {
		t.Fatalf("signing in with the printed key answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestConsoleKeyNotAgain(t *testing.T) {
	dir := t.TempDir()
	first, _ := runUntil(t, dir, consoleKeyBanner)
	// A second process on the same data, once the first one's output is in.
	_, out := runUntil(t, dir, consoleExisting)
	if strings.Contains(out, first[2]) || strings.Contains(out, "qk_ak_") {
		t.Errorf("the second start printed an admin key:\n%s", out)
	}
}
