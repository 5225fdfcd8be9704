// Command jwt is the sample quote connector a partner forks when SuperOffice
// authenticates with its own signed JWT: NetServer sends a JWT (RS256, issuer
// "SuperOffice AS", audience spn:<AppId>) to POST /Authenticate and gets an access token
// for that CRM user. The sample maps CRM users to ERP salespeople, so each user's
// discount limit applies to the quotes they make.
//
// Fork it by replacing the body of openERP with your own connector; keep the rest, and
// register your users with `quotekit tenant map-user`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/server/app"
	"github.com/quotekit/quotekit/tenancy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jwt:", err)
		os.Exit(1)
	}
}

// devKey is the test key pair that stands in for SuperOffice in development: the
// sample trusts its public half, and `quotekit devjwt` signs with its private half.
const devKey = "testdata/keys/superoffice-test-sod.pem"

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := app.ParseConfig("jwt", args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.Dev && len(cfg.LocalKeys) == 0 && getenv("QUOTEKIT_SUPEROFFICE") == "" {
		// In development trust the local test key instead of SuperOffice's JWKS.
		cfg.SuperOffice, cfg.LocalKeys = nil, []string{"sod=" + devKey}
	}
	if err := os.MkdirAll(cfg.Dir(), 0o700); err != nil {
		return err
	}
	erp, closeERP, err := openERP(ctx, cfg.Dir())
	if err != nil {
		return err
	}
	err = app.Serve(ctx, erp, cfg, getenv, stdout, stderr, app.OnReady(demoTenant))
	return errors.Join(err, closeERP())
}

// openERP opens the connector the sample serves, with its data under dir, and returns it
// with the function that closes it. The sample's tests reach the connector only through
// this function.
//
// Replace this with your ERP: return your connector (a type embedding
// connector.Unsupported by value) and what closes it.
func openERP(ctx context.Context, dir string) (connector.Connector, func() error, error) {
	erp, err := demoerp.Open(ctx, filepath.Join(dir, "demoerp.db"))
	if err != nil {
		return nil, nil, err
	}
	return erp, erp.Close, nil
}

const (
	demoTenantID = "Cust12345"
	// demoAppID is the Application Id of the connector app registered with SuperOffice;
	// its JWTs carry the audience spn:<demoAppID>.
	demoAppID = "quotekit-demo"
)

// demoUsers maps two CRM users to ERP salespeople with different discount limits.
var demoUsers = []tenancy.UserMapping{
	{TenantID: demoTenantID, AssociateID: 12, ERPUser: "ONY"}, // Ola Nygård, at most 3 %
	{TenantID: demoTenantID, AssociateID: 13, ERPUser: "KDA"}, // Kari Dahl, at most 30 %
}

// demoTenant creates the demo tenant trusting demoAppID, with its user mappings, on the
// first start, and prints how to try it.
func demoTenant(ctx context.Context, r app.Ready) error {
	_, err := r.Store.Tenant(ctx, demoTenantID)
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		_, err = r.Admin.AddTenant(ctx, tenancy.Tenant{
			ID: demoTenantID, Name: "Demo customer", Environment: connector.EnvironmentTest,
			AppIDs: []string{demoAppID}, Enabled: true, Config: map[string]string{"company": "[I:1]"},
		}, "jwt sample")
		if err != nil {
			return err
		}
		for _, m := range demoUsers {
			if _, err := r.Admin.MapUser(ctx, m, "jwt sample"); err != nil {
				return err
			}
		}
		// SOAP calls carry no JWT: SuperOffice Online sends the tenant's shared secret,
		// which its administrator types into the connection dialog, on every call.
		if r.SOAPURL != "" {
			secret, _, err := r.Admin.CreateSecret(ctx, demoTenantID, "jwt sample")
			if err != nil {
				return err
			}
			fmt.Fprintf(r.Stdout, "\nThe tenant's shared secret for SOAP calls, shown this once (put it in SuperOffice's connection dialog):\n\n    export QK_SECRET=%s\n", secret)
		}
	case err != nil:
		return err
	}
	fmt.Fprintf(r.Stdout, `
Serving %[1]s for tenant %[2]s (app %[3]s). CRM user 12 is salesperson ONY (3 %% discount
at most), user 13 is KDA (30 %%). Mint a SuperOffice-shaped JWT with the development key and
exchange it for an access token:

    export QK_URL=%[1]s
    export QK_JWT=$(go run ./cmd/quotekit devjwt %[2]s --key %[4]s --app-id %[3]s --associate-id 12)
    export QK_TOKEN=$(curl -s -X POST "$QK_URL/Authenticate" -H "Authorization: Bearer $QK_JWT" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
    curl -s -X POST "$QK_URL/FindProduct" -H "Authorization: Bearer $QK_TOKEN" -H "Content-Type: application/json" -d '{"UserInput":"drill","CurrencyCode":"NOK"}'
%[5]s
`, r.BaseURL, demoTenantID, demoAppID, devKey, r.SOAPHint(demoTenantID, "QK_SECRET"))
	return nil
}
