package server_test

import (
	"net/http"
	"testing"

	"github.com/quotekit/quotekit/openapi"
)

// conforms checks that body is what the contract promises for op's status answer with
// the Content-Type the server really sent in header.
func conforms(t *testing.T, op string, status int, header http.Header, body []byte) {
	t.Helper()
	if err := openapi.ValidateResponse("/"+op, status, header.Get("Content-Type"), body); err != nil {
		t.Errorf("%s %d does not match the contract: %v", op, status, err)
	}
}
