// Package auth verifies the credentials SuperOffice NetServer and other callers present,
// and issues quotekit access tokens. Its errors are the vocabulary the server turns into
// RFC 6750 challenges and status codes.
package auth

import (
	"errors"
	"fmt"
	"time"
)

// Outcomes of verifying a credential. Only the server's error mapper turns them into HTTP.
var (
	// ErrNoCredential: the request carries no credential at all (401 without an error code).
	ErrNoCredential = errors.New("no credential")
	// ErrInvalidCredential: a credential that is unknown, expired, revoked, forged or of a
	// disabled tenant (401 invalid_token). The kinds are deliberately not told apart.
	ErrInvalidCredential = errors.New("invalid credential")
	// ErrMalformed: an Authorization header or token request that cannot be parsed (400).
	ErrMalformed = errors.New("malformed credential")
	// ErrForbidden: a valid credential that may not do this (403).
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable: the store or a key set needed to decide is unavailable (503).
	ErrUnavailable = errors.New("authentication unavailable")
)

// RateLimitedError says a caller is throttled (429) and when to try again.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.RetryAfter)
}
