package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
	"github.com/quotekit/quotekit/server/app"
)

// serve runs the server on a database with one of the built-in connectors: the demo ERP,
// or none (every operation answers "not supported", which is enough to try
// authentication). A partner's own program calls app.Serve with its connector instead.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var which string
	cfg, err := app.ParseConfig("quotekit serve", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&which, "connector", envOr(getenv, "QUOTEKIT_CONNECTOR", "demoerp"), "the connector to serve: demoerp or none [QUOTEKIT_CONNECTOR]")
	})
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil
	case err != nil:
		return usageError("%v", err)
	}
	var conn connector.Connector
	switch which {
	case "none":
		conn = connector.Unsupported{}
	case "demoerp":
		if err := os.MkdirAll(cfg.Dir(), 0o700); err != nil {
			return err
		}
		erp, err := demoerp.Open(ctx, filepath.Join(cfg.Dir(), "demoerp.db"))
		if err != nil {
			return err
		}
		defer erp.Close()
		conn = erp
	default:
		return usageError("--connector is demoerp or none, not %q", which)
	}
	return app.Serve(ctx, conn, cfg, getenv, stdout, stderr)
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
