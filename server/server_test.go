package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"

	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fakeAuth accepts "Bearer good" for tenant Cust12345; tests replace its functions to
// script other outcomes. It stands in for server/auth, which has its own tests.
type fakeAuth struct {
	authenticate func(*http.Request) (connector.Tenant, error)
	token        func(*http.Request) (*model.AccessTokenResponse, error)
}

var tenant = connector.Tenant{ID: "Cust12345", Environment: connector.EnvironmentTest}

func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	switch {
	case h == "":
		return "", auth.ErrNoCredential
	case !strings.HasPrefix(h, "Bearer ") || len(h) == len("Bearer "):
		return "", auth.ErrMalformed
	}
	return strings.TrimPrefix(h, "Bearer "), nil
}

func (f *fakeAuth) Authenticate(r *http.Request) (connector.Tenant, error) {
	if f.authenticate != nil {
		return f.authenticate(r)
	}
	tok, err := bearer(r)
	if err != nil {
		return connector.Tenant{}, err
	}
	if tok != "good" {
		return connector.Tenant{}, auth.ErrInvalidCredential
	}
	return tenant, nil
}

func (f *fakeAuth) Token(r *http.Request) (*model.AccessTokenResponse, error) {
	if f.token != nil {
		return f.token(r)
	}
	return &model.AccessTokenResponse{AccessToken: "qk_at_example", TokenType: "Bearer", ExpiresIn: 3600, IssuedAt: 1795000000}, nil
}

func (f *fakeAuth) ClientCredentials(r *http.Request) (*model.AccessTokenResponse, error) {
	return f.Token(r)
}

// AuthenticateSecret accepts the secret "good" for the test tenant.
func (f *fakeAuth) AuthenticateSecret(_ *http.Request, tenantID, secret string) (connector.Tenant, error) {
	switch {
	case secret == "":
		return connector.Tenant{}, auth.ErrNoCredential
	case secret != "good" || tenantID != tenant.ID:
		return connector.Tenant{}, auth.ErrInvalidCredential
	}
	return tenant, nil
}

// Handshake succeeds for the token "good".
func (f *fakeAuth) Handshake(_ *http.Request, signedToken string) auth.HandshakeResult {
	if signedToken != "good" {
		return auth.HandshakeResult{Reason: auth.HandshakeFailed}
	}
	return auth.HandshakeResult{Succeeded: true, SignedApplicationToken: "nonce.202612051000.c2lnbmF0dXJl"}
}

// start serves conn on 127.0.0.1 over real HTTP and returns its base URL.
func start(t testing.TB, conn connector.Connector, authn server.Authenticator, opts ...server.Option) string {
	t.Helper()
	h, err := server.New(conn, authn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func withGoodToken(_ context.Context, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer good")
	return nil
}

// client posts to a test server's operations with the good access token.
type client struct{ base string }

func newClient(t testing.TB, base string) *client {
	t.Helper()
	return &client{base: base}
}

type rawCall func(ctx context.Context, contentType string, body io.Reader) (*http.Response, error)

// post returns the raw call of the operation op.
func (c *client) post(op string) rawCall {
	return func(ctx context.Context, contentType string, body io.Reader) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+op, body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", contentType)
		if err := withGoodToken(ctx, req); err != nil {
			return nil, err
		}
		return http.DefaultClient.Do(req)
	}
}

// calls lists every REST operation of the table (every row but the SOAP-only ones) with
// its raw call.
func calls(c *client) map[string]rawCall {
	m := make(map[string]rawCall, len(connector.Operations()))
	for _, op := range connector.Operations() {
		if !op.SOAPOnly {
			m[op.Name] = c.post(op.Name)
		}
	}
	return m
}

// configValues is what NetServer sends: its own keys first, then the partner's fields.
var configValues = map[string]string{
	"ApplicationId":     "app-4711",
	"QuoteConnectorUrl": "https://erp.example.com/quote",
	"SharedSecret":      "qk_sk_test_this-must-never-reach-a-connector",
	"erp-url":           "https://erp.example.com",
	"erp-company":       "[I:1]",
}

var connectionInfo = map[string]any{
	"CRMConnectionId": 2, "ERPClientName": "Example ERP", "ERPClientKey": "ex-erp",
	"DisplayName": `US:"Example ERP";NO:"Eksempel-ERP"`, "DisplayDescription": nil,
}

// contexts returns the alternative context of testdata/requests/context.json and the
// version context NetServer builds from the same data.
func contexts(t testing.TB) (alt, version map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "requests", "context.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &alt); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &version); err != nil {
		t.Fatal(err)
	}
	version["CRMAlternativesWithLines"] = []any{version["CRMAlternativeWithLines"]}
	delete(version, "CRMAlternativeWithLines")
	return alt, version
}

