package netserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/soap"
)

// SharedSecretKey is the configuration field that carries the tenant's shared secret on
// every SOAP call, as the connection dialog of a quotekit endpoint stores it.
const SharedSecretKey = "SharedSecret"

// ApplicationIDKey is the configuration field SuperOffice Online sends first on every
// SOAP call: the application id of the connection.
const ApplicationIDKey = "ApplicationId"

// WithApplicationID sets the application id a SOAPClient sends first in
// ConnectionConfigFields, as SuperOffice Online does; without it the key is left out.
// A REST Client ignores it.
func WithApplicationID(id string) Option {
	return func(c *Client) { c.appID = id }
}

// ContractError reports members of a SOAP answer that NetServer's WCF client drops
// silently: members out of data-contract order and unknown members. The answer was
// read as WCF reads it, so the values of those members are lost.
type ContractError struct {
	Op       string
	Problems []string // one per dropped member, with its path in the answer
}

func (e *ContractError) Error() string {
	return fmt.Sprintf("netserver: %s: the answer has members WCF drops silently, so NetServer never sees their values: %s",
		e.Op, strings.Join(e.Problems, "; "))
}

// DecodeError is a SOAP answer NetServer's WCF client cannot read at all (a wrong
// wrapper, an enumeration number instead of its name, a malformed value, not a SOAP
// envelope): the call fails with "Error in deserializing body of reply message".
type DecodeError struct {
	Op  string
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("netserver: %s: NetServer cannot read the answer (WCF: \"Error in deserializing body of reply message\"): %v", e.Op, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// FaultError is a SOAP fault an operation answered; NetServer shows its text to the user.
type FaultError struct {
	Op     string
	Status int
	Fault  *soap.Fault
}

func (e *FaultError) Error() string {
	return fmt.Sprintf("netserver: %s answered a SOAP fault (HTTP %d, %s): %s", e.Op, e.Status, e.Fault.Code, e.Fault.Message)
}

func (e *FaultError) Unwrap() error { return e.Fault }

// SOAPClient calls a SOAP quote connector endpoint the way NetServer does: one POST per
// operation to one URL, SOAP 1.1 (text/xml; charset=utf-8) with the quoted SOAPAction,
// the six headers in WCF's order, and the answer read as strictly as WCF reads it. It
// does not cache and never re-authenticates: a SOAP call carries its credential, the
// shared secret, in ConnectionConfigFields. It is safe for concurrent use.
type SOAPClient struct {
	url, tenant, secret, appID string
	session                    string
	http                       *http.Client

	mu    sync.Mutex
	calls map[string]int
}

// NewSOAP returns a client for the SOAP endpoint at url (e.g.
// https://host/Services/QuoteConnector.svc). Every call carries tenantID as the
// ContextIdentifier header and, unless secret is "", secret as the last
// ConnectionConfigFields pair, key SharedSecret. Of the options, WithHTTPClient and
// WithApplicationID apply.
func NewSOAP(url, tenantID, secret string, opts ...Option) *SOAPClient {
	c := newClient(url, opts)
	var id [16]byte
	_, _ = rand.Read(id[:])
	return &SOAPClient{url: url, tenant: tenantID, secret: secret, appID: c.appID,
		session: hex.EncodeToString(id[:]), http: c.http, calls: map[string]int{}}
}

// Call calls op for u. req is the operation's request (a pointer to its carrier; nil
// sends a zero request; any other value is converted through its JSON form), res a
// pointer to the result's type, to its element type when the result is a pointer, or
// any value the result converts to through JSON; nil discards the result.
//
// useDefault is true when the answer was a nil Result (i:nil="true"), or nil for an
// operation without result; res is then left alone. A fault is a *FaultError (wrapping
// the *soap.Fault); an answer WCF cannot read is a *DecodeError; members WCF would drop
// silently give a *ContractError after res was set from what WCF would read; any other
// status is a *StatusError.
func (c *SOAPClient) Call(ctx context.Context, u User, op string, req, res any) (useDefault bool, err error) {
	o, ok := connector.Lookup(op)
	if !ok {
		return false, fmt.Errorf("netserver: unknown operation %q", op)
	}
	request, err := requestOf(o, req)
	if err != nil {
		return false, err
	}
	var body bytes.Buffer
	action, err := soap.WriteCall(&body, o, c.Header(u, request), request)
	if err != nil {
		return false, fmt.Errorf("netserver: encoding %s request: %w", op, err)
	}
	status, ct, raw, err := c.Post(ctx, op, action, body.Bytes())
	if err != nil {
		return false, err
	}
	var result reflect.Value
	var target any
	if o.Result != nil {
		result = reflect.New(o.Result)
		target = result.Interface()
	}
	mt, _, _ := mime.ParseMediaType(ct)
	if status != http.StatusOK && (status != http.StatusInternalServerError || mt != "text/xml") {
		return false, &StatusError{Op: op, Status: status, Body: raw}
	}
	if mt != "text/xml" {
		return false, &DecodeError{Op: op, Err: fmt.Errorf("content type %q, not text/xml (WCF: ProtocolException)", ct)}
	}
	problems, err := soap.ReadResult(raw, o, target)
	var f *soap.Fault
	switch {
	case errors.As(err, &f):
		return false, &FaultError{Op: op, Status: status, Fault: f}
	case err != nil:
		return false, &DecodeError{Op: op, Err: err}
	case status != http.StatusOK:
		return false, &StatusError{Op: op, Status: status, Body: raw}
	}
	if o.Result == nil || o.IsNil(result.Elem().Interface()) {
		useDefault = true
	} else if err := assign(res, result.Elem()); err != nil {
		return false, fmt.Errorf("netserver: %s result: %w", op, err)
	}
	if len(problems) > 0 {
		return useDefault, &ContractError{Op: op, Problems: problems}
	}
	return useDefault, nil
}

// Header returns the six headers NetServer sends with request for u:
// ConnectionConfigFields with ApplicationId first (when known), the request's
// ConfigValues sorted by key, then SharedSecret (when the client has one);
// ConnectionData and ConnectionId from the request's ConnectionInfo (connection 1 when it
// has none); the tenant as ContextIdentifier; the client's session id; and u as UserInfo.
func (c *SOAPClient) Header(u User, request any) soap.Header {
	h := soap.Header{ConfigFields: []soap.KeyValue{}, ContextIdentifier: c.tenant, SessionID: c.session,
		UserInfo: &model.UserInfo{AssociateId: u.AssociateID, Email: u.Email, UserName: u.Email}}
	if c.appID != "" {
		h.ConfigFields = append(h.ConfigFields, soap.KeyValue{Key: ApplicationIDKey, Value: c.appID})
	}
	rv := reflect.ValueOf(request).Elem()
	if f := rv.FieldByName("ConfigValues"); f.IsValid() {
		values, _ := f.Interface().(map[string]string)
		keys := make([]string, 0, len(values))
		for k := range values {
			if !strings.EqualFold(k, ApplicationIDKey) && !strings.EqualFold(k, SharedSecretKey) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			h.ConfigFields = append(h.ConfigFields, soap.KeyValue{Key: k, Value: values[k]})
		}
	}
	if c.secret != "" {
		h.ConfigFields = append(h.ConfigFields, soap.KeyValue{Key: SharedSecretKey, Value: c.secret})
	}
	if f := rv.FieldByName("ConnectionInfo"); f.IsValid() {
		h.ConnectionData, _ = f.Interface().(*model.QuoteConnectionInfo)
	}
	if h.ConnectionData == nil {
		h.ConnectionData = &model.QuoteConnectionInfo{CRMConnectionId: 1}
	}
	h.ConnectionID = h.ConnectionData.CRMConnectionId
	return h
}

// Post sends one SOAP request envelope as NetServer does and returns the answer's status,
// Content-Type and body. op only names the request in errors and Stats.
func (c *SOAPClient) Post(ctx context.Context, op, soapAction string, envelope []byte) (status int, contentType string, body []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(envelope))
	if err != nil {
		return 0, "", nil, fmt.Errorf("netserver: %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", soapAction)
	c.mu.Lock()
	c.calls[op]++
	c.mu.Unlock()
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", nil, fmt.Errorf("netserver: %s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, "", nil, fmt.Errorf("netserver: reading %s answer: %w", op, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), raw, nil
}

// Capabilities returns the capability map for u (GetCapabilities, not cached). A nil
// answer gives an empty map.
func (c *SOAPClient) Capabilities(ctx context.Context, u User) (map[string]bool, error) {
	var caps map[string]bool
	if _, err := c.Call(ctx, u, "GetCapabilities", nil, &caps); err != nil {
		return nil, err
	}
	if caps == nil {
		caps = map[string]bool{}
	}
	return caps, nil
}

// Stats counts the requests sent per operation; Saved is always empty, as the client
// does not cache.
func (c *SOAPClient) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Stats{Calls: make(map[string]int, len(c.calls)), Saved: map[string]int{}}
	for k, v := range c.calls {
		s.Calls[k] = v
	}
	return s
}

// requestOf returns req as a pointer to o's request carrier.
func requestOf(o connector.Operation, req any) (any, error) {
	if req == nil {
		return o.NewRequest(), nil
	}
	if rv := reflect.ValueOf(req); rv.Kind() == reflect.Pointer && rv.Type().Elem() == o.Request {
		if rv.IsNil() {
			return o.NewRequest(), nil
		}
		return req, nil
	}
	request := o.NewRequest()
	raw, err := json.Marshal(req)
	if err == nil {
		err = json.Unmarshal(raw, request)
	}
	if err != nil {
		return nil, fmt.Errorf("netserver: %s request: %w", o.Name, err)
	}
	return request, nil
}

// assign stores result (a non-nil value of the operation's result type) in res.
func assign(res any, result reflect.Value) error {
	if res == nil {
		return nil
	}
	rv := reflect.ValueOf(res)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("decoding into %T: not a non-nil pointer", res)
	}
	dst := rv.Elem()
	switch {
	case result.Type().AssignableTo(dst.Type()):
		dst.Set(result)
		return nil
	case result.Kind() == reflect.Pointer && result.Type().Elem().AssignableTo(dst.Type()):
		dst.Set(result.Elem())
		return nil
	}
	raw, err := json.Marshal(result.Interface())
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, res)
}
