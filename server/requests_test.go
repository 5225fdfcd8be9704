package server_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
	"github.com/quotekit/quotekit/openapi/model"
)

// validateRequest checks body, posted to the REST operation op as application/json,
// with kin-openapi's request validation against the contract: what a client, gateway or
// validator generated from the contract would accept. Credentials are not checked.
func validateRequest(t *testing.T, doc *openapi3.T, op string, body []byte) error {
	t.Helper()
	item := doc.Paths.Find("/" + op)
	if item == nil || item.Post == nil {
		t.Fatalf("the contract has no POST /%s", op)
	}
	req, err := http.NewRequest(http.MethodPost, "https://erp.example.com/quote/"+op, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: req,
		Route:   &routers.Route{Spec: doc, Path: "/" + op, PathItem: item, Method: http.MethodPost, Operation: item.Post},
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.EnableFormatValidation(),
				openapi3.WithStringFormatValidator("dotnet-date-time", openapi3.NewCallbackValidator(func(s string) error {
					_, err := model.ParseDateTime(s)
					return err
				})),
			},
		},
	})
}

// TestNetServerRequestsMatchTheContract validates every NetServer-shaped request of the
// tests (the bodies TestEveryOperation sends, built on testdata/requests/context.json
// with its null custom-field values, null carriers and .NET dates) against the contract,
// so that what NetServer sends is what the contract describes.
func TestNetServerRequestsMatchTheContract(t *testing.T) {
	doc, err := openapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	reqs := requests(t)
	n := 0
	for _, op := range connector.Operations() {
		if op.SOAPOnly {
			continue
		}
		n++
		body, ok := reqs[op.Name]
		if !ok {
			t.Errorf("no request for %s", op.Name)
			continue
		}
		t.Run(op.Name, func(t *testing.T) {
			if err := validateRequest(t, doc, op.Name, encode(t, body)); err != nil {
				t.Errorf("NetServer's request does not match the contract:\n%v", err)
			}
		})
	}
	if n != 27 {
		t.Errorf("%d REST operations, want 27", n)
	}

	// The validation is on: a request outside the contract fails it.
	for op, body := range map[string]string{
		"GetProductImage":      `{"ErpProductKey":"CMP-200","Rank":"first"}`,
		"ValidateQuoteVersion": `{"QuoteContext":{"CRMQuoteVersion":{"SentDate":"yesterday"}}}`,
		"FindProduct":          `{"Context":{"CRMAssociate":{"CustomFields":{"x_region":3}}}}`,
	} {
		if err := validateRequest(t, doc, op, []byte(body)); err == nil {
			t.Errorf("%s %s passed request validation", op, body)
		}
	}
}
