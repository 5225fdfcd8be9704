package auth

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// MaxCredentialLength caps what is read from an Authorization header before any parsing,
// so a huge header costs nothing (a SuperOffice JWT is well below 8 KiB).
const MaxCredentialLength = 8 << 10

// Presented is the credential a request carries.
type Presented struct {
	Scheme string // "Bearer" or "Basic"
	Token  string // the bearer token
	User   string // Basic user name (the tenant id)
	Pass   string // Basic password (the shared secret)
}

// b64token is RFC 6750's grammar for a bearer token, ^[A-Za-z0-9\-._~+/]+=*$, checked
// without a regular expression: it runs on every call.
var b64token = b64tokenGrammar{}

type b64tokenGrammar struct{}

// MatchString reports whether s is a b64token: one or more of A-Z a-z 0-9 - . _ ~ + /,
// then any number of '='.
func (b64tokenGrammar) MatchString(s string) bool {
	i := 0
	for i < len(s) && b64char(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(s) && s[i] == '=' {
		i++
	}
	return i == len(s)
}

func b64char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// ReadAuthorization returns the credential in r's Authorization header. Errors:
// ErrNoCredential when there is none (or only an unsupported scheme), ErrMalformed when
// the header cannot be read (two headers, a token also in the query, bad grammar).
// Tokens in the query string are never accepted: URLs end up in logs.
func ReadAuthorization(r *http.Request) (Presented, error) {
	headers := r.Header.Values("Authorization")
	inQuery := r.URL.RawQuery != "" && r.URL.Query().Has("access_token")
	switch {
	case len(headers) > 1:
		return Presented{}, ErrMalformed
	case len(headers) == 0:
		return Presented{}, ErrNoCredential // a token only in the query is ignored
	case inQuery:
		return Presented{}, ErrMalformed // RFC 6750 §2: one method only
	}
	h := headers[0]
	if len(h) > MaxCredentialLength {
		return Presented{}, refuse("too_long")
	}
	scheme, value, ok := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		if !ok || !b64token.MatchString(value) {
			return Presented{}, ErrMalformed
		}
		return Presented{Scheme: "Bearer", Token: value}, nil
	case strings.EqualFold(scheme, "Basic"):
		if !ok || value == "" || strings.ContainsAny(value, " \t") {
			return Presented{}, ErrMalformed
		}
		user, pass, err := basicPair(value)
		if err != nil {
			return Presented{}, err
		}
		return Presented{Scheme: "Basic", User: user, Pass: pass}, nil
	default:
		return Presented{}, ErrNoCredential // the challenge names the schemes we take
	}
}

// tenantLike matches the raw form SuperOffice's draft prints: Basic Cust1234:<secret>.
var tenantLike = regexp.MustCompile(`^Cust[0-9]{1,10}:`)

// basicPair reads user and password from a Basic credential: base64 per RFC 7617, or the
// unencoded "CustNNNN:secret" form of SuperOffice's draft. Both parts are then
// form-url-decoded as RFC 6749 §2.3.1 asks of OAuth clients.
func basicPair(value string) (user, pass string, err error) {
	decoded := value
	if !tenantLike.MatchString(value) {
		b, derr := base64.StdEncoding.DecodeString(value)
		if derr != nil {
			return "", "", ErrMalformed
		}
		decoded = string(b)
	}
	u, p, ok := strings.Cut(decoded, ":")
	if !ok || u == "" || p == "" {
		return "", "", ErrMalformed
	}
	if user, err = url.QueryUnescape(u); err != nil {
		return "", "", ErrMalformed
	}
	if pass, err = url.QueryUnescape(p); err != nil {
		return "", "", ErrMalformed
	}
	return user, pass, nil
}
