package check

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/netserver"
	"github.com/quotekit/quotekit/soap"
)

// runSOAP runs the SOAP checks: transport, refusals, the unknown action, the WSDL, the
// quote lifecycle through the SOAP client, and the summaries.
func (r *runner) runSOAP() {
	if !r.soapTransport() {
		return
	}
	if r.opts.Secret != "" && !r.opts.NoRefusals {
		r.soapRefusals()
	}
	r.unknownAction()
	r.wsdl()
	r.lifecycle()
	r.summaries()
}

// soapTransport checks that NetServer can reach the SOAP endpoint over HTTPS, with
// GetConfigurationFields, the one call every endpoint answers without a secret. It
// reports false when nothing further can be checked.
func (r *runner) soapTransport() bool {
	c := Check{ID: "transport", Name: "HTTPS with a trusted certificate", Required: true}
	resp, err := r.soapRaw("GetConfigurationFields", soap.ActionPrefix+"GetConfigurationFields", r.opts.Tenant, nil)
	if err != nil {
		c.Why, c.Fix = transportFailure(err)
		c.Result = Fail
		r.add(c)
		r.skipRest("the endpoint could not be reached")
		return false
	}
	resp.Body.Close()
	c.Result, c.Why, c.Fix = r.judgeTransport(resp, "the shared secret")
	r.add(c)
	return true
}

// soapRefusals checks that a quote call without the shared secret, with a wrong one, and
// with the right one for another tenant each get a SOAP fault.
func (r *runner) soapRefusals() {
	other := r.opts.Tenant + "-other"
	for _, p := range []struct {
		id, name, tenant string
		fields           []soap.KeyValue
	}{
		{"soap.refusals.no-secret", "a call without SharedSecret gets a SOAP fault", r.opts.Tenant, []soap.KeyValue{}},
		{"soap.refusals.wrong-secret", "a call with a wrong SharedSecret gets a SOAP fault", r.opts.Tenant,
			[]soap.KeyValue{{Key: netserver.SharedSecretKey, Value: r.opts.Secret + "x"}}},
		{"soap.refusals.other-tenant", "the right SharedSecret with another ContextIdentifier gets a SOAP fault", other,
			[]soap.KeyValue{{Key: netserver.SharedSecretKey, Value: r.opts.Secret}}},
	} {
		c := Check{ID: p.id, Name: p.name, Required: true, Result: Fail}
		resp, body, err := r.soapProbe("FindProduct", p.tenant, p.fields)
		if err == nil {
			resp.Body.Close() // read and closed by soapProbe; closing again is a no-op
		}
		switch {
		case err != nil:
			c.Why = rootCause(err)
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			c.Why = fmt.Sprintf("answered %d: no authentication, so anyone knowing the URL could read the tenant's data (FindProduct answered)", resp.StatusCode)
			c.Fix = "verify the SharedSecret configuration field against the ContextIdentifier's tenant on every call but GetConfigurationFields, and answer a SOAP fault (HTTP 500) when it is missing or wrong; quotekit's server does this"
		default:
			c.Result, c.Why, c.Fix = faultAnswer(resp, body)
		}
		r.add(c)
	}
}

