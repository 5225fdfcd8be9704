package server

import (
	"net/http"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server/auth"
)

// Authenticator verifies credentials for the server. Its errors are those of package
// server/auth (auth.ErrNoCredential, auth.ErrInvalidCredential, …); any other error is a
// fault and answers 500.
type Authenticator interface {
	// Authenticate verifies the credential of an operation call and returns the tenant
	// the call acts for.
	Authenticate(r *http.Request) (connector.Tenant, error)
	// Token answers POST /Authenticate: it verifies the shared secret or SuperOffice JWT
	// in the request and issues an access token.
	Token(r *http.Request) (*model.AccessTokenResponse, error)
	// ClientCredentials answers POST /oauth/access_token (RFC 6749 §4.4).
	ClientCredentials(r *http.Request) (*model.AccessTokenResponse, error)
	// AuthenticateSecret verifies the shared secret a SOAP call carries in its
	// configuration fields against tenantID, its ContextIdentifier.
	AuthenticateSecret(r *http.Request, tenantID, secret string) (connector.Tenant, error)
	// Handshake answers SuperOffice's SOAP Authenticate handshake for signedToken.
	Handshake(r *http.Request, signedToken string) auth.HandshakeResult
}
