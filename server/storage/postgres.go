package storage

import (
	"context"

	"github.com/quotekit/quotekit/server/postgres"
)

func openPostgres(ctx context.Context, db string, o options) (Store, error) {
	var opts []postgres.Option
	if o.now != nil {
		opts = append(opts, postgres.WithClock(o.now))
	}
	return postgres.Open(ctx, db, opts...)
}
