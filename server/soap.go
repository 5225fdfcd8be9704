package server

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/soap"
	"github.com/quotekit/quotekit/soap/schema"
)

// DefaultSOAPPath is where the SOAP endpoint listens unless WithSOAPPath says otherwise:
// the path SuperOffice's own sample hosts use.
const DefaultSOAPPath = "/Services/QuoteConnector.svc"

// SharedSecretField is the configuration field that carries the tenant's shared secret
// on every SOAP call: the kit adds it to the connection dialog (GetConfigurationFields),
// checks it, and strips it before the connector sees the configuration.
const SharedSecretField = "SharedSecret"

// WithSOAPPath serves the SOAP endpoint at path instead of DefaultSOAPPath; "" turns it off.
func WithSOAPPath(path string) Option { return func(c *config) { c.soapPath = path } }

// The keys under which the SOAP endpoint tells the rest of the request's life (the log
// line, metrics and the error mapper) what it is serving.
const (
	ctxTransport = "quotekit.transport"
	ctxOperation = "quotekit.operation"
)

// Faults a SOAP caller sees. NetServer shows a fault's text to the sales user, so each is
// written for that user and says nothing about internals; details go to the log under the
// request id.
const (
	faultRefused     = "The connection to the ERP is not authorised: the SharedSecret in the connection's settings is missing or not valid for this SuperOffice customer. Ask the connector's provider for a new secret and enter it in the connection settings."
	faultTimeout     = "The ERP did not answer in time. Please try again."
	faultUnavailable = "The connector is temporarily unavailable. Please try again in a moment."
	faultTooLarge    = "The request is larger than the connector accepts."
	faultInternal    = "The connector could not complete the request. Its log has the details under reference "
)

// markSOAP tells the log line, the metrics and the error mapper that a request to path
// is a SOAP call. It runs before the body limit, so that even a 413 is a SOAP fault.
func markSOAP(path string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if path != "" && c.Path() == path {
				c.Set(ctxTransport, "soap")
			}
			return next(c)
		}
	}
}

func isSOAP(c echo.Context) bool { return c.Get(ctxTransport) == "soap" }

// soapEndpoint serves IOnlineQuoteConnector (the 32 quote operations) and the
// IIntegrationServiceConnectorAuth handshake on one path, dispatched by SOAPAction, with
// the same connector, invoker and authentication as the REST routes.
//
// The life of a SOAP call:
//
//  1. The shared middleware (request id, log and metrics, panic recovery, body limit).
//  2. POST only, Content-Type text/xml with UTF-8 (SOAP 1.1); anything else 415.
//  3. soap.Read decodes the envelope as tolerantly as WCF and names the operation.
//  4. Authentication: the SharedSecret configuration field must be an active secret of
//     the ContextIdentifier's tenant (AuthenticateSecret, cached). GetConfigurationFields
//     is answered without it; GetQuoteList without any secret answers "no list".
//  5. invoker.invoke with the tenant in the context, as on REST. An operation the
//     connector leaves unsupported, or a nil result that asks for NetServer's default,
//     answers the operation's neutral result: a fault would be shown to the sales user.
//  6. soap.WriteResult: 200 with the data-contract XML; errors reach the one error mapper,
//     which answers SOAP calls with a SOAP 1.1 fault (soapFault).
type soapEndpoint struct {
	ops   invoker
	authn Authenticator
	path  string
}

