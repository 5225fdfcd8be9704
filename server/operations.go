package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
)

// operations adapts the generated strict server to a connector: it gives every call a
// request (an empty one when the body is optional and absent) and a deadline, and turns
// the connector's results into the wire shapes of the contract.
type operations struct {
	conn    connector.Connector
	timeout time.Duration
}

var _ openapi.StrictServerInterface = (*operations)(nil)

// call runs fn with a deadline. A connector that ignores its ctx still cannot hold the
// request: the answer is a 504 at the deadline, and fn's late result is dropped. A panic in
// fn becomes an error, so one bad request cannot take the server down.
func call[Req, Res any](ctx context.Context, timeout time.Duration, op string, req *Req, fn func(context.Context, *Req) (Res, error)) (Res, error) {
	if req == nil {
		req = new(Req)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	type result struct {
		res Res
		err error
	}
	done := make(chan result, 1) // buffered: a late fn must not block forever
	go func() {
		var r result
		defer func() {
			if v := recover(); v != nil {
				r.err = fmt.Errorf("%s: connector panicked: %v", op, v)
			}
			done <- r
		}()
		r.res, r.err = fn(ctx, req)
	}()

	select {
	case r := <-done:
		if r.err != nil {
			r.err = fmt.Errorf("%s: %w", op, r.err)
		}
		return r.res, r.err
	case <-ctx.Done():
		var zero Res
		return zero, fmt.Errorf("%s: %w", op, ctx.Err())
	}
}

// errNoResult reports a nil result where the contract has no null: a connector bug.
func errNoResult(op string) error {
	return fmt.Errorf("%s returned neither a result nor an error", op)
}

// nullResult is the JSON null answer: "use the default calculation" for the four
// calculation operations, "nothing changed" for GetOrderState, "no image" for GetProductImage.
type nullResult struct{}

func writeNull(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte("null\n"))
	return err
}

func (nullResult) VisitOnQuoteLineChangedResponse(w http.ResponseWriter) error { return writeNull(w) }
func (nullResult) VisitRecalculateQuoteAlternativeResponse(w http.ResponseWriter) error {
	return writeNull(w)
}
func (nullResult) VisitValidateQuoteVersionResponse(w http.ResponseWriter) error { return writeNull(w) }
func (nullResult) VisitUpdateQuoteVersionPricesResponse(w http.ResponseWriter) error {
	return writeNull(w)
}
func (nullResult) VisitGetOrderStateResponse(w http.ResponseWriter) error   { return writeNull(w) }
func (nullResult) VisitGetProductImageResponse(w http.ResponseWriter) error { return writeNull(w) }

// jsonResult is a 200 answer with a JSON body: v is the generated 200 response value,
// written exactly as the generated Visit methods write it (json.Encoder, so HTML-safe
// escaping and a trailing newline), but encoded into a pooled buffer instead of a new,
// repeatedly grown one per response.
type jsonResult struct{ v any }

func (r jsonResult) write(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := json.NewEncoder(buf).Encode(r.v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := buf.WriteTo(w)
	return err
}

func (r jsonResult) VisitGetConfigurationFieldsResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r jsonResult) VisitTestConnectionResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r jsonResult) VisitGetCapabilitiesResponse(w http.ResponseWriter) error     { return r.write(w) }
func (r jsonResult) VisitGetQuoteListResponse(w http.ResponseWriter) error        { return r.write(w) }
func (r jsonResult) VisitGetActivePriceListsResponse(w http.ResponseWriter) error { return r.write(w) }
func (r jsonResult) VisitGetAllPriceListsResponse(w http.ResponseWriter) error    { return r.write(w) }
func (r jsonResult) VisitFindProductResponse(w http.ResponseWriter) error         { return r.write(w) }
func (r jsonResult) VisitGetProductResponse(w http.ResponseWriter) error          { return r.write(w) }
func (r jsonResult) VisitGetProductsResponse(w http.ResponseWriter) error         { return r.write(w) }
func (r jsonResult) VisitGetQuoteLinesFromProductResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r jsonResult) VisitGetNumberOfProductImagesResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r jsonResult) VisitGetProductImageResponse(w http.ResponseWriter) error     { return r.write(w) }
func (r jsonResult) VisitGetSearchableFieldsResponse(w http.ResponseWriter) error { return r.write(w) }
func (r jsonResult) VisitGetSearchResultsResponse(w http.ResponseWriter) error    { return r.write(w) }
func (r jsonResult) VisitGetAddressesResponse(w http.ResponseWriter) error        { return r.write(w) }
func (r jsonResult) VisitOnBeforeCreateQuoteResponse(w http.ResponseWriter) error { return r.write(w) }
func (r jsonResult) VisitOnBeforeCreateQuoteVersionResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r jsonResult) VisitOnBeforeCreateQuoteAlternativeResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r jsonResult) VisitOnAfterSentQuoteVersionResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r jsonResult) VisitOnQuoteLineChangedResponse(w http.ResponseWriter) error { return r.write(w) }
func (r jsonResult) VisitRecalculateQuoteAlternativeResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r jsonResult) VisitValidateQuoteVersionResponse(w http.ResponseWriter) error { return r.write(w) }
func (r jsonResult) VisitUpdateQuoteVersionPricesResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r jsonResult) VisitPlaceOrderResponse(w http.ResponseWriter) error    { return r.write(w) }
func (r jsonResult) VisitGetOrderStateResponse(w http.ResponseWriter) error { return r.write(w) }

