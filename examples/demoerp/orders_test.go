package demoerp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/internal/servetest"
	"github.com/quotekit/quotekit/openapi"
)

func TestPlaceOrderReservesStock(t *testing.T) {
	erp, _ := open(t)
	stock := func(key string) float64 {
		t.Helper()
		n, err := erp.Stock(bg, key)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	pumps, boxes := stock(pump), stock(bolts)
	q := connector.QuoteInfo{QuoteId: 301, ERPQuoteKey: "Q-10001"}
	service := pickLine(t, erp, "SA-C-P@NOK-STD")
	req := &connector.PlaceOrderRequest{
		ConfigValues: map[string]string{demoerp.ConfigCompany: "[I:1]"},
		Context: &connector.QuoteAlternativeContextInfo{
			ERPCompanyKey: "C10002",
			CRMQuote:      &q,
			CRMAlternativeWithLines: alternative(0,
				quantity(pickLine(t, erp, pump), 9), quantity(pickLine(t, erp, bolts), 12), service,
				connector.QuoteLineInfo{Name: "Freight", Quantity: 1, UnitListPrice: 750, TotalPrice: 750}),
		},
	}
	res, err := erp.PlaceOrder(bg, req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsOk || res.CRMQuote == nil || res.CRMQuote.ERPOrderKey != "SO-50001" || res.CRMQuote.QuoteId != 301 {
		t.Fatalf("PlaceOrder = %+v", res)
	}
	wantML(t, "UserExplanation", res.UserExplanation)
	if got := stock(pump); got != pumps-9 || got >= 0 {
		t.Errorf("pumps in stock %v, want %v (below zero: on order)", got, pumps-9)
	}
	if got := stock(bolts); got != boxes-12 {
		t.Errorf("bolts in stock %v, want %v", got, boxes-12)
	}

	o, err := erp.Order(bg, "Cust1", "SO-50001")
	if err != nil {
		t.Fatal(err)
	}
	if o.QuoteKey != "Q-10001" || o.Customer != "C10002" || o.Company != 1 || o.Currency != "NOK" ||
		o.State != demoerp.OrderRegistered || len(o.Lines) != 4 || o.Lines[3].Item != "" || o.Lines[0].Item != "CP-32-SS" {
		t.Errorf("Order = %+v", o)
	}
	var sum float64
	for _, l := range req.Context.CRMAlternativeWithLines.CRMQuoteLines {
		sum += l.TotalPriceWithAlternativeDiscount
	}
	if !near(o.Total, sum) {
		t.Errorf("order total %v, want %v", o.Total, sum)
	}

	// A retried call returns the same order and reserves nothing more.
	again, err := erp.PlaceOrder(bg, req)
	if err != nil || !again.IsOk || again.CRMQuote.ERPOrderKey != "SO-50001" {
		t.Errorf("placing again: %+v, %v", again, err)
	}
	if got := stock(bolts); got != boxes-12 {
		t.Errorf("bolts after placing again %v, want %v", got, boxes-12)
	}
}

func TestPlaceOrderRefused(t *testing.T) {
	erp, _ := open(t)
	for name, c := range map[string]*connector.QuoteAlternativeContextInfo{
		"no lines":       {CRMAlternativeWithLines: &connector.QuoteAlternativeWithLinesInfo{CRMAlternative: &connector.QuoteAlternativeInfo{}}},
		"no alternative": {},
		"no context":     nil,
		"credit stop":    {ERPCompanyKey: "C10005", CRMAlternativeWithLines: alternative(0, pickLine(t, erp, bolts))},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := erp.PlaceOrder(bg, &connector.PlaceOrderRequest{Context: c})
			if err != nil {
				t.Fatal(err)
			}
			if res.IsOk || res.State != connector.ResponseStateError || res.CRMQuote != nil {
				t.Errorf("PlaceOrder = %+v, want a refusal", res)
			}
			wantML(t, "UserExplanation", res.UserExplanation)
		})
	}
	if _, err := erp.Order(bg, "Cust1", "SO-50001"); err == nil {
		t.Error("a refused order exists")
	}
}

