// Package quotetest drives a whole quote through a running sample, the way NetServer
// does, for the samples' end-to-end tests.
package quotetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

// Client calls a running sample's operations with an access token.
type Client struct {
	Base  string // the sample's base URL
	Token string // an access token from /Authenticate
}

// Response is an operation's answer: its status and body, and the body decoded when the
// status is 200 and the body is not JSON null.
type Response[Res any] struct {
	Status  int
	Body    []byte
	JSON200 *Res
}

// StatusCode returns the answer's HTTP status.
func (r *Response[Res]) StatusCode() int { return r.Status }

// Call posts req to the operation op and reads the answer as Res.
func Call[Res any](ctx context.Context, c *Client, op string, req any) (*Response[Res], error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/"+op, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &Response[Res]{Status: resp.StatusCode}
	if out.Body, err = io.ReadAll(resp.Body); err != nil {
		return out, err
	}
	if resp.StatusCode == http.StatusOK && !bytes.Equal(bytes.TrimSpace(out.Body), []byte("null")) {
		out.JSON200 = new(Res)
		if err := json.Unmarshal(out.Body, out.JSON200); err != nil {
			return out, fmt.Errorf("%s: %w", op, err)
		}
	}
	return out, nil
}

// Result is what a lifecycle leaves behind in the ERP.
type Result struct {
	OrderKey    string  // the ERP order PlaceOrder created
	ProductKey  string  // the product on the single line
	Quantity    float64 // its quantity
	StockBefore float64 // the product's stock before the order (FindProduct's InStock)
	StockAfter  float64 // the product's stock after the order (GetProduct's InStock)
}

