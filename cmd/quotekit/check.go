package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/connector/netserver"
)

// errCheckFailed marks a check run in which a required check failed (exit status 1).
var errCheckFailed = errors.New("check failed")

func checkEndpoint(ctx context.Context, c *cli, args []string) error {
	c.define("check", "--url URL (--secret-file FILE | --jwt-key KEY.pem --app-id APPID --tenant ID | --soap --tenant ID --secret-file FILE) [flags]", `
Checks a quote connector endpoint the way SuperOffice NetServer will use it, before
SuperOffice ever calls it: HTTPS and its certificate; /Authenticate with the
connection's credential; 401 with WWW-Authenticate for no credential, a wrong one and
an access token the endpoint never issued; re-authentication after a dead token; a
whole quote (configuration, test connection, capabilities, price lists, quote lists,
create quote/version/alternative, search, products by key, quote lines, line change, recalculation,
prices, validation for sending, sent, validation for the order, order, order state,
addresses, delete); an unknown product key that must not answer 404; every answer
against the contract's schema; multi-language texts; ERPProductKey on quote lines;
claimed capabilities against the operations that answer.

It prints one row per check (result, check, why, how to fix), or JSON with --json.
Operations the endpoint does not implement are reported as skipped, not failed. The
exit status is 0 when every required check passed, 1 when one failed, 2 for a wrong
command line.

Credentials: the shared secret from --secret-file or QUOTEKIT_CHECK_SECRET (--secret
works too, but puts the secret in the shell history and the process list). Or, for a
server that trusts a local test key as a SuperOffice key, JWTs signed with --jwt-key
for --app-id and --tenant, and a JWT signed by a fresh unknown key as the wrong
credential. The secret is never printed.

With --soap, --url is the SOAP endpoint SuperOffice Online calls today (e.g.
https://host/Services/QuoteConnector.svc) and the calls are written exactly as
NetServer's WCF client writes them: the tenant (--tenant) as ContextIdentifier, the
shared secret as the SharedSecret configuration field, --app-id (optional) as
ApplicationId. The same quote walks through every operation, the SOAP-only ones too
(CanProvideCapability against GetCapabilities, GetNumberOfActivePriceLists, the
approval hooks), and answers are read as strictly as WCF reads them: a member out of
data-contract order or unknown (which WCF drops silently) and an enumeration number
fail the check. Instead of the REST probes it checks that a call without the secret,
with a wrong one and for another tenant each get a SOAP fault, that an unknown
SOAPAction gets a fault and not a 404, and that GET ?wsdl answers.

With --read-only only the operations that read run (configuration fields, test
connection, capabilities, price lists, quote lists, searches, products, pictures, a
product's quote lines): no quote is created, changed, sent or deleted and no order is
placed, so a live tenant's ERP stays as it was. The writing steps are reported as
skipped.`)
	url := c.fs.String("url", c.env("CHECK_URL", ""), "the connector's base `URL`, as configured in SuperOffice (required) [QUOTEKIT_CHECK_URL]")
	secret := c.fs.String("secret", "", "the shared `secret` (prefer --secret-file or QUOTEKIT_CHECK_SECRET)")
	secretFile := c.fs.String("secret-file", "", "read the shared secret from this `file`")
	keyPath := c.fs.String("jwt-key", "", "sign SuperOffice-shaped JWTs with this test private key, PEM `file`")
	appID := c.fs.String("app-id", "", "the `AppId` of the JWTs' audience spn:<AppId> (with --jwt-key), or the ApplicationId SOAP calls send (with --soap)")
	tenant := c.fs.String("tenant", "", "the tenant `id` of the JWTs' ctx claim (with --jwt-key), or the ContextIdentifier of SOAP calls (with --soap)")
	soapMode := c.fs.Bool("soap", false, "check the SOAP endpoint at --url instead of the REST one (needs --tenant and a shared secret)")
	associate := associateFlag(c, "the SuperOffice user's associate `id` the calls act for (default 5)")
	email := c.fs.String("email", "sales@example.com", "the SuperOffice user's e-mail `address`")
	search := c.fs.String("search", "%", "a FindProduct `input` that finds products")
	currency := c.fs.String("currency", "NOK", "the sale's ISO `currency`")
	var config keyValues
	c.fs.Var(&config, "config", "a connection configuration value `key=value` sent with every request; repeat for several")
	quotes := c.fs.Int("quotes", 1, "how many quotes to walk through (more show NetServer's caches at work)")
	caCert := c.fs.String("ca-cert", "", "also trust the CA certificates of this PEM `file`, as if installed on the NetServer machine")
	allowHTTP := c.fs.Bool("allow-http", false, "report plain HTTP as a warning, not a failure (a local development server)")
	readOnly := c.fs.Bool("read-only", false, "call only the operations that read: no quote created, no order placed (for a live tenant)")
	timeout := durationValue{d: 30 * time.Second}
	c.fs.Var(&timeout, "timeout", "the `duration` each request may take (default 30s)")
	c.jsonFlag()
	if _, ok, err := c.parse(args); !ok {
		return err
	}
	aid, err := associate()
	if err != nil {
		return err
	}
	if aid == 0 {
		aid = 5
	}
	user := netserver.User{AssociateID: aid, Email: strings.TrimSpace(*email)}

	if *secret == "" {
		*secret = c.getenv("QUOTEKIT_CHECK_SECRET")
	}
	switch {
	case strings.TrimSpace(*url) == "":
		return usageError("check: --url is required")
	case *quotes < 1 || *quotes > 100:
		return usageError("check: --quotes must be between 1 and 100")
	case *readOnly && *quotes > 1:
		return usageError("check: --read-only walks no quote, so --quotes does not apply")
	case timeout.d <= 0:
		return usageError("check: --timeout must be positive")
	case (*secret != "" || *secretFile != "") && *keyPath != "":
		return usageError("check: give a shared secret or --jwt-key, not both")
	case *secret != "" && *secretFile != "":
		return usageError("check: give the secret once (--secret, --secret-file or QUOTEKIT_CHECK_SECRET)")
	case *soapMode && *keyPath != "":
		return usageError("check: --soap authenticates with the shared secret, not --jwt-key")
	case *soapMode && strings.TrimSpace(*tenant) == "":
		return usageError("check: --soap needs --tenant, the ContextIdentifier SuperOffice sends")
	case *keyPath != "" && (strings.TrimSpace(*appID) == "" || strings.TrimSpace(*tenant) == ""):
		return usageError("check: --jwt-key needs --app-id and --tenant")
	case *keyPath == "" && *secret == "" && *secretFile == "":
		return usageError("check: a credential is required: --secret-file FILE, QUOTEKIT_CHECK_SECRET, or --jwt-key with --app-id and --tenant")
	}

	opts := check.Options{URL: strings.TrimSpace(*url), User: user, Search: *search, Currency: *currency,
		ConfigValues: config.m, Quotes: int32(*quotes),
		AllowHTTP: *allowHTTP, Timeout: timeout.d, ReadOnly: *readOnly}
	if *secretFile != "" {
		data, err := os.ReadFile(*secretFile)
		if err != nil {
			return fail(nil, "check: read --secret-file: %v", err)
		}
		*secret = strings.TrimSpace(string(data))
		if *secret == "" {
			return usageError("check: --secret-file %s is empty", *secretFile)
		}
	}
	switch {
	case *soapMode:
		opts.SOAP, opts.Tenant, opts.Secret, opts.AppID = true, strings.TrimSpace(*tenant), *secret, strings.TrimSpace(*appID)
	case *secret != "":
		opts.Credentials = netserver.SharedSecret(*secret)
		opts.Refused = netserver.SharedSecret(*secret + "x")
	default:
		key, err := readPrivateKey(*keyPath)
		if err != nil {
			return err
		}
		stranger, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		subject := jwtSubject{appID: strings.TrimSpace(*appID), tenant: strings.TrimSpace(*tenant), associateID: aid, email: user.Email}
		opts.Credentials = jwtCredentials(c, key, subject)
		opts.Refused = jwtCredentials(c, stranger, subject)
	}
	if *caCert != "" {
		pemData, err := os.ReadFile(*caCert)
		if err != nil {
			return fail(nil, "check: read --ca-cert: %v", err)
		}
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pemData) {
			return usageError("check: --ca-cert %s holds no PEM certificate", *caCert)
		}
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		opts.HTTPClient = &http.Client{Transport: transport}
	}

	report, err := check.Run(ctx, opts)
	if err != nil {
		return usageError("%v", err)
	}
	if c.json {
		if err := writeJSON(c.stdout, report); err != nil {
			return err
		}
	} else {
		printReport(c, report)
	}
	if failed := report.Failed(); len(failed) > 0 {
		ids := make([]string, len(failed))
		for i, f := range failed {
			ids[i] = f.ID
		}
		return fail(errCheckFailed, "check: %d required check(s) failed: %s", len(failed), strings.Join(ids, ", "))
	}
	return nil
}

