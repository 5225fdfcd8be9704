package sqlite

import (
	"context"

	"github.com/quotekit/quotekit/server/internal/dbrow"
	"github.com/quotekit/quotekit/tenancy"
)

// ListUserMappings returns the tenant's user mappings: those with an associate id first,
// ordered by it, then those keyed by e-mail only, ordered by e-mail. E-mails come back
// as stored, ASCII letters lower-cased (tenancy.FoldEmail). It fails with
// tenancy.ErrNotFound when the tenant is unknown.
func (s *Store) ListUserMappings(ctx context.Context, tenantID string) ([]tenancy.UserMapping, error) {
	op := "list user mappings of " + tenantID
	const q = `SELECT ` + dbrow.UserMappingCols + ` FROM user_mappings
		WHERE tenant_id = ?
		ORDER BY associate_id IS NULL, associate_id, email`
	rows, err := s.r.QueryContext(ctx, q, tenantID) //nolint:rowserrcheck // dbrow's readers check rows.Err
	if err != nil {
		return nil, storeErr(op, err)
	}
	defer rows.Close()
	ms, err := dbrow.UserMappings(rows, tenantID)
	if err != nil {
		return nil, storeErr(op, err)
	}
	if len(ms) == 0 {
		// An empty list and an unknown tenant look alike; tell them apart.
		if _, err := s.Tenant(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	return ms, nil
}
