package demoerp_test

import (
	"testing"

	"github.com/quotekit/quotekit/connector"
)

// BenchmarkFindProduct is a search as a user types it in the add-product dialog: two
// words, in the sale's currency.
func BenchmarkFindProduct(b *testing.B) {
	erp, _ := open(b)
	req := &connector.FindProductRequest{UserInput: "hex bolt", CurrencyCode: "NOK"}
	b.ReportAllocs()
	for b.Loop() {
		hits, err := erp.FindProduct(bg, req)
		if err != nil || len(hits) == 0 {
			b.Fatal(hits, err)
		}
	}
}

// BenchmarkOnQuoteLineChanged is one field edit in the quote line dialog, which must be fast.
func BenchmarkOnQuoteLineChanged(b *testing.B) {
	erp, _ := open(b)
	lines, err := erp.GetQuoteLinesFromProduct(bg, &connector.GetQuoteLinesFromProductRequest{ErpProductKey: pump})
	if err != nil {
		b.Fatal(err)
	}
	req := &connector.OnQuoteLineChangedRequest{
		QuoteLine: &lines[0], ChangedFields: []string{"Quantity"},
		Context: &connector.QuoteAlternativeContextInfo{ERPCompanyKey: "C10002"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := erp.OnQuoteLineChanged(bg, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetProduct is one product looked up by its key, as the quote line dialog does
// for every line it shows.
func BenchmarkGetProduct(b *testing.B) {
	erp, _ := open(b)
	req := &connector.GetProductRequest{ErpProductKey: pump}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := erp.GetProduct(bg, req); err != nil {
			b.Fatal(err)
		}
	}
}
