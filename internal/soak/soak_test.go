package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/internal/servetest"
)

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	if got := h.quantile(0.5); got != 0 {
		t.Errorf("empty: %v", got)
	}
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		got := h.quantile(c.q)
		if diff := float64(got-c.want) / float64(c.want); diff < -0.01 || diff > 0.01 {
			t.Errorf("q%.2f = %v, want %v within 1 %%", c.q, got, c.want)
		}
	}
	var merged histogram
	merged.merge(&h)
	merged.merge(&histogram{})
	if merged.n != h.n || merged.max != h.max || merged.quantile(0.5) != h.quantile(0.5) {
		t.Errorf("merge: n %d max %v, want %d %v", merged.n, merged.max, h.n, h.max)
	}
	h.add(time.Hour) // past the last bucket: counted there, max kept exactly
	if h.max != time.Hour || h.quantile(1) > time.Hour {
		t.Errorf("beyond the range: max %v, q1 %v", h.max, h.quantile(1))
	}
}

func TestParseVMRSS(t *testing.T) {
	got, err := parseVMRSS("Name:\tsharedsecret\nVmPeak:\t 1000 kB\nVmRSS:\t   38332 kB\nThreads:\t7\n")
	if err != nil || got != 38332<<10 {
		t.Errorf("got %d, %v", got, err)
	}
	for _, bad := range []string{"Name:\tx\n", "VmRSS:\t12 MB\n", "VmRSS:\tmany kB\n"} {
		if _, err := parseVMRSS(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestMetric(t *testing.T) {
	m := "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines 31\n" +
		"go_gc_duration_seconds{quantile=\"0\"} 1e-05\ngo_memstats_heap_inuse_bytes 6.6e+06\n"
	if g, err := metric(m, "go_goroutines"); err != nil || g != 31 {
		t.Errorf("go_goroutines: %v, %v", g, err)
	}
	if h, err := metric(m, "go_memstats_heap_inuse_bytes"); err != nil || h != 6.6e6 {
		t.Errorf("heap: %v, %v", h, err)
	}
	if _, err := metric(m, "go_threads"); err == nil {
		t.Error("a missing metric: no error")
	}
}

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, content, want string
	}{
		{"json", `{"id":1,"tenant":"Cust12345","secret":"qk_sk_test_abc"}` + "\n", "qk_sk_test_abc"},
		{"plain", "qk_sk_test_def\n", "qk_sk_test_def"},
		{"no secret", `{"id":1}`, ""},
		{"empty", "\n", ""},
	} {
		got, err := readSecret(write(c.name, c.content))
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	for u, want := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://localhost:1": true, "http://[::1]:80": true,
		"https://erp.example.com": false, "http://10.0.0.1:8080": false, "::": false,
	} {
		if got := loopbackURL(u); got != want {
			t.Errorf("%s: %v", u, got)
		}
	}
}

func TestRSSWindows(t *testing.T) {
	// A saw-tooth without growth: the medians of the first and last fifth agree although
	// single readings differ by 10 %.
	var flat []int64
	for i := range 100 {
		flat = append(flat, 40+int64(i%3)*2)
	}
	if first, last := rssWindows(flat); first != last {
		t.Errorf("flat: %d → %d", first, last)
	}
	// Steady growth shows.
	var growing []int64
	for i := range 100 {
		growing = append(growing, 100+int64(i))
	}
	if first, last := rssWindows(growing); first != 110 || last != 190 {
		t.Errorf("growing: %d → %d, want 110 → 190", first, last)
	}
	if first, last := rssWindows([]int64{7}); first != 7 || last != 7 {
		t.Errorf("one sample: %d → %d", first, last)
	}
}

func TestGate(t *testing.T) {
	cfg := config{maxGrowth: 0.10, maxGorout: 16, maxDropped: 0}
	healthy := measured{rssFirst: 100, rssLast: 105, goroutinesStart: 40, goroutinesEnd: 56, quotesDone: 10}
	if failed := gate(cfg, healthy); len(failed) != 0 {
		t.Fatalf("a healthy run fails: %q", failed)
	}
	for _, c := range []struct {
		name string
		edit func(*measured)
		want string
	}{
		{"a failed request", func(m *measured) { m.failed = 1 }, "1 failed requests"},
		{"a quote cut short", func(m *measured) { m.quotesCut = 1 }, "1 quotes ended early"},
		{"no quote finished", func(m *measured) { m.quotesDone = 0 }, "no quote was finished"},
		{"a dropped call", func(m *measured) { m.dropped = 1 }, "1 due calls were dropped (at most 0)"},
		{"goroutines grew", func(m *measured) { m.goroutinesEnd = 57 }, "goroutines grew by 17, 40 → 57 (at most 16)"},
		{"the resident set grew", func(m *measured) { m.rssLast = 111 }, "the resident set grew 11.0 %"},
		{"interrupted", func(m *measured) { m.interrupted = errors.New("signal") }, "interrupted: signal"},
	} {
		m := healthy
		c.edit(&m)
		if failed := gate(cfg, m); len(failed) != 1 || !strings.Contains(failed[0], c.want) {
			t.Errorf("%s: %q, want one failure saying %q", c.name, failed, c.want)
		}
	}
}

// TestRunGates runs the soak against a small ERP behind the real server, through a proxy
// that is healthy, or, once the measurement has started (at the soak's first reading of
// /metrics), fails one request, or answers one product search with nothing, or leaks a
// goroutine per request: only the healthy run passes, and each failing run names what
// went wrong. The run reads the resident set of the test process itself, so that gate is
// set wide here; the others are at their defaults.
func TestRunGates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the soak four times for a few seconds each")
	}
	srv := servetest.Start(t, &smallERP{}, "--metrics-addr", "127.0.0.1:0")
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(srv.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := url.Parse(srv.Ready.MetricsURL)
	if err != nil || srv.Ready.MetricsURL == "" {
		t.Fatalf("no metrics listener: %q %v", srv.Ready.MetricsURL, err)
	}
	leaked := make(chan struct{})
	defer close(leaked)

	for _, c := range []struct {
		name string
		// fault answers the request itself and returns true, once or always.
		fault func(w http.ResponseWriter, r *http.Request) bool
		want  []string // in the output; nil: the run passes
	}{
		{"healthy", nil, nil},
		{"a 500 once", once("/GetQuoteLinesFromProduct", func(w http.ResponseWriter) {
			http.Error(w, "planted failure", http.StatusInternalServerError)
		}), []string{"soak: GetQuoteLinesFromProduct 500 Internal Server Error 1×", "planted failure",
			"FAIL: 1 failed requests; 1 quotes ended early"}},
		{"an empty search once", once("/FindProduct", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("[]"))
		}), []string{"soak: FindProduct unusable answer 1×", "found no product", "FAIL: 1 failed requests; 1 quotes ended early"}},
		{"a goroutine leaked per request", func(http.ResponseWriter, *http.Request) bool {
			go func() { <-leaked }()
			return false
		}, []string{"FAIL: ", "the server's goroutines grew by"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxy := &httputil.ReverseProxy{
				Rewrite: func(r *httputil.ProxyRequest) {
					if r.In.URL.Path == "/metrics" {
						r.SetURL(metrics) // the metrics listener, reached through the same front
						return
					}
					r.SetURL(target)
				},
				Transport: &http.Transport{MaxIdleConnsPerHost: 16},
			}
			var measuring atomic.Bool
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/metrics" {
					measuring.Store(true)
				} else if c.fault != nil && measuring.Load() && c.fault(w, r) {
					return
				}
				proxy.ServeHTTP(w, r)
			}))
			defer front.Close()
			var out bytes.Buffer
			err := run(context.Background(), []string{"-url", front.URL, "-metrics-url", front.URL + "/metrics", "-secret-file", secretFile,
				"-pid", strconv.Itoa(os.Getpid()), "-capacity", "1s", "-warmup", "0s", "-duration", "2s", "-progress", "1s",
				"-users", "4", "-load", "0.5", "-max-growth", "100", "-timeout", "20s"}, &out, io.Discard)
			if c.want == nil {
				if err != nil || !strings.Contains(out.String(), "\nPASS\n") {
					t.Fatalf("a healthy server fails the soak: %v\n%s", err, out.String())
				}
				return
			}
			if err == nil {
				t.Fatalf("the soak passed:\n%s", out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String()+err.Error(), w) {
					t.Errorf("the report does not say %q:\n%s\nerror: %v", w, out.String(), err)
				}
			}
		})
	}
}

