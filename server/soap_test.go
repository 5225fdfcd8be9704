package server_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/internal/xmllint"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/soap"
	"github.com/quotekit/quotekit/tenancy"
)

// soapEnv serves a connector over real HTTP with the real authentication on a real
// SQLite store holding two tenants, each with a shared secret.
type soapEnv struct {
	t             *testing.T
	url           string
	store         *sqlite.Store
	secret, other string // Cust12345's and Cust200's secrets
	logs          *logBuffer
}

// logBuffer collects the server's log lines, safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newSOAPEnv(t *testing.T, conn connector.Connector, opts ...server.Option) *soapEnv {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "quotekit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	admin := tenancy.NewService(store)
	e := &soapEnv{t: t, store: store, logs: &logBuffer{}}
	for _, id := range []string{"Cust12345", "Cust200"} {
		if _, err := admin.AddTenant(ctx, tenancy.Tenant{ID: id, Name: id, Environment: connector.EnvironmentTest, Enabled: true}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if e.secret, _, err = admin.CreateSecret(ctx, "Cust12345", "test"); err != nil {
		t.Fatal(err)
	}
	if e.other, _, err = admin.CreateSecret(ctx, "Cust200", "test"); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	svc := auth.NewService(store, auth.WithLogger(logger))
	h, err := server.New(conn, svc, append([]server.Option{server.WithLogger(logger)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.url = srv.URL + server.DefaultSOAPPath
	return e
}

// header is what NetServer sends for tenant with secret in the connection's fields.
func header(tenantID, secret string) soap.Header {
	h := soap.Header{
		ConfigFields:      []soap.KeyValue{{Key: "ApplicationId", Value: "app-1"}, {Key: "erp-url", Value: "https://erp.example.com"}},
		ConnectionID:      3,
		ContextIdentifier: tenantID,
		SessionID:         "8d2f6c1e-3b7a-4e59-9a0c-5f1d2e3c4b6a",
		UserInfo:          &connector.UserInfo{AssociateId: 5, FullName: "Ola Nordmann", Email: "ola@example.no"},
	}
	if secret != "" {
		h.ConfigFields = append(h.ConfigFields, soap.KeyValue{Key: "SharedSecret", Value: secret})
	}
	return h
}

type soapAnswer struct {
	status int
	ctype  string
	body   []byte
}

// post sends a raw envelope.
func (e *soapEnv) post(action, contentType string, body []byte) soapAnswer {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("SOAPAction", action)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return soapAnswer{resp.StatusCode, resp.Header.Get("Content-Type"), b}
}

// call writes op's request as WCF does, posts it and reads the answer as strictly as WCF
// into res; every answer, fault or not, must validate against the served schema.
func (e *soapEnv) call(op string, h soap.Header, req, res any) (soapAnswer, error) {
	e.t.Helper()
	o := connector.MustLookup(op)
	var buf bytes.Buffer
	action, err := soap.WriteCall(&buf, o, h, req)
	if err != nil {
		e.t.Fatalf("%s: WriteCall: %v", op, err)
	}
	a := e.post(action, "text/xml; charset=utf-8", buf.Bytes())
	if a.ctype != "text/xml; charset=utf-8" {
		e.t.Errorf("%s: Content-Type %q", op, a.ctype)
	}
	if msg := xmllint.Validate(e.t, a.body); msg != "" {
		e.t.Errorf("%s: the answer does not validate against the served schema: %s\n%s", op, msg, a.body)
	}
	problems, err := soap.ReadResult(a.body, o, res)
	if len(problems) > 0 {
		e.t.Errorf("%s: WCF would drop members: %v", op, problems)
	}
	return a, err
}

// soapRequests are requests for every operation, with a quote context where one belongs.
func soapRequests() map[string]any {
	ctx := &connector.QuoteAlternativeContextInfo{
		CRMQuote:        &connector.QuoteInfo{QuoteId: 7, SaleId: 3},
		CRMQuoteVersion: &connector.QuoteVersionInfo{QuoteVersionId: 8, QuoteId: 7, Number: "1001"},
		CRMAlternativeWithLines: &connector.QuoteAlternativeWithLinesInfo{
			CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 9, Name: "A"},
			CRMQuoteLines:  []connector.QuoteLineInfo{{QuoteLineId: 1, QuantityUnit: "pcs", Quantity: 2}},
		},
		UserLanguageCode: "nb-NO",
	}
	version := &connector.QuoteVersionContextInfo{
		CRMQuote:                 ctx.CRMQuote,
		CRMQuoteVersion:          ctx.CRMQuoteVersion,
		CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*ctx.CRMAlternativeWithLines},
	}
	line := &connector.QuoteLineInfo{ERPProductKey: "CMP-200", Quantity: 3}
	return map[string]any{
		"GetQuoteList":                   &connector.GetQuoteListRequest{QuoteListType: "ProductCategory"},
		"GetActivePriceLists":            &connector.GetActivePriceListsRequest{IsoCurrencyCode: "NOK"},
		"GetAllPriceLists":               &connector.GetAllPriceListsRequest{IsoCurrencyCode: "NOK"},
		"GetNumberOfActivePriceLists":    &connector.GetNumberOfActivePriceListsRequest{IsoCurrencyCode: "NOK"},
		"CanProvideCapability":           &connector.CanProvideCapabilityRequest{CapabilityName: connector.CapPlaceOrder},
		"FindProduct":                    &connector.FindProductRequest{Context: ctx, CurrencyCode: "NOK", UserInput: "compressor"},
		"GetProduct":                     &connector.GetProductRequest{Context: ctx, ErpProductKey: "CMP-200"},
		"GetProducts":                    &connector.GetProductsRequest{Context: ctx, ErpProductKeys: []string{"CMP-200"}},
		"GetQuoteLinesFromProduct":       &connector.GetQuoteLinesFromProductRequest{Context: ctx, ErpProductKey: "CMP-200"},
		"GetNumberOfProductImages":       &connector.GetNumberOfProductImagesRequest{ErpProductKey: "CMP-200"},
		"GetProductImage":                &connector.GetProductImageRequest{ErpProductKey: "CMP-200", Rank: 1},
		"GetSearchResults":               &connector.GetSearchResultsRequest{Restrictions: []connector.SearchRestrictionInfo{{FieldKey: "Name", Operator: "contains", Values: []string{"bolt"}}}},
		"GetAddresses":                   &connector.GetAddressesRequest{Context: ctx},
		"OnBeforeCreateQuote":            &connector.OnBeforeCreateQuoteRequest{Context: ctx},
		"OnBeforeCreateQuoteVersion":     &connector.OnBeforeCreateQuoteVersionRequest{QuoteContext: version},
		"OnBeforeCreateQuoteAlternative": &connector.OnBeforeCreateQuoteAlternativeRequest{Context: ctx},
		"OnAfterSaveQuote":               &connector.OnAfterSaveQuoteRequest{Context: ctx},
		"OnBeforeDeleteQuote":            &connector.OnBeforeDeleteQuoteRequest{Quote: ctx.CRMQuote},
		"OnAfterSentQuoteVersion":        &connector.OnAfterSentQuoteVersionRequest{QuoteContext: version},
		"OnQuoteLineChanged":             &connector.OnQuoteLineChangedRequest{Context: ctx, ChangedFields: []string{"Quantity"}, QuoteLine: line},
		"RecalculateQuoteAlternative":    &connector.RecalculateQuoteAlternativeRequest{Context: ctx},
		"ValidateQuoteVersion":           &connector.ValidateQuoteVersionRequest{QuoteContext: version, Action: connector.QuoteActionSendQuote},
		"UpdateQuoteVersionPrices":       &connector.UpdateQuoteVersionPricesRequest{QuoteContext: version, WriteableFields: []string{"UnitListPrice"}},
		"PlaceOrder":                     &connector.PlaceOrderRequest{Context: ctx},
		"GetOrderState":                  &connector.GetOrderStateRequest{Context: ctx},
		"OnQuoteVersionRequestApproval":  &connector.OnQuoteVersionRequestApprovalRequest{QuoteContext: version},
		"OnQuoteVersionApproved":         &connector.OnQuoteVersionApprovedRequest{QuoteContext: version},
		"OnQuoteVersionRejected":         &connector.OnQuoteVersionRejectedRequest{QuoteContext: version},
	}
}

// TestSOAPEveryOperation calls all 32 operations over SOAP on the same connector that
// serves REST, and on a connector that implements none: every answer is a 200 that
// validates against the served schema and reads without a dropped member; the
// implemented ones answer what the connector answered, the others the neutral result.
func TestSOAPEveryOperation(t *testing.T) {
	shopEnv := newSOAPEnv(t, &shop{})
	bare := newSOAPEnv(t, connector.Unsupported{})
	reqs := soapRequests()
	ops := connector.Operations()
	if len(ops) != 32 {
		t.Fatalf("%d operations in the table, want 32", len(ops))
	}
	for _, op := range ops {
		for name, e := range map[string]*soapEnv{"shop": shopEnv, "unsupported": bare} {
			req := reqs[op.Name]
			if req == nil {
				req = op.NewRequest()
			}
			var res any
			if op.Result != nil {
				res = reflect.New(op.Result).Interface()
			}
			a, err := e.call(op.Name, header("Cust12345", e.secret), req, res)
			if err != nil || a.status != http.StatusOK {
				t.Errorf("%s on %s: %d %v\n%s", op.Name, name, a.status, err, a.body)
				continue
			}
			if name == "unsupported" && op.Result != nil {
				want := op.Neutral(req)
				got := reflect.ValueOf(res).Elem().Interface()
				if op.Name == "GetConfigurationFields" || op.Name == "GetCapabilities" {
					continue // completed by the kit: checked below
				}
				if !soapEqual(want, got) {
					t.Errorf("%s on a connector without it: %#v, want the neutral %#v", op.Name, got, want)
				}
			}
		}
	}

	// A few answers in detail, from the connector that implements them.
	var products []connector.ProductInfo
	if _, err := shopEnv.call("FindProduct", header("Cust12345", shopEnv.secret), reqs["FindProduct"], &products); err != nil || len(products) == 0 {
		t.Fatalf("FindProduct: %v, %d products", err, len(products))
	}
	var caps map[string]bool
	if _, err := shopEnv.call("GetCapabilities", header("Cust12345", shopEnv.secret), &connector.GetCapabilitiesRequest{}, &caps); err != nil || len(caps) < 10 {
		t.Fatalf("GetCapabilities: %v %v", caps, err)
	}
	var can bool
	if _, err := shopEnv.call("CanProvideCapability", header("Cust12345", shopEnv.secret), reqs["CanProvideCapability"], &can); err != nil || can != caps[connector.CapPlaceOrder] {
		t.Errorf("CanProvideCapability(%s) = %v, GetCapabilities says %v (%v)", connector.CapPlaceOrder, can, caps[connector.CapPlaceOrder], err)
	}
	var n int32
	var lists []connector.PriceListInfo
	if _, err := shopEnv.call("GetActivePriceLists", header("Cust12345", shopEnv.secret), reqs["GetActivePriceLists"], &lists); err != nil {
		t.Fatalf("GetActivePriceLists: %v", err)
	}
	if _, err := shopEnv.call("GetNumberOfActivePriceLists", header("Cust12345", shopEnv.secret), reqs["GetNumberOfActivePriceLists"], &n); err != nil || int(n) != len(lists) {
		t.Errorf("GetNumberOfActivePriceLists = %d, GetActivePriceLists has %d (%v)", n, len(lists), err)
	}
}

// soapEqual compares what SOAP carried with what was sent, where "" and null are one.
func soapEqual(want, got any) bool {
	if reflect.DeepEqual(want, got) {
		return true
	}
	w, g := reflect.ValueOf(want), reflect.ValueOf(got)
	if !w.IsValid() || !g.IsValid() {
		return isZero(w) && isZero(g)
	}
	return isZero(w) && isZero(g)
}

func isZero(v reflect.Value) bool {
	if !v.IsValid() {
		return true
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}

// TestSOAPConfigurationDialog: GetConfigurationFields needs no secret and adds the
// mandatory SharedSecret password field; the dialog's lists are "no list" without a
// secret; TestConnection tells at once whether the secret is right.
func TestSOAPConfigurationDialog(t *testing.T) {
	e := newSOAPEnv(t, &shop{})
	var fields map[string]connector.FieldMetadataInfo
	if a, err := e.call("GetConfigurationFields", header("", ""), &connector.GetConfigurationFieldsRequest{}, &fields); err != nil || a.status != 200 {
		t.Fatalf("GetConfigurationFields without a secret: %d %v", a.status, err)
	}
	f, ok := fields[server.SharedSecretField]
	if !ok || f.FieldKey != server.SharedSecretField || f.FieldType != connector.FieldMetadataTypeInfoPassword ||
		f.Access != connector.FieldAccessInfoMandatory || !strings.Contains(f.DisplayName, `US:"Shared secret"`) {
		t.Errorf("SharedSecret field: %+v", f)
	}
	if len(fields) < 2 {
		t.Errorf("the connector's own fields are gone: %v", fields)
	}

	list := []connector.ListItemInfo{{ERPQuoteListItemKey: "x"}}
	a, err := e.call("GetQuoteList", header("Cust12345", ""), &connector.GetQuoteListRequest{QuoteListType: "ProductCategory"}, &list)
	if err != nil || a.status != 200 || list != nil {
		t.Errorf("GetQuoteList without a secret: %d %v %v, want a nil list", a.status, err, list)
	}

	var ok1 *connector.PluginResponseInfo
	if _, err := e.call("TestConnection", header("Cust12345", e.secret), &connector.TestConnectionRequest{}, &ok1); err != nil || ok1 == nil || ok1.State != connector.ResponseStateOk {
		t.Errorf("TestConnection with the right secret: %+v %v", ok1, err)
	}
	if _, err := e.call("TestConnection", header("Cust12345", e.other), &connector.TestConnectionRequest{}, &ok1); err == nil {
		t.Error("TestConnection with another tenant's secret succeeded")
	}
}

// TestSOAPRefusals: no secret, a wrong one, and the right one for another tenant's
// ContextIdentifier are each one fixed fault, audited, and the connector never runs.
func TestSOAPRefusals(t *testing.T) {
	s := &shop{}
	e := newSOAPEnv(t, s)
	req := soapRequests()["FindProduct"]
	cases := map[string]soap.Header{
		"no secret":            header("Cust12345", ""),
		"wrong secret":         header("Cust12345", "qk_sk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
		"another tenant's":     header("Cust12345", e.other),
		"no ContextIdentifier": header("", e.secret),
		"unknown tenant":       header("Cust999", e.secret),
	}
	var first string
	for name, h := range cases {
		var res []connector.ProductInfo
		a, err := e.call("FindProduct", h, req, &res)
		var f *soap.Fault
		if !errors.As(err, &f) || a.status != http.StatusInternalServerError || f.Code != "s:Client" {
			t.Errorf("%s: %d %v, want a client fault with 500", name, a.status, err)
			continue
		}
		if first == "" {
			first = f.Message
		} else if f.Message != first {
			t.Errorf("%s: fault %q differs from %q: a refusal must not tell its reason", name, f.Message, first)
		}
		if res != nil {
			t.Errorf("%s: data served: %v", name, res)
		}
	}
	if s.lastRequest() != nil {
		t.Errorf("the connector ran for a refused call: %#v", s.lastRequest())
	}
	events, err := e.store.AuditEvents(context.Background(), tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 4 {
		t.Errorf("%d refusals audited, want at least 4 (no secret is not a credential)", len(events))
	}
	for _, leak := range []string{e.secret, e.other} {
		if strings.Contains(e.logs.String(), leak) {
			t.Error("a secret reached the log")
		}
	}
}

// faulty is a connector whose operations fail in the ways a connector can.
type faulty struct {
	connector.Unsupported
	block chan struct{}
}

func (faulty) FindProduct(context.Context, *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	return nil, connector.Invalid(`US:"The price list is closed";NO:"Prislisten er stengt"`)
}
func (faulty) GetProduct(context.Context, *connector.GetProductRequest) (*connector.ProductInfo, error) {
	panic("the ERP's driver fell over")
}
func (faulty) GetProducts(context.Context, *connector.GetProductsRequest) ([]connector.ProductInfo, error) {
	return nil, errors.New("dial tcp 10.0.0.7:5432: connection refused (password=hunter2)")
}
func (f faulty) GetAddresses(ctx context.Context, _ *connector.GetAddressesRequest) ([]*connector.AddressInfo, error) {
	select {
	case <-f.block:
	case <-ctx.Done():
	}
	return nil, ctx.Err()
}
func (faulty) PlaceOrder(context.Context, *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	return nil, nil // a connector bug: PlaceOrder must answer a result
}

// TestSOAPFaults: a connector.Invalid error is a fault with the partner's text; any other
// error, a panic and a nil where a result is required are one generic fault naming the
// request id, details only in the log; a missed deadline says so.
func TestSOAPFaults(t *testing.T) {
	conn := faulty{block: make(chan struct{})}
	defer close(conn.block)
	e := newSOAPEnv(t, conn, server.WithCallTimeout(time.Second))
	reqs := soapRequests()
	h := header("Cust12345", e.secret)
	fault := func(op string) *soap.Fault {
		t.Helper()
		o := connector.MustLookup(op)
		res := reflect.New(o.Result).Interface()
		a, err := e.call(op, h, reqs[op], res)
		var f *soap.Fault
		if !errors.As(err, &f) || a.status != http.StatusInternalServerError {
			t.Fatalf("%s: %d %v, want a fault", op, a.status, err)
		}
		return f
	}
	if f := fault("FindProduct"); f.Code != "s:Client" || f.Message != `US:"The price list is closed";NO:"Prislisten er stengt"` {
		t.Errorf("Invalid: %+v", f)
	}
	for _, op := range []string{"GetProduct", "GetProducts", "PlaceOrder"} {
		f := fault(op)
		if f.Code != "s:Server" || !strings.HasPrefix(f.Message, "The connector could not complete the request.") {
			t.Errorf("%s: %+v", op, f)
		}
		for _, leak := range []string{"driver", "10.0.0.7", "hunter2", "panic"} {
			if strings.Contains(f.Message, leak) {
				t.Errorf("%s: the fault tells %q", op, leak)
			}
		}
	}
	if f := fault("GetAddresses"); f.Code != "s:Server" || !strings.Contains(f.Message, "did not answer in time") {
		t.Errorf("timeout: %+v", f)
	}
	if !strings.Contains(e.logs.String(), "the ERP's driver fell over") {
		t.Error("the panic is not in the log")
	}
}

// TestSOAPMalformed: input a SOAP endpoint meets from the internet gets a clean fault or
// 4xx, and the server keeps serving.
func TestSOAPMalformed(t *testing.T) {
	e := newSOAPEnv(t, &shop{}, server.WithBodyLimit(64<<10))
	const action = `"` + soap.ActionPrefix + `GetCapabilities"`
	deep := strings.Repeat("<a>", 2000) + strings.Repeat("</a>", 2000)
	cases := []struct {
		name, action, ctype, body string
		status                    int
	}{
		{"not XML", action, "text/xml; charset=utf-8", "hello", 500},
		{"SOAP 1.2 content type", action, "application/soap+xml; charset=utf-8", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>`, 415},
		{"SOAP 1.2 envelope", action, "text/xml; charset=utf-8", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetCapabilities xmlns="` + soap.NS + `"/></s:Body></s:Envelope>`, 500},
		{"JSON", action, "application/json", `{}`, 415},
		{"UTF-16", action, "text/xml; charset=utf-16", `<x/>`, 415},
		{"unknown action", `"` + soap.ActionPrefix + `DropTables"`, "text/xml; charset=utf-8", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><DropTables xmlns="` + soap.NS + `"/></s:Body></s:Envelope>`, 500},
		{"deep nesting", action, "text/xml; charset=utf-8", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetCapabilities xmlns="` + soap.NS + `">` + deep + `</GetCapabilities></s:Body></s:Envelope>`, 500},
		{"entity expansion", action, "text/xml; charset=utf-8", `<!DOCTYPE x [<!ENTITY a "aaaa">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetCapabilities xmlns="` + soap.NS + `">&a;</GetCapabilities></s:Body></s:Envelope>`, 500},
		{"over the limit", action, "text/xml; charset=utf-8", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetCapabilities xmlns="` + soap.NS + `">` + strings.Repeat("x", 70<<10) + `</GetCapabilities></s:Body></s:Envelope>`, 413},
	}
	for _, c := range cases {
		a := e.post(c.action, c.ctype, []byte(c.body))
		if a.status != c.status {
			t.Errorf("%s: %d, want %d\n%s", c.name, a.status, c.status, a.body)
			continue
		}
		var env struct {
			Fault struct {
				Code   string `xml:"faultcode"`
				String string `xml:"faultstring"`
			} `xml:"Body>Fault"`
		}
		if err := xml.Unmarshal(a.body, &env); err != nil || env.Fault.Code != "s:Client" || env.Fault.String == "" {
			t.Errorf("%s: not a client fault: %v %s", c.name, err, a.body)
		}
		if a.ctype != "text/xml; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", c.name, a.ctype)
		}
	}
	var caps map[string]bool
	if _, err := e.call("GetCapabilities", header("Cust12345", e.secret), &connector.GetCapabilitiesRequest{}, &caps); err != nil {
		t.Errorf("after the malformed requests: %v", err)
	}
}

// TestSOAPMetadata: ?wsdl and ?xsd=NAME serve the schema the endpoint reads and writes,
// addressed to the URL they were fetched from.
func TestSOAPMetadata(t *testing.T) {
	e := newSOAPEnv(t, &shop{})
	get := func(q string) (int, string) {
		resp, err := http.Get(e.url + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, wsdl := get("?wsdl")
	if status != 200 || !strings.Contains(wsdl, `location="`+e.url+`"`) || strings.Contains(wsdl, "connector.example.com") {
		t.Fatalf("?wsdl: %d, address not rewritten", status)
	}
	for _, name := range []string{"quote", "quote2", "arrays", "auth"} {
		if !strings.Contains(wsdl, `schemaLocation="`+e.url+`?xsd=`+name+`"`) {
			t.Errorf("the WSDL does not import %s from this endpoint", name)
		}
		status, xsd := get("?xsd=" + name)
		if status != 200 || !strings.Contains(xsd, "<xs:schema") {
			t.Errorf("?xsd=%s: %d", name, status)
		}
		if strings.Contains(xsd, `schemaLocation="arrays.xsd"`) || strings.Contains(xsd, `schemaLocation="quote.xsd"`) {
			t.Errorf("?xsd=%s: imports not rewritten", name)
		}
	}
	if status, _ := get("?xsd=../../etc/passwd"); status != 404 {
		t.Errorf("?xsd outside the schema: %d", status)
	}
}

// TestSOAPLargeRequest: a request of about 10 MB, more than REST's old 8 MB limit and
// as large as a quote version with thousands of lines, is read and answered under the
// default body limit.
func TestSOAPLargeRequest(t *testing.T) {
	s := &shop{}
	e := newSOAPEnv(t, s)
	req := &connector.FindProductRequest{CurrencyCode: "NOK", UserInput: strings.Repeat("compressor ", 1<<20)}
	var buf bytes.Buffer
	action, err := soap.WriteCall(&buf, connector.MustLookup("FindProduct"), header("Cust12345", e.secret), req)
	if err != nil {
		t.Fatal(err)
	}
	if buf.Len() < 10<<20 || int64(buf.Len()) > server.DefaultBodyLimit {
		t.Fatalf("the request has %d bytes; want between 10 MiB and the default limit", buf.Len())
	}
	a := e.post(action, "text/xml; charset=utf-8", buf.Bytes())
	var products []connector.ProductInfo
	if _, err := soap.ReadResult(a.body, connector.MustLookup("FindProduct"), &products); a.status != 200 || err != nil {
		t.Fatalf("%d, %v", a.status, err)
	}
	got, _ := s.lastRequest().(*connector.FindProductRequest)
	if got == nil || got.UserInput != req.UserInput {
		t.Fatal("the connector did not get the whole input")
	}
}

// TestSOAPMetrics: SOAP calls are counted per operation with the transport label, next
// to the REST ones.
func TestSOAPMetrics(t *testing.T) {
	metrics := server.NewMetrics()
	e := newSOAPEnv(t, &shop{}, server.WithMetrics(metrics))
	var caps map[string]bool
	if _, err := e.call("GetCapabilities", header("Cust12345", e.secret), &connector.GetCapabilitiesRequest{}, &caps); err != nil {
		t.Fatal(err)
	}
	var products []connector.ProductInfo
	if _, err := e.call("FindProduct", header("Cust12345", ""), soapRequests()["FindProduct"], &products); err == nil {
		t.Fatal("FindProduct without a secret succeeded")
	}
	ops := httptest.NewServer(metrics.Handler())
	t.Cleanup(ops.Close)
	resp, err := http.Get(ops.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`quotekit_requests_total{code="200",operation="GetCapabilities",transport="soap"} 1`,
		`quotekit_requests_total{code="500",operation="FindProduct",transport="soap"} 1`,
		`quotekit_request_duration_seconds_count{operation="GetCapabilities",transport="soap"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
