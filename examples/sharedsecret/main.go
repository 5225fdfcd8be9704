// Command sharedsecret is the sample quote connector a partner forks when SuperOffice
// authenticates with the connection's shared secret: NetServer sends the secret to
// POST /Authenticate, gets an access token, and calls the operations with it.
//
// Fork it by replacing the body of openERP with your own connector (a type embedding
// connector.Unsupported); keep the rest.
//
// In development (--dev) it also serves the admin listener on loopback, unless
// --admin-addr says where: port 8090 beside make run's port 8080, and a free loopback
// port beside any other (so that several samples, or another program on 8090, do not
// collide); the URL is printed. The operator console is there, under /console/; on the first
// start the sample creates an admin key for it and prints the key once, with the URL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
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
		fmt.Fprintln(os.Stderr, "sharedsecret:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := app.ParseConfig("sharedsecret", args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.Dev && cfg.AdminAddr == "" {
		cfg.AdminAddr = devAdminAddr(cfg.Addr)
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

// devAdminAddr is the admin listener's address in development: loopback, port 8090
// beside make run's port 8080, a free port beside any other.
func devAdminAddr(addr string) string {
	if _, port, err := net.SplitHostPort(addr); err == nil && port == "8080" {
		return "127.0.0.1:8090"
	}
	return "127.0.0.1:0"
}

// demoTenantID is the SuperOffice customer the sample creates on its first start.
const demoTenantID = "Cust12345"

// consoleKeyName names the admin key the sample creates for the operator console.
const consoleKeyName = "console (sharedsecret sample)"

// demoTenant creates the demo tenant and its shared secret on the first start, and
// prints the secret (once) with curl commands that use it; then the console's URL and,
// on its first start, the console's admin key.
func demoTenant(ctx context.Context, r app.Ready) error {
	if err := tenantBanner(ctx, r); err != nil {
		return err
	}
	return consoleBanner(ctx, r)
}

// consoleBanner prints where the operator console is and, the first time, creates an
// admin key with every scope for it and prints the key once. Later starts find the key
// by its name and say so.
func consoleBanner(ctx context.Context, r app.Ready) error {
	if r.AdminURL == "" {
		return nil
	}
	keys, err := r.Store.ListAdminKeys(ctx)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(keys, func(k tenancy.AdminKey) bool { return k.Name == consoleKeyName && k.RevokedAt.IsZero() }) {
		fmt.Fprintf(r.Stdout, "Operator console: %s/console/ (sign in with the admin key shown when it was created;\n"+
			"make another with: go run ./cmd/quotekit adminkey create --name console --scope console,tenants:read --db %s)\n", r.AdminURL, r.DB)
		return nil
	}
	key, _, err := r.Admin.CreateAdminKey(ctx, consoleKeyName, tenancy.AllScopes, connector.EnvironmentTest, "sharedsecret sample")
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Stdout, `
Operator console: %[1]s/console/
Sign in with this admin key, shown this once (it has every scope):

    %[2]s
`, r.AdminURL, key)
	return nil
}

// tenantBanner creates the demo tenant and its secret on the first start and prints them.
func tenantBanner(ctx context.Context, r app.Ready) error {
	_, err := r.Store.Tenant(ctx, demoTenantID)
	switch {
	case err == nil:
		fmt.Fprintf(r.Stdout, "Serving %s. Tenant %s exists; its secret was shown when it was created.\n"+
			"Make a new one with: go run ./cmd/quotekit secret create %s --db %s\n", r.BaseURL, demoTenantID, demoTenantID, r.DB)
		return nil
	case !errors.Is(err, tenancy.ErrNotFound):
		return err
	}
	_, err = r.Admin.AddTenant(ctx, tenancy.Tenant{
		ID: demoTenantID, Name: "Demo customer", Environment: connector.EnvironmentTest, Enabled: true,
		Config: map[string]string{"company": "[I:1]"},
	}, "sharedsecret sample")
	if err != nil {
		return err
	}
	secret, _, err := r.Admin.CreateSecret(ctx, demoTenantID, "sharedsecret sample")
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Stdout, `
Serving %[1]s with demo tenant %[2]s.
Its shared secret, shown this once (put it in SuperOffice's connection dialog):

    %[3]s

Try it:

    export QK_URL=%[1]s QK_SECRET=%[3]s
    export QK_TOKEN=$(curl -s -X POST "$QK_URL/Authenticate" -H "Authorization: Bearer $QK_SECRET" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
    curl -s -X POST "$QK_URL/GetCapabilities" -H "Authorization: Bearer $QK_TOKEN"
    curl -s -X POST "$QK_URL/FindProduct" -H "Authorization: Bearer $QK_TOKEN" -H "Content-Type: application/json" -d '{"UserInput":"drill","CurrencyCode":"NOK"}'
%[4]s
`, r.BaseURL, demoTenantID, secret, r.SOAPHint(demoTenantID, "QK_SECRET"))
	return nil
}
