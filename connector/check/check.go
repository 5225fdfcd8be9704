// Package check proves that a quote connector endpoint works the way SuperOffice
// NetServer will use it, before SuperOffice ever calls it.
//
// Run calls the endpoint through the NetServer-faithful client of package netserver:
// it probes the transport and the authentication protocol (a wrong credential gets 401
// with WWW-Authenticate, a dead access token makes NetServer re-authenticate and
// succeed), walks a whole quote from the configuration dialog to the order, checks
// every answer against the contract, and reports each check with why it failed and how
// to fix it. Operations the endpoint does not implement (404 or 410) are reported as
// skipped, not failed, unless a capability it claims needs them.
//
// With Options.SOAP, Run checks the SOAP endpoint SuperOffice Online calls today instead,
// through netserver.SOAPClient, which writes what WCF writes and reads answers as
// strictly as WCF does: the same quote walks through every operation, the SOAP-only ones
// included. The REST-only probes (404 semantics, re-authentication, the OpenAPI schema)
// give way to SOAP's own: calls without the shared secret, with a wrong one, and for
// another tenant must each get a SOAP fault; an unknown SOAPAction must get a fault, not a
// 404; and GET ?wsdl should answer the WSDL.
package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/netserver"
)

// Result is the outcome of one check.
type Result string

// The results, from best to worst for the endpoint.
const (
	Pass Result = "pass" // works as NetServer expects
	Fail Result = "fail" // a required check failed: SuperOffice would misbehave
	Warn Result = "warn" // works, but not as NetServer expects in production
	Skip Result = "skip" // not checked: the operation is not implemented, or an earlier check failed
)

// Check is one line of the report.
type Check struct {
	ID       string `json:"id"`   // stable, for scripts: "authenticate", "op.FindProduct", …
	Name     string `json:"name"` // what was checked, for people
	Required bool   `json:"required"`
	Result   Result `json:"result"`
	Why      string `json:"why,omitempty"` // what was seen
	Fix      string `json:"fix,omitempty"` // how to fix it, when it did not pass
}

// Report is the outcome of Run.
type Report struct {
	URL    string  `json:"url"`
	Passed bool    `json:"passed"` // every required check passed
	Checks []Check `json:"checks"`
	// Capabilities are those GetCapabilities answered.
	Capabilities map[string]bool `json:"capabilities,omitempty"`
	// Calls counts the requests the NetServer client sent per operation (Authenticate
	// and retries included); Saved counts the calls its caches answered instead.
	Calls map[string]int `json:"calls"`
	Saved map[string]int `json:"saved_by_caches"`
	// Probes counts the requests of the protocol probes, sent outside the client.
	Probes int `json:"probe_requests"`
}

// Failed returns the required checks that failed.
func (r *Report) Failed() []Check {
	var failed []Check
	for _, c := range r.Checks {
		if c.Result == Fail && c.Required {
			failed = append(failed, c)
		}
	}
	return failed
}