// --- Configuration ---------------------------------------------------------------------

func (o *operations) GetConfigurationFields(ctx context.Context, r openapi.GetConfigurationFieldsRequestObject) (openapi.GetConfigurationFieldsResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetConfigurationFields", r.Body, o.conn.GetConfigurationFields)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetConfigurationFields200JSONResponse(res)}, nil
}

func (o *operations) TestConnection(ctx context.Context, r openapi.TestConnectionRequestObject) (openapi.TestConnectionResponseObject, error) {
	res, err := call(ctx, o.timeout, "TestConnection", r.Body, o.conn.TestConnection)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errNoResult("TestConnection")
	}
	return jsonResult{openapi.TestConnection200JSONResponse(*res)}, nil
}

// GetCapabilities answers the full capability map: defaults derived from the implemented
// operations, with the connector's own answer (if it gives one) on top.
func (o *operations) GetCapabilities(ctx context.Context, r openapi.GetCapabilitiesRequestObject) (openapi.GetCapabilitiesResponseObject, error) {
	overrides, err := call(ctx, o.timeout, "GetCapabilities", r.Body, o.conn.GetCapabilities)
	if err != nil && !errors.Is(err, connector.ErrUnsupported) {
		return nil, err
	}
	return jsonResult{openapi.GetCapabilities200JSONResponse(connector.Capabilities(o.conn, overrides))}, nil
}

// --- Lists and price lists -------------------------------------------------------------

func (o *operations) GetQuoteList(ctx context.Context, r openapi.GetQuoteListRequestObject) (openapi.GetQuoteListResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetQuoteList", r.Body, o.conn.GetQuoteList)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetQuoteList200JSONResponse(res)}, nil
}

func (o *operations) GetActivePriceLists(ctx context.Context, r openapi.GetActivePriceListsRequestObject) (openapi.GetActivePriceListsResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetActivePriceLists", r.Body, o.conn.GetActivePriceLists)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetActivePriceLists200JSONResponse(res)}, nil
}

func (o *operations) GetAllPriceLists(ctx context.Context, r openapi.GetAllPriceListsRequestObject) (openapi.GetAllPriceListsResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetAllPriceLists", r.Body, o.conn.GetAllPriceLists)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetAllPriceLists200JSONResponse(res)}, nil
}

// --- Products --------------------------------------------------------------------------

func (o *operations) FindProduct(ctx context.Context, r openapi.FindProductRequestObject) (openapi.FindProductResponseObject, error) {
	res, err := call(ctx, o.timeout, "FindProduct", r.Body, o.conn.FindProduct)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.FindProduct200JSONResponse(res)}, nil
}

func (o *operations) GetProduct(ctx context.Context, r openapi.GetProductRequestObject) (openapi.GetProductResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetProduct", r.Body, o.conn.GetProduct)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errNoResult("GetProduct")
	}
	return jsonResult{openapi.GetProduct200JSONResponse(*res)}, nil
}

func (o *operations) GetProducts(ctx context.Context, r openapi.GetProductsRequestObject) (openapi.GetProductsResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetProducts", r.Body, o.conn.GetProducts)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetProducts200JSONResponse(res)}, nil
}

