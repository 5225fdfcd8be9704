package servetest

import (
	"context"

	"github.com/quotekit/quotekit/connector"
)

// Crate is a small connector for tests: one product (Nut), its quote line, quotes and
// orders, so that a full check calls the operations that write as well as those that read.
type Crate struct{ connector.Unsupported }

// Nut is the one product Crate sells.
var Nut = connector.ProductInfo{ERPProductKey: "NUT-8", Name: "Hex nut M8", UnitListPrice: 2, UnitCost: 1, InAssortment: true}

// TestConnection accepts every connection.
func (Crate) TestConnection(context.Context, *connector.TestConnectionRequest) (*connector.PluginResponseInfo, error) {
	return &connector.PluginResponseInfo{IsOk: true}, nil
}

// GetCapabilities claims PlaceOrder only.
func (Crate) GetCapabilities(context.Context, *connector.GetCapabilitiesRequest) (map[string]bool, error) {
	return map[string]bool{connector.CapPlaceOrder: true}, nil
}

// FindProduct finds Nut for any input but the empty one, which finds nothing.
func (Crate) FindProduct(_ context.Context, req *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	if req.UserInput == "" {
		return nil, nil
	}
	return []connector.ProductInfo{Nut}, nil
}

// GetProduct returns Nut by its key; any other key is Invalid.
func (Crate) GetProduct(_ context.Context, req *connector.GetProductRequest) (*connector.ProductInfo, error) {
	if req.ErpProductKey != Nut.ERPProductKey {
		return nil, connector.Invalid("unknown product key %q", req.ErpProductKey)
	}
	p := Nut
	return &p, nil
}

// GetQuoteLinesFromProduct returns one calculated line of one piece.
func (Crate) GetQuoteLinesFromProduct(_ context.Context, req *connector.GetQuoteLinesFromProductRequest) ([]connector.QuoteLineInfo, error) {
	line := connector.QuoteLineInfo{ERPProductKey: req.ErpProductKey, Name: Nut.Name, Quantity: 1, UnitListPrice: Nut.UnitListPrice, UnitCost: Nut.UnitCost}
	connector.CalculateLine(&line)
	return []connector.QuoteLineInfo{line}, nil
}

// OnBeforeCreateQuote accepts every new quote.
func (Crate) OnBeforeCreateQuote(_ context.Context, req *connector.OnBeforeCreateQuoteRequest) (*connector.QuoteResponseInfo, error) {
	return &connector.QuoteResponseInfo{IsOk: true}, nil
}

// OnAfterSaveQuote stores nothing.
func (Crate) OnAfterSaveQuote(context.Context, *connector.OnAfterSaveQuoteRequest) error { return nil }

// OnBeforeDeleteQuote allows every deletion.
func (Crate) OnBeforeDeleteQuote(context.Context, *connector.OnBeforeDeleteQuoteRequest) error {
	return nil
}

// PlaceOrder accepts every order as SO-1.
func (Crate) PlaceOrder(context.Context, *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	return &connector.PlaceOrderResponseInfo{IsOk: true, CRMQuote: &connector.QuoteInfo{ERPOrderKey: "SO-1"}}, nil
}
