package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/quotekit/quotekit/server"
)

// BenchmarkServe measures one realistic operation in-process: RecalculateQuoteAlternative
// with the full context NetServer sends, through routing, authentication, decoding, the
// connector and encoding.
func BenchmarkServe(b *testing.B) {
	h, err := server.New(&shop{}, &fakeAuth{})
	if err != nil {
		b.Fatal(err)
	}
	body := encode(b, requests(b)["RecalculateQuoteAlternative"])
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/RecalculateQuoteAlternative", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer good")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
