package soap

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

// getProductRequest is a GetProduct request with a full context, as NetServer sends it.
func getProductRequest(b *testing.B) (*connector.GetProductRequest, Header) {
	h := sampleHeader()
	return &connector.GetProductRequest{
		ConfigValues:   map[string]string{"ApplicationId": "7c1a9e2b", "ErpBaseUrl": "https://erp.example.no/api", "ApiKey": "s3cr3t"},
		ConnectionInfo: h.ConnectionData, Context: sampleContext(b), ErpProductKey: "P-1001",
	}, h
}

func sampleProduct() *connector.ProductInfo {
	return &connector.ProductInfo{ERPProductKey: "P-1001", Name: "Widget Pro", Description: "A widget & more", Code: "WP",
		QuantityUnit: "pcs", PriceUnit: "NOK", ItemNumber: "IT-1", Url: "https://erp.example.no/p/1", VATInfo: "25%", VAT: 25,
		UnitCost: 800.5, UnitMinimumPrice: 900, UnitListPrice: 1499, ERPPriceListKey: "PL-1", InAssortment: true, InStock: 12,
		ExtraInfo: []connector.ProductExtraDataFieldInfo{{Name: "Colour", Value: "red"}}}
}

// BenchmarkReadGetProduct decodes a GetProduct request with a full context.
func BenchmarkReadGetProduct(b *testing.B) {
	req, h := getProductRequest(b)
	var buf bytes.Buffer
	act, err := WriteCall(&buf, connector.MustLookup("GetProduct"), h, req)
	if err != nil {
		b.Fatal(err)
	}
	body := buf.Bytes()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(body, act); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteProduct encodes the GetProduct answer.
func BenchmarkWriteProduct(b *testing.B) {
	op := connector.MustLookup("GetProduct")
	p := sampleProduct()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteResult(io.Discard, op, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoundTripGetProduct is one SOAP GetProduct: decode the request, encode the answer.
func BenchmarkRoundTripGetProduct(b *testing.B) {
	req, h := getProductRequest(b)
	var buf bytes.Buffer
	act, _ := WriteCall(&buf, connector.MustLookup("GetProduct"), h, req)
	body := buf.Bytes()
	op := connector.MustLookup("GetProduct")
	p := sampleProduct()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(body, act); err != nil {
			b.Fatal(err)
		}
		if err := WriteResult(io.Discard, op, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONRoundTripGetProduct is the same exchange over REST with encoding/json: the
// baseline the SOAP codec is measured against.
func BenchmarkJSONRoundTripGetProduct(b *testing.B) {
	req, _ := getProductRequest(b)
	body, err := json.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	p := sampleProduct()
	b.ReportAllocs()
	for b.Loop() {
		var r connector.GetProductRequest
		if err := json.Unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
		if err := json.NewEncoder(io.Discard).Encode(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONReadGetProduct decodes the same request as JSON.
func BenchmarkJSONReadGetProduct(b *testing.B) {
	req, _ := getProductRequest(b)
	body, _ := json.Marshal(req)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var r connector.GetProductRequest
		if err := json.Unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONWriteProduct encodes the same answer as JSON.
func BenchmarkJSONWriteProduct(b *testing.B) {
	p := sampleProduct()
	b.ReportAllocs()
	for b.Loop() {
		if err := json.NewEncoder(io.Discard).Encode(p); err != nil {
			b.Fatal(err)
		}
	}
}
