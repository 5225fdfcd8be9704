package server_test

import (
	"testing"

	"github.com/quotekit/quotekit/openapi"
)

// conforms checks that body is what the contract promises for op's status answer.
func conforms(t *testing.T, op string, status int, contentType string, body []byte) {
	t.Helper()
	if err := openapi.ValidateResponse("/"+op, status, contentType, body); err != nil {
		t.Errorf("%s %d does not match the contract: %v", op, status, err)
	}
}
