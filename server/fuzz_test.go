package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server"
)

// requestBodies makes an empty request body of each operation, of the generated type the
// server decodes it into.
var requestBodies = map[string]func() any{
	"FindProduct":                    func() any { return new(model.FindProductJSONRequestBody) },
	"GetActivePriceLists":            func() any { return new(model.GetActivePriceListsJSONRequestBody) },
	"GetAddresses":                   func() any { return new(model.GetAddressesJSONRequestBody) },
	"GetAllPriceLists":               func() any { return new(model.GetAllPriceListsJSONRequestBody) },
	"GetCapabilities":                func() any { return new(model.GetCapabilitiesJSONRequestBody) },
	"GetConfigurationFields":         func() any { return new(model.GetConfigurationFieldsJSONRequestBody) },
	"GetNumberOfProductImages":       func() any { return new(model.GetNumberOfProductImagesJSONRequestBody) },
	"GetOrderState":                  func() any { return new(model.GetOrderStateJSONRequestBody) },
	"GetProduct":                     func() any { return new(model.GetProductJSONRequestBody) },
	"GetProductImage":                func() any { return new(model.GetProductImageJSONRequestBody) },
	"GetProducts":                    func() any { return new(model.GetProductsJSONRequestBody) },
	"GetQuoteLinesFromProduct":       func() any { return new(model.GetQuoteLinesFromProductJSONRequestBody) },
	"GetQuoteList":                   func() any { return new(model.GetQuoteListJSONRequestBody) },
	"GetSearchResults":               func() any { return new(model.GetSearchResultsJSONRequestBody) },
	"GetSearchableFields":            func() any { return new(model.GetSearchableFieldsJSONRequestBody) },
	"OnAfterSaveQuote":               func() any { return new(model.OnAfterSaveQuoteJSONRequestBody) },
	"OnAfterSentQuoteVersion":        func() any { return new(model.OnAfterSentQuoteVersionJSONRequestBody) },
	"OnBeforeCreateQuote":            func() any { return new(model.OnBeforeCreateQuoteJSONRequestBody) },
	"OnBeforeCreateQuoteAlternative": func() any { return new(model.OnBeforeCreateQuoteAlternativeJSONRequestBody) },
	"OnBeforeCreateQuoteVersion":     func() any { return new(model.OnBeforeCreateQuoteVersionJSONRequestBody) },
	"OnBeforeDeleteQuote":            func() any { return new(model.OnBeforeDeleteQuoteJSONRequestBody) },
	"OnQuoteLineChanged":             func() any { return new(model.OnQuoteLineChangedJSONRequestBody) },
	"PlaceOrder":                     func() any { return new(model.PlaceOrderJSONRequestBody) },
	"RecalculateQuoteAlternative":    func() any { return new(model.RecalculateQuoteAlternativeJSONRequestBody) },
	"TestConnection":                 func() any { return new(model.TestConnectionJSONRequestBody) },
	"UpdateQuoteVersionPrices":       func() any { return new(model.UpdateQuoteVersionPricesJSONRequestBody) },
	"ValidateQuoteVersion":           func() any { return new(model.ValidateQuoteVersionJSONRequestBody) },
}

// FuzzOperationRequest sends arbitrary bodies to the operations, the operation picked by
// the first input. Whatever arrives, the answer is never a 500 (a panic or a decoder
// error mistaken for a bug) and a 400 is a problem document that shows none of the
// decoder's internals. encoding/json is the oracle: a body it cannot decode into the
// operation's request type is a 400 malformed-request, and a body it can decode is never
// refused as unreadable (the connector, which supports nothing here, then answers 404).
func FuzzOperationRequest(f *testing.F) {
	ops := slices.Sorted(func(yield func(string) bool) {
		for op := range requestBodies {
			if !yield(op) {
				return
			}
		}
	})
	if len(ops) != 27 {
		f.Fatalf("%d operations, want 27", len(ops))
	}
	bodies := requests(f)
	for i, op := range ops {
		body := encode(f, bodies[op])
		f.Add(uint8(i), body)
		f.Add(uint8(i), body[:len(body)/2])
		f.Add(uint8(i), append(slices.Clone(body), `{}`...))
	}
	for _, s := range []string{
		``, `null`, `[]`, `"x"`, `1e999`, `{"Context":{"CRMQuote":{"QuoteId":"7"}}}`,
		`{"Context":{"CRMQuote":{"QuoteId":1e10}}}`, `{"ConfigValues":{"SharedSecret":1}}`,
		`{"Context":{"CRMQuoteVersion":{"ExpirationDate":"2022-13-45T00:00:00"}}}`,
		`{"QuoteLine":{"UnitListPrice":"NaN"}}`, "{\"UserInput\":\"\xff\xfe\"}", `{"ErpProductKeys":[null,1]}`,
	} {
		f.Add(uint8(0), []byte(s))
	}
	h, err := server.New(connector.Unsupported{}, &fakeAuth{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pick uint8, body []byte) {
		op := ops[int(pick)%len(ops)]
		req := httptest.NewRequest(http.MethodPost, "/"+op, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer good")
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		status, got := rec.Code, rec.Body.Bytes()

		decodable := json.Unmarshal(body, requestBodies[op]()) == nil
		empty := len(bytes.TrimSpace(body)) == 0
		switch {
		case status == http.StatusInternalServerError:
			t.Fatalf("%s %q: 500: %s", op, body, got)
		case status == http.StatusBadRequest:
			var p struct {
				Type   string `json:"type"`
				Detail string `json:"detail"`
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" || json.Unmarshal(got, &p) != nil {
				t.Fatalf("%s %q: 400 as %q: %s", op, body, ct, got)
			}
			if p.Type != server.ProblemTypeBase+"malformed-request" {
				t.Fatalf("%s %q: 400 of type %s", op, body, p.Type)
			}
			for _, internal := range []string{"json:", "openapi.", "Go value", "unmarshal", "reflect", "struct"} {
				if strings.Contains(p.Detail, internal) {
					t.Fatalf("%s %q: the detail shows the decoder's internals: %q", op, body, p.Detail)
				}
			}
			if decodable && !empty {
				t.Fatalf("%s %q: 400 for a body encoding/json decodes: %s", op, body, got)
			}
		case status == http.StatusOK && op == "GetCapabilities", status == http.StatusNotFound:
			if !decodable && !empty {
				t.Fatalf("%s %q: status %d for a body encoding/json cannot decode: %s", op, body, status, got)
			}
		default:
			t.Fatalf("%s %q: status %d: %s", op, body, status, got)
		}
	})
}