// requests builds a realistic request body for every operation.
func requests(t testing.TB) map[string]map[string]any {
	alt, version := contexts(t)
	line := alt["CRMAlternativeWithLines"].(map[string]any)["CRMQuoteLines"].([]any)[0]
	args := map[string]map[string]any{
		"GetConfigurationFields":         {},
		"TestConnection":                 {"ConnectionData": connectionInfo},
		"GetCapabilities":                {},
		"GetQuoteList":                   {"QuoteListType": "paymentterms"},
		"GetActivePriceLists":            {"IsoCurrencyCode": "nok"},
		"GetAllPriceLists":               {"IsoCurrencyCode": "NOK"},
		"FindProduct":                    {"Context": alt, "CurrencyCode": "NOK", "UserInput": "compressor", "PriceListKey": "NOK-2026"},
		"GetProduct":                     {"Context": alt, "ErpProductKey": "CMP-200"},
		"GetProducts":                    {"Context": alt, "ErpProductKeys": []string{"CMP-200", "HSE-10"}},
		"GetQuoteLinesFromProduct":       {"Context": alt, "ErpProductKey": "HSE-10"},
		"GetNumberOfProductImages":       {"ErpProductKey": "CMP-200"},
		"GetProductImage":                {"ErpProductKey": "CMP-200", "Rank": 1},
		"GetSearchableFields":            {},
		"GetSearchResults":               {"Restrictions": []any{map[string]any{"FieldKey": "name", "Operator": "begins", "Values": []string{"air"}, "ScalarValue": nil}}},
		"GetAddresses":                   {"Context": alt},
		"OnBeforeCreateQuote":            {"Context": alt},
		"OnBeforeCreateQuoteVersion":     {"QuoteContext": version},
		"OnBeforeCreateQuoteAlternative": {"Context": alt},
		"OnAfterSaveQuote":               {"Context": alt},
		"OnBeforeDeleteQuote":            {"Quote": alt["CRMQuote"], "Sale": alt["CRMSale"], "Contact": alt["CRMCompany"]},
		"OnAfterSentQuoteVersion":        {"QuoteContext": version},
		"OnQuoteLineChanged":             {"Context": alt, "ChangedFields": []string{"Quantity"}, "QuoteLine": line},
		"RecalculateQuoteAlternative":    {"Context": alt},
		"ValidateQuoteVersion":           {"QuoteContext": version, "Action": 2},
		"UpdateQuoteVersionPrices":       {"QuoteContext": version, "WriteableFields": []string{"unitlistprice", "unitcost"}},
		"PlaceOrder":                     {"Context": alt},
		"GetOrderState":                  {"Context": alt},
	}
	for _, body := range args {
		body["ConfigValues"] = configValues
		body["ConnectionInfo"] = connectionInfo
		body["AddedInALaterNetServer"] = map[string]any{"Flag": true, "List": []int{1, 2}}
	}
	return args
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func send(t testing.TB, call rawCall, body []byte) (int, http.Header, []byte) {
	t.Helper()
	resp, err := call(context.Background(), "application/json", bytes.NewReader(body))
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

// golden compares the answer byte for byte with testdata/golden/responses/<name>.http: a
// Content-Type line (absent when the answer has none), an empty line, then the body
// exactly as the server wrote it, trailing newline included.
func golden(t *testing.T, name string, header http.Header, body []byte) {
	t.Helper()
	var got bytes.Buffer
	if ct := header.Values("Content-Type"); len(ct) > 0 {
		fmt.Fprintf(&got, "Content-Type: %s\n", strings.Join(ct, ", "))
	}
	got.WriteString("\n")
	got.Write(body)
	path := filepath.Join("..", "testdata", "golden", "responses", name+".http")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./server -run TestEveryOperation -update to create it)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%s differs from %s\n got: %q\nwant: %q", name, path, got.Bytes(), want)
	}
}

