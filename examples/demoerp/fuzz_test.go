package demoerp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/internal/servetest"
	"github.com/quotekit/quotekit/openapi"
)

// Ways FuzzAuthenticatedOperation presents itself; the fuzzer picks one.
const (
	credToken    = iota // the access token /Authenticate issued
	credAppended        // that token with the fuzzer's text appended
	credFlipped         // that token with one character replaced
	credHeader          // the fuzzer's text as the whole Authorization header
	credBasic           // Basic with the tenant and the fuzzer's text as the password
	credKinds
)

// FuzzAuthenticatedOperation calls the operations of the demo ERP behind the real server,
// store and authentication over loopback, with a credential and a body the fuzzer shapes.
// Whatever it sends:
//
//   - nothing but the access token the server issued (in a Bearer header) opens an
//     operation: any other credential is refused with a problem document, 400, 401 (with
//     a WWW-Authenticate challenge) or 429 (with Retry-After), never a 200;
//   - with the token, the answer is the operation's: a 200, or a 400 for a body the
//     server cannot read or a request the ERP refuses; never a 401, 403, 429 or 5xx;
//   - every answer is what the contract promises for its status and Content-Type header;
//   - no answer shows the shared secret or the access token.
func FuzzAuthenticatedOperation(f *testing.F) {
	erp, err := demoerp.Open(context.Background(), filepath.Join(f.TempDir(), "demoerp.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { erp.Close() })
	srv := servetest.Start(f, erp)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	f.Cleanup(client.CloseIdleConnections)

	status, body := post(f, client, srv.URL+"/Authenticate", "Bearer "+srv.Secret, "", nil)
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &issued) != nil || issued.AccessToken == "" {
		f.Fatalf("Authenticate: %d %s", status, body)
	}
	token := issued.AccessToken

	var ops []string
	for _, op := range connector.Operations() {
		if !op.SOAPOnly {
			ops = append(ops, op.Name)
		}
	}
	if len(ops) != 27 {
		f.Fatalf("%d REST operations, want 27", len(ops))
	}
	status, body = post(f, client, srv.URL+"/FindProduct", "Bearer "+token, "application/json", []byte(`{"UserInput":"drill","CurrencyCode":"NOK"}`))
	var found []connector.ProductInfo
	if status != http.StatusOK || json.Unmarshal(body, &found) != nil || len(found) == 0 {
		f.Fatalf("FindProduct: %d %s", status, body)
	}
	key := found[0].ERPProductKey
	ctx := `{"CRMQuote":{"QuoteId":301,"SaleId":7001,"QuoteConnectionId":1},"CRMQuoteVersion":{"QuoteVersionId":401,"QuoteId":301,"Rank":1},` +
		`"CRMSale":{"SaleId":7001,"Currency":"NOK"},"UserLanguageCode":"nb-NO","ERPCompanyKey":"C-501"}`
	seeds := map[string]string{
		"FindProduct":              `{"UserInput":"drill","CurrencyCode":"NOK","Context":` + ctx + `}`,
		"GetProduct":               fmt.Sprintf(`{"ErpProductKey":%q,"Context":%s}`, key, ctx),
		"GetProducts":              fmt.Sprintf(`{"ErpProductKeys":[%q,"no-such-product"]}`, key),
		"GetQuoteLinesFromProduct": fmt.Sprintf(`{"ErpProductKey":%q,"Context":%s}`, key, ctx),
		"GetProductImage":          fmt.Sprintf(`{"ErpProductKey":%q,"Rank":1}`, key),
		"GetNumberOfProductImages": fmt.Sprintf(`{"ErpProductKey":%q}`, key),
		"GetQuoteList":             `{"QuoteListType":"paymentterms"}`,
		"GetActivePriceLists":      `{"IsoCurrencyCode":"NOK"}`,
		"GetOrderState":            `{"Context":` + ctx + `}`,
		"TestConnection":           `{"ConfigValues":{"company":"[I:1]"}}`,
	}
	for i, op := range ops {
		for _, body := range []string{seeds[op], `{}`, ``} {
			for kind := range credKinds {
				f.Add(uint8(kind), "", uint8(i), []byte(body))
			}
		}
	}
	f.Add(uint8(credHeader), "Bearer "+strings.Repeat("a", 40), uint8(0), []byte(`{}`))
	f.Add(uint8(credHeader), "Basic "+servetest.TenantID+":x", uint8(0), []byte(`{}`))
	f.Add(uint8(credAppended), "x", uint8(0), []byte(`{}`))

	f.Fuzz(func(t *testing.T, kind uint8, text string, pick uint8, body []byte) {
		op := ops[int(pick)%len(ops)]
		authz := "Bearer " + token
		switch kind % credKinds {
		case credAppended:
			authz += text
		case credFlipped:
			if text == "" {
				break
			}
			i := len(token) - 1 - int(text[0])%len(token)
			if token[i] == text[len(text)-1] {
				break
			}
			authz = "Bearer " + token[:i] + text[len(text)-1:] + token[i+1:]
		case credHeader:
			authz = text
		case credBasic:
			authz = "Basic " + servetest.TenantID + ":" + text
		}
		if strings.ContainsFunc(authz, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return // not a header value a client can send
		}
		// The token, as the server reads the header: HTTP drops the white space around a
		// field value, and the scheme is case-insensitive.
		scheme, value, _ := strings.Cut(strings.Trim(authz, " \t"), " ")
		valid := strings.EqualFold(scheme, "Bearer") && value == token
		status, header, got := call(t, client, srv.URL+"/"+op, authz, body)
		ct := header.Get("Content-Type")

		for _, s := range []string{srv.Secret, token} {
			if bytes.Contains(got, []byte(s)) {
				t.Fatalf("%s: the answer shows a credential: %s", op, got)
			}
		}
		if err := openapi.ValidateResponse("/"+op, status, ct, got); err != nil {
			t.Fatalf("%s with %q: the answer %d %s is outside the contract: %v\n%s", op, authz, status, ct, err, got)
		}
		switch {
		case valid && (status == http.StatusOK || status == http.StatusBadRequest):
		case valid:
			t.Fatalf("%s %q with the issued token: status %d: %s", op, body, status, got)
		case status == http.StatusUnauthorized:
			if header.Get("WWW-Authenticate") == "" {
				t.Fatalf("%s with %q: 401 without a challenge", op, authz)
			}
		case status == http.StatusTooManyRequests:
			if header.Get("Retry-After") == "" {
				t.Fatalf("%s with %q: 429 without Retry-After", op, authz)
			}
		case status == http.StatusBadRequest:
		default:
			t.Fatalf("%s with %q, which is not the issued token: status %d: %s", op, authz, status, got)
		}
		if status != http.StatusOK && ct != "application/problem+json" {
			t.Fatalf("%s with %q: %d as %q: %s", op, authz, status, ct, got)
		}
	})
}

// call posts body to url with the Authorization header authz and reads the answer.
func call(t testing.TB, c *http.Client, url, authz string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", authz)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, got
}

// post is call with an optional body and Content-Type, for the setup.
func post(t testing.TB, c *http.Client, url, authz, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", authz)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, got
}