// serve answers a POST to the SOAP path.
func (s soapEndpoint) serve(c echo.Context) error {
	r := c.Request()
	if err := soapContentType(r.Header.Get(echo.HeaderContentType)); err != nil {
		return err
	}
	// The envelope is read into a pooled buffer, kept until the answer is written; what
	// soap.Read returns never aliases it.
	body := getBuffer()
	defer putBuffer(body)
	if _, err := body.ReadFrom(r.Body); err != nil {
		return err // the body limit's 413, or a broken connection
	}
	msg, err := soap.Read(body.Bytes(), r.Header.Get("SOAPAction"))
	if err != nil {
		return err
	}
	if msg.Auth != nil {
		c.Set(ctxOperation, "Authenticate")
		res := s.authn.Handshake(r, msg.Auth.SignedToken)
		return writeSOAP(c, func(w io.Writer) error {
			return soap.WriteAuthenticate(w, msg.Auth, soap.AuthResponse{
				Succeeded: res.Succeeded, Reason: res.Reason, SignedApplicationToken: res.SignedApplicationToken,
			})
		})
	}

	call := msg.Call
	op := call.Op
	c.Set(ctxOperation, op.Name)
	secret := configField(call.Header.ConfigFields, SharedSecretField)
	stripConfigValues(call.Request)
	switch {
	case op.Name == "GetConfigurationFields":
		// The connection dialog asks for its fields before any secret exists.
	case op.Name == "GetQuoteList" && secret == "":
		// The dialog fills its list fields while the connection is first set up, before
		// the secret is saved: no secret, no tenant data, and "no list" lets SuperOffice
		// fall back to free text instead of showing the user a fault.
		return writeSOAP(c, func(w io.Writer) error { return soap.WriteResult(w, op, nil) })
	default:
		t, err := s.authn.AuthenticateSecret(r, call.Header.ContextIdentifier, secret)
		if err != nil {
			return err
		}
		c.SetRequest(r.WithContext(connector.WithTenant(r.Context(), t)))
	}

	res, null, err := s.ops.invoke(c.Request().Context(), op, call.Request)
	switch {
	case errors.Is(err, connector.ErrUnsupported):
		res = op.Neutral(call.Request)
	case err != nil:
		return err
	case null && op.Nil == connector.NilIsDefault:
		res = op.Neutral(call.Request)
	case null:
		res = nil
	}
	if op.Name == "GetConfigurationFields" {
		res = withSharedSecretField(res)
	}
	return writeSOAP(c, func(w io.Writer) error { return soap.WriteResult(w, op, res) })
}

// soapContentType accepts SOAP 1.1's text/xml in UTF-8 (the charset may be left out).
func soapContentType(value string) error {
	mt, params, err := mime.ParseMediaType(value)
	switch {
	case err != nil || mt != "text/xml" && mt != "application/soap+xml":
		return &soapStatusFault{http.StatusUnsupportedMediaType, soap.Fault{Code: "s:Client",
			Message: "Send SOAP 1.1 requests as text/xml; charset=utf-8."}}
	case mt == "application/soap+xml":
		return &soapStatusFault{http.StatusUnsupportedMediaType, soap.Fault{Code: "s:Client",
			Message: "SOAP 1.2 is not supported; use SOAP 1.1 (text/xml; charset=utf-8)."}}
	case params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8"):
		return &soapStatusFault{http.StatusUnsupportedMediaType, soap.Fault{Code: "s:Client",
			Message: "Send SOAP requests in UTF-8 (text/xml; charset=utf-8)."}}
	}
	return nil
}

// soapStatusFault is a fault answered with a status other than 500.
type soapStatusFault struct {
	status int
	fault  soap.Fault
}

func (f *soapStatusFault) Error() string { return f.fault.Error() }

// configField returns the first value of the configuration field named key, ignoring
// case as StripSuperOfficeKeys does, or "".
func configField(fields []soap.KeyValue, key string) string {
	for _, kv := range fields {
		if strings.EqualFold(kv.Key, key) {
			return kv.Value
		}
	}
	return ""
}

// withSharedSecretField adds the mandatory SharedSecret password field to the
// connection dialog, replacing a field of the same key the connector may define.
func withSharedSecretField(res any) any {
	fields, _ := res.(map[string]connector.FieldMetadataInfo)
	out := make(map[string]connector.FieldMetadataInfo, len(fields)+1)
	for k, f := range fields {
		if !strings.EqualFold(k, SharedSecretField) {
			out[k] = f
		}
	}
	rank := int32(0)
	for _, f := range out {
		rank = max(rank, f.Rank+1)
	}
	out[SharedSecretField] = connector.FieldMetadataInfo{
		FieldKey: SharedSecretField,
		DisplayName: connector.ML("US", "Shared secret", "GE", "Gemeinsames Geheimnis",
			"NO", "Delt hemmelighet", "SE", "Delad hemlighet", "DK", "Delt hemmelighed", "NL", "Gedeeld geheim"),
		DisplayDescription: connector.ML("US", "The secret the connector's provider gave you for this SuperOffice customer.",
			"NO", "Hemmeligheten leverandøren av koblingen ga dere for denne SuperOffice-kunden."),
		FieldType: connector.FieldMetadataTypeInfoPassword,
		Access:    connector.FieldAccessInfoMandatory,
		Rank:      rank,
	}
	return out
}