// asJSON re-encodes a decoded request so checks can look at it member by member.
func asJSON(t testing.TB, v any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(encode(t, v), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEveryOperation(t *testing.T) {
	conn := &shop{}
	client := newClient(t, start(t, conn, &fakeAuth{}))
	ops := calls(client)
	if len(ops) != 27 {
		t.Fatalf("%d operations in the table, want 27", len(ops))
	}
	reqs := requests(t)
	for op, call := range ops {
		t.Run(op, func(t *testing.T) {
			status, header, body := send(t, call, encode(t, reqs[op]))
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			if len(body) > 0 && header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", header.Get("Content-Type"))
			}
			golden(t, op, header, body)
			conforms(t, op, status, header, body)

			seen := asJSON(t, conn.lastRequest())
			cv, _ := seen["ConfigValues"].(map[string]any)
			for _, key := range []string{"ApplicationId", "QuoteConnectorUrl", "SharedSecret"} {
				if _, ok := cv[key]; ok {
					t.Errorf("connector saw SuperOffice's %s in ConfigValues", key)
				}
			}
			if cv["erp-url"] != "https://erp.example.com" || cv["erp-company"] != "[I:1]" {
				t.Errorf("partner config values lost: %v", cv)
			}
			if ci, _ := seen["ConnectionInfo"].(map[string]any); ci["CRMConnectionId"] != 2.0 {
				t.Errorf("ConnectionInfo not decoded: %v", seen["ConnectionInfo"])
			}
			ctx, _ := seen["Context"].(map[string]any)
			if ctx == nil {
				ctx, _ = seen["QuoteContext"].(map[string]any)
			}
			if ctx != nil {
				version := ctx["CRMQuoteVersion"].(map[string]any)
				if version["Updated"] != "2026-11-20T14:03:51.0877887+01:00" || version["SentDate"] != "0001-01-01T00:00:00" {
					t.Errorf("dates not kept: Updated %v, SentDate %v", version["Updated"], version["SentDate"])
				}
				if project, ok := ctx["CRMProject"]; !ok || project != nil {
					t.Errorf("null CRMProject decoded as %v (present %v)", project, ok)
				}
				if ctx["CRMAssociate"].(map[string]any)["Ticket"] == nil {
					t.Error("the user's ticket was not decoded")
				}
				custom, _ := ctx["CRMAssociate"].(map[string]any)["CustomFields"].(map[string]any)
				if v, ok := custom["SuperOffice:1"]; !ok || v != "" || custom["x_region"] != "[I:3]" {
					t.Errorf("custom fields with a null value decoded as %v", custom)
				}
			}
		})
	}
}

func TestRequestsWithoutEnvelope(t *testing.T) {
	conn := &shop{}
	ops := calls(newClient(t, start(t, conn, &fakeAuth{})))
	for op, body := range requests(t) {
		t.Run(op, func(t *testing.T) {
			delete(body, "ConfigValues")
			delete(body, "ConnectionInfo")
			status, _, got := send(t, ops[op], encode(t, body))
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, got)
			}
			if _, ok := asJSON(t, conn.lastRequest())["ConfigValues"]; ok {
				t.Error("ConfigValues appeared from nowhere")
			}
		})
	}
}

func TestRequestsWithNulls(t *testing.T) {
	conn := &shop{}
	ops := calls(newClient(t, start(t, conn, &fakeAuth{})))
	for op, body := range requests(t) {
		t.Run(op, func(t *testing.T) {
			nulls := deepNull(body).(map[string]any)
			conn.last = nil
			status, _, got := send(t, ops[op], encode(t, nulls))
			if conn.lastRequest() == nil {
				t.Fatalf("the request did not reach the connector: %d %s", status, got)
			}
			if status != http.StatusOK && status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", status, got)
			}
			if status == http.StatusBadRequest && !bytes.Contains(got, []byte("invalid-input")) {
				t.Errorf("400 that is not the connector's own: %s", got)
			}
		})
	}
}

// deepNull keeps the shape of v but turns every string, array and nested object leaf
// into null, one level at a time: objects stay objects (so nested members are nulled
// too) except where a whole member is an array or string.
func deepNull(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepNull(e)
		}
		return out
	case []any, []string, string:
		return nil
	default:
		return v
	}
}

func TestDotNetDateForms(t *testing.T) {
	conn := &shop{}
	call := calls(newClient(t, start(t, conn, &fakeAuth{})))["ValidateQuoteVersion"]
	forms := []string{
		"0001-01-01T00:00:00",
		"2022-06-16T00:00:00+02:00",
		"2022-06-16T16:21:12.0877887+02:00",
		"2022-06-16T16:21:12.087Z",
		"2022-07-15T08:30:00",
		"9999-12-31T23:59:59.9999999",
	}
	for _, form := range forms {
		t.Run(form, func(t *testing.T) {
			body := requests(t)["ValidateQuoteVersion"]
			version := body["QuoteContext"].(map[string]any)["CRMQuoteVersion"].(map[string]any)
			for _, field := range []string{"SentDate", "ExpirationDate", "ApprovedRegisteredDate", "Updated"} {
				version[field] = form
			}
			status, _, got := send(t, call, encode(t, body))
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, got)
			}
			var res connector.QuoteResponseInfo
			if err := json.Unmarshal(got, &res); err != nil {
				t.Fatal(err)
			}
			answered := asJSON(t, res.CRMQuoteVersion)
			for _, field := range []string{"SentDate", "ExpirationDate", "ApprovedRegisteredDate", "Updated"} {
				if answered[field] != form {
					t.Errorf("%s came back as %v", field, answered[field])
				}
			}
		})
	}
	t.Run("not a date", func(t *testing.T) {
		body := requests(t)["ValidateQuoteVersion"]
		body["QuoteContext"].(map[string]any)["CRMQuoteVersion"].(map[string]any)["Updated"] = "yesterday"
		status, _, got := send(t, call, encode(t, body))
		if status != http.StatusBadRequest || !bytes.Contains(got, []byte("malformed-request")) {
			t.Errorf("status %d: %s", status, got)
		}
	})
}