// once returns a fault that answers the first request for path with answer.
func once(path string, answer func(http.ResponseWriter)) func(http.ResponseWriter, *http.Request) bool {
	var done atomic.Bool
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != path || !done.CompareAndSwap(false, true) {
			return false
		}
		answer(w)
		return true
	}
}

// smallERP answers the calls the soak makes as an ERP with one product would: every search
// finds the product, its quote line keeps the quantity the user types, recalculation and
// validation accept the quote, and every order gets a key of its own. (The soak drives the
// demo ERP in scripts/soak.sh; a fork of the samples deletes that one, so the test of the
// gate brings its own.)
type smallERP struct {
	connector.Unsupported
	orders atomic.Int64
}

var smallProduct = connector.ProductInfo{ERPProductKey: "P-1", Code: "P-1", Name: "Pump", QuantityUnit: "pcs", PriceUnit: "pcs",
	UnitCost: 60, UnitMinimumPrice: 80, UnitListPrice: 100, VAT: 25, InAssortment: true, InStock: 1000}

func (*smallERP) FindProduct(context.Context, *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	return []connector.ProductInfo{smallProduct}, nil
}

func (*smallERP) GetQuoteLinesFromProduct(_ context.Context, req *connector.GetQuoteLinesFromProductRequest) ([]connector.QuoteLineInfo, error) {
	if req.ErpProductKey != smallProduct.ERPProductKey {
		return nil, connector.Invalid("unknown product %q", req.ErpProductKey)
	}
	p := smallProduct
	return []connector.QuoteLineInfo{{ERPProductKey: p.ERPProductKey, Code: p.Code, Name: p.Name, Quantity: 1,
		QuantityUnit: p.QuantityUnit, PriceUnit: p.PriceUnit, UnitCost: p.UnitCost, UnitMinimumPrice: p.UnitMinimumPrice,
		UnitListPrice: p.UnitListPrice, VAT: p.VAT}}, nil
}

