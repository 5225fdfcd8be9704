package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/app"
)

// serve runs the server on a database with no connector: every operation answers 404
// ("not supported"), which is enough to try authentication, the token endpoints and the
// admin API. A partner's own program (a fork of one of the samples in examples/) calls
// app.Serve with its connector instead.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := app.ParseConfig("quotekit serve", args, getenv, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil
	case err != nil:
		return usageError("%v", err)
	}
	return app.Serve(ctx, connector.Unsupported{}, cfg, getenv, stdout, stderr)
}
