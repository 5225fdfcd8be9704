// Package netserver calls a SuperOffice REST quote connector the way SuperOffice
// NetServer does, so a partner can check an endpoint before SuperOffice calls it.
//
// Every operation is POST {base}/{Operation} with a JSON body. The client
// authenticates per user through POST {base}/Authenticate (or sends HTTP Basic on every
// operation, see NewBasic), re-authenticates and retries once on 401 or 403, remembers
// operations answered with 404 or 410 as not implemented, and applies NetServer's
// client-side caches.
package netserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
)

// User is the SuperOffice user on whose behalf NetServer calls. Access tokens and the
// per-user caches are kept per User value.
type User struct {
	AssociateID int32
	Email       string
}

// Credentials returns the Authorization header value sent to POST /Authenticate for u.
// It is called for every authentication, including the one before a retry.
type Credentials func(ctx context.Context, u User) (authorization string, err error)

// SharedSecret authenticates with "Bearer <secret>".
func SharedSecret(secret string) Credentials {
	return func(context.Context, User) (string, error) {
		return "Bearer " + secret, nil
	}
}

// JWT authenticates with "Bearer <jwt>", calling sign for a new token on every
// authentication.
func JWT(sign func(ctx context.Context, u User) (string, error)) Credentials {
	return func(ctx context.Context, u User) (string, error) {
		jwt, err := sign(ctx, u)
		if err != nil {
			return "", fmt.Errorf("netserver: signing JWT: %w", err)
		}
		return "Bearer " + jwt, nil
	}
}

// ErrNotImplemented reports that the operation answered 404 or 410, now or on an
// earlier call through the same Client.
var ErrNotImplemented = errors.New("netserver: operation not implemented")