// Options say which endpoint to check and how NetServer reaches it.
type Options struct {
	// URL is the connector's base URL as configured in SuperOffice; operations are
	// POST URL/{Operation}.
	URL string
	// Credentials authenticate through POST URL/Authenticate as the connection would
	// (netserver.SharedSecret or netserver.JWT). With nil the calls carry no
	// credential and the authentication probes are left out: for a server that admits
	// every call, as in a connector's own tests.
	Credentials netserver.Credentials
	// Refused is a credential the endpoint must refuse, such as a wrong secret or a JWT
	// signed by a key SuperOffice does not use; nil leaves that probe out.
	Refused netserver.Credentials
	// HTTPClient makes the requests (default: a client trusting the system's roots).
	HTTPClient *http.Client
	// AllowHTTP turns the plain-HTTP failure into a warning, for a development server.
	AllowHTTP bool
	// User is who the calls act for (default: associate 5, sales@example.com).
	User netserver.User
	// ConfigValues are sent with every request, as SuperOffice sends the connection's.
	ConfigValues map[string]string
	// Currency is the sale's ISO currency (default NOK).
	Currency string
	// Search is a FindProduct input that finds products (default "%", everything).
	Search string
	// Quotes is how many quotes to walk through (default 1); more show the caches at work.
	Quotes int32
	// Timeout bounds each request (default 30 s, NetServer's own limit is similar).
	Timeout time.Duration

	// SOAP checks the SOAP endpoint at URL (e.g. https://host/Services/QuoteConnector.svc)
	// instead of the REST one; Credentials and Refused are then not used.
	SOAP bool
	// Tenant is the ContextIdentifier every SOAP call carries (required with Secret).
	Tenant string
	// Secret is the tenant's shared secret, sent as the SharedSecret configuration field
	// of every SOAP call; with "" the calls carry none and the refusal probes are left
	// out.
	Secret string
	// AppID is the ApplicationId SOAP calls send first in their configuration fields, as
	// SuperOffice Online does ("" leaves it out).
	AppID string
	// NoRefusals leaves the SOAP refusal probes out although Secret is set: for a server
	// that admits every call, as in a connector's own tests.
	NoRefusals bool

	// ReadOnly calls only the operations that read (ReadOnlyOperations), for a live
	// tenant whose ERP must not change: the configuration fields, the test connection,
	// the capabilities, price lists, quote lists, searches, products, pictures and a
	// product's quote lines. No quote is created, changed, sent, approved or deleted and no
	// order is placed: those steps are reported as one skipped check, and the client's
	// transport refuses to send any operation outside ReadOnlyOperations whatever a check
	// asks. Quotes is then 1.
	ReadOnly bool
}

// ReadOnlyOperations are the operations a ReadOnly run may call (and /Authenticate):
// those that only read from the ERP.
var ReadOnlyOperations = []string{
	"GetConfigurationFields", "TestConnection", "GetCapabilities", "CanProvideCapability",
	"GetActivePriceLists", "GetAllPriceLists", "GetNumberOfActivePriceLists", "GetQuoteList",
	"GetSearchableFields", "GetSearchResults", "FindProduct", "GetProduct", "GetProducts",
	"GetNumberOfProductImages", "GetProductImage", "GetQuoteLinesFromProduct",
}

// errWriteRefused is the transport's answer to an operation a ReadOnly run may not call.
var errWriteRefused = errors.New("check: a read-only run does not send an operation that writes")

