package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server/auth"
)

// proxied is the trusted proxy in front of these tests' server: the client address is
// the X-Forwarded-For hop each request names.
var proxied = auth.WithTrustedProxies([]string{"127.0.0.1", "::1"})

// postFrom posts like e.post, as a client at addr behind the trusted proxy.
func (e *env) postFrom(addr, path, authz, contentType, body string) answer {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", addr)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// TestStrangerCannotLockATenantOut: failures under a tenant's name that nothing proves to
// be the tenant's (a Basic user, the unverified tenant claim of an HS256 JWT) never
// throttle the tenant. Its NetServer, whose token expired meanwhile, still gets the 401
// that makes it authenticate again, and then its token.
func TestStrangerCannotLockATenantOut(t *testing.T) {
	e := newEnv(t, auth.WithRateLimits(auth.Limit{Burst: 3, Every: time.Hour}), proxied)
	e.tenant("Cust4711", connector.EnvironmentTest)
	secret, _ := e.secret("Cust4711")
	const netServer = "203.0.113.10"
	tok := e.tokenFrom(netServer, "Bearer "+secret)
	e.clock.Add(time.Hour) // NetServer's token expires, as the stranger starts

	stranger := []string{
		"Basic Cust4711:x",
		basic("Cust4711", "qk_sk_test_wrong"),
		basic("Cust4711", "x"),
		"Bearer " + e.hs256("qk_sk_test_guessed", "Cust4711"),
	}
	throttled := 0
	for i := range 200 {
		addr := fmt.Sprintf("198.51.%d.%d", i/250, i%250+1) // many addresses, as a botnet has
		for _, authz := range stranger {
			path := "/Authenticate"
			if strings.HasPrefix(authz, "Bearer ") {
				path = "/FindProduct"
			}
			switch a := e.postFrom(addr, path, authz, "application/json", `{}`); a.status {
			case 401:
			case 429:
				throttled++
			default:
				t.Fatalf("stranger %q: status %d", authz, a.status)
			}
		}
	}
	if throttled == 0 {
		t.Error("the stranger was never throttled: the per-address limit did not bite even per address")
	}

	if a := e.postFrom(netServer, "/FindProduct", "Bearer "+tok, "application/json", `{}`); a.status != 401 {
		t.Fatalf("NetServer's expired token: %d, want 401 (NetServer re-authenticates only on 401/403): %s", a.status, a.body)
	}
	if a := e.postFrom(netServer, "/Authenticate", "Bearer "+secret, "", ""); a.status != 200 {
		t.Fatalf("NetServer's real secret: %d %s", a.status, a.body)
	}

	// A credential proven to be the tenant's is refused with 401 however often it fails,
	// from whichever address: its refusal is never a 429.
	for i := range 20 {
		if a := e.postFrom(netServer, "/FindProduct", "Bearer "+tok, "application/json", `{}`); a.status != 401 {
			t.Fatalf("expired token, attempt %d: %d, want 401", i, a.status)
		}
	}
	for i := range 5 {
		if a := e.postFrom("198.51.0.1", "/FindProduct", "Bearer "+tok, "application/json", `{}`); a.status != 401 {
			t.Fatalf("expired token from a throttled address, attempt %d: %d, want 401", i, a.status)
		}
	}
}

// TestOwnHS256FailuresStay401: an HS256 JWT whose signature the tenant's own secret
// verifies is the tenant's, even when that secret is revoked or the JWT has expired: its
// refusal is a 401 from an address strangers have throttled, never a 429.
func TestOwnHS256FailuresStay401(t *testing.T) {
	e := newEnv(t, auth.WithRateLimits(auth.Limit{Burst: 1, Every: time.Hour}), proxied)
	e.tenant("Cust4711", connector.EnvironmentTest)
	revoked, sec := e.secret("Cust4711")
	active, _ := e.secret("Cust4711")
	if err := e.admin.RevokeSecret(context.Background(), "Cust4711", sec.ID, "test"); err != nil {
		t.Fatal(err)
	}
	const shared = "203.0.113.10" // NetServer's egress, shared with a stranger
	for range 3 {
		e.postFrom(shared, "/FindProduct", "Basic Cust4711:x", "application/json", `{}`)
	}
	if a := e.postFrom(shared, "/FindProduct", "Basic Cust4711:x", "application/json", `{}`); a.status != 429 {
		t.Fatalf("the stranger is not throttled: %d", a.status)
	}
	stale := e.hs256(active, "Cust4711")
	e.clock.Add(10 * time.Minute)
	for name, raw := range map[string]string{
		"signed with a revoked secret": e.hs256(revoked, "Cust4711"),
		"expired":                      stale,
	} {
		if a := e.postFrom(shared, "/FindProduct", "Bearer "+raw, "application/json", `{}`); a.status != 401 {
			t.Errorf("%s: %d, want 401", name, a.status)
		}
	}
	if a := e.postFrom(shared, "/FindProduct", "Bearer "+e.hs256(active, "Cust4711"), "application/json", `{}`); a.status != 404 {
		t.Errorf("a fresh JWT signed with the active secret: %d", a.status)
	}
}

// TestIPv6ClientsShareTheirSlash64: an IPv6 client is limited by its /64, the block one
// subscriber gets, not per address; another /64 has its own budget.
func TestIPv6ClientsShareTheirSlash64(t *testing.T) {
	e := newEnv(t, auth.WithRateLimits(auth.Limit{Burst: 3, Every: time.Hour}), proxied)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	wrong := "Bearer qk_sk_test_wrong"
	for i := range 3 {
		if a := e.postFrom(fmt.Sprintf("2001:db8:1:2::%x", i+1), "/Authenticate", wrong, "", ""); a.status != 401 {
			t.Fatalf("failure %d: %d", i, a.status)
		}
	}
	if a := e.postFrom("2001:db8:1:2:ffff:1:2:3", "/Authenticate", wrong, "", ""); a.status != 429 {
		t.Errorf("another address of the same /64: %d, want 429", a.status)
	}
	if a := e.postFrom("2001:db8:1:3::1", "/Authenticate", wrong, "", ""); a.status != 401 {
		t.Errorf("an address of another /64: %d, want 401", a.status)
	}
	if a := e.postFrom("2001:db8:1:2::9", "/Authenticate", "Bearer "+secret, "", ""); a.status != 200 {
		t.Errorf("a valid secret from the throttled /64: %d", a.status)
	}
	// IPv4 addresses, and IPv4 mapped into IPv6, stay one address each.
	for i := range 3 {
		if a := e.postFrom("192.0.2.1", "/Authenticate", wrong, "", ""); a.status != 401 {
			t.Fatalf("IPv4 failure %d: %d", i, a.status)
		}
	}
	if a := e.postFrom("::ffff:192.0.2.1", "/Authenticate", wrong, "", ""); a.status != 429 {
		t.Errorf("the same IPv4 address, mapped: %d, want 429", a.status)
	}
	if a := e.postFrom("192.0.2.2", "/Authenticate", wrong, "", ""); a.status != 401 {
		t.Errorf("the next IPv4 address: %d, want 401", a.status)
	}
}

// tokenFrom exchanges a credential at /Authenticate as a client at addr.
func (e *env) tokenFrom(addr, authz string) string {
	e.t.Helper()
	a := e.postFrom(addr, "/Authenticate", authz, "", "")
	if a.status != http.StatusOK {
		e.t.Fatalf("/Authenticate: %d %s", a.status, a.body)
	}
	return tokenOf(e.t, a.body)
}

func tokenOf(t testing.TB, body []byte) string {
	t.Helper()
	var tok model.AccessTokenResponse
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token answer %s: %v", body, err)
	}
	return tok.AccessToken
}