func TestGetOrderState(t *testing.T) {
	erp, clk := open(t)
	placed, err := erp.PlaceOrder(bg, &connector.PlaceOrderRequest{Context: &connector.QuoteAlternativeContextInfo{
		CRMQuote:                &connector.QuoteInfo{QuoteId: 7},
		CRMAlternativeWithLines: alternative(0, pickLine(t, erp, bolts)),
	}})
	if err != nil || !placed.IsOk {
		t.Fatalf("PlaceOrder = %+v, %v", placed, err)
	}
	req := &connector.GetOrderStateRequest{Context: &connector.QuoteAlternativeContextInfo{CRMQuote: placed.CRMQuote}}
	steps := []struct {
		at   time.Duration      // after the order was placed
		want demoerp.OrderState // "": nothing changed, nil
	}{
		{0, ""}, // SuperOffice knows it is registered
		{demoerp.PickingAfter, demoerp.OrderPicking},
		{demoerp.PickingAfter, ""},
		{demoerp.PickingAfter + time.Second, ""},
		{demoerp.ShippedAfter, demoerp.OrderShipped},
		{demoerp.InvoicedAfter, demoerp.OrderInvoiced},
		{demoerp.InvoicedAfter + 24*time.Hour, ""},
	}
	for i, s := range steps {
		clk.Set(start.Add(s.at))
		res, err := erp.GetOrderState(bg, req)
		if err != nil {
			t.Fatal(err)
		}
		if s.want == "" {
			if res != nil {
				t.Errorf("step %d: %+v, want nil (nothing changed)", i, res)
			}
			continue
		}
		if res == nil || !res.IsOk || res.CRMQuote.ERPOrderKey != placed.CRMQuote.ERPOrderKey {
			t.Fatalf("step %d: %+v, want the order's new state", i, res)
		}
		wantML(t, "UserExplanation", res.UserExplanation)
		o, _ := erp.Order(bg, "Cust1", placed.CRMQuote.ERPOrderKey)
		if o.State != s.want || o.Reported != s.want {
			t.Errorf("step %d: order %s, reported %s; want %s", i, o.State, o.Reported, s.want)
		}
	}

	for name, q := range map[string]*connector.QuoteInfo{
		"no order key":  {QuoteId: 7},
		"unknown order": {ERPOrderKey: "SO-99999"},
		"no quote":      nil,
	} {
		res, err := erp.GetOrderState(bg, &connector.GetOrderStateRequest{Context: &connector.QuoteAlternativeContextInfo{CRMQuote: q}})
		t.Run(name, func(t *testing.T) {
			if res == nil {
				wantRefused(t, err, nil)
				return
			}
			wantRefused(t, err, &connector.PluginResponseInfo{IsOk: res.IsOk, State: res.State, UserExplanation: res.UserExplanation})
			if res.CRMQuote != nil && res.CRMQuote.ERPOrderKey != q.ERPOrderKey {
				t.Errorf("the answer changed the order key to %q", res.CRMQuote.ERPOrderKey)
			}
		})
	}
}

// TestConcurrentOrders: orders placed at the same time each reserve their own stock.
func TestConcurrentOrders(t *testing.T) {
	erp, _ := open(t)
	before, _ := erp.Stock(bg, bolts)
	const n = 12
	var wg sync.WaitGroup
	keys := make([]string, n)
	twoBoxes := quantity(pickLine(t, erp, bolts), 2)
	for i := range n {
		wg.Go(func() {
			res, err := erp.PlaceOrder(bg, &connector.PlaceOrderRequest{Context: &connector.QuoteAlternativeContextInfo{
				CRMQuote:                &connector.QuoteInfo{QuoteId: int32(100 + i)},
				CRMAlternativeWithLines: alternative(0, twoBoxes),
			}})
			if err != nil || !res.IsOk {
				t.Errorf("PlaceOrder = %+v, %v", res, err)
				return
			}
			keys[i] = res.CRMQuote.ERPOrderKey
			if _, err := erp.FindProduct(bg, &connector.FindProductRequest{UserInput: "bolt"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("order key %s given twice", k)
		}
		seen[k] = true
	}
	if after, _ := erp.Stock(bg, bolts); after != before-2*n {
		t.Errorf("stock %v, want %v", after, before-2*n)
	}
}

// TestUnknownOrderOverREST: GetOrderState for an order the ERP does not know is a 200
// business answer on the wire, never a 400, and carries every member of its carrier.
func TestUnknownOrderOverREST(t *testing.T) {
	erp, _ := open(t)
	srv := servetest.Start(t, erp)
	token := accessToken(t, srv.URL, srv.Secret)
	body := `{"Context":{"CRMQuote":{"QuoteId":7,"ERPOrderKey":"SO-99999"}}}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/GetOrderState", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", resp.StatusCode, got)
	}
	var res connector.OrderResponseInfo
	if err := json.Unmarshal(got, &res); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, nil, &connector.PluginResponseInfo{IsOk: res.IsOk, State: res.State, UserExplanation: res.UserExplanation})
	if err := openapi.ValidateResponse("/GetOrderState", resp.StatusCode, resp.Header.Get("Content-Type"), got); err != nil {
		t.Errorf("the answer does not match the contract: %v", err)
	}
	report, err := openapi.CheckMembers("/GetOrderState", resp.StatusCode, resp.Header.Get("Content-Type"), got)
	if err != nil || len(report.Missing) > 0 || report.Schemas["OrderResponseInfo"] != 1 {
		t.Errorf("members: %+v, %v: %s", report, err, got)
	}
}

// accessToken is what POST /Authenticate answers for the shared secret.
func accessToken(t *testing.T, base, secret string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/Authenticate", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var token struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&token); err != nil || token.AccessToken == "" {
		t.Fatalf("no access token (%d): %v", resp.StatusCode, err)
	}
	return token.AccessToken
}
