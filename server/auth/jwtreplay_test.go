package auth_test

import (
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/quotekit/quotekit/connector"
)

// TestSuperOfficeJWTOnOperationsOnce: a SuperOffice JWT presented directly on an
// operation is accepted once, like at /Authenticate: the same JWT again, on an operation
// or at /Authenticate, is refused with 401 (NetServer then signs a fresh one), and a JWT
// already spent at /Authenticate does not open an operation.
func TestSuperOfficeJWTOnOperationsOnce(t *testing.T) {
	e := newEnv(t)
	e.tenant("Cust100", connector.EnvironmentTest)

	raw := e.soJWT(e.sod, "Cust100", nil)
	if a := e.post("/FindProduct", "Bearer "+raw, "application/json", `{}`); a.status != 404 {
		t.Fatalf("first use on an operation: %d %s", a.status, a.body)
	}
	if a := e.post("/FindProduct", "Bearer "+raw, "application/json", `{}`); a.status != 401 {
		t.Errorf("the same JWT again on an operation: %d, want 401", a.status)
	}
	if a := e.post("/Authenticate", "Bearer "+raw, "", ""); a.status != 401 {
		t.Errorf("a JWT spent on an operation, then at /Authenticate: %d, want 401", a.status)
	}

	spent := e.soJWT(e.sod, "Cust100", func(tok jwt.Token) { _ = tok.Set("jti", "spent-at-authenticate") })
	e.token("Bearer " + spent)
	if a := e.post("/FindProduct", "Bearer "+spent, "application/json", `{}`); a.status != 401 {
		t.Errorf("a JWT spent at /Authenticate, then on an operation: %d, want 401", a.status)
	}

	fresh := e.soJWT(e.sod, "Cust100", func(tok jwt.Token) { _ = tok.Set("jti", "fresh") })
	if a := e.post("/FindProduct", "Bearer "+fresh, "application/json", `{}`); a.status != 404 {
		t.Errorf("a fresh JWT: %d", a.status)
	}
}