// problemOf decodes a problem document and checks the members every one must have.
func problemOf(t *testing.T, status int, header http.Header, body []byte) map[string]any {
	t.Helper()
	if ct := header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body is not JSON: %s", body)
	}
	if p["status"] != float64(status) || p["title"] == "" || !strings.HasPrefix(fmt.Sprint(p["type"]), server.ProblemTypeBase) {
		t.Errorf("incomplete problem: %s", body)
	}
	if id := header.Get("X-Request-Id"); id == "" || p["request_id"] != id {
		t.Errorf("request_id %v, header %q", p["request_id"], id)
	}
	return p
}

func TestUnsupportedOperations(t *testing.T) {
	ops := calls(newClient(t, start(t, connector.Unsupported{}, &fakeAuth{})))
	reqs := requests(t)
	for op, call := range ops {
		t.Run(op, func(t *testing.T) {
			status, header, body := send(t, call, encode(t, reqs[op]))
			if op == "GetCapabilities" {
				var caps map[string]bool
				if status != http.StatusOK || json.Unmarshal(body, &caps) != nil {
					t.Fatalf("status %d: %s", status, body)
				}
				for name, on := range caps {
					if on {
						t.Errorf("%s claimed by a connector that implements nothing", name)
					}
				}
				return
			}
			if status != http.StatusNotFound {
				t.Fatalf("status %d, want 404: %s", status, body)
			}
			if p := problemOf(t, status, header, body); p["type"] != server.ProblemTypeBase+"not-supported" {
				t.Errorf("type %v", p["type"])
			}
			conforms(t, op, status, header, body)
		})
	}
}

func TestConnectorFaultsHideInternals(t *testing.T) {
	fault := errors.New("dial tcp 10.1.2.3:1433: login failed for user 'sa' (password hunter2)")
	ops := calls(newClient(t, start(t, &shop{err: fault}, &fakeAuth{})))
	reqs := requests(t)
	for op, call := range ops {
		t.Run(op, func(t *testing.T) {
			status, header, body := send(t, call, encode(t, reqs[op]))
			if status != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500: %s", status, body)
			}
			problemOf(t, status, header, body)
			conforms(t, op, status, header, body)
			for _, leak := range []string{"hunter2", "10.1.2.3", "login failed", op + ":"} {
				if bytes.Contains(body, []byte(leak)) {
					t.Errorf("body reveals %q: %s", leak, body)
				}
			}
		})
	}
}

func TestBusinessProblemIsOK(t *testing.T) {
	call := calls(newClient(t, start(t, &shop{}, &fakeAuth{})))["TestConnection"]
	status, _, body := send(t, call, []byte(`{"ConfigValues":{"erp-url":""}}`))
	var res connector.PluginResponseInfo
	if status != http.StatusOK || json.Unmarshal(body, &res) != nil {
		t.Fatalf("status %d: %s", status, body)
	}
	if res.IsOk || res.State != connector.ResponseStateError || !strings.Contains(res.UserExplanation, `NO:"ERP-adressen mangler"`) {
		t.Errorf("got %+v", res)
	}
}

func TestUnknownProductIsNotNotFound(t *testing.T) {
	call := calls(newClient(t, start(t, &shop{}, &fakeAuth{})))["GetProduct"]
	status, header, body := send(t, call, []byte(`{"ErpProductKey":"NOPE-1"}`))
	if status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", status, body)
	}
	if p := problemOf(t, status, header, body); p["detail"] != `unknown product key "NOPE-1"` {
		t.Errorf("detail %v", p["detail"])
	}
}

func TestNullResults(t *testing.T) {
	ops := calls(newClient(t, start(t, &shop{}, &fakeAuth{})))
	cases := []struct{ op, body string }{
		{"OnQuoteLineChanged", `{"ChangedFields":["Quantity"]}`},
		{"RecalculateQuoteAlternative", `{}`},
		{"ValidateQuoteVersion", `{"Action":1}`},
		{"UpdateQuoteVersionPrices", `{}`},
		{"GetOrderState", `{}`},
		{"GetProductImage", `{"ErpProductKey":"CMP-200","Rank":2}`},
		{"FindProduct", `{"UserInput":""}`},
		{"GetQuoteList", `{"QuoteListType":"Unknown"}`},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			status, header, body := send(t, ops[c.op], []byte(c.body))
			if status != http.StatusOK || string(bytes.TrimSpace(body)) != "null" {
				t.Fatalf("status %d, body %q, want 200 null", status, body)
			}
			conforms(t, c.op, status, header, body)
		})
	}
}
