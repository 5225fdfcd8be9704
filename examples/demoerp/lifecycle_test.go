package demoerp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/examples/internal/quotetest"
	"github.com/quotekit/quotekit/internal/servetest"
)

// TestWholeQuoteRecords drives a quote from search to order through the real server, as
// NetServer would and as the samples' TestWholeQuote do, and then reads the ERP's own
// records: the order holds the one line with the quantity ordered and a total, and the
// product's stock went down by that quantity.
func TestWholeQuoteRecords(t *testing.T) {
	ctx := context.Background()
	erp, err := demoerp.Open(ctx, filepath.Join(t.TempDir(), "demoerp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { erp.Close() })
	srv := servetest.Start(t, erp)

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/Authenticate", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("Authenticate: %d %v", resp.StatusCode, err)
	}

	res := quotetest.Lifecycle(t, &quotetest.Client{Base: srv.URL, Token: tok.AccessToken})
	order, err := erp.Order(ctx, servetest.TenantID, res.OrderKey)
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
