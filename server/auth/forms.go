package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/tenancy"
)

// Token request errors (RFC 6749 §5.2), answered 400 with their code.
var (
	// ErrUnsupportedGrant: grant_type is not client_credentials.
	ErrUnsupportedGrant = errors.New("unsupported grant type")
	// ErrInvalidScope: a scope was asked for; quotekit tokens have none.
	ErrInvalidScope = errors.New("invalid scope")
)

// maxTokenBody bounds what the token endpoints read from a body.
const maxTokenBody = 64 << 10

// isCredential reports whether s has the prefix of a quotekit credential of kind.
func isCredential(s, kind string) bool {
	return tenancy.HasCredentialPrefix(s, kind)
}

// isJWT reports whether s has the three segments of a compact JWS.
func isJWT(s string) bool { return strings.Count(s, ".") == 2 }

// jwtAlgorithm reads the alg of a compact JWS header without trusting anything else in
// it; it only picks the verification path, which then checks everything itself.
func jwtAlgorithm(raw string) string {
	head, _, ok := strings.Cut(raw, ".")
	if !ok || len(head) > 1024 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(b, &h) != nil {
		return ""
	}
	return h.Alg
}

// signedTokenBody reads a SuperOffice JWT from a JSON body {"SignedToken": "…"}, the
// member name of SuperOffice's SOAP handshake. No body is ErrNoCredential.
func signedTokenBody(r *http.Request) (Presented, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxTokenBody+1))
	if err != nil || len(b) > maxTokenBody {
		return Presented{}, ErrMalformed
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return Presented{}, ErrNoCredential
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return Presented{}, ErrMalformed
	}
	token, ok := signedToken(b)
	if !ok || !utf8.ValidString(token) || !b64token.MatchString(token) || len(token) > MaxCredentialLength {
		return Presented{}, ErrMalformed
	}
	return Presented{Scheme: "Bearer", Token: token}, nil
}

// signedToken reads body as exactly {"SignedToken": "<string>"}: one member, named
// exactly so, and nothing after the object. Decoding into a struct would not do:
// encoding/json matches member names case-insensitively and lets a later duplicate win,
// so {"SignedToken":"a","signedtoken":"b"} would present "b", and a credential must come
// from one unambiguous place.
func signedToken(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var toks [4]json.Token
	for i := range toks {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		toks[i] = tok
	}
	token, isString := toks[2].(string)
	if toks[0] != json.Delim('{') || toks[1] != "SignedToken" || !isString || toks[3] != json.Delim('}') {
		return "", false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", false
	}
	return token, true
}

// clientCredentials reads an RFC 6749 §4.4 token request: a form body with grant_type
// (also taken from the query, as some clients send it), and client_id/client_secret in
// the form or as Basic — not both, and no parameter twice.
func clientCredentials(r *http.Request) (Presented, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.ContentLength != 0 && mt != "application/x-www-form-urlencoded" {
		return Presented{}, ErrMalformed
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxTokenBody+1))
	if err != nil || len(b) > maxTokenBody {
		return Presented{}, ErrMalformed
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return Presented{}, ErrMalformed
	}
	// r.URL.Query would drop a malformed pair silently; the query is held to the body's rule.
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Presented{}, ErrMalformed
	}
	for k, v := range form {
		if len(v) > 1 || len(query[k]) > 0 && k != "grant_type" {
			return Presented{}, ErrMalformed
		}
	}
	grant := form.Get("grant_type")
	if grant == "" {
		if len(query["grant_type"]) > 1 {
			return Presented{}, ErrMalformed
		}
		grant = query.Get("grant_type")
	} else if query.Has("grant_type") {
		return Presented{}, ErrMalformed
	}
	switch {
	case grant == "":
		return Presented{}, ErrMalformed
	case grant != "client_credentials":
		return Presented{}, ErrUnsupportedGrant
	case form.Get("scope") != "":
		return Presented{}, ErrInvalidScope
	}
	header, herr := ReadAuthorization(r)
	inForm := form.Has("client_id") || form.Has("client_secret")
	switch {
	case herr == nil && inForm:
		return Presented{}, ErrMalformed // two client authentication methods
	case herr == nil && header.Scheme == "Basic":
		return header, nil
	case herr == nil || !errors.Is(herr, ErrNoCredential):
		return Presented{}, ErrMalformed
	case form.Get("client_id") == "" || form.Get("client_secret") == "":
		return Presented{}, ErrNoCredential
	}
	return Presented{Scheme: "Basic", User: form.Get("client_id"), Pass: form.Get("client_secret")}, nil
}

// ClientCredentials answers POST /oauth/access_token (RFC 6749 §4.4) for callers other
// than NetServer: client_id is the tenant, client_secret one of its shared secrets. No
// refresh token is issued.
func (s *Service) ClientCredentials(r *http.Request) (*model.AccessTokenResponse, error) {
	var out *model.AccessTokenResponse
	_, err := s.guard(r, clientCredentials, func(ctx context.Context, p Presented) (connector.Tenant, string, error) {
		var tenantID string
		var err error
		out, tenantID, err = s.tokenForSecret(ctx, r, p.Pass, p.User, tenancy.MethodClientCredentials)
		return connector.Tenant{}, tenantID, err
	})
	return out, err
}