// writeSOAP answers 200 with the envelope write produces, encoded into a pooled buffer
// so that an encoding error can still become a fault.
func writeSOAP(c echo.Context, write func(io.Writer) error) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := write(buf); err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, soapContentTypeValue)
	w.WriteHeader(http.StatusOK)
	_, err := buf.WriteTo(w)
	return err
}

const soapContentTypeValue = "text/xml; charset=utf-8"

// soapFault is how the one error mapper answers a SOAP call: a SOAP 1.1 fault, HTTP 500
// (415 and 413 for a wrong content type and a body over the limit), whose faultstring is
// safe to show the sales user. A connector.Invalid error shows the partner's message; a
// refused credential one fixed text whatever the reason.
func soapFault(err error) (status int, f soap.Fault) {
	var sf *soapStatusFault
	var decode *soap.Fault
	var invalid *connector.InvalidError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &sf):
		return sf.status, sf.fault
	case errors.As(err, &decode):
		return http.StatusInternalServerError, *decode
	case errors.As(err, &invalid):
		return http.StatusInternalServerError, soap.Fault{Code: "s:Client", Message: invalid.Message}
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		return http.StatusRequestEntityTooLarge, soap.Fault{Code: "s:Client", Message: faultTooLarge}
	}
	p, _, _ := classify(err)
	switch {
	case p.status == http.StatusUnauthorized || p.status == http.StatusTooManyRequests || p.slug == probBadAuthRequest.slug:
		return http.StatusInternalServerError, soap.Fault{Code: "s:Client", Message: faultRefused}
	case p == probTimeout:
		return http.StatusInternalServerError, soap.Fault{Code: "s:Server", Message: faultTimeout}
	case p == probUnavailable:
		return http.StatusInternalServerError, soap.Fault{Code: "s:Server", Message: faultUnavailable}
	}
	return http.StatusInternalServerError, soap.Fault{Code: "s:Server", Message: faultInternal}
}

// metadata serves GET <path>?wsdl and GET <path>?xsd=NAME: the WSDL and XSD of both
// contracts, exactly the schema the endpoint reads and writes, with their addresses
// rewritten to the URL the request came to.
func (s soapEndpoint) metadata(c echo.Context) error {
	r := c.Request()
	base := requestURL(r, s.path)
	q := r.URL.Query()
	var name string
	switch {
	case q.Has("wsdl") || q.Has("WSDL") || q.Has("singleWsdl"):
		name = schema.WSDL
	case q.Get("xsd") != "":
		name = q.Get("xsd") + ".xsd"
		if !slices.Contains(schema.XSDFiles, name) {
			return c.String(http.StatusNotFound, "no such schema\n")
		}
	default:
		return c.String(http.StatusOK, "quotekit SOAP endpoint (IOnlineQuoteConnector). POST SOAP 1.1 requests here; the WSDL is at "+base+"?wsdl\n")
	}
	raw, err := fs.ReadFile(schema.FS, name)
	if err != nil {
		return err
	}
	raw = bytes.ReplaceAll(raw, []byte(schema.PlaceholderAddress), []byte(base))
	raw = bytes.ReplaceAll(raw, []byte(`schemaLocation="?xsd=`), []byte(`schemaLocation="`+base+`?xsd=`))
	for _, f := range schema.XSDFiles {
		raw = bytes.ReplaceAll(raw, []byte(`schemaLocation="`+f+`"`),
			[]byte(`schemaLocation="`+base+`?xsd=`+strings.TrimSuffix(f, ".xsd")+`"`))
	}
	return c.Blob(http.StatusOK, soapContentTypeValue, raw)
}

// requestURL is the absolute URL of path as the caller reached it: https when the
// connection is TLS or a proxy says so (X-Forwarded-Proto), the Host the caller used.
func requestURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