// unknownAction checks that an unknown SOAPAction gets a fault: WCF answers
// ActionNotSupported, and a 404 reads as "no endpoint listening" to NetServer.
func (r *runner) unknownAction() {
	c := Check{ID: "soap.unknown-action", Name: "an unknown SOAPAction gets a SOAP fault, not a 404", Required: true, Result: Fail}
	defer func() { r.add(c) }()
	var env bytes.Buffer
	env.WriteString(`<s:Envelope xmlns:s="` + soap.EnvelopeNS + `"><s:Body><NoSuchOperation xmlns="` + soap.NS + `"/></s:Body></s:Envelope>`)
	resp, err := r.soapRaw("NoSuchOperation", `"`+soap.ActionPrefix+`NoSuchOperation"`, r.opts.Tenant, env.Bytes())
	if err != nil {
		c.Why = rootCause(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		c.Why = "answered 404: NetServer reports that no endpoint listens at the URL, and the whole connection looks broken"
		c.Fix = "answer a SOAP fault (HTTP 500, s:Client) for an action the endpoint does not know"
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		c.Why = fmt.Sprintf("answered %d to an operation that does not exist", resp.StatusCode)
		c.Fix = "answer a SOAP fault (HTTP 500, s:Client) for an action the endpoint does not know"
	default:
		c.Result, c.Why, c.Fix = faultAnswer(resp, body)
	}
}

// wsdl checks GET URL?wsdl; a missing WSDL is only a warning, since NetServer works from
// its own copy of the contract.
func (r *runner) wsdl() {
	c := Check{ID: "soap.wsdl", Name: "GET ?wsdl answers the WSDL", Result: Warn}
	defer func() { r.add(c) }()
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.base+"?wsdl", http.NoBody)
	if err != nil {
		c.Why = err.Error()
		return
	}
	r.report.Probes++
	resp, err := r.http.Do(req)
	if err != nil {
		c.Why = rootCause(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("definitions")) {
		c.Why = fmt.Sprintf("answered %d without a WSDL: partners and tools cannot read the contract from the endpoint", resp.StatusCode)
		return
	}
	c.Result, c.Why = Pass, fmt.Sprintf("%d bytes", len(body))
}

// canProvideCapability checks that CanProvideCapability agrees with GetCapabilities for
// every capability GetCapabilities names.
func (r *runner) canProvideCapability() {
	c := Check{ID: "op.CanProvideCapability", Name: "CanProvideCapability agrees with GetCapabilities", Required: true, Result: Pass}
	var problems []string
	for _, name := range sortedKeys(r.caps) {
		var can bool
		_, err := r.ns.Call(r.ctx, r.opts.User, "CanProvideCapability",
			&connector.CanProvideCapabilityRequest{ConfigValues: r.opts.ConfigValues, CapabilityName: name}, &can)
		r.noteStatus("CanProvideCapability")
		switch {
		case err != nil:
			c.Result, c.Why, c.Fix = Fail, err.Error(), fixFor(err)
			r.add(c)
			return
		case can != r.caps[name]:
			problems = append(problems, fmt.Sprintf("%s: GetCapabilities %v, CanProvideCapability %v", name, r.caps[name], can))
		}
	}
	if len(problems) > 0 {
		c.Result, c.Why = Fail, "NetServer asks either, depending on the screen, and the user sees features come and go: "+strings.Join(problems, "; ")
		c.Fix = "answer CanProvideCapability from the same claims as GetCapabilities (a Go connector leaving it to connector.Unsupported gets this)"
	} else {
		c.Why = fmt.Sprintf("%d capabilities asked", len(r.caps))
	}
	r.add(c)
}

// approvals walks the three approval hooks of a quote version, each of which must answer
// State Ok (or OkWithInfo) and echo the version it was told about.
func (r *runner) approvals(versionCtx func() *connector.QuoteVersionContextInfo, versionID int32) {
	cv := r.opts.ConfigValues
	for _, a := range []struct {
		op, name string
		req      any
	}{
		{"OnQuoteVersionRequestApproval", "a version asking for approval", &connector.OnQuoteVersionRequestApprovalRequest{ConfigValues: cv, QuoteContext: versionCtx()}},
		{"OnQuoteVersionApproved", "an approved version", &connector.OnQuoteVersionApprovedRequest{ConfigValues: cv, QuoteContext: versionCtx()}},
		{"OnQuoteVersionRejected", "a rejected version", &connector.OnQuoteVersionRejectedRequest{ConfigValues: cv, QuoteContext: versionCtx()}},
	} {
		var res connector.QuoteVersionResponseInfo
		r.step("op."+a.op, a.name, a.op, a.req, &res, func() []string {
			var problems []string
			if res.State != connector.ResponseStateOk && res.State != connector.ResponseStateOkWithInfo {
				problems = append(problems, fmt.Sprintf("%s answered State %s (%s): NetServer stops the approval", a.op, stateName(res.State), res.UserExplanation))
			}
			if v := res.CRMQuoteVersion; v != nil && v.QuoteVersionId != versionID {
				problems = append(problems, fmt.Sprintf("%s answered version %d for version %d", a.op, v.QuoteVersionId, versionID))
			}
			return problems
		})
	}
}

// soapProbe posts op with the given tenant and configuration fields (a zero request
// otherwise, with the search input for FindProduct) and returns the answer and its body.
func (r *runner) soapProbe(op, tenant string, fields []soap.KeyValue) (*http.Response, []byte, error) {
	o, _ := connector.Lookup(op)
	req := o.NewRequest()
	if f, ok := req.(*connector.FindProductRequest); ok {
		f.CurrencyCode, f.UserInput = r.opts.Currency, r.opts.Search
	}
	h := r.soap.Header(r.opts.User, req)
	h.ConfigFields, h.ContextIdentifier = fields, tenant
	var env bytes.Buffer
	action, err := soap.WriteCall(&env, o, h, req)
	if err != nil {
		return nil, nil, err
	}
	resp, err := r.soapRaw(op, action, tenant, env.Bytes())
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, body, err
}

// soapRaw posts one SOAP envelope outside the client, for the probes; a nil envelope
// sends a GetConfigurationFields call without configuration fields.
func (r *runner) soapRaw(op, action, tenant string, envelope []byte) (*http.Response, error) {
	if envelope == nil {
		o, _ := connector.Lookup(op)
		req := o.NewRequest()
		h := r.soap.Header(r.opts.User, req)
		h.ConfigFields, h.ContextIdentifier = []soap.KeyValue{}, tenant
		var env bytes.Buffer
		var err error
		if action, err = soap.WriteCall(&env, o, h, req); err != nil {
			return nil, err
		}
		envelope = env.Bytes()
	}
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, r.base, bytes.NewReader(envelope))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", action)
	r.report.Probes++
	return r.http.Do(req)
}

