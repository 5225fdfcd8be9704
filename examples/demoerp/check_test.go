package demoerp_test

// These tests hold quotekit's endpoint checker (connector/check) against the demo ERP,
// which implements every operation, behind the real server. They live with the demo so
// that a fork which deletes it keeps building.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/connector/netserver"
	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/internal/servetest"
)

// serveDemo runs a fresh demo ERP behind the real server on loopback and returns its URL
// and secret.
func serveDemo(t *testing.T) (base, secret string) {
	erp, err := demoerp.Open(context.Background(), filepath.Join(t.TempDir(), "demoerp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { erp.Close() })
	srv := servetest.Start(t, erp)
	return srv.URL, srv.Secret
}

func results(r *check.Report) map[string]check.Check {
	m := make(map[string]check.Check, len(r.Checks))
	for _, c := range r.Checks {
		m[c.ID] = c
	}
	return m
}

// pinNonPassing fails t unless the checks of r that did not pass are exactly want, each
// "id=result" (with "!" after the result for a required check), in the report's order:
// a warning or skip that comes or goes is as much a change as a failure.
func pinNonPassing(t *testing.T, what string, r *check.Report, want ...string) {
	t.Helper()
	var got []string
	for _, c := range r.Checks {
		if c.Result == check.Pass {
			continue
		}
		s := c.ID + "=" + string(c.Result)
		if c.Required {
			s += "!"
		}
		got = append(got, s)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s: the checks that did not pass are\n  %s\nwant\n  %s\n%s", what, strings.Join(got, " "), strings.Join(want, " "), dump(r))
	}
}

func dump(r *check.Report) string {
	b, _ := json.MarshalIndent(r, "", "  ")
	return string(b)
}

// TestDemoERPPasses checks the demo ERP, which implements every operation, behind the
// real server: every check runs and passes, plain HTTP only warns when allowed.
func TestDemoERPPasses(t *testing.T) {
	base, secret := serveDemo(t)
	report, err := check.Run(context.Background(), check.Options{
		URL: base, Credentials: netserver.SharedSecret(secret), Refused: netserver.SharedSecret(secret + "x"),
		AllowHTTP: true, Search: "drill", ConfigValues: map[string]string{"company": "[I:1]"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Passed {
		t.Fatalf("the demo ERP failed:\n%s", dump(report))
	}
	pinNonPassing(t, "the demo ERP", report, "transport=warn!")
	got := results(report)
	if c := got["transport"]; c.Result != check.Warn || !strings.Contains(c.Why, "plain HTTP") {
		t.Errorf("transport = %+v, want a plain-HTTP warning", c)
	}
	for _, id := range []string{"refuse.none", "refuse.credential", "refuse.token", "authenticate", "reauthenticate",
		"unknown-product", "capabilities", "contract", "multi-language", "caches",
		"op.GetConfigurationFields", "op.TestConnection", "op.GetCapabilities", "op.GetActivePriceLists", "op.GetAllPriceLists", "op.GetProducts",
		"op.GetQuoteList.PaymentTerms", "op.OnBeforeCreateQuote", "op.OnBeforeCreateQuoteVersion",
		"op.OnBeforeCreateQuoteAlternative", "op.GetSearchableFields", "op.FindProduct.empty", "op.FindProduct",
		"op.GetProduct", "op.GetNumberOfProductImages", "op.GetProductImage", "op.GetQuoteLinesFromProduct",
		"op.OnQuoteLineChanged", "op.RecalculateQuoteAlternative", "op.OnAfterSaveQuote", "op.UpdateQuoteVersionPrices",
		"op.ValidateQuoteVersion.send", "op.OnAfterSentQuoteVersion", "op.ValidateQuoteVersion.order",
		"op.PlaceOrder", "op.GetOrderState", "op.GetAddresses", "op.OnBeforeDeleteQuote"} {
		c, ok := got[id]
		if !ok {
			t.Errorf("no check %s", id)
			continue
		}
		if c.Result != check.Pass {
			t.Errorf("%s: %s (%s)", id, c.Result, c.Why)
		}
	}
	if !strings.Contains(got["refuse.credential"].Why, "WWW-Authenticate: Bearer") {
		t.Errorf("refuse.credential: %s", got["refuse.credential"].Why)
	}
	if report.Calls["Authenticate"] != 2 || report.Probes != 4 {
		t.Errorf("the client authenticated %d times (want 2: first, and after the dead token); %d probe requests (want 4)", report.Calls["Authenticate"], report.Probes)
	}
	if strings.Contains(dump(report), secret) {
		t.Error("the report shows the secret")
	}
}

// TestCachesSaveCalls walks ten quotes with NetServer's caches and counts what an
// uncached client would have sent: every call the caches answered.
func TestCachesSaveCalls(t *testing.T) {
	base, secret := serveDemo(t)
	report, err := check.Run(context.Background(), check.Options{
		URL: base, Credentials: netserver.SharedSecret(secret), AllowHTTP: true, Search: "drill", Quotes: 10,
		ConfigValues: map[string]string{"company": "[I:1]"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Passed {
		t.Fatalf("failed:\n%s", dump(report))
	}
	pinNonPassing(t, "ten quotes", report, "transport=warn!")
	// The cached operations: what NetServer reads again and again while users quote.
	var sent, saved int
	for _, op := range []string{"GetCapabilities", "GetQuoteList", "GetActivePriceLists", "GetSearchableFields", "GetNumberOfProductImages", "GetProductImage"} {
		sent += report.Calls[op]
		saved += report.Saved[op]
	}
	// Everything: the quotes' own calls cannot be cached.
	var allSent, allSaved int
	for _, n := range report.Calls {
		allSent += n
	}
	for _, n := range report.Saved {
		allSaved += n
	}
	cachedShare := float64(saved) / float64(sent+saved)
	t.Logf("10 quotes: the cached operations took %d requests instead of %d (%.1f %% fewer); all operations %d instead of %d (%.1f %% fewer)",
		sent, sent+saved, 100*cachedShare, allSent, allSent+allSaved, 100*float64(allSaved)/float64(allSent+allSaved))
	// Per quote the lifecycle reads the capabilities 4 times (quote dialog, order,
	// order state, addresses), the 7 quote lists, the price lists, the searchable fields,
	// a product's picture count and picture: 15 reads of cached operations, which the
	// caches answer after the first quote.
	if saved == 0 || cachedShare < 0.85 {
		t.Errorf("the caches saved %d of %d reads of cached operations (%.1f %%), want about 90 %%", saved, sent+saved, 100*cachedShare)
	}
}

// broken wraps a working endpoint with the mistakes partners make: an unknown product
// answers 404, refusals lose WWW-Authenticate, and OnQuoteLineChanged answers a line
// whose quantity is a string.
func broken(next string) http.Handler {
	target, _ := url.Parse(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.HasSuffix(r.URL.Path, "/GetProduct") && bytes.Contains(body, []byte("no-such-product")) {
			http.NotFound(w, r)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, target.String()+r.URL.Path, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		for k, v := range resp.Header {
			if k != "Www-Authenticate" && k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		if strings.HasSuffix(r.URL.Path, "/OnQuoteLineChanged") && resp.StatusCode == http.StatusOK {
			answer = bytes.Replace(answer, []byte(`"Quantity":2`), []byte(`"Quantity":"2"`), 1)
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
	})
}

func TestBrokenEndpointFails(t *testing.T) {
	base, secret := serveDemo(t)
	srv := httptest.NewServer(broken(base))
	t.Cleanup(srv.Close)
	report, err := check.Run(context.Background(), check.Options{
		URL: srv.URL, Credentials: netserver.SharedSecret(secret), Refused: netserver.SharedSecret(secret + "x"),
		AllowHTTP: true, Search: "drill", ConfigValues: map[string]string{"company": "[I:1]"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if report.Passed {
		t.Fatalf("a broken endpoint passed:\n%s", dump(report))
	}
	pinNonPassing(t, "the broken endpoint", report, "transport=warn!",
		"refuse.none=fail!", "refuse.credential=fail!", "refuse.token=fail!", "unknown-product=fail!", "op.OnQuoteLineChanged=fail!", "contract=fail!")
	got := results(report)
	for id, want := range map[string]string{
		"refuse.none":           "answered 401 without WWW-Authenticate",
		"refuse.credential":     "answered 401 without WWW-Authenticate",
		"refuse.token":          "answered 401 without WWW-Authenticate",
		"unknown-product":       "an unknown product key answered 404: NetServer would take GetProduct as not implemented",
		"op.OnQuoteLineChanged": "the answer is outside the contract",
		"contract":              "OnQuoteLineChanged",
	} {
		c := got[id]
		if c.Result != check.Fail || !c.Required || !strings.Contains(c.Why, want) || c.Fix == "" {
			t.Errorf("%s = %+v, want a required failure saying %q with a fix", id, c, want)
		}
	}
	var failed []string
	for _, c := range report.Failed() {
		failed = append(failed, c.ID)
	}
	if want := "refuse.none refuse.credential refuse.token unknown-product op.OnQuoteLineChanged contract"; strings.Join(failed, " ") != want {
		t.Errorf("failed checks %v, want exactly those the three planted faults touch: %s", failed, want)
	}
}

// TestHTTPSAndCertificates: plain HTTP fails unless allowed; a certificate the client
// does not trust stops the check; the same server with its CA trusted passes transport.
func TestHTTPSAndCertificates(t *testing.T) {
	base, secret := serveDemo(t)
	report, err := check.Run(context.Background(), check.Options{URL: base, Credentials: netserver.SharedSecret(secret), Search: "drill"})
	if err != nil {
		t.Fatal(err)
	}
	if c := results(report)["transport"]; report.Passed || c.Result != check.Fail || !strings.Contains(c.Fix, "--allow-http") {
		t.Errorf("plain HTTP: passed=%v transport=%+v", report.Passed, c)
	}
	pinNonPassing(t, "plain HTTP", report, "transport=fail!")

	proxy := httptest.NewUnstartedServer(reverseProxy(t, base, nil))
	proxy.StartTLS()
	t.Cleanup(proxy.Close)

	report, err = check.Run(context.Background(), check.Options{URL: proxy.URL, Credentials: netserver.SharedSecret(secret), Search: "drill"})
	if err != nil {
		t.Fatal(err)
	}
	c := results(report)["transport"]
	if report.Passed || c.Result != check.Fail || !strings.Contains(c.Why, "NetServer refuses the certificate") {
		t.Fatalf("untrusted certificate: passed=%v transport=%+v", report.Passed, c)
	}
	if rest := results(report)["rest"]; rest.Result != check.Skip {
		t.Errorf("after an untrusted certificate the rest should be skipped: %+v", rest)
	}
	pinNonPassing(t, "an untrusted certificate", report, "transport=fail!", "rest=skip")

	roots := x509.NewCertPool()
	roots.AddCert(proxy.Certificate())
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	report, err = check.Run(context.Background(), check.Options{URL: proxy.URL, Credentials: netserver.SharedSecret(secret), Search: "drill",
		HTTPClient: trusting, ConfigValues: map[string]string{"company": "[I:1]"}})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Passed || results(report)["transport"].Result != check.Pass {
		t.Fatalf("trusted certificate:\n%s", dump(report))
	}
	pinNonPassing(t, "a trusted certificate", report)
}

// TestTokenNotChecked: an endpoint that takes any access token on operations fails the
// probes that send one it never issued.
func TestTokenNotChecked(t *testing.T) {
	base, secret := serveDemo(t)
	req, _ := http.NewRequest(http.MethodPost, base+"/Authenticate", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var token struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&token)
	resp.Body.Close()
	if err != nil || token.AccessToken == "" {
		t.Fatalf("no access token: %v", err)
	}
	lax := httptest.NewServer(reverseProxy(t, base, func(r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/Authenticate") {
			r.Header.Set("Authorization", "Bearer "+token.AccessToken) // whatever came
		}
	}))
	t.Cleanup(lax.Close)
	report, err := check.Run(context.Background(), check.Options{URL: lax.URL, Credentials: netserver.SharedSecret(secret),
		AllowHTTP: true, Search: "drill", ConfigValues: map[string]string{"company": "[I:1]"}})
	if err != nil {
		t.Fatal(err)
	}
	pinNonPassing(t, "an endpoint that takes any token", report, "transport=warn!", "refuse.token=fail!", "reauthenticate=fail!")
	got := results(report)
	for _, id := range []string{"refuse.token", "reauthenticate"} {
		if c := got[id]; c.Result != check.Fail || !strings.Contains(c.Why, "accepted") {
			t.Errorf("%s = %+v, want a failure: the endpoint accepted a token it never issued", id, c)
		}
	}
}

// reverseProxy forwards to base, letting edit change each request first (edit may be nil).
func reverseProxy(t *testing.T, base string, edit func(*http.Request)) http.Handler {
	t.Helper()
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		if edit != nil {
			edit(r.Out)
		}
	}}
}
