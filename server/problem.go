package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/soap"
)

// ProblemTypeBase prefixes the stable `type` URIs of problem documents.
const ProblemTypeBase = "https://quotekit.dev/problems/"

// Realm is the realm of every authentication challenge.
const Realm = "quotekit"

// problem is one kind of failure: its status, the constant members of its problem
// document, and the RFC 6749/6750 error code where it is an authentication failure.
type problem struct {
	status int
	slug   string
	title  string
	detail string
	oauth  string // error code for token endpoints and challenges
}

var (
	probNotSupported   = problem{http.StatusNotFound, "not-supported", "Operation not supported", "This connector does not implement the operation.", ""}
	probNotFound       = problem{http.StatusNotFound, "not-found", "No such resource", "There is no operation at this path.", ""}
	probMethod         = problem{http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed", "Operations are called with POST.", ""}
	probMalformed      = problem{http.StatusBadRequest, "malformed-request", "Malformed request", "", "invalid_request"}
	probNoBody         = problem{http.StatusBadRequest, "malformed-request", "Malformed request", "The operation needs a JSON request body.", "invalid_request"}
	probInvalid        = problem{http.StatusBadRequest, "invalid-input", "Invalid input", "", ""}
	probMediaType      = problem{http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type", "Send the request body as application/json.", ""}
	probTooLarge       = problem{http.StatusRequestEntityTooLarge, "payload-too-large", "Payload too large", "The request body exceeds the server's limit.", ""}
	probTimeout        = problem{http.StatusGatewayTimeout, "timeout", "ERP did not answer in time", "The ERP did not answer within the server's deadline.", ""}
	probInternal       = problem{http.StatusInternalServerError, "internal", "Internal error", "The server could not complete the request; its log has the details under the request id.", "server_error"}
	probUnauthn        = problem{http.StatusUnauthorized, "unauthenticated", "Authentication required", "Send a credential in the Authorization header.", ""}
	probInvalidToken   = problem{http.StatusUnauthorized, "invalid-token", "Invalid credential", "The credential is not valid.", "invalid_token"}
	probBadAuthRequest = problem{http.StatusBadRequest, "invalid-request", "Malformed credential", "The Authorization header or token request cannot be read.", "invalid_request"}
	probForbidden      = problem{http.StatusForbidden, "forbidden", "Forbidden", "The credential does not allow this.", "insufficient_scope"}
	probRateLimited    = problem{http.StatusTooManyRequests, "rate-limited", "Too many requests", "Slow down and retry after the time in Retry-After.", ""}
	probBadGrant       = problem{http.StatusBadRequest, "unsupported-grant-type", "Unsupported grant type", "Only grant_type=client_credentials is supported.", "unsupported_grant_type"}
	probBadScope       = problem{http.StatusBadRequest, "invalid-scope", "Invalid scope", "Access tokens carry no scope; leave it out.", "invalid_scope"}
	probUnavailable    = problem{http.StatusServiceUnavailable, "unavailable", "Temporarily unavailable", "A service the server depends on is unavailable; retry later.", "temporarily_unavailable"}
)

// classify maps an error to its problem, the detail to show (the problem's constant
// detail unless the error carries a safe one), and whether it is a fault to log.
func classify(err error) (p problem, detail string, fault bool) {
	var adminErr *adminError
	if errors.As(err, &adminErr) {
		return problem{status: adminErr.status, slug: adminErr.slug, title: http.StatusText(adminErr.status)}, adminErr.detail, false
	}
	var invalid *connector.InvalidError
	var malformed *malformedError
	var limited *auth.RateLimitedError
	var he *echo.HTTPError
	switch {
	case errors.Is(err, connector.ErrUnsupported):
		return probNotSupported, probNotSupported.detail, false
	case errors.As(err, &invalid):
		return probInvalid, invalid.Message, false
	case errors.Is(err, connector.ErrInvalid):
		return probInvalid, "The connector could not accept the request.", false
	case errors.As(err, &malformed):
		return probMalformed, malformed.msg, false
	case errors.Is(err, errMediaType): // before io.EOF: the admin binder reports an empty body of the wrong type as both
		return probMediaType, probMediaType.detail, false
	case errors.Is(err, io.EOF): // how the binders report a missing required body
		return probNoBody, probNoBody.detail, false
	case errors.Is(err, context.DeadlineExceeded):
		return probTimeout, probTimeout.detail, true
	case errors.Is(err, context.Canceled):
		// The caller went away; nobody reads the answer and nothing is broken.
		return probUnavailable, probUnavailable.detail, false
	case errors.Is(err, auth.ErrNoCredential):
		return probUnauthn, probUnauthn.detail, false
	case errors.Is(err, auth.ErrInvalidCredential):
		return probInvalidToken, probInvalidToken.detail, false
	case errors.Is(err, auth.ErrMalformed):
		return probBadAuthRequest, probBadAuthRequest.detail, false
	case errors.Is(err, auth.ErrUnsupportedGrant):
		return probBadGrant, probBadGrant.detail, false
	case errors.Is(err, auth.ErrInvalidScope):
		return probBadScope, probBadScope.detail, false
	case errors.Is(err, auth.ErrForbidden):
		return probForbidden, probForbidden.detail, false
	case errors.As(err, &limited):
		return probRateLimited, probRateLimited.detail, false
	case errors.Is(err, auth.ErrUnavailable):
		return probUnavailable, probUnavailable.detail, true
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return probNotFound, probNotFound.detail, false
		case http.StatusMethodNotAllowed:
			return probMethod, probMethod.detail, false
		case http.StatusRequestEntityTooLarge:
			return probTooLarge, probTooLarge.detail, false
		}
	}
	return probInternal, probInternal.detail, true
}

// problemBody is an RFC 9457 problem document; on the token endpoints it also carries
// the RFC 6749 §5.2 members so OAuth clients read it too.
type problemBody struct {
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description,omitempty"`
	Type             string `json:"type"`
	Title            string `json:"title"`
	Status           int    `json:"status"`
	Detail           string `json:"detail,omitempty"`
	Instance         string `json:"instance,omitempty"`
	RequestID        string `json:"request_id,omitempty"`
}

// errorMapper is the one place where errors become HTTP answers.
type errorMapper struct{ log *slog.Logger }

func (m *errorMapper) handle(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	r := c.Request()
	if isSOAP(c) {
		m.soap(c, err)
		return
	}
	p, detail, fault := classify(err)
	id := requestIDFrom(c)
	if fault {
		m.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("request_id", id), slog.String("path", r.URL.Path),
			slog.Int("status", p.status), slog.String("error", err.Error()))
	}

	h := c.Response().Header()
	tokenEndpoint := r.URL.Path == "/Authenticate" || r.URL.Path == "/oauth/access_token"
	if challenge := challengeFor(p, tokenEndpoint, r); challenge != "" {
		h.Set("WWW-Authenticate", challenge)
	}
	if p.status == http.StatusUnauthorized || tokenEndpoint {
		// RFC 6749 §5.1: nothing about a credential may be cached on the way.
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
	}
	var limited *auth.RateLimitedError
	if errors.As(err, &limited) {
		h.Set("Retry-After", strconv.Itoa(max(1, int(limited.RetryAfter.Seconds()+0.999))))
	} else if p.status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "5")
	}

	body := problemBody{
		Type: ProblemTypeBase + p.slug, Title: p.title, Status: p.status,
		Detail: detail, Instance: r.URL.Path, RequestID: id,
	}
	contentType := "application/problem+json"
	if tokenEndpoint {
		// RFC 6749 §5.2 wants application/json with error and error_description.
		contentType = echo.MIMEApplicationJSON
		body.Error, body.ErrorDescription = tokenErrorCode(p), p.title
	} else {
		body.Error = p.oauth
	}
	b, merr := json.Marshal(body)
	if merr != nil {
		b = []byte(`{"type":"` + ProblemTypeBase + `internal","title":"Internal error","status":500}`)
	}
	if r.Method == http.MethodHead {
		b = nil
	}
	_ = c.Blob(p.status, contentType, b)
}

