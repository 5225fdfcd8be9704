package demoerp_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/internal/servetest"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
)

// soapCheck runs check.Run over SOAP against url with the servetest tenant and secret.
func soapCheck(t *testing.T, soapURL, secret string) *check.Report {
	t.Helper()
	report, err := check.Run(context.Background(), check.Options{URL: soapURL, SOAP: true, AllowHTTP: true,
		Tenant: servetest.TenantID, Secret: secret, AppID: "quotekit-test", Search: "drill",
		ConfigValues: map[string]string{"company": "[I:1]"}})
	if err != nil {
		t.Fatal(err)
	}
	return report
}

func TestCheckSOAP(t *testing.T) {
	srv := startDemo(t)
	report := soapCheck(t, srv.Ready.SOAPURL, srv.Secret)
	got := results(report)
	if !report.Passed {
		t.Fatalf("the SOAP check failed:\n%s", dump(report))
	}
	pinNonPassing(t, "the SOAP check", report, "transport=warn!")
	for _, id := range []string{"soap.refusals.no-secret", "soap.refusals.wrong-secret", "soap.refusals.other-tenant",
		"soap.unknown-action", "soap.wsdl", "op.CanProvideCapability", "op.GetNumberOfActivePriceLists",
		"op.OnQuoteVersionRequestApproval", "op.OnQuoteVersionApproved", "op.OnQuoteVersionRejected",
		"op.PlaceOrder", "op.FindProduct", "soap.contract"} {
		if got[id].Result != check.Pass {
			t.Errorf("%s: %+v", id, got[id])
		}
	}
}

// rewriteSOAP serves a proxy in front of target that rewrites every 200 answer of op.
func rewriteSOAP(t *testing.T, target, op string, rewrite func([]byte) []byte) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode != http.StatusOK || !strings.HasSuffix(strings.Trim(resp.Request.Header.Get("SOAPAction"), `"`), "/"+op) {
			return nil
		}
		return rewriteBody(resp, rewrite)
	}
	broken := httptest.NewServer(proxy)
	t.Cleanup(broken.Close)
	return broken.URL + u.Path
}

// rewriteBody replaces resp's body by rewrite's output.
func rewriteBody(resp *http.Response, rewrite func([]byte) []byte) error {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	body = rewrite(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// failedWith fails the test unless check id failed saying every want.
func failedWith(t *testing.T, report *check.Report, id string, want ...string) {
	t.Helper()
	c := results(report)[id]
	if report.Passed || c.Result != check.Fail {
		t.Fatalf("%s did not fail:\n%s", id, dump(report))
	}
	for _, w := range want {
		if !strings.Contains(c.Why+" "+c.Fix, w) {
			t.Errorf("%s does not say %q: %s / %s", id, w, c.Why, c.Fix)
		}
	}
}

var nameThenCode = regexp.MustCompile(`(?s)(<Name>[^<]*</Name>|<Name i:nil="true"/>)(.*?)(<Code>[^<]*</Code>|<Code i:nil="true"/>)`)

// TestCheckSOAPMemberOrder swaps Name and Code in the first product FindProduct answers:
// WCF drops the member out of order without a word, and check must fail.
func TestCheckSOAPMemberOrder(t *testing.T) {
	srv := startDemo(t)
	swapped := false
	proxied := rewriteSOAP(t, srv.Ready.SOAPURL, "FindProduct", func(b []byte) []byte {
		loc := nameThenCode.FindSubmatchIndex(b)
		if loc == nil {
			return b
		}
		swapped = true
		var out bytes.Buffer
		out.Write(b[:loc[0]])
		out.Write(b[loc[6]:loc[7]])
		out.Write(b[loc[4]:loc[5]])
		out.Write(b[loc[2]:loc[3]])
		out.Write(b[loc[1]:])
		return out.Bytes()
	})
	report := soapCheck(t, proxied, srv.Secret)
	if !swapped {
		t.Fatal("no FindProduct answer had Name before Code")
	}
	failedWith(t, report, "op.FindProduct", "out of data-contract order", "WCF drops silently", "data-contract (XSD) order")
	failedWith(t, report, "soap.contract", "FindProduct")
}

// TestCheckSOAPEnumNumber answers TestConnection's State as a number: WCF cannot read
// the answer at all.
func TestCheckSOAPEnumNumber(t *testing.T) {
	srv := startDemo(t)
	proxied := rewriteSOAP(t, srv.Ready.SOAPURL, "TestConnection", func(b []byte) []byte {
		return bytes.Replace(b, []byte("<State>Ok</State>"), []byte("<State>0</State>"), 1)
	})
	report := soapCheck(t, proxied, srv.Secret)
	failedWith(t, report, "op.TestConnection", "NetServer cannot read the answer", "State", "enumeration names (State Ok, not 0)")
	failedWith(t, report, "soap.contract", "TestConnection")
}

// openDoor admits every call, whatever its secret: a server without authentication.
type openDoor struct{}

var tenant = connector.Tenant{ID: servetest.TenantID, Environment: connector.EnvironmentTest}

func (openDoor) Authenticate(*http.Request) (connector.Tenant, error) { return tenant, nil }
func (openDoor) Token(*http.Request) (*model.AccessTokenResponse, error) {
	return &model.AccessTokenResponse{AccessToken: "open", TokenType: "Bearer"}, nil
}
func (openDoor) ClientCredentials(r *http.Request) (*model.AccessTokenResponse, error) {
	return openDoor{}.Token(r)
}
func (openDoor) AuthenticateSecret(*http.Request, string, string) (connector.Tenant, error) {
	return tenant, nil
}
func (openDoor) Handshake(*http.Request, string) auth.HandshakeResult {
	return auth.HandshakeResult{Reason: auth.HandshakeFailed}
}

// TestCheckSOAPNoAuthentication serves the demo ERP with an authenticator that admits
// every SOAP call: the three refusal probes fail and say what that exposes.
func TestCheckSOAPNoAuthentication(t *testing.T) {
	erp, err := demoerp.Open(context.Background(), filepath.Join(t.TempDir(), "demoerp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { erp.Close() })
	h, err := server.New(erp, openDoor{})
	if err != nil {
		t.Fatal(err)
	}
	open := httptest.NewServer(h)
	t.Cleanup(open.Close)
	report := soapCheck(t, open.URL+server.DefaultSOAPPath, "any-secret")
	for _, id := range []string{"soap.refusals.no-secret", "soap.refusals.wrong-secret", "soap.refusals.other-tenant"} {
		failedWith(t, report, id, "no authentication", "anyone knowing the URL could read the tenant's data")
	}
}