func (*smallERP) OnQuoteLineChanged(_ context.Context, req *connector.OnQuoteLineChangedRequest) (*connector.QuoteLineInfo, error) {
	if req.QuoteLine == nil {
		return nil, connector.Invalid("no quote line")
	}
	line := *req.QuoteLine
	line.TotalPrice = line.Quantity * line.UnitListPrice
	return &line, nil
}

func (*smallERP) RecalculateQuoteAlternative(_ context.Context, req *connector.RecalculateQuoteAlternativeRequest) (*connector.QuoteAlternativeWithLinesInfo, error) {
	if req.Context == nil || req.Context.CRMAlternativeWithLines == nil {
		return nil, connector.Invalid("no alternative")
	}
	return req.Context.CRMAlternativeWithLines, nil
}

func (*smallERP) ValidateQuoteVersion(_ context.Context, req *connector.ValidateQuoteVersionRequest) (*connector.QuoteResponseInfo, error) {
	return &connector.QuoteResponseInfo{IsOk: true, State: connector.ResponseStateOk}, nil
}

func (e *smallERP) PlaceOrder(_ context.Context, req *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	if req.Context == nil || req.Context.CRMQuote == nil {
		return nil, connector.Invalid("no quote")
	}
	quote := *req.Context.CRMQuote
	quote.ERPOrderKey = fmt.Sprintf("O-%d", e.orders.Add(1))
	return &connector.PlaceOrderResponseInfo{IsOk: true, State: connector.ResponseStateOk, CRMQuote: &quote}, nil
}