func (o *operations) GetQuoteLinesFromProduct(ctx context.Context, r openapi.GetQuoteLinesFromProductRequestObject) (openapi.GetQuoteLinesFromProductResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetQuoteLinesFromProduct", r.Body, o.conn.GetQuoteLinesFromProduct)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetQuoteLinesFromProduct200JSONResponse(res)}, nil
}

func (o *operations) GetNumberOfProductImages(ctx context.Context, r openapi.GetNumberOfProductImagesRequestObject) (openapi.GetNumberOfProductImagesResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetNumberOfProductImages", r.Body, o.conn.GetNumberOfProductImages)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetNumberOfProductImages200JSONResponse(res)}, nil
}

func (o *operations) GetProductImage(ctx context.Context, r openapi.GetProductImageRequestObject) (openapi.GetProductImageResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetProductImage", r.Body, o.conn.GetProductImage)
	if err != nil {
		return nil, err
	}
	if res == "" {
		return nullResult{}, nil
	}
	return jsonResult{openapi.GetProductImage200JSONResponse(res)}, nil
}

// --- Search and addresses --------------------------------------------------------------

func (o *operations) GetSearchableFields(ctx context.Context, r openapi.GetSearchableFieldsRequestObject) (openapi.GetSearchableFieldsResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetSearchableFields", r.Body, o.conn.GetSearchableFields)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetSearchableFields200JSONResponse(res)}, nil
}

func (o *operations) GetSearchResults(ctx context.Context, r openapi.GetSearchResultsRequestObject) (openapi.GetSearchResultsResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetSearchResults", r.Body, o.conn.GetSearchResults)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetSearchResults200JSONResponse(res)}, nil
}

func (o *operations) GetAddresses(ctx context.Context, r openapi.GetAddressesRequestObject) (openapi.GetAddressesResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetAddresses", r.Body, o.conn.GetAddresses)
	if err != nil {
		return nil, err
	}
	return jsonResult{openapi.GetAddresses200JSONResponse(res)}, nil
}

// --- Quote lifecycle -------------------------------------------------------------------

func (o *operations) OnBeforeCreateQuote(ctx context.Context, r openapi.OnBeforeCreateQuoteRequestObject) (openapi.OnBeforeCreateQuoteResponseObject, error) {
	res, err := call(ctx, o.timeout, "OnBeforeCreateQuote", r.Body, o.conn.OnBeforeCreateQuote)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errNoResult("OnBeforeCreateQuote")
	}
	return jsonResult{openapi.OnBeforeCreateQuote200JSONResponse(*res)}, nil
}

func (o *operations) OnBeforeCreateQuoteVersion(ctx context.Context, r openapi.OnBeforeCreateQuoteVersionRequestObject) (openapi.OnBeforeCreateQuoteVersionResponseObject, error) {
	res, err := call(ctx, o.timeout, "OnBeforeCreateQuoteVersion", r.Body, o.conn.OnBeforeCreateQuoteVersion)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errNoResult("OnBeforeCreateQuoteVersion")
	}
	return jsonResult{openapi.OnBeforeCreateQuoteVersion200JSONResponse(*res)}, nil
}

func (o *operations) OnBeforeCreateQuoteAlternative(ctx context.Context, r openapi.OnBeforeCreateQuoteAlternativeRequestObject) (openapi.OnBeforeCreateQuoteAlternativeResponseObject, error) {
	res, err := call(ctx, o.timeout, "OnBeforeCreateQuoteAlternative", r.Body, o.conn.OnBeforeCreateQuoteAlternative)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errNoResult("OnBeforeCreateQuoteAlternative")
	}
	return jsonResult{openapi.OnBeforeCreateQuoteAlternative200JSONResponse(*res)}, nil
}

func (o *operations) OnAfterSaveQuote(ctx context.Context, r openapi.OnAfterSaveQuoteRequestObject) (openapi.OnAfterSaveQuoteResponseObject, error) {
	if _, err := call(ctx, o.timeout, "OnAfterSaveQuote", r.Body, noResult(o.conn.OnAfterSaveQuote)); err != nil {
		return nil, err
	}
	return openapi.OnAfterSaveQuote200Response{}, nil
}

