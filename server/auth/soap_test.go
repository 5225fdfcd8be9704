package auth_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/tenancy"
)

func soapRequest() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/Services/QuoteConnector.svc", nil)
	r.RemoteAddr = "192.0.2.7:50000"
	return r
}

// countingStore counts the secret lookups that reach the real store underneath.
type countingStore struct {
	*sqlite.Store
	lookups int
}

func (c *countingStore) SecretByHash(ctx context.Context, hash [32]byte) (tenancy.Secret, tenancy.Tenant, error) {
	c.lookups++
	return c.Store.SecretByHash(ctx, hash)
}

// TestAuthenticateSecret: the SOAP per-call check accepts the tenant's own secret only,
// refuses the rest with the same refusal as REST, and serves repeated calls from its cache
// without a store lookup.
func TestAuthenticateSecret(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	e.tenant("Cust200", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	other, _ := e.secret("Cust200")

	tenant, err := e.svc.AuthenticateSecret(soapRequest(), "Cust100", secret)
	if err != nil || tenant.ID != "Cust100" || tenant.Config["erp-url"] == "" {
		t.Fatalf("own secret: %+v, %v", tenant, err)
	}
	for name, c := range map[string]struct{ tenant, secret string }{
		"another tenant's secret":       {"Cust100", other},
		"its secret for another tenant": {"Cust200", secret},
		"no ContextIdentifier":          {"", secret},
		"garbage":                       {"Cust100", "not-a-secret"},
		"one character off":             {"Cust100", flipAt(secret, len(secret)-1)},
	} {
		_, err := e.svc.AuthenticateSecret(soapRequest(), c.tenant, c.secret)
		if !errors.Is(err, auth.ErrInvalidCredential) && !errors.Is(err, auth.ErrMalformed) {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	if _, err := e.svc.AuthenticateSecret(soapRequest(), "Cust100", ""); !errors.Is(err, auth.ErrNoCredential) {
		t.Errorf("no secret: %v, want ErrNoCredential", err)
	}
	e.noLeaks(secret, other)
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// flipAt changes the character at i of s to another one.
func flipAt(s string, i int) string { return s[:i] + flip(s[i]) + s[i+1:] }

// TestAuthenticateSecretCache: once verified, a secret is answered without a store lookup;
// a revocation through another handle on the same file (the CLI), a roll's expiry and a
// disabled tenant are each refused on the very next call.
func TestAuthenticateSecretCache(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, sec := e.secret("Cust100")
	counting := &countingStore{Store: e.store}
	svc := auth.NewService(counting, auth.WithClock(e.clock.Now),
		auth.WithRateLimits(auth.Limit{Burst: 1000, Every: time.Millisecond}))

	ok := func(what string) {
		t.Helper()
		if _, err := svc.AuthenticateSecret(soapRequest(), "Cust100", secret); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	refused := func(what string) {
		t.Helper()
		if _, err := svc.AuthenticateSecret(soapRequest(), "Cust100", secret); !errors.Is(err, auth.ErrInvalidCredential) {
			t.Fatalf("%s: %v, want a refusal", what, err)
		}
	}

	for range 3 {
		ok("warming up") // the first verification records the secret's use, which is a change
	}
	before := counting.lookups
	for range 50 {
		ok("cached")
	}
	if counting.lookups != before {
		t.Fatalf("%d store lookups for 50 cached calls, want 0", counting.lookups-before)
	}

	// A roll with an overlap: the old secret works until the overlap ends, then not.
	rolled, _, err := e.admin.RollSecret(ctx, "Cust100", sec.ID, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	ok("during the overlap")
	e.clock.Add(time.Hour)
	refused("after the overlap")
	e.clock.Add(-time.Hour)

	// A revocation by another process on the same file.
	if _, err := svc.AuthenticateSecret(soapRequest(), "Cust100", rolled); err != nil {
		t.Fatal(err)
	}
	otherHandle, err := sqlite.Open(ctx, e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer otherHandle.Close()
	secs, err := otherHandle.SecretsOf(ctx, "Cust100")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secs {
		if s.RevokedAt.IsZero() {
			if err := tenancy.NewService(otherHandle, tenancy.WithClock(e.clock.Now)).RevokeSecret(ctx, "Cust100", s.ID, "cli"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := svc.AuthenticateSecret(soapRequest(), "Cust100", rolled); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Fatalf("revoked by another process, then: %v", err)
	}

	// A disabled tenant.
	fresh, _ := e.secret("Cust100")
	for range 3 {
		if _, err := svc.AuthenticateSecret(soapRequest(), "Cust100", fresh); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.admin.SetTenantEnabled(ctx, "Cust100", false, "test", "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AuthenticateSecret(soapRequest(), "Cust100", fresh); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Fatalf("tenant disabled, then: %v", err)
	}
}

// TestHandshake: a SuperOffice JWT with a nonce buys the signed application token once;
// every failure is answered in-band with one of the samples' fixed reasons.
func TestHandshake(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)

	tok := e.soJWT(e.sod, "Cust100", nil)
	res := e.svc.Handshake(soapRequest(), tok)
	if !res.Succeeded || res.Reason != "" {
		t.Fatalf("valid token: %+v", res)
	}
	nonce, at, err := auth.VerifyApplicationToken(&e.partner.PublicKey, res.SignedApplicationToken)
	if err != nil || nonce != "n0nce-123" || !at.Equal(e.clock.Now().Truncate(time.Minute)) {
		t.Fatalf("application token: nonce %q at %v, %v", nonce, at, err)
	}
	if again := e.svc.Handshake(soapRequest(), tok); again.Succeeded || again.Reason != auth.HandshakeFailed {
		t.Errorf("replayed token: %+v", again)
	}

	cases := map[string]struct {
		token  string
		reason string
	}{
		"wrong audience": {e.soJWT(e.sod, "Cust100", func(tk jwt.Token) { _ = tk.Set(jwt.AudienceKey, "spn:someone-else") }), auth.HandshakeWrongAudience},
		"no nonce":       {e.soJWT(e.sod, "Cust100", func(tk jwt.Token) { _ = tk.Remove("nonce") }), auth.HandshakeNoNonce},
		"unknown tenant": {e.soJWT(e.sod, "Cust999", nil), auth.HandshakeFailed},
		"wrong key":      {e.soJWT(e.partner, "Cust100", nil), auth.HandshakeFailed},
		"empty":          {"", auth.HandshakeFailed},
		"not a JWT":      {"abc", auth.HandshakeFailed},
	}
	for name, c := range cases {
		res := e.svc.Handshake(soapRequest(), c.token)
		if res.Succeeded || res.Reason != c.reason || res.SignedApplicationToken != "" {
			t.Errorf("%s: %+v, want reason %q", name, res, c.reason)
		}
	}
	events, err := e.store.AuditEvents(context.Background(), tenancy.AuditFilter{TenantID: "Cust100"})
	if err != nil {
		t.Fatal(err)
	}
	var answered, refusedN int
	for _, ev := range events {
		switch ev.Kind {
		case tenancy.EventHandshake:
			answered++
		case tenancy.EventAuthRefused:
			refusedN++
		}
	}
	if answered != 1 || refusedN < 3 {
		t.Errorf("audit: %d handshakes answered, %d refusals; want 1 and at least 3", answered, refusedN)
	}
	e.noLeaks(tok)
	if strings.Contains(e.logs.String(), "n0nce-123") {
		t.Error("the nonce reached the log")
	}
}

// TestHandshakeUnconfigured: without a partner key nothing can be signed, and the answer
// says so in-band.
func TestHandshakeUnconfigured(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	svc := auth.NewService(e.store)
	if res := svc.Handshake(soapRequest(), e.soJWT(e.sod, "Cust100", nil)); res.Succeeded || res.Reason != auth.HandshakeFailed {
		t.Errorf("unconfigured: %+v", res)
	}
}

// TestHandshakeOverSOAP: the Authenticate handshake on the SOAP endpoint, in each
// candidate shape, answered in the shape it came in, with an application token signed
// by the partner key; a second use of the JWT is answered in-band as a failure.
func TestHandshakeOverSOAP(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)
	const xsi = "http://www.w3.org/2001/XMLSchema-instance"
	shapes := []struct {
		name, action, body, root, member string
	}{
		{"A", `"http://tempuri.org/IIntegrationServiceConnectorAuth/Authenticate"`,
			`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><AuthenticationRequest xmlns="http://tempuri.org/"><SignedToken>%s</SignedToken></AuthenticationRequest></s:Body></s:Envelope>`,
			"AuthenticationResponse", "http://tempuri.org/"},
		{"B", `"http://www.superoffice.com/superid/IIntegrationServiceConnectorAuth/Authenticate"`,
			`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Authenticate xmlns="http://www.superoffice.com/superid"><request xmlns:a="http://schemas.datacontract.org/2004/07/SuperOffice.SuperID.Contracts.V1" xmlns:i="` + xsi + `"><a:SignedToken>%s</a:SignedToken></request></Authenticate></s:Body></s:Envelope>`,
			"AuthenticateResponse", "http://schemas.datacontract.org/2004/07/SuperOffice.SuperID.Contracts.V1"},
		{"C", ``,
			`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:SignedToken s:mustUnderstand="1" xmlns:h="urn:superoffice:auth">%s</h:SignedToken></s:Header><s:Body><AuthenticateRequest xmlns="urn:superoffice:auth"/></s:Body></s:Envelope>`,
			"AuthenticateResponse", "urn:superoffice:auth"},
	}
	for i, sh := range shapes {
		tok := e.soJWT(e.sod, "Cust100", func(tk jwt.Token) { _ = tk.Set(jwt.JwtIDKey, fmt.Sprintf("shape-%d", i)) })
		for attempt := range 2 {
			status, body := postSOAP(t, e.base+"/Services/QuoteConnector.svc", sh.action, fmt.Sprintf(sh.body, tok))
			if status != 200 || !strings.Contains(body, "<"+sh.root) {
				t.Fatalf("shape %s: %d %s", sh.name, status, body)
			}
			ans := handshakeAnswer(t, body)
			if attempt == 1 {
				if ans.Ok || ans.Reason != auth.HandshakeFailed {
					t.Errorf("shape %s replayed: %+v", sh.name, ans)
				}
				continue
			}
			nonce, _, err := auth.VerifyApplicationToken(&e.partner.PublicKey, ans.Token)
			if !ans.Ok || err != nil || nonce != "n0nce-123" {
				t.Errorf("shape %s: %+v %v\n%s", sh.name, ans, err, body)
			}
			if sh.name == "B" && !strings.Contains(body, `xmlns:a="`+sh.member+`"`) && !strings.Contains(body, `xmlns="`+sh.member+`"`) {
				t.Errorf("shape B answered outside the request's member namespace: %s", body)
			}
		}
		e.noLeaks(tok)
	}
}

type handshakeReply struct {
	Reason, Token string
	Ok            bool
}

// handshakeAnswer reads the three members of a handshake answer, in whichever element
// and namespace the shape puts them.
func handshakeAnswer(t *testing.T, body string) handshakeReply {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	var out handshakeReply
	var in string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%v in %s", err, body)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			in = tk.Name.Local
		case xml.EndElement:
			in = ""
		case xml.CharData:
			switch in {
			case "Reason":
				out.Reason = string(tk)
			case "SignedApplicationToken":
				out.Token = string(tk)
			case "Succeeded":
				out.Ok = string(tk) == "true"
			}
		}
	}
}

// postSOAP posts a SOAP 1.1 envelope and returns the status and body.
func postSOAP(t *testing.T, url, action, envelope string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(envelope))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", action)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// countingTokens counts the token lookups that reach the real store underneath.
type countingTokens struct {
	*sqlite.Store
	lookups int
}

func (c *countingTokens) TokenByHash(ctx context.Context, hash [32]byte) (tenancy.AccessToken, tenancy.Tenant, error) {
	c.lookups++
	return c.Store.TokenByHash(ctx, hash)
}

// TestAccessTokenCache: a verified access token is answered without a store lookup until
// the store changes; a revocation through another handle on the same file (the CLI), the
// token's expiry and a disabled tenant are each refused on the very next call; a caller
// that changes the tenant it got cannot change the next call's.
func TestAccessTokenCache(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	token := e.token("Bearer " + secret)
	counting := &countingTokens{Store: e.store}
	svc := auth.NewService(counting, auth.WithClock(e.clock.Now))
	call := func() (connector.Tenant, error) {
		r := httptest.NewRequest(http.MethodPost, "/FindProduct", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return svc.Authenticate(r)
	}

	first, err := call()
	if err != nil {
		t.Fatal(err)
	}
	first.Config["erp-url"] = "changed by a connector"
	before := counting.lookups
	for range 50 {
		got, err := call()
		if err != nil {
			t.Fatal(err)
		}
		if got.Config["erp-url"] != "https://erp.example.com" {
			t.Fatalf("a caller's change reached the cache: %v", got.Config)
		}
	}
	if counting.lookups != before {
		t.Fatalf("%d store lookups for 50 cached calls, want 0", counting.lookups-before)
	}

	e.clock.Add(time.Hour) // the token's lifetime
	if _, err := call(); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Fatalf("expired, then: %v", err)
	}
	e.clock.Add(-time.Hour)
	if _, err := call(); err != nil {
		t.Fatal(err)
	}

	other, err := sqlite.Open(ctx, e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := tenancy.NewService(other, tenancy.WithClock(e.clock.Now)).RevokeTokens(ctx, "Cust100", 0, "leaked", "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := call(); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Fatalf("revoked by another process, then: %v", err)
	}

	token = e.token("Bearer " + secret)
	if _, err := call(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.SetTenantEnabled(ctx, "Cust100", false, "test", "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := call(); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Fatalf("tenant disabled, then: %v", err)
	}
}
