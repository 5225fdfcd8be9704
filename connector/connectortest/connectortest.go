// Package connectortest checks a connector the way SuperOffice NetServer will use it, in
// a partner's own go test:
//
//	func TestConnector(t *testing.T) {
//		erp := myerp.New(...)
//		connectortest.Run(t, erp, connectortest.Config{Search: "bolt"})
//	}
//
// Run serves the connector in-process over loopback HTTP with the real server, calls it
// through the generated client, checks every answer against the contract, and walks a
// whole quote: search, add a line, change it, recalculate, validate, send, validate for
// the order, place the order, ask for its state. Operations the connector leaves to
// connector.Unsupported are skipped, as NetServer would skip them.
package connectortest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
	"github.com/quotekit/quotekit/server"
)

// Config says how to drive the connector. Every field has a default.
type Config struct {
	// Tenant is who the calls act for (default: test tenant Cust12345).
	Tenant connector.Tenant
	// ConfigValues are sent with every request, as SuperOffice sends the connection's values.
	ConfigValues map[string]string
	// Currency is the sale's ISO currency (default NOK).
	Currency string
	// Search is a FindProduct input that finds products (default "%", everything).
	Search string
}

// Run checks c; see the package documentation. It fails t with a message saying what
// NetServer would make of each problem.
func Run(t *testing.T, c connector.Connector, cfg Config) {
	t.Helper()
	if cfg.Tenant.ID == "" {
		cfg.Tenant = connector.Tenant{ID: "Cust12345", Environment: connector.EnvironmentTest}
	}
	if cfg.Currency == "" {
		cfg.Currency = "NOK"
	}
	if cfg.Search == "" {
		cfg.Search = "%"
	}
	h, err := server.New(c, admit{cfg.Tenant})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client, err := openapi.NewClientWithResponses(srv.URL, openapi.WithHTTPClient(&http.Client{
		Transport: conforming{t: t, next: http.DefaultTransport},
	}))
	if err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t, c: c, api: client, cfg: cfg}
	t.Run("capabilities", d.capabilities)
	t.Run("configuration", d.configuration)
	t.Run("search", d.search)
	t.Run("unknown product", d.unknownProduct)
	t.Run("quote lifecycle", d.lifecycle)
}

// admit lets every call act for one tenant: Run checks the connector, not credentials.
type admit struct{ tenant connector.Tenant }

func (a admit) Authenticate(*http.Request) (connector.Tenant, error) { return a.tenant, nil }
func (admit) Token(*http.Request) (*openapi.AccessTokenResponse, error) {
	return nil, fmt.Errorf("connectortest does not issue tokens")
}
func (admit) ClientCredentials(*http.Request) (*openapi.AccessTokenResponse, error) {
	return nil, fmt.Errorf("connectortest does not issue tokens")
}

// conforming checks every 200 answer against the contract's schema for its operation.
type conforming struct {
	t    *testing.T
	next http.RoundTripper
}

func (c conforming) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := openapi.ValidateResponse(r.URL.Path, resp.StatusCode, "application/json", body); err != nil {
		c.t.Errorf("%s answered outside the contract, so NetServer may not read it: %v", strings.TrimPrefix(r.URL.Path, "/"), err)
	}
	return resp, nil
}

// driver holds what the checks share.
type driver struct {
	t   *testing.T
	c   connector.Connector
	api *openapi.ClientWithResponses
	cfg Config

	product *connector.ProductInfo // found by search, used by the lifecycle
}

func (d *driver) implements(op string) bool { return connector.Implements(d.c, op) }

// notSupported reports whether an answer is the 404 of an unsupported operation.
func notSupported(status int) bool { return status == http.StatusNotFound }