func (o *operations) OnBeforeDeleteQuote(ctx context.Context, r openapi.OnBeforeDeleteQuoteRequestObject) (openapi.OnBeforeDeleteQuoteResponseObject, error) {
	if _, err := call(ctx, o.timeout, "OnBeforeDeleteQuote", r.Body, noResult(o.conn.OnBeforeDeleteQuote)); err != nil {
		return nil, err
	}
	return openapi.OnBeforeDeleteQuote200Response{}, nil
}

// noResult adapts an operation without a result to call.
func noResult[Req any](fn func(context.Context, *Req) error) func(context.Context, *Req) (struct{}, error) {
	return func(ctx context.Context, req *Req) (struct{}, error) { return struct{}{}, fn(ctx, req) }
}

func (o *operations) OnAfterSentQuoteVersion(ctx context.Context, r openapi.OnAfterSentQuoteVersionRequestObject) (openapi.OnAfterSentQuoteVersionResponseObject, error) {
	res, err := call(ctx, o.timeout, "OnAfterSentQuoteVersion", r.Body, o.conn.OnAfterSentQuoteVersion)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errNoResult("OnAfterSentQuoteVersion")
	}
	return jsonResult{openapi.OnAfterSentQuoteVersion200JSONResponse(*res)}, nil
}

// --- Calculation: a nil result is JSON null, "use the default calculation" -------------

func (o *operations) OnQuoteLineChanged(ctx context.Context, r openapi.OnQuoteLineChangedRequestObject) (openapi.OnQuoteLineChangedResponseObject, error) {
	res, err := call(ctx, o.timeout, "OnQuoteLineChanged", r.Body, o.conn.OnQuoteLineChanged)
	if err != nil || res == nil {
		return nullResult{}, err
	}
	return jsonResult{openapi.OnQuoteLineChanged200JSONResponse(*res)}, nil
}

func (o *operations) RecalculateQuoteAlternative(ctx context.Context, r openapi.RecalculateQuoteAlternativeRequestObject) (openapi.RecalculateQuoteAlternativeResponseObject, error) {
	res, err := call(ctx, o.timeout, "RecalculateQuoteAlternative", r.Body, o.conn.RecalculateQuoteAlternative)
	if err != nil || res == nil {
		return nullResult{}, err
	}
	return jsonResult{openapi.RecalculateQuoteAlternative200JSONResponse(*res)}, nil
}

func (o *operations) ValidateQuoteVersion(ctx context.Context, r openapi.ValidateQuoteVersionRequestObject) (openapi.ValidateQuoteVersionResponseObject, error) {
	res, err := call(ctx, o.timeout, "ValidateQuoteVersion", r.Body, o.conn.ValidateQuoteVersion)
	if err != nil || res == nil {
		return nullResult{}, err
	}
	return jsonResult{openapi.ValidateQuoteVersion200JSONResponse(*res)}, nil
}

func (o *operations) UpdateQuoteVersionPrices(ctx context.Context, r openapi.UpdateQuoteVersionPricesRequestObject) (openapi.UpdateQuoteVersionPricesResponseObject, error) {
	res, err := call(ctx, o.timeout, "UpdateQuoteVersionPrices", r.Body, o.conn.UpdateQuoteVersionPrices)
	if err != nil || res == nil {
		return nullResult{}, err
	}
	return jsonResult{openapi.UpdateQuoteVersionPrices200JSONResponse(*res)}, nil
}

// --- Orders ----------------------------------------------------------------------------

func (o *operations) PlaceOrder(ctx context.Context, r openapi.PlaceOrderRequestObject) (openapi.PlaceOrderResponseObject, error) {
	res, err := call(ctx, o.timeout, "PlaceOrder", r.Body, o.conn.PlaceOrder)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errNoResult("PlaceOrder")
	}
	return jsonResult{openapi.PlaceOrder200JSONResponse(*res)}, nil
}

func (o *operations) GetOrderState(ctx context.Context, r openapi.GetOrderStateRequestObject) (openapi.GetOrderStateResponseObject, error) {
	res, err := call(ctx, o.timeout, "GetOrderState", r.Body, o.conn.GetOrderState)
	if err != nil || res == nil {
		return nullResult{}, err
	}
	return jsonResult{openapi.GetOrderState200JSONResponse(*res)}, nil
}
