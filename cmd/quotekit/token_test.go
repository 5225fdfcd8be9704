package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

func TestTokens(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	h.addTenant("Cust2")
	h.ok("tenant", "map-user", "Cust1", "--associate-id", "7", "--erp-user", "jdoe")
	secret, secretID := h.createSecret("Cust1")
	other, _ := h.createSecret("Cust2")
	svc := h.service(&readTestKey(t, sodKeyFile).PublicKey)

	var issued []string
	for _, cred := range []string{
		secret, secret,
		h.mintJWT("Cust1", "--associate-id", "7", "--email", "ann@example.com"),
		h.mintJWT("Cust1", "--associate-id", "8"),
	} {
		tok, err := authenticate(t, svc, cred)
		if err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		issued = append(issued, tok)
	}
	if _, err := authenticate(t, svc, other); err != nil {
		t.Fatal(err)
	}

	var toks []tokenJSON
	r := h.json(&toks, "token", "list", "Cust1")
	if len(toks) != 4 {
		t.Fatalf("token list --json = %+v", toks)
	}
	var bySecret, byUser int
	for _, k := range toks {
		switch {
		case k.Method == string(tenancy.MethodSecret) && k.SecretID == secretID:
			bySecret++
		case k.Method == string(tenancy.MethodSuperOfficeJWT) && k.AssociateID == 7:
			byUser++
			if k.Email != "ann@example.com" || k.ERPUser != "jdoe" {
				t.Errorf("token of associate 7: %+v", k)
			}
		}
		if k.Tenant != "Cust1" || k.ExpiresAt.Before(k.IssuedAt) {
			t.Errorf("token %+v", k)
		}
	}
	if bySecret != 2 || byUser != 1 {
		t.Errorf("tokens %+v", toks)
	}
	h.json(&toks, "token", "list", "Cust1", "--associate-id", "7")
	if len(toks) != 1 || toks[0].AssociateID != 7 {
		t.Errorf("token list --associate-id 7 = %+v", toks)
	}
	human := h.ok("token", "list", "Cust1")
	if !strings.HasPrefix(human.stdout, "ID  METHOD           ASSOCIATE ID  E-MAIL") || strings.Count(human.stdout, "\n") != 5 {
		t.Errorf("token list:\n%s", human.stdout)
	}
	for _, out := range []string{r.stdout, human.stdout} {
		for _, tok := range issued {
			if strings.Contains(out, tok) {
				t.Fatalf("token list printed a token")
			}
		}
	}

	// Revoke one user's tokens, then the rest.
	var revoked struct {
		Tenant      string `json:"tenant"`
		AssociateID int32  `json:"associate_id"`
		Revoked     int    `json:"revoked"`
	}
	h.json(&revoked, "token", "revoke", "Cust1", "--associate-id", "7")
	if revoked.Revoked != 1 || revoked.AssociateID != 7 || revoked.Tenant != "Cust1" {
		t.Errorf("token revoke --associate-id 7 = %+v", revoked)
	}
	if _, err := svc.Authenticate(bearer("/QuoteConnector/GetCapabilities", issued[2])); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("revoked user token: %v", err)
	}
	if _, err := svc.Authenticate(bearer("/QuoteConnector/GetCapabilities", issued[3])); err != nil {
		t.Errorf("another user's token after revoking associate 7: %v", err)
	}
	h.json(&toks, "token", "list", "Cust1")
	if len(toks) != 3 {
		t.Errorf("after revoking associate 7: %+v", toks)
	}
	r = h.ok("token", "revoke", "Cust1")
	if strings.TrimSpace(r.stdout) != "3" || !strings.Contains(r.stderr, "Revoked 3 access token(s) of Cust1") {
		t.Errorf("token revoke:\n%s", r)
	}
	h.json(&toks, "token", "list", "Cust1")
	if len(toks) != 0 {
		t.Errorf("after revoking all: %+v", toks)
	}
	// The secret itself still works, and Cust2 was not touched.
	if _, err := authenticate(t, svc, secret); err != nil {
		t.Errorf("secret after revoking its tokens: %v", err)
	}
	h.json(&toks, "token", "list", "Cust2")
	if len(toks) != 1 {
		t.Errorf("Cust2's tokens: %+v", toks)
	}

	evs, _ := h.store().AuditEvents(t.Context(), tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTokensRevoked}})
	if len(evs) != 2 || evs[0].Reason != "all" || evs[1].Reason != "associate:7" || evs[0].Actor != "cli:tester" {
		t.Errorf("audit events %+v", evs)
	}
	h.unchanged(exitUsage, "token", "revoke", "Cust1", "--associate-id", "-3")
	h.unchanged(exitUsage, "token", "list", "Cust1", "--associate-id", "x")
}
