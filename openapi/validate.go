package openapi

import (
	"encoding/json"
	"fmt"
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
// status and content type of the POST operation at path (e.g. "/FindProduct"). An empty
// body passes where the contract has none. It fails with a description of every
// deviation, or when the contract has no such answer.
func ValidateResponse(path string, status int, contentType string, body []byte) error {
	specOnce.Do(func() { spec, specErr = GetSpec() })
	if specErr != nil {
		return specErr
	}
	item := spec.Paths.Find(path)
	if item == nil || item.Post == nil {
		return fmt.Errorf("the contract has no POST %s", path)
	}
	resp := item.Post.Responses.Status(status)
	if resp == nil {
		resp = item.Post.Responses.Default()
	}
	if resp == nil {
		return fmt.Errorf("the contract has no %d answer for %s", status, path)
	}
	media := resp.Value.Content.Get(contentType)
	if media == nil {
		if len(body) != 0 && len(resp.Value.Content) == 0 {
			return fmt.Errorf("%s %d: the contract has no body", path, status)
		}
		if len(resp.Value.Content) == 0 {
			return nil
		}
		return fmt.Errorf("%s %d: the contract has no %s body", path, status, contentType)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%s %d: the body is not JSON: %w", path, status, err)
	}
	return media.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors(),
		openapi3.EnableFormatValidation(), dotNetDates)
}
