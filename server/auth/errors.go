// Package auth verifies the credentials SuperOffice NetServer and other callers present,
// and issues quotekit access tokens. Its errors are the vocabulary the server turns into
// RFC 6750 challenges and status codes.
package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/quotekit/quotekit/tenancy"
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
	// ErrUnavailable: the store or a key set needed to decide is unavailable (503). It is
	// tenancy.ErrUnavailable, the store's own error, so one errors.Is covers both.
	ErrUnavailable = tenancy.ErrUnavailable
)

// RateLimitedError says a caller is throttled (429) and when to try again.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.RetryAfter)
}

// Refusal is an authentication refusal with a short reason code for the audit log and
// the server log (e.g. "expired", "bad_signature", "bad_checksum"). It matches
// ErrInvalidCredential; the reason never reaches the caller, whose answer is the same
// for every refusal. Use it for every refusal in this package.
type Refusal struct {
	Reason string
	// owner is the tenant the refused credential is proven to belong to: a real secret or
	// access token of the tenant that is revoked, expired or otherwise unusable, or a JWT
	// whose signature verified. "" when nothing proves whose it is (the tenant, if any,
	// was only named by the caller).
	owner string
}

func (r *Refusal) Error() string { return "credential refused: " + r.Reason }

// Is reports whether target is ErrInvalidCredential.
func (r *Refusal) Is(target error) bool { return target == ErrInvalidCredential }

// refuse returns a Refusal with the reason, of a credential nothing proves to be any
// tenant's.
func refuse(reason string) error { return &Refusal{Reason: reason} }

// refuseOwned returns a Refusal with the reason of a credential proven to belong to
// tenantID. Such a refusal is never throttled: a 429 in place of its 401 would keep
// NetServer from authenticating again.
func refuseOwned(tenantID, reason string) error { return &Refusal{Reason: reason, owner: tenantID} }

// ownerOf returns the tenant a refused credential is proven to belong to, or "".
func ownerOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.owner
	}
	return ""
}

// ReasonOf returns the reason code of a refusal, or "" when err is not one.
func ReasonOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// ParseCredential checks the shape and checksum of s (tenancy.ParseCredential). It fails
// with a Refusal ("malformed" or "bad_checksum") wrapping ErrInvalidCredential; it does
// no lookup.
func ParseCredential(s string) (tenancy.Credential, error) {
	c, err := tenancy.ParseCredential(s)
	var ce *tenancy.CredentialError
	if errors.As(err, &ce) {
		return tenancy.Credential{}, refuse(ce.Reason)
	}
	return c, err
}
