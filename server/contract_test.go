package server_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/quotekit/quotekit/openapi"
)

var (
	specOnce sync.Once
	spec     *openapi3.T
	specErr  error
)

// dotNetDates validates the contract's dotnet-date-time format with our own parser.
var dotNetDates = openapi3.WithStringFormatValidator("dotnet-date-time",
	openapi3.NewCallbackValidator(func(s string) error {
		_, err := openapi.ParseDateTime(s)
		return err
	}))

// conforms checks that body is what the contract promises for op's status answer.
func conforms(t *testing.T, op string, status int, contentType string, body []byte) {
	t.Helper()
	specOnce.Do(func() { spec, specErr = openapi.GetSpec() })
	if specErr != nil {
		t.Fatal(specErr)
	}
	resp := spec.Paths.Find("/" + op).Post.Responses.Status(status)
	if resp == nil {
		t.Fatalf("%s has no %d answer in the contract", op, status)
	}
	media := resp.Value.Content.Get(contentType)
	if media == nil {
		if len(body) != 0 {
			t.Errorf("%s %d: the contract has no body, got %s", op, status, body)
		}
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s %d: body is not JSON: %v", op, status, err)
	}
	if err := media.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors(),
		openapi3.EnableFormatValidation(), dotNetDates); err != nil {
		t.Errorf("%s %d does not match the contract: %v", op, status, err)
	}
}