// soap answers a SOAP call's error with a SOAP 1.1 fault (soapFault); internal errors are
// logged under the request id, which the fault names.
func (m *errorMapper) soap(c echo.Context, err error) {
	r := c.Request()
	status, f := soapFault(err)
	id := requestIDFrom(c)
	if _, _, fault := classify(err); fault && f.Code == "s:Server" {
		m.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("request_id", id), slog.String("path", r.URL.Path),
			slog.String("transport", "soap"), slog.String("error", err.Error()))
	}
	if f.Message == faultInternal {
		f.Message += id + "."
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if werr := soap.WriteFault(buf, &f); werr != nil {
		buf.Reset()
		buf.WriteString(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>Internal error</faultstring></s:Fault></s:Body></s:Envelope>`)
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "5")
	}
	_ = c.Blob(status, soapContentTypeValue, buf.Bytes())
}

// tokenErrorCode is the RFC 6749 §5.2 code of a problem on a token endpoint.
func tokenErrorCode(p problem) string {
	switch {
	case p.status == http.StatusUnauthorized:
		return "invalid_client"
	case p.oauth != "":
		return p.oauth
	case p.status < 500:
		return "invalid_request"
	default:
		return "server_error"
	}
}

// challengeFor builds the WWW-Authenticate value (RFC 6750 §3) for authentication
// failures: no error code when credentials were absent, the code otherwise. On the token
// endpoints a refused client is challenged in the scheme it used (RFC 6749 §5.2).
func challengeFor(p problem, tokenEndpoint bool, r *http.Request) string {
	if p.status != http.StatusUnauthorized && p.status != http.StatusForbidden && p.slug != probBadAuthRequest.slug {
		return ""
	}
	scheme := "Bearer"
	if tokenEndpoint && p.status == http.StatusUnauthorized && usedBasic(r) {
		scheme = "Basic"
	}
	challenge := fmt.Sprintf(`%s realm=%q`, scheme, Realm)
	if p.oauth != "" && scheme == "Bearer" {
		challenge += fmt.Sprintf(`, error=%q, error_description=%q`, p.oauth, p.title)
	}
	return challenge
}

func usedBasic(r *http.Request) bool {
	scheme, _, _ := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
	return strings.EqualFold(scheme, "Basic") || r.URL.Path == "/oauth/access_token" && scheme == ""
}

// recoverPanics turns a panic in a handler into a 500 answer and a log line.
func (m *errorMapper) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		return next(c)
	}
}

// --- request ids ---------------------------------------------------------------------

const headerRequestID = "X-Request-Id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID gives every request an id: the caller's X-Request-Id when it is short and
// plain, a random one otherwise. It is echoed in the response header, the problem body and
// the log line.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(headerRequestID)
		if !validRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(headerRequestID, id)
		c.Response().Header().Set(headerRequestID, id)
		return next(c)
	}
}

func requestIDFrom(c echo.Context) string {
	id, _ := c.Get(headerRequestID).(string)
	return id
}