func (d *driver) capabilities(t *testing.T) {
	resp, err := d.api.GetCapabilitiesWithResponse(context.Background(), openapi.GetCapabilitiesJSONRequestBody{ConfigValues: d.cfg.ConfigValues})
	if err != nil || resp.JSON200 == nil {
		t.Fatalf("GetCapabilities: %v (%d): NetServer would show no quote features", err, resp.StatusCode())
	}
	for name, claimed := range *resp.JSON200 {
		for _, op := range connector.CapabilityOperations(name) {
			if claimed && !d.implements(op) {
				t.Errorf("capability %s is claimed but %s is not implemented: NetServer shows the feature and gets 404", name, op)
			}
		}
	}
}

func (d *driver) configuration(t *testing.T) {
	if !d.implements("GetConfigurationFields") {
		t.Skip("GetConfigurationFields is not implemented")
	}
	resp, err := d.api.GetConfigurationFieldsWithResponse(context.Background(), openapi.GetConfigurationFieldsJSONRequestBody{})
	if err != nil || resp.StatusCode() != http.StatusOK {
		t.Fatalf("GetConfigurationFields: %v (%d)", err, resp.StatusCode())
	}
	if resp.JSON200 == nil {
		return
	}
	for key, f := range *resp.JSON200 {
		if f.FieldKey != key {
			t.Errorf("field %q has FieldKey %q: SuperOffice stores the value under the key", key, f.FieldKey)
		}
		multiLang(t, "field "+key+" DisplayName", f.DisplayName)
	}
}

func (d *driver) search(t *testing.T) {
	if !d.implements("FindProduct") {
		t.Skip("FindProduct is not implemented")
	}
	ctx := context.Background()
	empty, err := d.api.FindProductWithResponse(ctx, openapi.FindProductJSONRequestBody{ConfigValues: d.cfg.ConfigValues, CurrencyCode: d.cfg.Currency})
	if err != nil || empty.StatusCode() != http.StatusOK {
		t.Errorf("FindProduct with empty input: %v (%d), want 200 with null", err, empty.StatusCode())
	}
	found, err := d.api.FindProductWithResponse(ctx, openapi.FindProductJSONRequestBody{ConfigValues: d.cfg.ConfigValues, CurrencyCode: d.cfg.Currency, UserInput: d.cfg.Search})
	if err != nil || found.JSON200 == nil || len(*found.JSON200) == 0 {
		t.Fatalf("FindProduct(%q) found nothing (%v, %d): set Config.Search to an input that finds products", d.cfg.Search, err, found.StatusCode())
	}
	for i, p := range *found.JSON200 {
		if p.ERPProductKey == "" {
			t.Errorf("product %d (%s) has no ERPProductKey: SuperOffice cannot ask for its quote lines", i, p.Name)
		}
	}
	d.product = &(*found.JSON200)[0]
}

func (d *driver) unknownProduct(t *testing.T) {
	if !d.implements("GetProduct") {
		t.Skip("GetProduct is not implemented")
	}
	resp, err := d.api.GetProductWithResponse(context.Background(), openapi.GetProductJSONRequestBody{ConfigValues: d.cfg.ConfigValues, ErpProductKey: "connectortest-no-such-product"})
	if err != nil {
		t.Fatal(err)
	}
	if notSupported(resp.StatusCode()) {
		t.Errorf("an unknown product key answered 404: NetServer would take GetProduct as not implemented and never call it again; return connector.Invalid(...)")
	}
}

// multiLang fails when a user-visible text looks multi-language but is malformed, which
// SuperOffice would show as is, or not at all.
func multiLang(t *testing.T, what, s string) {
	t.Helper()
	if s != "" && !connector.IsWellFormedMultiLang(s) {
		t.Errorf("%s %q is not a well-formed multi-language text", what, s)
	}
}

// explanations checks the user-visible texts of an outcome.
func explanations(t *testing.T, op string, v any) {
	t.Helper()
	rv := reflect.Indirect(reflect.ValueOf(v))
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return
	}
	for _, name := range []string{"UserExplanation", "Reason"} {
		if f := rv.FieldByName(name); f.IsValid() && f.Kind() == reflect.String {
			multiLang(t, op+" "+name, f.String())
		}
	}
}
