package demoerp_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
	"github.com/quotekit/quotekit/examples/demoerp"
)

// start is the test clock's first reading: every price list but last year's and the
// Swedish one is active then.
var start = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// clock is a settable clock for WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// open opens a fresh demo ERP in a temporary directory, on a test clock at start.
func open(t testing.TB, opts ...demoerp.Option) (*demoerp.ERP, *clock) {
	t.Helper()
	clk := &clock{t: start}
	erp, err := demoerp.Open(context.Background(), filepath.Join(t.TempDir(), "erp.db"),
		append([]demoerp.Option{demoerp.WithClock(clk.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := erp.Close(); err != nil {
			t.Error(err)
		}
	})
	return erp, clk
}

// as returns a context for a call by tenant's user, mapped to the ERP user erpUser ("" for
// an unmapped user), with the company configured.
func as(tenant, erpUser string) context.Context {
	return connector.WithTenant(context.Background(), connector.Tenant{
		ID:          tenant,
		Environment: connector.EnvironmentTest,
		Config:      culture.Config{demoerp.ConfigCompany: "[I:1]"},
		User:        &connector.User{AssociateID: 7, Name: "Test User", ERPUser: erpUser},
	})
}

// bg is a call of tenant Cust1 by Anne Haugen, whose discount limit is 10 %.
var bg = as("Cust1", "AHA")

// wantInvalid fails unless err is an Invalid error (400), which is never "unsupported" (404).
func wantInvalid(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, connector.ErrInvalid) || errors.Is(err, connector.ErrUnsupported) {
		t.Fatalf("err = %v, want an Invalid error", err)
	}
}

// wantRefused fails unless a call whose result carries IsOk and State said no as a
// business answer (200 on the wire): no error, IsOk false, State Error and an English
// and Norwegian UserExplanation.
func wantRefused(t *testing.T, err error, res *connector.PluginResponseInfo) {
	t.Helper()
	if err != nil {
		t.Fatalf("err = %v, want a business answer", err)
	}
	if res == nil || res.IsOk || res.State != connector.ResponseStateError {
		t.Fatalf("answer %+v, want IsOk=false and State Error", res)
	}
	wantML(t, "UserExplanation", res.UserExplanation)
}

func wantML(t *testing.T, what, s string) {
	t.Helper()
	m, err := connector.ParseMultiLang(s)
	if err != nil || m["US"] == "" || m["NO"] == "" {
		t.Errorf("%s = %q, want an English and Norwegian text (%v)", what, s, err)
	}
}

func TestOpenReopensWithoutReseeding(t *testing.T) {
	path := filepath.Join(t.TempDir(), "erp.db")
	ctx := context.Background()
	erp, err := demoerp.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := erp.PlaceOrder(bg, &connector.PlaceOrderRequest{Context: &connector.QuoteAlternativeContextInfo{
		CRMQuote:                &connector.QuoteInfo{QuoteId: 1},
		CRMAlternativeWithLines: &connector.QuoteAlternativeWithLinesInfo{CRMQuoteLines: []connector.QuoteLineInfo{line("HB-M8x40-ZN@NOK-STD", 5, 209)}},
	}})
	if err != nil || !res.IsOk {
		t.Fatalf("PlaceOrder = %+v, %v", res, err)
	}
	before, _ := erp.Stock(ctx, "HB-M8x40-ZN")
	if err := erp.Close(); err != nil {
		t.Fatal(err)
	}

	erp, err = demoerp.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer erp.Close()
	if _, err := erp.Order(ctx, "Cust1", res.CRMQuote.ERPOrderKey); err != nil {
		t.Errorf("order after reopening: %v", err)
	}
	if after, _ := erp.Stock(ctx, "HB-M8x40-ZN"); after != before {
		t.Errorf("stock after reopening = %v, want %v: the seed was loaded again", after, before)
	}
}

func TestOpenRefusesMemoryDatabases(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if erp, err := demoerp.Open(context.Background(), path); err == nil {
			erp.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

// TestLatencyHonoursDeadline: a hung ERP call returns when its context's deadline passes.
func TestLatencyHonoursDeadline(t *testing.T) {
	erp, _ := open(t, demoerp.WithLatency(func(op string) time.Duration {
		if op == "FindProduct" {
			return time.Hour
		}
		return 0
	}))
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	_, err := erp.FindProduct(ctx, &connector.FindProductRequest{UserInput: "pump"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("FindProduct on a hung ERP = %v, want context.DeadlineExceeded", err)
	}
	// Other operations are not delayed.
	if _, err := erp.GetProduct(bg, &connector.GetProductRequest{ErpProductKey: "CP-50-SS@NOK-STD"}); err != nil {
		t.Fatal(err)
	}
}

func TestCancelledContextStopsDatabaseWork(t *testing.T) {
	erp, _ := open(t)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	calls := map[string]func() error{
		"FindProduct": func() error {
			_, err := erp.FindProduct(ctx, &connector.FindProductRequest{UserInput: "%"})
			return err
		},
		"PlaceOrder": func() error {
			_, err := erp.PlaceOrder(ctx, &connector.PlaceOrderRequest{})
			return err
		},
		"Order": func() error {
			_, err := erp.Order(ctx, "Cust1", "SO-50001")
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", name, err)
		}
	}
}

// line is a quote line as SuperOffice sends it after GetQuoteLinesFromProduct.
func line(key string, qty, listPrice float64) connector.QuoteLineInfo {
	l := connector.QuoteLineInfo{ERPProductKey: key, Quantity: qty, UnitListPrice: listPrice, VAT: 25}
	connector.CalculateLine(&l)
	return l
}
