package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/quotekit/quotekit/openapi/model"
)

var (
	specOnce sync.Once
	spec     *openapi3.T
	specErr  error
)

// dotNetDates validates the contract's dotnet-date-time format with model.ParseDateTime.
var dotNetDates = openapi3.WithStringFormatValidator("dotnet-date-time",
	openapi3.NewCallbackValidator(func(s string) error {
		_, err := model.ParseDateTime(s)
		return err
	}))

// ValidateResponse checks that body is what the contract promises for the answer with
// status and content type of the POST operation at path (e.g. "/FindProduct"). It is
// ValidateResponseFor with method POST.
func ValidateResponse(path string, status int, contentType string, body []byte) error {
	return ValidateResponseFor(http.MethodPost, path, status, contentType, body)
}

// ValidateResponseFor checks that body is what the contract promises for the answer with
// status and content type of the operation at method and route. The route is a path of
// the contract, as a template ("/admin/v1/tenants/{id}") or filled in
// ("/admin/v1/tenants/Cust100"), without a query. An empty body passes where the contract
// has none. It fails with a description of every deviation, or when the contract has no
// such operation or answer.
func ValidateResponseFor(method, route string, status int, contentType string, body []byte) error {
	schema, err := responseSchema(method, route, status, contentType, body)
	if err != nil || schema == nil {
		return err
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%s %s %d: the body is not JSON: %w", method, route, status, err)
	}
	return schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors(),
		openapi3.EnableFormatValidation(), dotNetDates)
}

// responseSchema is the contract's schema for the answer with status and content type of
// the operation at method and route, or nil when the contract has no body there and body
// is empty. It fails when the contract has no such operation or answer, or no body of
// that content type where body is not empty.
func responseSchema(method, route string, status int, contentType string, body []byte) (*openapi3.SchemaRef, error) {
	specOnce.Do(func() { spec, specErr = GetSpec() })
	if specErr != nil {
		return nil, specErr
	}
	var op *openapi3.Operation
	if item := findPath(route); item != nil {
		op = item.GetOperation(method)
	}
	if op == nil {
		return nil, fmt.Errorf("the contract has no %s %s", method, route)
	}
	resp := op.Responses.Status(status)
	if resp == nil {
		resp = op.Responses.Default()
	}
	if resp == nil {
		return nil, fmt.Errorf("the contract has no %d answer for %s %s", status, method, route)
	}
	media := resp.Value.Content.Get(contentType)
	if media == nil {
		if len(body) != 0 && len(resp.Value.Content) == 0 {
			return nil, fmt.Errorf("%s %s %d: the contract has no body", method, route, status)
		}
		if len(resp.Value.Content) == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("%s %s %d: the contract has no %s body", method, route, status, contentType)
	}
	return media.Schema, nil
}

// findPath returns the contract's path item for route: the template with the same
// segments, a {parameter} segment matching any one; of several, the one with the most
// literal segments.
func findPath(route string) *openapi3.PathItem {
	if item := spec.Paths.Find(route); item != nil {
		return item
	}
	want := strings.Split(route, "/")
	var best *openapi3.PathItem
	bestLiterals := -1
	for template, item := range spec.Paths.Map() {
		have := strings.Split(template, "/")
		if len(have) != len(want) {
			continue
		}
		literals := 0
		for i, seg := range have {
			switch {
			case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && want[i] != "":
			case seg == want[i]:
				literals++
			default:
				literals = -1
			}
			if literals < 0 {
				break
			}
		}
		if literals > bestLiterals {
			best, bestLiterals = item, literals
		}
	}
	return best
}