// Run checks the endpoint; see the package documentation. It returns an error only for
// unusable options; whatever the endpoint does is in the report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("check: the URL must be an absolute http or https URL, got %q", opts.URL)
	}
	if opts.SOAP && opts.Secret != "" && opts.Tenant == "" {
		return nil, errors.New("check: a SOAP check with a secret needs the tenant (its ContextIdentifier)")
	}
	if opts.User == (netserver.User{}) {
		opts.User = netserver.User{AssociateID: 5, Email: "sales@example.com"}
	}
	if opts.Currency == "" {
		opts.Currency = "NOK"
	}
	if opts.Search == "" {
		opts.Search = "%"
	}
	if opts.Quotes <= 0 || opts.ReadOnly {
		opts.Quotes = 1
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	base := http.DefaultClient
	if opts.HTTPClient != nil {
		base = opts.HTTPClient
	}
	rec := newRecorder(base.Transport, opts.SOAP)
	rec.readOnly = opts.ReadOnly
	hc := &http.Client{Transport: rec, Timeout: opts.Timeout, Jar: base.Jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	r := &runner{
		ctx: ctx, opts: opts, base: strings.TrimRight(opts.URL, "/"), scheme: u.Scheme,
		http: hc, rec: rec,
		report: &Report{URL: opts.URL},
	}
	if opts.SOAP {
		r.base = opts.URL
		r.soap = netserver.NewSOAP(opts.URL, opts.Tenant, opts.Secret,
			netserver.WithHTTPClient(hc), netserver.WithApplicationID(opts.AppID))
		r.ns = r.soap
	} else {
		r.ns = netserver.New(r.base, opts.Credentials, netserver.WithHTTPClient(hc))
	}
	r.run()
	stats := r.ns.Stats()
	r.report.Calls, r.report.Saved = stats.Calls, stats.Saved
	r.report.Passed = len(r.report.Failed()) == 0
	return r.report, nil
}

// runner holds one run's state.
type runner struct {
	ctx    context.Context
	opts   Options
	base   string
	scheme string
	http   *http.Client
	rec    *recorder
	ns     caller
	soap   *netserver.SOAPClient // the client, when checking SOAP
	report *Report

	caps       map[string]bool        // the capabilities the endpoint claims
	answered   map[string]bool        // operations that answered something other than 404/410
	missing    map[string]bool        // operations that answered 404 or 410
	mlProblems []string               // malformed multi-language texts seen
	product    *connector.ProductInfo // found by the search, quoted by the lifecycle
}

// caller is what the checks need of a NetServer client: netserver.Client for REST,
// netserver.SOAPClient for SOAP.
type caller interface {
	Call(ctx context.Context, u netserver.User, op string, req, res any) (useDefault bool, err error)
	Capabilities(ctx context.Context, u netserver.User) (map[string]bool, error)
	Stats() netserver.Stats
}

// add reports c. A check already reported under the same ID (the same step of a later
// quote) keeps its first result unless c is the first failure.
func (r *runner) add(c Check) {
	if c.Result != Fail {
		c.Fix = ""
	}
	if c.Result == Skip {
		c.Required = false
	}
	for i, old := range r.report.Checks {
		if old.ID == c.ID {
			if c.Result == Fail && old.Result != Fail {
				r.report.Checks[i] = c
			}
			return
		}
	}
	r.report.Checks = append(r.report.Checks, c)
}

// skipRest reports why the remaining checks were not run.
func (r *runner) skipRest(why string) {
	r.add(Check{ID: "rest", Name: "the quote lifecycle and the remaining probes", Result: Skip, Why: why})
}

func (r *runner) run() {
	if r.opts.SOAP {
		r.runSOAP()
		return
	}
	if !r.transport() {
		return
	}
	if r.opts.Credentials != nil {
		r.refusals()
		if !r.authenticate() {
			r.skipRest("authentication failed, so NetServer cannot call any operation")
			return
		}
	}
	r.lifecycle()
	if r.opts.Credentials != nil {
		r.reauthentication()
	}
	r.summaries()
}

// transport checks that NetServer can reach the endpoint: HTTPS with a certificate it
// trusts. It reports false when nothing further can be checked.
func (r *runner) transport() bool {
	c := Check{ID: "transport", Name: "HTTPS with a trusted certificate", Required: true}
	resp, err := r.raw("Authenticate", "")
	if err != nil {
		c.Result = Fail
		c.Why, c.Fix = transportFailure(err)
		r.add(c)
		r.skipRest("the endpoint could not be reached")
		return false
	}
	resp.Body.Close()
	defer r.noCredential(resp)
	c.Result, c.Why, c.Fix = r.judgeTransport(resp, "credentials")
	r.add(c)
	return true
}

// judgeTransport judges how the endpoint answered resp: plain HTTP (a warning with
// AllowHTTP), TLS older than 1.2, or HTTPS with the certificate's expiry. secret names
// what plain HTTP would expose.
func (r *runner) judgeTransport(resp *http.Response, secret string) (res Result, why, fix string) {
	switch {
	case r.scheme == "http" && r.opts.AllowHTTP:
		return Warn, "plain HTTP: allowed for this check only; NetServer calls connectors over HTTPS", ""
	case r.scheme == "http":
		return Fail, "plain HTTP: NetServer only calls connectors over HTTPS, and " + secret + " would cross the network in clear text",
			"serve HTTPS (quotekit: --tls-cert/--tls-key or --acme-host); for a local development server pass --allow-http"
	case resp.TLS != nil && resp.TLS.Version < tls.VersionTLS12:
		return Fail, "the server negotiated a TLS version older than 1.2", "allow TLS 1.2 and 1.3 only"
	case resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0:
		return Pass, fmt.Sprintf("%s, certificate valid until %s", tls.VersionName(resp.TLS.Version),
			resp.TLS.PeerCertificates[0].NotAfter.UTC().Format("2006-01-02")), ""
	}
	return Pass, "", ""
}

// transportFailure says why a request got no answer and how to fix it.
func transportFailure(err error) (why, fix string) {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown), errors.As(err, &invalid), errors.As(err, &host), errors.As(err, &verify):
		return "NetServer refuses the certificate: " + rootCause(err),
			"serve a certificate from a public CA for this host name, with its intermediate certificates (quotekit serves one from Let's Encrypt with --acme-host)"
	}
	return "the endpoint cannot be reached: " + rootCause(err),
		"check the URL, that the server runs, and that SuperOffice's servers can reach it (firewall, DNS)"
}

