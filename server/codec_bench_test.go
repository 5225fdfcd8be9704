package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server/auth"
)

// benchLines is the size of the largest carriers the benchmarks use: a quote version
// with 200 lines, far more than a typical quote and a fair worst case.
const benchLines = 200

// largeVersionBody is ValidateQuoteVersion's request as NetServer sends it for a quote
// version whose one alternative has n fully filled lines: the context of
// testdata/requests/context.json, ConfigValues and ConnectionInfo.
func largeVersionBody(b *testing.B, n int) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "requests", "context.json"))
	if err != nil {
		b.Fatal(err)
	}
	var version map[string]any
	if err := json.Unmarshal(raw, &version); err != nil {
		b.Fatal(err)
	}
	alt := version["CRMAlternativeWithLines"].(map[string]any)
	delete(version, "CRMAlternativeWithLines")
	lines := make([]model.QuoteLineInfo, n)
	for i := range lines {
		lines[i] = benchLine(i)
	}
	alt["CRMQuoteLines"] = lines
	version["CRMAlternativesWithLines"] = []any{alt}
	body, err := json.Marshal(map[string]any{
		"QuoteContext": version, "Action": 2,
		"ConfigValues": map[string]string{
			"ApplicationId": "app-4711", "QuoteConnectorUrl": "https://erp.example.com/quote",
			"SharedSecret": "qk_sk_test_not-a-real-secret", "erp-company": "[I:1]",
		},
		"ConnectionInfo": map[string]any{"CRMConnectionId": 2, "ERPClientName": "Example ERP", "ERPClientKey": "ex-erp"},
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// benchLine is a quote line with the members an ERP fills in.
func benchLine(i int) model.QuoteLineInfo {
	code := fmt.Sprintf("CP-%03d-SS", i)
	return model.QuoteLineInfo{
		QuoteLineId: int32(1000 + i), QuoteAlternativeId: 501, ERPQuoteLineKey: fmt.Sprintf("QL-%d", 1000+i),
		ERPProductKey: code + "@NOK-STD", Code: code, Name: "Centrifugal pump CP 32-125 stainless",
		Description: "End-suction centrifugal pump, DN32, 1.1 kW, stainless-steel casing (AISI 316)",
		ItemNumber:  fmt.Sprintf("1.1.%d", i), ProductCategoryKey: "PUMP", ProductFamilyKey: "CP", ProductTypeKey: "GOODS",
		QuantityUnit: "pcs", PriceUnit: "pcs", Supplier: "Vestland Pumpeteknikk AS", SupplierCode: "VPA-74937",
		SubscriptionStart: model.NewDateTime(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)),
		VAT:               25, VATInfo: "25 %", UnitCost: 15680, UnitMinimumPrice: 20384, UnitListPrice: 25480,
		Quantity: float64(1 + i%7), ERPDiscountPercent: 5, DiscountPercent: 7.5, DiscountAmount: 1911,
		SubTotal: 23569, TotalPrice: 23569 * float64(1+i%7), EarningAmount: 7889, EarningPercent: 33.47,
		ExtraInfo: []model.ProductExtraDataFieldInfo{
			{Name: "Weight", Value: "28 kg"}, {Name: "Warranty", Value: "24 months"},
		},
		Rank: int32(i + 1),
	}
}

// BenchmarkDecode is the request binder on the largest carrier and on GetProduct as
// NetServer sends it (4.6 kB and 10.7 kB): one JSON value read and decoded into the
// generated request type, SuperOffice's ConfigValues stripped.
func BenchmarkDecode(b *testing.B) {
	body := largeVersionBody(b, benchLines)
	e := echo.New()
	b.Run(fmt.Sprintf("ValidateQuoteVersion/%d_lines", benchLines), func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/ValidateQuoteVersion", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			var v model.ValidateQuoteVersionJSONRequestBody
			if err := (jsonBinder{}).Bind(&v, e.NewContext(req, nil)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, size := range []struct{ name, file string }{
		{"context", ""}, {"full", "getproduct-full.json"},
	} {
		body := getProductBody(b, size.file)
		b.Run("GetProduct/"+size.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/GetProduct", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				var v model.GetProductJSONRequestBody
				if err := (jsonBinder{}).Bind(&v, e.NewContext(req, nil)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// getProductBody is a GetProduct request as NetServer sends it: with file "", the 4.6 kB
// request the load benchmark sends (testdata/requests/context.json with the product
// key, ConfigValues and ConnectionInfo); otherwise the request in testdata/requests/file.
func getProductBody(b *testing.B, file string) []byte {
	b.Helper()
	if file != "" {
		body, err := os.ReadFile(filepath.Join("..", "testdata", "requests", file))
		if err != nil {
			b.Fatal(err)
		}
		return body
	}
	ctx, err := os.ReadFile(filepath.Join("..", "testdata", "requests", "context.json"))
	if err != nil {
		b.Fatal(err)
	}
	return []byte(`{"Context":` + string(ctx) + `,"ErpProductKey":"CP-32-GG@NOK-STD",` +
		`"ConfigValues":{"ApplicationId":"quotekit-demo","QuoteConnectorUrl":"https://erp.example.com/quote","SharedSecret":"qk_sk_test_x","company":"[I:1]"},` +
		`"ConnectionInfo":{"CRMConnectionId":2,"ERPClientName":"Example ERP","ERPClientKey":"ex-erp","DisplayName":"US:\"Example ERP\"","DisplayDescription":null}}`)
}

// BenchmarkEncode is the answer of the largest carrier written to the response as the
// operations write it: a validation result carrying the version's alternative with all
// its lines.
func BenchmarkEncode(b *testing.B) {
	var req model.ValidateQuoteVersionJSONRequestBody
	if err := json.Unmarshal(largeVersionBody(b, benchLines), &req); err != nil {
		b.Fatal(err)
	}
	res := &connector.QuoteResponseInfo{
		IsOk: true, CRMQuoteVersion: req.QuoteContext.CRMQuoteVersion,
		CRMAlternativesWithLines: req.QuoteContext.CRMAlternativesWithLines,
	}
	b.Run(fmt.Sprintf("QuoteResponseInfo/%d_lines", benchLines), func(b *testing.B) {
		b.ReportAllocs()
		var n int64
		for b.Loop() {
			rec := httptest.NewRecorder()
			if err := writeJSON(rec, res); err != nil {
				b.Fatal(err)
			}
			n = int64(rec.Body.Len())
		}
		b.SetBytes(n)
	})
}

// lineChecker is a connector whose ValidateQuoteVersion answers with every line of the
// version, as a validator that sets each line's Status does.
type lineChecker struct{ connector.Unsupported }

func (lineChecker) ValidateQuoteVersion(_ context.Context, req *connector.ValidateQuoteVersionRequest) (*connector.QuoteResponseInfo, error) {
	return &connector.QuoteResponseInfo{IsOk: true, CRMQuoteVersion: req.QuoteContext.CRMQuoteVersion,
		CRMAlternativesWithLines: req.QuoteContext.CRMAlternativesWithLines}, nil
}

// acceptAll authenticates every request as one tenant; the token check has benchmarks of
// its own in server/auth.
type acceptAll struct{}

func (acceptAll) Authenticate(*http.Request) (connector.Tenant, error) {
	return connector.Tenant{ID: "Cust12345", Environment: connector.EnvironmentTest}, nil
}
func (acceptAll) Token(*http.Request) (*model.AccessTokenResponse, error) { return nil, nil }
func (acceptAll) ClientCredentials(*http.Request) (*model.AccessTokenResponse, error) {
	return nil, nil
}
func (acceptAll) AuthenticateSecret(*http.Request, string, string) (connector.Tenant, error) {
	return connector.Tenant{ID: "Cust12345", Environment: connector.EnvironmentTest}, nil
}
func (acceptAll) Handshake(*http.Request, string) auth.HandshakeResult { return auth.HandshakeResult{} }

// BenchmarkServeLargeVersion is ValidateQuoteVersion of a 200-line version through the
// whole handler: routing, request id, the request log and metrics, decoding, the
// connector call with its deadline, and encoding the 200 lines back.
func BenchmarkServeLargeVersion(b *testing.B) {
	body := largeVersionBody(b, benchLines)
	h, err := New(lineChecker{}, acceptAll{}, WithMetrics(NewMetrics()))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/ValidateQuoteVersion", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
