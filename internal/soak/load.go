package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/netserver"
)

// searches are what sales users type into the product search of the quote dialog. Each
// finds products in the demo ERP's catalog: a search that finds nothing is counted as a
// failure.
var searches = []string{"pump", "hex bolt", "drill", "safety", "washer", "screw", "compressor", "filter", "anchor", "%"}

// errStopped ends a user's quote when the run is over.
var errStopped = errors.New("stopped")

// quoteIDs numbers the CRM quotes of all users, so every PlaceOrder makes a new order.
var quoteIDs atomic.Int32

// user is one simulated sales user building quotes one after another. Before each call
// it takes a ticket from tickets (the time the call was due, zero in a closed loop); a
// closed channel ends the user.
type user struct {
	id       netserver.User
	base     string
	secret   string
	http     *http.Client
	tickets  <-chan time.Time
	phase    *atomic.Pointer[phase]
	inflight *atomic.Int64 // calls of all users under way
	rng      *rand.Rand
	fresh    float64 // chance that a quote starts with a new client, and so a new Authenticate
	orders   float64 // chance that a quote ends with PlaceOrder
	timeout  time.Duration
	client   *netserver.Client
}

// run builds quotes until the tickets run out. Each quote that reaches its last step is
// counted done, each that ends early on a failure cut short, in the phase it ends in.
func (u *user) run(ctx context.Context) {
	for {
		err := u.quote(ctx)
		if errors.Is(err, errStopped) || ctx.Err() != nil {
			return
		}
		u.phase.Load().quoteEnded(err == nil)
	}
}

// call waits for a ticket, then calls op. A failure the transport did not see (an
// answer the client could not decode, one that makes no sense) is counted here.
func (u *user) call(ctx context.Context, op string, req, res any) (useDefault bool, err error) {
	due, ok := <-u.tickets
	if !ok {
		return false, errStopped
	}
	p := u.phase.Load()
	var lag time.Duration
	if !due.IsZero() {
		lag = time.Since(due)
	}
	p.call(lag)
	cctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	u.inflight.Add(1)
	useDefault, err = u.client.Call(cctx, u.id, op, req, res)
	u.inflight.Add(-1)
	var status *netserver.StatusError
	var transport *url.Error
	if err != nil && !errors.As(err, &status) && !errors.As(err, &transport) {
		p.fail(failure{op: op, status: -1}, err.Error())
	}
	return useDefault, err
}

// unusable counts an answer that came back 200 but cannot be right.
func (u *user) unusable(op, format string, a ...any) error {
	err := fmt.Errorf(format, a...)
	u.phase.Load().fail(failure{op: op, status: -1}, err.Error())
	return err
}