// noCredential checks the answer to POST /Authenticate without any credential.
func (r *runner) noCredential(resp *http.Response) {
	if r.opts.Credentials == nil {
		return
	}
	r.add(refusal("refuse.none", "/Authenticate without a credential answers 401", resp))
}

// refusals checks that credentials the endpoint must not accept get 401 with
// WWW-Authenticate, at /Authenticate and on an operation.
func (r *runner) refusals() {
	if r.opts.Refused != nil {
		name := "/Authenticate with a wrong credential answers 401"
		authz, err := r.opts.Refused(r.ctx, r.opts.User)
		if err != nil {
			r.add(Check{ID: "refuse.credential", Name: name, Required: true, Result: Fail,
				Why: "could not make the wrong credential: " + err.Error(), Fix: "check the --jwt-key file"})
		} else {
			resp, err := r.raw("Authenticate", authz)
			if err != nil {
				r.add(Check{ID: "refuse.credential", Name: name, Required: true, Result: Fail, Why: rootCause(err)})
			} else {
				resp.Body.Close()
				r.add(refusal("refuse.credential", name, resp))
			}
		}
	}
	name := "an operation with an access token never issued answers 401"
	resp, err := r.raw("GetCapabilities", staleToken)
	if err != nil {
		r.add(Check{ID: "refuse.token", Name: name, Required: true, Result: Fail, Why: rootCause(err)})
		return
	}
	resp.Body.Close()
	r.add(refusal("refuse.token", name, resp))
}

// refusal judges an answer that must be 401 with a WWW-Authenticate challenge.
func refusal(id, name string, resp *http.Response) Check {
	c := Check{ID: id, Name: name, Required: true, Result: Fail}
	challenge := resp.Header.Get("WWW-Authenticate")
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		c.Why = fmt.Sprintf("answered %d: the endpoint accepted what it must refuse", resp.StatusCode)
		c.Fix = "verify every credential and access token before answering; see the security guide"
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		c.Why = fmt.Sprintf("answered %d: NetServer takes the operation as not implemented and never calls it again", resp.StatusCode)
		c.Fix = "answer 401 with WWW-Authenticate for a missing or wrong credential, never 404"
	case resp.StatusCode != http.StatusUnauthorized:
		c.Why = fmt.Sprintf("answered %d %s, not 401", resp.StatusCode, http.StatusText(resp.StatusCode))
		c.Fix = "answer 401 with WWW-Authenticate: NetServer re-authenticates on 401, and shows an error on anything else"
	case challenge == "":
		c.Why = "answered 401 without WWW-Authenticate (RFC 7235 requires the challenge)"
		c.Fix = `add the header, e.g. WWW-Authenticate: Bearer realm="quote-connector", error="invalid_token"`
	case !strings.HasPrefix(strings.ToLower(challenge), "bearer"):
		c.Why = fmt.Sprintf("answered 401 with the challenge %q; NetServer authenticates with Bearer", challenge)
		c.Fix = `challenge with the Bearer scheme: WWW-Authenticate: Bearer realm="…"`
	default:
		c.Result, c.Why = Pass, "401 with WWW-Authenticate: "+challenge
	}
	return c
}

