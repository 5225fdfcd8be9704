package auth_test

import (
	"context"
	"crypto"
	"slices"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

// TestTenantBoundToASuperOfficeEnvironment: sod and qaonline are both test environments.
// A tenant that names sod as its only SuperOffice environment refuses a JWT that
// qaonline's key verified, on /Authenticate and on an operation, and records why; an
// unbound test tenant accepts both, as before.
func TestTenantBoundToASuperOfficeEnvironment(t *testing.T) {
	sodK, qaKey := newKey(t), newKey(t)
	var e *env
	verifier, err := auth.NewSuperOfficeVerifier(context.Background(), auth.SuperOfficeConfig{
		Envs: []auth.Env{
			{Name: "sod", Mode: connector.EnvironmentTest, Keys: []crypto.PublicKey{&sodK.PublicKey}},
			{Name: "qaonline", Mode: connector.EnvironmentTest, Keys: []crypto.PublicKey{&qaKey.PublicKey}},
		},
		Clock: func() time.Time { return e.clock.Now() },
	})
	if err != nil {
		t.Fatal(err)
	}
	e = newEnv(t, auth.WithSuperOffice(verifier))
	ctx := context.Background()
	e.tenant("Cust100", connector.EnvironmentTest)
	e.tenant("Cust200", connector.EnvironmentTest)
	if _, _, err := e.admin.UpdateTenant(ctx, "Cust100", func(t *tenancy.Tenant) { t.SuperOfficeEnvs = []string{"sod"} }, "test"); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name, tenant string
		key          string
		want         int
	}{
		{"bound to sod, signed by sod", "Cust100", "sod", 200},
		{"bound to sod, signed by qaonline", "Cust100", "qaonline", 401},
		{"unbound, signed by sod", "Cust200", "sod", 200},
		{"unbound, signed by qaonline", "Cust200", "qaonline", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key := sodK
			if tt.key == "qaonline" {
				key = qaKey
			}
			// Each JWT is fresh (its own jti): a SuperOffice JWT is accepted once, at
			// /Authenticate or on an operation.
			fresh := func(use string) string {
				return e.soJWT(key, tt.tenant, func(tk jwt.Token) { _ = tk.Set(jwt.JwtIDKey, tt.name+"/"+use) })
			}
			if a := e.post("/Authenticate", "Bearer "+fresh("token"), "", ""); a.status != tt.want {
				t.Errorf("/Authenticate: %d %s, want %d", a.status, a.body, tt.want)
			}
			// Presented directly on an operation (404: the connector supports none).
			want := tt.want
			if want == 200 {
				want = 404
			}
			if a := e.post("/FindProduct", "Bearer "+fresh("operation"), "application/json", `{}`); a.status != want {
				t.Errorf("/FindProduct: %d %s, want %d", a.status, a.body, want)
			}
		})
	}
	refusals, err := e.store.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust100", Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}})
	if err != nil {
		t.Fatal(err)
	}
	if len(refusals) == 0 || !slices.ContainsFunc(refusals, func(ev tenancy.AuditEvent) bool { return ev.Reason == "wrong_environment" }) {
		t.Errorf("refusals of Cust100 = %+v, want wrong_environment", refusals)
	}
}