// StatusError is a non-2xx answer other than 404 and 410, after the one retry.
type StatusError struct {
	Op     string // operation name, or "Authenticate"
	Status int
	Body   []byte
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("netserver: %s answered %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if body := strings.TrimSpace(string(e.Body)); body != "" {
		const limit = 200
		if len(body) > limit {
			body = body[:limit] + "…"
		}
		msg += ": " + body
	}
	return msg
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client used for every request (default http.DefaultClient).
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithClock sets the clock that decides cache lifetimes (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// maxBody caps the size of an answer the client reads.
const maxBody = 32 << 20

// Client calls one connector endpoint. It is safe for concurrent use.
type Client struct {
	base  string
	creds Credentials // nil in Basic mode
	basic string      // the Authorization value of Basic mode
	appID string      // ApplicationId a SOAPClient sends (WithApplicationID)
	http  *http.Client
	now   func() time.Time

	mu       sync.Mutex
	sessions map[User]*session
	missing  map[string]bool
	cache    map[cacheKey]cached
	calls    map[string]int
	saved    map[string]int
}

// session holds a user's access token; mu serializes the user's authentications so
// concurrent calls share one token.
type session struct {
	mu            sync.Mutex
	authorization string // "Bearer <access token>", empty before the first authentication
}

// New returns a client that authenticates each user through POST {baseURL}/Authenticate
// with creds and sends the access token it gets as a Bearer token on operations. With
// nil creds it sends no Authorization at all.
func New(baseURL string, creds Credentials, opts ...Option) *Client {
	c := newClient(baseURL, opts)
	c.creds = creds
	return c
}

// NewBasic returns a client that sends HTTP Basic tenant:secret on every operation and
// never calls /Authenticate. Having no fresh credential to offer, it does not retry on
// 401 or 403.
func NewBasic(baseURL, tenant, secret string, opts ...Option) *Client {
	c := newClient(baseURL, opts)
	c.basic = "Basic " + base64.StdEncoding.EncodeToString([]byte(tenant+":"+secret))
	return c
}

func newClient(baseURL string, opts []Option) *Client {
	c := &Client{
		base:     strings.TrimRight(baseURL, "/"),
		http:     http.DefaultClient,
		now:      time.Now,
		sessions: make(map[User]*session),
		missing:  make(map[string]bool),
		cache:    make(map[cacheKey]cached),
		calls:    make(map[string]int),
		saved:    make(map[string]int),
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// calculation reports whether op answers "use the default calculation" when not
// implemented: the REST operations whose nil result means just that.
func calculation(op string) bool {
	o, ok := connector.Lookup(op)
	return ok && !o.SOAPOnly && o.Nil == connector.NilIsDefault
}

// Call calls op for u with req marshalled as the JSON body (no body when req is nil)
// and decodes the result into res, a pointer, unless res is nil.
//
// useDefault is true when the result was JSON null or empty (res is then left alone),
// and for the four calculation operations when the operation is not implemented; err
// is nil then. Other operations answer ErrNotImplemented once they have answered 404 or
// 410. Results of the cached operations may come from the cache.
func (c *Client) Call(ctx context.Context, u User, op string, req, res any) (useDefault bool, err error) {
	return c.call(ctx, u, op, req, res, true)
}

// call is Call; countSaved says whether an answer from the cache counts as a call the
// cache saved (not for the client's own look-ups of the capabilities).
func (c *Client) call(ctx context.Context, u User, op string, req, res any, countSaved bool) (useDefault bool, err error) {
	if op == "" || strings.ContainsAny(op, "/?#") {
		return false, fmt.Errorf("netserver: invalid operation name %q", op)
	}
	var body []byte
	if req != nil {
		if body, err = json.Marshal(req); err != nil {
			return false, fmt.Errorf("netserver: encoding %s request: %w", op, err)
		}
	}
	if c.isMissing(op) {
		return notImplemented(op)
	}
	key, ttl, cacheable, err := c.cachePolicy(ctx, u, op, body)
	if err != nil {
		return false, err
	}
	if cacheable {
		if raw, ok := c.lookup(key, op, countSaved); ok {
			return decode(op, raw, res)
		}
	}
	raw, err := c.do(ctx, u, op, body)
	if errors.Is(err, ErrNotImplemented) {
		c.mu.Lock()
		c.missing[op] = true
		c.mu.Unlock()
		return notImplemented(op)
	}
	if err != nil {
		return false, err
	}
	if cacheable {
		c.store(key, raw, ttl)
	}
	return decode(op, raw, res)
}

func notImplemented(op string) (bool, error) {
	if calculation(op) {
		return true, nil
	}
	return false, fmt.Errorf("%w: %s", ErrNotImplemented, op)
}

func decode(op string, raw []byte, res any) (bool, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return true, nil
	}
	if res == nil {
		return false, nil
	}
	if err := json.Unmarshal(trimmed, res); err != nil {
		return false, fmt.Errorf("netserver: decoding %s result: %w", op, err)
	}
	return false, nil
}

// Capabilities returns the capability map for u (GetCapabilities, cached 30 minutes per
// user). A null answer gives an empty map.
func (c *Client) Capabilities(ctx context.Context, u User) (map[string]bool, error) {
	return c.capabilities(ctx, u, true)
}

func (c *Client) capabilities(ctx context.Context, u User, countSaved bool) (map[string]bool, error) {
	var caps map[string]bool
	if _, err := c.call(ctx, u, "GetCapabilities", nil, &caps, countSaved); err != nil {
		return nil, err
	}
	if caps == nil {
		caps = map[string]bool{}
	}
	return caps, nil
}

// Stats counts requests sent (per operation, "Authenticate" included, retries
// included) and requests saved by the caches (per operation).
type Stats struct {
	Calls, Saved map[string]int
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Stats{Calls: make(map[string]int, len(c.calls)), Saved: make(map[string]int, len(c.saved))}
	for k, v := range c.calls {
		s.Calls[k] = v
	}
	for k, v := range c.saved {
		s.Saved[k] = v
	}
	return s
}

func (c *Client) isMissing(op string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.missing[op]
}

// do sends op, re-authenticating and retrying once on 401 or 403, and returns the body
// of a 2xx answer.
func (c *Client) do(ctx context.Context, u User, op string, body []byte) ([]byte, error) {
	auth, err := c.authorization(ctx, u, "")
	if err != nil {
		return nil, err
	}
	status, raw, err := c.post(ctx, op, auth, body)
	if err != nil {
		return nil, err
	}
	if (status == http.StatusUnauthorized || status == http.StatusForbidden) && c.creds != nil {
		if auth, err = c.authorization(ctx, u, auth); err != nil {
			return nil, err
		}
		if status, raw, err = c.post(ctx, op, auth, body); err != nil {
			return nil, err
		}
	}
	switch {
	case status >= 200 && status < 300:
		return raw, nil
	case status == http.StatusNotFound || status == http.StatusGone:
		return nil, ErrNotImplemented
	default:
		return nil, &StatusError{Op: op, Status: status, Body: raw}
	}
}

// authorization returns the Authorization value of an operation call for u. In Bearer
// mode it authenticates when u has no token yet, or when u's token is still stale (the
// one just refused); otherwise it reuses the current token, which may be one another
// call has just obtained.
func (c *Client) authorization(ctx context.Context, u User, stale string) (string, error) {
	if c.creds == nil {
		return c.basic, nil
	}
	c.mu.Lock()
	s := c.sessions[u]
	if s == nil {
		s = &session{}
		c.sessions[u] = s
	}
	c.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.authorization != "" && s.authorization != stale {
		return s.authorization, nil
	}
	s.authorization = ""
	token, err := c.authenticate(ctx, u)
	if err != nil {
		return "", err
	}
	s.authorization = "Bearer " + token
	return s.authorization, nil
}

// authenticate calls POST /Authenticate with a fresh credential and returns the access
// token, read from an RFC 6749 token object or a bare JSON string.
func (c *Client) authenticate(ctx context.Context, u User) (string, error) {
	cred, err := c.creds(ctx, u)
	if err != nil {
		return "", err
	}
	const op = "Authenticate"
	status, raw, err := c.post(ctx, op, cred, nil)
	if err != nil {
		return "", err
	}
	if status < 200 || status >= 300 {
		return "", &StatusError{Op: op, Status: status, Body: raw}
	}
	raw = bytes.TrimSpace(raw)
	var token string
	if len(raw) > 0 && raw[0] == '"' {
		err = json.Unmarshal(raw, &token)
	} else {
		var obj model.AccessTokenResponse
		if err = json.Unmarshal(raw, &obj); err == nil {
			token = obj.AccessToken
			if obj.TokenType != "" && !strings.EqualFold(string(obj.TokenType), "Bearer") {
				return "", fmt.Errorf("netserver: Authenticate answered token_type %q, want Bearer", obj.TokenType)
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("netserver: decoding Authenticate result: %w", err)
	}
	if token == "" {
		return "", errors.New("netserver: Authenticate answered no access token")
	}
	return token, nil
}

// post sends one request and returns its status and body.
func (c *Client) post(ctx context.Context, op, authorization string, body []byte) (int, []byte, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+op, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("netserver: %s: %w", op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	c.mu.Lock()
	c.calls[op]++
	c.mu.Unlock()
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("netserver: %s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, fmt.Errorf("netserver: reading %s answer: %w", op, err)
	}
	return resp.StatusCode, raw, nil
}