// authenticate checks POST /Authenticate with the connection's credential.
func (r *runner) authenticate() bool {
	c := Check{ID: "authenticate", Name: "/Authenticate with the connection's credential", Required: true, Result: Fail}
	defer func() { r.add(c) }()
	authz, err := r.opts.Credentials(r.ctx, r.opts.User)
	if err != nil {
		c.Why, c.Fix = "could not make the credential: "+err.Error(), "check the --jwt-key file"
		return false
	}
	resp, err := r.raw("Authenticate", authz)
	if err != nil {
		c.Why = rootCause(err)
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		c.Why = fmt.Sprintf("answered %d %s%s", resp.StatusCode, http.StatusText(resp.StatusCode), excerpt(body))
		c.Fix = "check that the secret or the JWT settings (AppId, tenant) are those the server has for this tenant; the server's log says why it refused"
		return false
	}
	if bare := strings.TrimSpace(string(body)); strings.HasPrefix(bare, `"`) {
		c.Result, c.Why = Warn, "answered a bare JSON string: NetServer reads it, but clients expecting RFC 6749 will not"
		return true
	}
	if err := validateToken(resp.Header, body); err != nil {
		c.Why = "the token answer is not the contract's RFC 6749 object: " + err.Error()
		c.Fix = `answer {"access_token": "…", "token_type": "Bearer", "expires_in": 3600}`
		return false
	}
	c.Result, c.Why = Pass, "an RFC 6749 Bearer access token"
	return true
}

// reauthentication swaps the user's access token for a stale one on the next call and
// checks that the endpoint refuses it with 401 and that NetServer's single retry, after
// a new /Authenticate, succeeds.
func (r *runner) reauthentication() {
	c := Check{ID: "reauthenticate", Name: "an expired or revoked access token: NetServer re-authenticates and retries once", Required: true, Result: Fail}
	defer func() { r.add(c) }()
	var op string
	var req any
	switch {
	case r.answered["FindProduct"] && !r.missing["FindProduct"]:
		op, req = "FindProduct", &connector.FindProductRequest{ConfigValues: r.opts.ConfigValues, CurrencyCode: r.opts.Currency, UserInput: r.opts.Search}
	case r.answered["TestConnection"] && !r.missing["TestConnection"]:
		op, req = "TestConnection", &connector.TestConnectionRequest{ConfigValues: r.opts.ConfigValues}
	default:
		c.Result, c.Why = Skip, "no uncached operation answered to retry with"
		return
	}
	before := r.ns.Stats().Calls["Authenticate"]
	r.rec.tamperNext(op)
	_, err := r.ns.Call(r.ctx, r.opts.User, op, req, nil)
	status := r.rec.tamperedStatus()
	after := r.ns.Stats().Calls["Authenticate"]
	switch {
	case status >= 200 && status < 300:
		c.Why = fmt.Sprintf("%s accepted an access token the endpoint never issued (%d)", op, status)
		c.Fix = "check the access token on every operation; answer 401 for an unknown, expired or revoked one"
	case status != http.StatusUnauthorized && status != http.StatusForbidden:
		c.Why = fmt.Sprintf("%s answered %d to a dead access token; NetServer re-authenticates only on 401 or 403", op, status)
		c.Fix = "answer 401 with WWW-Authenticate for an unknown, expired or revoked access token"
	case after != before+1:
		c.Why = fmt.Sprintf("the client authenticated %d times, not once", after-before)
	case err != nil:
		c.Why = "after re-authenticating, the retry failed: " + err.Error()
		c.Fix = "a fresh access token from /Authenticate must be accepted at once"
	default:
		c.Result = Pass
		c.Why = fmt.Sprintf("%s answered %d, /Authenticate issued a new token, the retry succeeded", op, status)
	}
}

// raw sends one POST outside the NetServer client, for the probes.
func (r *runner) raw(op, authorization string) (*http.Response, error) {
	// NetServer sends /Authenticate without a body, operations with a JSON object.
	var body io.Reader = http.NoBody
	if op != "Authenticate" {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, r.base+"/"+op, body)
	if err != nil {
		return nil, err
	}
	if op != "Authenticate" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	r.report.Probes++
	return r.http.Do(req)
}

// rootCause strips the URL wrapping of a client error, which repeats the endpoint.
func rootCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// excerpt returns the start of an answer body for a message, or "".
func excerpt(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return ""
	}
	const limit = 200
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return ": " + s
}