// faultAnswer judges an answer that must be a SOAP 1.1 fault: HTTP 500, text/xml, an
// s:Fault envelope.
func faultAnswer(resp *http.Response, body []byte) (Result, string, string) {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	const fix = "answer a SOAP 1.1 fault: HTTP 500, Content-Type text/xml; charset=utf-8, <s:Envelope><s:Body><s:Fault> with faultcode and faultstring"
	if resp.StatusCode != http.StatusInternalServerError {
		return Fail, fmt.Sprintf("answered %d %s, not a SOAP fault (500): NetServer shows the user a protocol error", resp.StatusCode, http.StatusText(resp.StatusCode)), fix
	}
	if mt != "text/xml" {
		return Fail, fmt.Sprintf("answered 500 with Content-Type %q: WCF only reads a fault in text/xml", resp.Header.Get("Content-Type")), fix
	}
	o, _ := connector.Lookup("GetCapabilities")
	var caps map[string]bool
	_, err := soap.ReadResult(body, o, &caps)
	var f *soap.Fault
	if !errors.As(err, &f) {
		return Fail, "answered 500 without a SOAP fault envelope" + excerpt(body), fix
	}
	return Pass, fmt.Sprintf("500 SOAP fault %s: %s", f.Code, f.Message), ""
}

// stateName is the XSD name of a response state.
func stateName(s connector.ResponseState) string {
	switch s {
	case connector.ResponseStateOk:
		return "Ok"
	case connector.ResponseStateOkWithInfo:
		return "OkWithInfo"
	case connector.ResponseStateWarning:
		return "Warning"
	case connector.ResponseStateError:
		return "Error"
	}
	return fmt.Sprintf("%d", int(s))
}