// Lifecycle creates a quote, searches, adds a line, changes its quantity, recalculates,
// validates for sending, reports it sent, validates for ordering, places the order, asks
// for its state and reads the product again, failing t on any unexpected answer.
func Lifecycle(t *testing.T, c *Client) Result {
	t.Helper()
	ctx := context.Background()
	quote := &connector.QuoteInfo{QuoteId: 301, SaleId: 7001, QuoteConnectionId: 1}
	version := &connector.QuoteVersionInfo{QuoteVersionId: 401, QuoteId: 301, State: connector.QuoteVersionStateInfoDraftNotCalculated, Rank: 1}
	altCtx := func(alt *connector.QuoteAlternativeWithLinesInfo) *connector.QuoteAlternativeContextInfo {
		return &connector.QuoteAlternativeContextInfo{
			CRMQuote: quote, CRMQuoteVersion: version, UserLanguageCode: "nb-NO",
			CRMSale: &connector.SaleInfo{SaleId: 7001, Currency: "NOK"}, CRMAlternativeWithLines: alt,
		}
	}

	created, err := Call[connector.QuoteResponseInfo](ctx, c, "OnBeforeCreateQuote", connector.OnBeforeCreateQuoteRequest{Context: altCtx(nil)})
	if err != nil || created.JSON200 == nil || !created.JSON200.IsOk {
		t.Fatalf("OnBeforeCreateQuote: %v %s", err, created.Body)
	}
	if created.JSON200.CRMQuote != nil {
		quote.ERPQuoteKey = created.JSON200.CRMQuote.ERPQuoteKey
	}

	found, err := Call[[]connector.ProductInfo](ctx, c, "FindProduct", connector.FindProductRequest{Context: altCtx(nil), CurrencyCode: "NOK", UserInput: "drill"})
	if err != nil || found.JSON200 == nil || len(*found.JSON200) == 0 {
		t.Fatalf("FindProduct: %v %s", err, found.Body)
	}
	product := (*found.JSON200)[0]
	stockBefore := product.InStock

	lines, err := Call[[]connector.QuoteLineInfo](ctx, c, "GetQuoteLinesFromProduct", connector.GetQuoteLinesFromProductRequest{Context: altCtx(nil), ErpProductKey: product.ERPProductKey})
	if err != nil || lines.JSON200 == nil || len(*lines.JSON200) == 0 || (*lines.JSON200)[0].ERPProductKey != product.ERPProductKey {
		t.Fatalf("GetQuoteLinesFromProduct: %v %s", err, lines.Body)
	}
	line := (*lines.JSON200)[0]
	line.QuoteLineId, line.Quantity = 601, 3

	changed, err := Call[connector.QuoteLineInfo](ctx, c, "OnQuoteLineChanged", connector.OnQuoteLineChangedRequest{Context: altCtx(nil), QuoteLine: &line, ChangedFields: []string{"Quantity"}})
	if err != nil || changed.JSON200 == nil || changed.JSON200.Quantity != 3 || changed.JSON200.SubTotal != 3*line.UnitListPrice {
		t.Fatalf("OnQuoteLineChanged: %v %s", err, changed.Body)
	}

	alt := &connector.QuoteAlternativeWithLinesInfo{
		CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 501, QuoteVersionId: 401, Name: "Products"},
		CRMQuoteLines:  []connector.QuoteLineInfo{*changed.JSON200},
	}
	recalculated, err := Call[connector.QuoteAlternativeWithLinesInfo](ctx, c, "RecalculateQuoteAlternative", connector.RecalculateQuoteAlternativeRequest{Context: altCtx(alt)})
	if err != nil || recalculated.JSON200 == nil || recalculated.JSON200.CRMAlternative.TotalPrice <= 0 {
		t.Fatalf("RecalculateQuoteAlternative: %v %s", err, recalculated.Body)
	}
	alt = recalculated.JSON200

	validate := func(action connector.QuoteAction) *connector.QuoteResponseInfo {
		t.Helper()
		v, err := Call[connector.QuoteResponseInfo](ctx, c, "ValidateQuoteVersion", connector.ValidateQuoteVersionRequest{
			Action: action,
			QuoteContext: &connector.QuoteVersionContextInfo{
				CRMQuote: quote, CRMQuoteVersion: version, CRMSale: &connector.SaleInfo{SaleId: 7001, Currency: "NOK"},
				CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alt},
			},
		})
		if err != nil || v.JSON200 == nil || !v.JSON200.IsOk {
			t.Fatalf("ValidateQuoteVersion(%d): %v %s", action, err, v.Body)
		}
		return v.JSON200
	}
	valid := validate(connector.QuoteActionSendQuote)
	if valid.CRMQuoteVersion == nil || valid.CRMQuoteVersion.State != connector.QuoteVersionStateInfoDraft {
		t.Fatalf("a calculated draft should be Draft: %+v", valid.CRMQuoteVersion)
	}
	version = valid.CRMQuoteVersion

	version.State = connector.QuoteVersionStateInfoSent
	sent, err := Call[connector.QuoteSentResponseInfo](ctx, c, "OnAfterSentQuoteVersion", connector.OnAfterSentQuoteVersionRequest{
		QuoteContext: &connector.QuoteVersionContextInfo{CRMQuote: quote, CRMQuoteVersion: version, CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alt}},
	})
	if err != nil || sent.StatusCode() != 200 {
		t.Fatalf("OnAfterSentQuoteVersion: %v %s", err, sent.Body)
	}
	validate(connector.QuoteActionPlaceOrder)

	placed, err := Call[connector.PlaceOrderResponseInfo](ctx, c, "PlaceOrder", connector.PlaceOrderRequest{Context: altCtx(alt)})
	if err != nil || placed.JSON200 == nil || !placed.JSON200.IsOk || placed.JSON200.CRMQuote == nil || placed.JSON200.CRMQuote.ERPOrderKey == "" {
		t.Fatalf("PlaceOrder: %v %s", err, placed.Body)
	}
	orderKey := placed.JSON200.CRMQuote.ERPOrderKey
	quote.ERPOrderKey = orderKey

	state, err := Call[connector.OrderResponseInfo](ctx, c, "GetOrderState", connector.GetOrderStateRequest{Context: altCtx(alt)})
	if err != nil || state.StatusCode() != 200 {
		t.Fatalf("GetOrderState: %v %s", err, state.Body)
	}

	after, err := Call[connector.ProductInfo](ctx, c, "GetProduct", connector.GetProductRequest{Context: altCtx(alt), ErpProductKey: product.ERPProductKey})
	if err != nil || after.JSON200 == nil {
		t.Fatalf("GetProduct: %v %s", err, after.Body)
	}
	return Result{OrderKey: orderKey, ProductKey: product.ERPProductKey, Quantity: 3, StockBefore: stockBefore, StockAfter: after.JSON200.InStock}
}
