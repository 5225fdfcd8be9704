package openapi_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/quotekit/quotekit/openapi"
)

// The 27 operations of SuperOffice's Quote Connector.
var operations = []string{
	"GetConfigurationFields", "TestConnection", "GetCapabilities", "GetQuoteList",
	"GetActivePriceLists", "GetAllPriceLists", "FindProduct", "GetProduct", "GetProducts",
	"GetQuoteLinesFromProduct", "GetNumberOfProductImages", "GetProductImage",
	"GetSearchableFields", "GetSearchResults", "GetAddresses", "OnBeforeCreateQuote",
	"OnBeforeCreateQuoteVersion", "OnBeforeCreateQuoteAlternative", "OnAfterSaveQuote",
	"OnBeforeDeleteQuote", "OnAfterSentQuoteVersion", "OnQuoteLineChanged",
	"RecalculateQuoteAlternative", "ValidateQuoteVersion", "UpdateQuoteVersionPrices",
	"PlaceOrder", "GetOrderState",
}

func TestSpecIsValidOpenAPI(t *testing.T) {
	doc, err := openapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the contract is not valid OpenAPI 3.0: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
}

func TestSpecCoversEveryOperation(t *testing.T) {
	doc, err := openapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	connectorPaths := 0
	for path := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/admin/") {
			connectorPaths++
		}
	}
	if connectorPaths != len(operations)+2 {
		t.Errorf("%d paths outside /admin/, want the 27 operations and the 2 token endpoints", connectorPaths)
	}
	for _, op := range operations {
		item := doc.Paths.Find("/" + op)
		if item == nil || item.Post == nil || len(item.Operations()) != 1 {
			t.Errorf("%s: want exactly POST /%s", op, op)
			continue
		}
		post := item.Post
		if post.OperationID != op {
			t.Errorf("%s: operationId %q", op, post.OperationID)
		}
		body := post.RequestBody
		if body == nil || body.Value.Content.Get("application/json") == nil {
			t.Errorf("%s: no JSON request body", op)
			continue
		}
		envelope := body.Value.Content.Get("application/json").Schema.Value
		for _, member := range []string{"ConfigValues", "ConnectionInfo"} {
			if !hasProperty(envelope, member) {
				t.Errorf("%s: request has no %s", op, member)
			}
		}
		for _, status := range []int{400, 401, 403, 404, 413, 415, 429, 500, 503, 504} {
			r := post.Responses.Status(status)
			if r == nil || r.Value.Content.Get("application/problem+json") == nil {
				t.Errorf("%s: no problem+json answer for %d", op, status)
			}
		}
		if post.Responses.Status(200) == nil {
			t.Errorf("%s: no 200 answer", op)
		}
	}
	if !hasProperty(doc.Paths.Find("/TestConnection").Post.RequestBody.Value.Content.Get("application/json").Schema.Value, "ConnectionData") {
		t.Error("TestConnection does not accept ConnectionData")
	}
}

func TestSpecEnumsAreNamed(t *testing.T) {
	doc, err := openapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	for name, ref := range doc.Components.Schemas {
		s := ref.Value
		if s.Type == nil || !s.Type.Is("integer") || len(s.Enum) == 0 {
			continue
		}
		names, _ := s.Extensions["x-enum-varnames"].([]any)
		if len(names) != len(s.Enum) {
			t.Errorf("%s: %d values but %d names", name, len(s.Enum), len(names))
		}
	}
}

// hasProperty looks for a member in a schema, through allOf.
func hasProperty(s *openapi3.Schema, name string) bool {
	if _, ok := s.Properties[name]; ok {
		return true
	}
	return slices.ContainsFunc(s.AllOf, func(r *openapi3.SchemaRef) bool { return hasProperty(r.Value, name) })
}

func TestValidateResponse(t *testing.T) {
	tests := []struct {
		name, path, body string
		ok               bool
	}{
		{"a product list", "/FindProduct", `[{"ERPProductKey":"P-1","UnitListPrice":10}]`, true},
		{"lines with a .NET date", "/GetQuoteLinesFromProduct", `[{"ERPProductKey":"P-1","SubscriptionStart":"9999-12-31T23:59:59.9999999"}]`, true},
		{"null for a list", "/FindProduct", `null`, true},
		{"null from a calculation", "/ValidateQuoteVersion", `null`, true},
		{"a bare integer", "/GetNumberOfProductImages", `3`, true},
		{"a number as a key", "/FindProduct", `[{"ERPProductKey":5}]`, false},
		{"a date that is not .NET", "/GetQuoteLinesFromProduct", `[{"ERPProductKey":"P-1","SubscriptionStart":"yesterday"}]`, false},
		{"null for a product", "/GetProduct", `null`, false},
		{"a string for a count", "/GetNumberOfProductImages", `"three"`, false},
		{"an unknown path", "/GetProductz", `{}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openapi.ValidateResponse(tt.path, 200, "application/json", []byte(tt.body))
			if (err == nil) != tt.ok {
				t.Errorf("err %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestValidateResponseFor(t *testing.T) {
	tenant := `{"id":"Cust1","name":"x","environment":"test","superoffice_envs":[],"app_ids":[],"enabled":true,"config":null,` +
		`"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"}`
	tests := []struct {
		name, method, route string
		status              int
		body                string
		ok                  bool
	}{
		{"a template", "GET", "/admin/v1/tenants/{id}/secrets", 200, `[]`, true},
		{"a filled-in path", "GET", "/admin/v1/tenants/Cust1/secrets", 200, `[]`, true},
		{"a literal segment wins", "POST", "/admin/v1/tenants/Cust1/tokens/revoke", 200, `{"revoked":2}`, true},
		{"a tenant", "PATCH", "/admin/v1/tenants/Cust1", 200, tenant, true},
		{"a tenant without users where they are promised", "GET", "/admin/v1/tenants/Cust1", 200, tenant, false},
		{"an extra member, which clients ignore", "POST", "/admin/v1/tenants/Cust1/disable", 200, tenant[:len(tenant)-1] + `,"users":[]}`, true},
		{"a wrong type", "POST", "/admin/v1/tenants/Cust1/tokens/revoke", 200, `{"revoked":"2"}`, false},
		{"no body where there is none", "POST", "/admin/v1/tenants/Cust1/secrets/7/revoke", 204, ``, true},
		{"a method the path does not have", "DELETE", "/admin/v1/tenants/Cust1/secrets", 200, `[]`, false},
		{"an unknown path", "GET", "/admin/v1/tenants/Cust1/nothing", 200, `[]`, false},
		{"POST as before", "POST", "/FindProduct", 200, `[{"ERPProductKey":"P-1"}]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openapi.ValidateResponseFor(tt.method, tt.route, tt.status, "application/json", []byte(tt.body))
			if (err == nil) != tt.ok {
				t.Errorf("err %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
