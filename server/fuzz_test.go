package server_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
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

// FuzzOperationRequest sends arbitrary bodies to the operations of a connector that
// implements all of them, the operation picked by the first input, and follows each
// request through the handler to the connector and back. encoding/json is the oracle of
// decoding:
//
//   - a body it cannot decode into the operation's request type is a 400
//     malformed-request problem document showing none of the decoder's internals, and the
//     connector is not called;
//   - a body it decodes reaches the connector as exactly what it decodes to, less
//     SuperOffice's own ConfigValues keys; the answer is then the connector's: a 200, or
//     a 400 of another type when the connector refuses the request;
//   - an empty body (or one of white space only) is a 400 malformed-request where the
//     contract requires a body, and otherwise reaches the connector as an empty request;
//   - whatever arrives, the answer is never a 500, its Content-Type is the one its status
//     and body call for, and status, Content-Type and body are what the contract promises
//     for the operation.
func FuzzOperationRequest(f *testing.F) {
	ops := slices.Sorted(maps.Keys(requestBodies))
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
		`{"ConfigValues":{"SharedSecret":"x","ApplicationId":"y","company":"[I:1]"}}`,
		`{"Context":{"CRMQuoteVersion":{"ExpirationDate":"2022-13-45T00:00:00"}}}`,
		`{"QuoteLine":{"UnitListPrice":"NaN"}}`, "{\"UserInput\":\"\xff\xfe\"}", `{"ErpProductKeys":[null,1]}`,
		`{"ErpProductKey":"no-such-product"}`, `{"ErpProductKeys":["CMP-200","nope"]}`,
	} {
		f.Add(uint8(0), []byte(s))
	}
	spec, err := openapi.GetSpec()
	if err != nil {
		f.Fatal(err)
	}
	needsBody := map[string]bool{}
	for _, op := range ops {
		rb := spec.Paths.Find("/" + op).Post.RequestBody
		needsBody[op] = rb != nil && rb.Value.Required
	}
	conn := &shop{}
	h, err := server.New(conn, &fakeAuth{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pick uint8, body []byte) {
		op := ops[int(pick)%len(ops)]
		req := httptest.NewRequest(http.MethodPost, "/"+op, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer good")
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		conn.mu.Lock()
		conn.last, conn.lastJSON = nil, nil
		conn.mu.Unlock()
		h.ServeHTTP(rec, req)
		status, ct, got := rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()
		conn.mu.Lock()
		received := conn.lastJSON
		conn.mu.Unlock()

		want := requestBodies[op]()
		empty := len(bytes.Trim(body, " \t\r\n")) == 0 // JSON's white space
		decodable := !empty && json.Unmarshal(body, want) == nil
		if empty {
			want = requestBodies[op]()
			decodable = !needsBody[op]
		}

		if err := openapi.ValidateResponse("/"+op, status, ct, got); err != nil {
			t.Fatalf("%s %q: the answer %d %s is outside the contract: %v\n%s", op, body, status, ct, err, got)
		}
		var problem struct {
			Type   string `json:"type"`
			Detail string `json:"detail"`
		}
		switch status {
		case http.StatusOK:
			if len(got) == 0 && ct != "" || len(got) > 0 && ct != "application/json" {
				t.Fatalf("%s %q: 200 with %d bytes as %q", op, body, len(got), ct)
			}
		case http.StatusBadRequest:
			if ct != "application/problem+json" || json.Unmarshal(got, &problem) != nil {
				t.Fatalf("%s %q: 400 as %q: %s", op, body, ct, got)
			}
		default:
			t.Fatalf("%s %q: status %d: %s", op, body, status, got)
		}

		if !decodable {
			if status != http.StatusBadRequest || problem.Type != server.ProblemTypeBase+"malformed-request" {
				t.Fatalf("%s %q: encoding/json cannot decode it (or the contract requires a body), but the answer is %d %s: %s", op, body, status, problem.Type, got)
			}
			for _, internal := range []string{"json:", "openapi.", "Go value", "unmarshal", "reflect", "struct"} {
				if strings.Contains(problem.Detail, internal) {
					t.Fatalf("%s %q: the detail shows the decoder's internals: %q", op, body, problem.Detail)
				}
			}
			if received != nil {
				t.Fatalf("%s %q: the connector was called with a body that cannot be decoded: %s", op, body, received)
			}
			return
		}
		if status == http.StatusBadRequest && problem.Type == server.ProblemTypeBase+"malformed-request" {
			t.Fatalf("%s %q: 400 malformed for a body encoding/json decodes: %s", op, body, got)
		}
		if received == nil {
			t.Fatalf("%s %q: answered %d without calling the connector", op, body, status)
		}
		stripSuperOfficeKeys(want)
		if w := encode(t, want); !bytes.Equal(received, w) {
			t.Fatalf("%s %q: the connector got\n%s\nencoding/json decodes\n%s", op, body, received, w)
		}
	})
}

// stripSuperOfficeKeys removes SuperOffice's own keys from the ConfigValues of the request
// v points to, as the server does before the connector sees them.
func stripSuperOfficeKeys(v any) {
	f := reflect.ValueOf(v).Elem().FieldByName("ConfigValues")
	if f.IsValid() && !f.IsNil() {
		f.Set(reflect.ValueOf(connector.StripSuperOfficeKeys(f.Interface().(map[string]string))))
	}
}
