// Package server serves a connector over HTTP: the Quote Connector operations over REST
// (one route per row of the operation table that is not SOAPOnly) and over SOAP (all 32,
// at one path: soap.go), the two token endpoints and /openapi.json, with one error mapper
// that speaks the status codes NetServer acts on over REST and SOAP 1.1 faults over SOAP.
//
// The life of a REST operation call, POST /{Operation}, as New wires it (a SOAP call's is
// in soapEndpoint's documentation):
//
//  1. Middleware every route shares (newEcho): the request id, the request log and
//     metrics (observe), panic recovery, the body limit (WithBodyLimit).
//  2. Authentication: the Authenticator verifies the credential, and the tenant it names
//     goes into the request context (connector.WithTenant); no body ever names a tenant.
//  3. The route of the operation: one per REST row of connector.Operations(), built by
//     invoker.restOperation.
//  4. The JSON binder (binder.go): application/json only, exactly one JSON value, no
//     body only where the row has OptionalBody; SuperOffice's own keys leave ConfigValues.
//  5. invoker.invoke: the connector runs with the call timeout (WithCallTimeout) as its
//     ctx deadline and a late answer is dropped; a panic becomes an error; a nil result
//     follows the row's Nil rule (JSON null, or an error where nil is refused).
//  6. The JSON encoder (writeJSON): 200 with the result, or with null for a nil result
//     the row allows; no body for an operation without a result.
//
// Every error on the way returns to echo and reaches the one error mapper (problem.go),
// which answers application/problem+json: ErrUnsupported and unknown paths 404, Invalid
// and unreadable bodies 400, a wrong content type 415, a body over the limit 413,
// credential failures 401 with WWW-Authenticate (403, 429 with Retry-After), a passed
// deadline 504, an unavailable store 503, and anything else, panics included, 500 with
// the detail only in the log under the request id.
package server

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
	"github.com/quotekit/quotekit/openapi/model"
)

// Defaults for the options.
const (
	// DefaultBodyLimit bounds request bodies, REST and SOAP alike (bytes). A quote version
	// with hundreds of lines is well below; SOAP's XML is about twice its JSON, and WCF
	// hosts of SuperOffice's samples accept far more.
	DefaultBodyLimit   = 16 << 20
	DefaultCallTimeout = 20 * time.Second
	// TokenBodyLimit bounds the body of the token endpoints, which carry a JWT or a form.
	TokenBodyLimit = 64 << 10
)

type config struct {
	logger      *slog.Logger
	bodyLimit   int64
	callTimeout time.Duration
	metrics     *Metrics
	ready       []readyCheck
	soapPath    string
	health      *Health
}

// Option changes an optional setting of New.
type Option func(*config)

// WithLogger sets the logger for the request log and faults (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithBodyLimit sets the largest accepted request body in bytes (default DefaultBodyLimit).
func WithBodyLimit(n int64) Option { return func(c *config) { c.bodyLimit = n } }

// WithCallTimeout sets how long a connector call may take before the server answers 504
// (default DefaultCallTimeout). The connector's ctx carries the same deadline.
func WithCallTimeout(d time.Duration) Option { return func(c *config) { c.callTimeout = d } }

// New returns the HTTP handler serving conn. authn verifies every operation call and
// answers the token endpoints.
func New(conn connector.Connector, authn Authenticator, opts ...Option) (http.Handler, error) {
	cfg := config{
		logger:      slog.New(slog.DiscardHandler),
		bodyLimit:   DefaultBodyLimit,
		callTimeout: DefaultCallTimeout,
		soapPath:    DefaultSOAPPath,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := connector.Validate(conn); err != nil {
		return nil, err
	}
	spec, err := specJSON()
	if err != nil {
		return nil, err
	}

	e := newEcho(cfg)
	if cfg.soapPath != "" {
		if _, isOp := connector.Lookup(strings.TrimPrefix(cfg.soapPath, "/")); !strings.HasPrefix(cfg.soapPath, "/") || isOp {
			return nil, fmt.Errorf("server: SOAP path %q must start with / and not be an operation's path", cfg.soapPath)
		}
	}

	e.GET("/openapi.json", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, spec)
	})
	e.GET("/healthz", health)
	e.GET("/readyz", readiness(cfg.ready))
	tokens := tokenEndpoints{authn: authn}
	tokenLimit := middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: strconv.Itoa(TokenBodyLimit) + "B"})
	e.POST("/Authenticate", tokens.authenticate, tokenLimit)
	e.POST("/oauth/access_token", tokens.clientCredentials, tokenLimit)

	// The operations, one route each from the operation table, with authentication in
	// front. (An echo Group would also catch unknown paths and wrong methods and answer
	// them 401.)
	ops := invoker{conn: conn, timeout: cfg.callTimeout, workers: newWorkers()}
	for _, op := range connector.Operations() {
		if op.SOAPOnly {
			continue // REST has no route for it
		}
		e.POST("/"+op.Name, ops.restOperation(op), authenticate(authn))
	}
	if cfg.soapPath != "" {
		soapOps := soapEndpoint{ops: ops, authn: authn, path: cfg.soapPath}
		e.POST(cfg.soapPath, soapOps.serve)
		e.GET(cfg.soapPath, soapOps.metadata)
	}
	return e, nil
}

// newEcho returns an echo instance with what every handler of the package shares: the
// JSON-only binder, the one error mapper, request ids, the request log and metrics, panic
// recovery and the body limit.
func newEcho(cfg config) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	e.Binder = jsonBinder{}
	errs := &errorMapper{log: cfg.logger}
	e.HTTPErrorHandler = errs.handle
	e.Use(requestID, markSOAP(cfg.soapPath), observe(cfg.logger, cfg.metrics, cfg.health), errs.recoverPanics)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: strconv.FormatInt(cfg.bodyLimit, 10) + "B"}))
	return e
}

// specJSON renders the embedded contract once, for /openapi.json.
func specJSON() ([]byte, error) {
	swagger, err := openapi.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("load embedded spec: %w", err)
	}
	return json.Marshal(swagger)
}

// authenticate puts the tenant of the request's credential into its context, or stops the
// request with the credential's error.
func authenticate(authn Authenticator) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			t, err := authn.Authenticate(c.Request())
			if err != nil {
				return err
			}
			r := c.Request()
			c.SetRequest(r.WithContext(connector.WithTenant(r.Context(), t)))
			return next(c)
		}
	}
}

// tokenEndpoints answer POST /Authenticate and POST /oauth/access_token in the RFC 6749
// §5.1 shape, never cached.
type tokenEndpoints struct{ authn Authenticator }

func (t tokenEndpoints) authenticate(c echo.Context) error {
	return t.answer(c, t.authn.Token)
}

func (t tokenEndpoints) clientCredentials(c echo.Context) error {
	return t.answer(c, t.authn.ClientCredentials)
}

func (t tokenEndpoints) answer(c echo.Context, issue func(*http.Request) (*model.AccessTokenResponse, error)) error {
	tok, err := issue(c.Request())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	return c.JSON(http.StatusOK, tok)
}