// jwtCredentials signs a fresh five-minute SuperOffice-shaped JWT with key for every
// authentication, with a new nonce each time.
func jwtCredentials(c *cli, key *rsa.PrivateKey, s jwtSubject) netserver.Credentials {
	return netserver.JWT(func(context.Context, netserver.User) (string, error) {
		s.nonce = randomHex(16)
		return signRS256(key, "", superOfficeClaims(c.now().Truncate(time.Second), defaultJWTTTL, s))
	})
}

// printReport prints the report as a table and a summary line.
func printReport(c *cli, r *check.Report) {
	tw := newTable(c.stdout)
	row(tw, "RESULT", "CHECK", "WHY", "HOW TO FIX")
	counts := map[check.Result]int{}
	for _, k := range r.Checks {
		counts[k.Result]++
		result := strings.ToUpper(string(k.Result))
		if k.Result == check.Fail && !k.Required {
			result = "fail (optional)"
		}
		row(tw, result, k.Name, k.Why, k.Fix)
	}
	tw.Flush()
	var calls, saved int
	for _, n := range r.Calls {
		calls += n
	}
	for _, n := range r.Saved {
		saved += n
	}
	verdict := "PASSED: SuperOffice can use this endpoint"
	if !r.Passed {
		verdict = "FAILED: fix the rows marked FAIL"
	}
	fmt.Fprintf(c.stdout, "\n%s (%d passed, %d warnings, %d failed, %d skipped; %d requests, %d more answered by NetServer's caches, %d probes)\n",
		verdict, counts[check.Pass], counts[check.Warn], counts[check.Fail], counts[check.Skip], calls, saved, r.Probes)
}
