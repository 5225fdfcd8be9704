package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// baselineBodies are the GetProduct requests of the load benchmark: the 4.6 kB one built
// on testdata/requests/context.json, as scripts/bench-load.sh and the shared-secret
// sample's BenchmarkSampleOperation build it, and the 10.7 kB one of testdata/requests.
func baselineBodies(tb testing.TB) map[string][]byte {
	tb.Helper()
	ctx, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "requests", "context.json"))
	if err != nil {
		tb.Fatal(err)
	}
	full, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "requests", "getproduct-full.json"))
	if err != nil {
		tb.Fatal(err)
	}
	return map[string][]byte{
		"context": []byte(`{"Context":` + string(ctx) + `,"ErpProductKey":"CP-32-GG@NOK-STD",` +
			`"ConfigValues":{"ApplicationId":"quotekit-demo","QuoteConnectorUrl":"https://erp.example.com/quote","SharedSecret":"qk_sk_test_x","company":"[I:1]"},` +
			`"ConnectionInfo":{"CRMConnectionId":2,"ERPClientName":"Example ERP","ERPClientKey":"ex-erp"}}`),
		"full": full,
	}
}

// post serves one request in-process and fails unless it answers 200 with a body.
func post(tb testing.TB, h http.Handler, path string, body []byte) {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
		tb.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
	}
}

// TestBaselineAnswers checks that both routes decode both requests and answer the
// captured reply, and that a body that is not JSON is refused.
func TestBaselineAnswers(t *testing.T) {
	docs, err := loadReplies("testdata")
	if err != nil {
		t.Fatal(err)
	}
	h := newServer(docs, nil)
	for _, body := range baselineBodies(t) {
		post(t, h, "/json/GetProduct", body)
		post(t, h, "/any/GetProduct", body)
	}
	for _, path := range []string{"/json/GetProduct", "/any/GetProduct"} {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader([]byte(`{"Context":`)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s with a truncated body: status %d, want 400", path, rec.Code)
		}
	}
}

// BenchmarkBaseline is the load benchmark's baseline in-process, with the harness of the
// shared-secret sample's BenchmarkSampleOperation (httptest request and recorder): the
// 4.6 kB ("context") and 10.7 kB ("full") GetProduct decoded into the generated type
// (json) or into an any (any), and the captured reply encoded. Compared with
// BenchmarkSampleOperation/GetProduct it gives the load benchmark's ratio without the
// network, wrk, or other work on the machine's other core.
func BenchmarkBaseline(b *testing.B) {
	docs, err := loadReplies("testdata")
	if err != nil {
		b.Fatal(err)
	}
	h := newServer(docs, nil)
	bodies := baselineBodies(b)
	for _, size := range []string{"context", "full"} {
		for _, route := range []string{"json", "any"} {
			body := bodies[size]
			b.Run("GetProduct/"+size+"/"+route, func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					post(b, h, "/"+route+"/GetProduct", body)
				}
			})
		}
	}
}
