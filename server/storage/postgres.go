package storage

import (
	"context"
	"errors"
)

func openPostgres(context.Context, string, options) (Store, error) {
	return nil, errors.New("PostgreSQL store not available")
}