// quote is one quote as a sales user builds it in SuperOffice: a few searches, a product
// added, its quantity edited, the alternative recalculated, the version validated for
// sending and, now and then, the order placed.
func (u *user) quote(ctx context.Context) error {
	if u.client == nil || u.rng.Float64() < u.fresh {
		u.client = netserver.New(u.base, netserver.SharedSecret(u.secret), netserver.WithHTTPClient(u.http))
	}
	id := quoteIDs.Add(1)
	quote := &connector.QuoteInfo{QuoteId: id, SaleId: id, QuoteConnectionId: 1}
	version := &connector.QuoteVersionInfo{QuoteVersionId: id, QuoteId: id, State: connector.QuoteVersionStateInfoDraftNotCalculated, Rank: 1}
	sale := &connector.SaleInfo{SaleId: id, Currency: "NOK"}
	altCtx := func(alt *connector.QuoteAlternativeWithLinesInfo) *connector.QuoteAlternativeContextInfo {
		return &connector.QuoteAlternativeContextInfo{CRMQuote: quote, CRMQuoteVersion: version, CRMSale: sale,
			UserLanguageCode: "nb-NO", CRMAlternativeWithLines: alt}
	}

	// Every search is for something the catalog has: one that finds nothing would end
	// the quote early and quietly lighten the load, so it is a failure.
	var products []connector.ProductInfo
	for range 1 + u.rng.IntN(3) {
		input := searches[u.rng.IntN(len(searches))]
		req := connector.FindProductRequest{Context: altCtx(nil), CurrencyCode: "NOK", UserInput: input}
		products = nil
		if _, err := u.call(ctx, "FindProduct", req, &products); err != nil {
			return err
		}
		if len(products) == 0 {
			return u.unusable("FindProduct", "the search for %q found no product", input)
		}
	}
	product := products[u.rng.IntN(len(products))]

	var lines []connector.QuoteLineInfo
	if _, err := u.call(ctx, "GetQuoteLinesFromProduct", connector.GetQuoteLinesFromProductRequest{Context: altCtx(nil), ErpProductKey: product.ERPProductKey}, &lines); err != nil {
		return err
	}
	if len(lines) == 0 {
		return u.unusable("GetQuoteLinesFromProduct", "no quote line for product %s", product.ERPProductKey)
	}
	line := lines[0]
	line.QuoteLineId = id

	for range 1 + u.rng.IntN(2) {
		line.Quantity = float64(1 + u.rng.IntN(12))
		var changed connector.QuoteLineInfo
		useDefault, err := u.call(ctx, "OnQuoteLineChanged", connector.OnQuoteLineChangedRequest{Context: altCtx(nil), QuoteLine: &line, ChangedFields: []string{"Quantity"}}, &changed)
		if err != nil {
			return err
		}
		if !useDefault {
			if changed.Quantity != line.Quantity {
				return u.unusable("OnQuoteLineChanged", "quantity %v came back as %v", line.Quantity, changed.Quantity)
			}
			line = changed
		}
	}

	alt := &connector.QuoteAlternativeWithLinesInfo{
		CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: id, QuoteVersionId: id, Name: "Products"},
		CRMQuoteLines:  []connector.QuoteLineInfo{line},
	}
	var recalculated connector.QuoteAlternativeWithLinesInfo
	useDefault, err := u.call(ctx, "RecalculateQuoteAlternative", connector.RecalculateQuoteAlternativeRequest{Context: altCtx(alt)}, &recalculated)
	if err != nil {
		return err
	}
	if !useDefault {
		alt = &recalculated
	}

	validate := func(action connector.QuoteAction) error {
		var v connector.QuoteResponseInfo
		req := connector.ValidateQuoteVersionRequest{Action: action, QuoteContext: &connector.QuoteVersionContextInfo{
			CRMQuote: quote, CRMQuoteVersion: version, CRMSale: sale, UserLanguageCode: "nb-NO",
			CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alt},
		}}
		useDefault, err := u.call(ctx, "ValidateQuoteVersion", req, &v)
		if err != nil || useDefault {
			return err
		}
		if !v.IsOk {
			return u.unusable("ValidateQuoteVersion", "action %d refused: %s", action, v.TechExplanation)
		}
		if v.CRMQuoteVersion != nil {
			version = v.CRMQuoteVersion
		}
		return nil
	}
	if err := validate(connector.QuoteActionSendQuote); err != nil {
		return err
	}
	if u.rng.Float64() >= u.orders {
		return nil
	}
	version.State = connector.QuoteVersionStateInfoSent
	if err := validate(connector.QuoteActionPlaceOrder); err != nil {
		return err
	}
	var placed connector.PlaceOrderResponseInfo
	if _, err := u.call(ctx, "PlaceOrder", connector.PlaceOrderRequest{Context: altCtx(alt)}, &placed); err != nil {
		return err
	}
	if !placed.IsOk || placed.CRMQuote == nil || placed.CRMQuote.ERPOrderKey == "" {
		return u.unusable("PlaceOrder", "no order placed: %s", placed.TechExplanation)
	}
	return nil
}
