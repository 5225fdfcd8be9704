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

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/openapi"
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

// TestWholeQuote drives a quote from search to order through the generated client, as
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
	var tok openapi.AccessTokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 {
		t.Fatalf("Authenticate: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	c, err := openapi.NewClientWithResponses(base, openapi.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}

	quote := &connector.QuoteInfo{QuoteId: 301, SaleId: 7001, QuoteConnectionId: 1}
	version := &connector.QuoteVersionInfo{QuoteVersionId: 401, QuoteId: 301, State: connector.QuoteVersionStateInfoDraftNotCalculated, Rank: 1}
	altCtx := func(alt *connector.QuoteAlternativeWithLinesInfo) *connector.QuoteAlternativeContextInfo {
		return &connector.QuoteAlternativeContextInfo{
			CRMQuote: quote, CRMQuoteVersion: version, UserLanguageCode: "nb-NO",
			CRMSale: &connector.SaleInfo{SaleId: 7001, Currency: "NOK"}, CRMAlternativeWithLines: alt,
		}
	}

	created, err := c.OnBeforeCreateQuoteWithResponse(ctx, openapi.OnBeforeCreateQuoteJSONRequestBody{Context: altCtx(nil)})
	if err != nil || created.JSON200 == nil || !created.JSON200.IsOk {
		t.Fatalf("OnBeforeCreateQuote: %v %s", err, created.Body)
	}
	if created.JSON200.CRMQuote != nil {
		quote.ERPQuoteKey = created.JSON200.CRMQuote.ERPQuoteKey
	}

	found, err := c.FindProductWithResponse(ctx, openapi.FindProductJSONRequestBody{Context: altCtx(nil), CurrencyCode: "NOK", UserInput: "drill"})
	if err != nil || found.JSON200 == nil || len(*found.JSON200) == 0 {
		t.Fatalf("FindProduct: %v %s", err, found.Body)
	}
	product := (*found.JSON200)[0]
	stockBefore := product.InStock

	lines, err := c.GetQuoteLinesFromProductWithResponse(ctx, openapi.GetQuoteLinesFromProductJSONRequestBody{Context: altCtx(nil), ErpProductKey: product.ERPProductKey})
	if err != nil || lines.JSON200 == nil || len(*lines.JSON200) == 0 || (*lines.JSON200)[0].ERPProductKey != product.ERPProductKey {
		t.Fatalf("GetQuoteLinesFromProduct: %v %s", err, lines.Body)
	}
	line := (*lines.JSON200)[0]
	line.QuoteLineId, line.Quantity = 601, 3

	changed, err := c.OnQuoteLineChangedWithResponse(ctx, openapi.OnQuoteLineChangedJSONRequestBody{Context: altCtx(nil), QuoteLine: &line, ChangedFields: []string{"Quantity"}})
	if err != nil || changed.JSON200 == nil || changed.JSON200.Quantity != 3 || changed.JSON200.SubTotal != 3*line.UnitListPrice {
		t.Fatalf("OnQuoteLineChanged: %v %s", err, changed.Body)
	}

	alt := &connector.QuoteAlternativeWithLinesInfo{
		CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 501, QuoteVersionId: 401, Name: "Products"},
		CRMQuoteLines:  []connector.QuoteLineInfo{*changed.JSON200},
	}
	recalculated, err := c.RecalculateQuoteAlternativeWithResponse(ctx, openapi.RecalculateQuoteAlternativeJSONRequestBody{Context: altCtx(alt)})
	if err != nil || recalculated.JSON200 == nil || recalculated.JSON200.CRMAlternative.TotalPrice <= 0 {
		t.Fatalf("RecalculateQuoteAlternative: %v %s", err, recalculated.Body)
	}
	alt = (*connector.QuoteAlternativeWithLinesInfo)(recalculated.JSON200)

	validate := func(action connector.QuoteAction) *connector.QuoteResponseInfo {
		t.Helper()
		v, err := c.ValidateQuoteVersionWithResponse(ctx, openapi.ValidateQuoteVersionJSONRequestBody{
			Action: action,
			QuoteContext: &connector.QuoteVersionContextInfo{
				CRMQuote: quote, CRMQuoteVersion: version, CRMSale: &connector.SaleInfo{SaleId: 7001, Currency: "NOK"},
				CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alt},
			},
		})
		if err != nil || v.JSON200 == nil || !v.JSON200.IsOk {
			t.Fatalf("ValidateQuoteVersion(%d): %v %s", action, err, v.Body)
		}
		return (*connector.QuoteResponseInfo)(v.JSON200)
	}
	valid := validate(connector.QuoteActionSendQuote)
	if valid.CRMQuoteVersion == nil || valid.CRMQuoteVersion.State != connector.QuoteVersionStateInfoDraft {
		t.Fatalf("a calculated draft should be Draft: %+v", valid.CRMQuoteVersion)
	}
	version = valid.CRMQuoteVersion

	version.State = connector.QuoteVersionStateInfoSent
	sent, err := c.OnAfterSentQuoteVersionWithResponse(ctx, openapi.OnAfterSentQuoteVersionJSONRequestBody{
		QuoteContext: &connector.QuoteVersionContextInfo{CRMQuote: quote, CRMQuoteVersion: version, CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alt}},
	})
	if err != nil || sent.StatusCode() != 200 {
		t.Fatalf("OnAfterSentQuoteVersion: %v %s", err, sent.Body)
	}
	validate(connector.QuoteActionPlaceOrder)

	placed, err := c.PlaceOrderWithResponse(ctx, openapi.PlaceOrderJSONRequestBody{Context: altCtx(alt)})
	if err != nil || placed.JSON200 == nil || !placed.JSON200.IsOk || placed.JSON200.CRMQuote == nil || placed.JSON200.CRMQuote.ERPOrderKey == "" {
		t.Fatalf("PlaceOrder: %v %s", err, placed.Body)
	}
	orderKey := placed.JSON200.CRMQuote.ERPOrderKey
	quote.ERPOrderKey = orderKey

	state, err := c.GetOrderStateWithResponse(ctx, openapi.GetOrderStateJSONRequestBody{Context: altCtx(alt)})
	if err != nil || state.StatusCode() != 200 {
		t.Fatalf("GetOrderState: %v %s", err, state.Body)
	}
	stop()

	// The ERP's own records after the server stopped.
	erp, err := demoerp.Open(ctx, filepath.Join(dir, "demoerp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer erp.Close()
	order, err := erp.Order(ctx, "Cust12345", orderKey)
	if err != nil {
		t.Fatalf("the order is not in the ERP: %v", err)
	}
	t.Logf("order %s for %s: %d line(s), total %.2f %s, state %v", order.Key, product.ERPProductKey, len(order.Lines), order.Total, order.Currency, order.State)
	if len(order.Lines) != 1 || order.Lines[0].Quantity != 3 || order.Total <= 0 {
		t.Errorf("order %+v", order)
	}
	if stock, err := erp.Stock(ctx, product.ERPProductKey); err != nil || stock != stockBefore-3 {
		t.Errorf("stock %v (err %v), want %v: the order should reserve 3", stock, err, stockBefore-3)
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
