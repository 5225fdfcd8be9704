package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/quotekit/quotekit/server/internal/dbrow"
	"github.com/quotekit/quotekit/tenancy"
)

// Tenant returns the tenant, or tenancy.ErrNotFound.
func (s *Store) Tenant(ctx context.Context, id string) (tenancy.Tenant, error) {
	var t tenancy.Tenant
	err := s.read(ctx, "tenant "+id, func(q querier) error {
		var r dbrow.Tenant
		if err := q.QueryRow(ctx, `SELECT `+dbrow.TenantCols+` FROM tenants t WHERE t.id = $1`, id).Scan(r.Dest()...); err != nil {
			return err
		}
		var err error
		t, err = r.Tenant()
		return err
	})
	return t, err
}

// ListTenants returns every tenant ordered by id (byte-wise: Cust10 before Cust9).
func (s *Store) ListTenants(ctx context.Context) ([]tenancy.Tenant, error) {
	var ts []tenancy.Tenant
	err := s.read(ctx, "list tenants", func(q querier) error {
		ts = nil
		rows, err := q.Query(ctx, `SELECT `+dbrow.TenantCols+` FROM tenants t ORDER BY t.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		ts, err = dbrow.Tenants(rows)
		return err
	})
	return ts, err
}

// CreateTenant adds t together with its audit event (kind tenant.created unless ev says
// otherwise). A zero CreatedAt is taken from the store's clock, a zero UpdatedAt from
// CreatedAt. It fails with tenancy.ErrConflict when the id exists, and with a plain error
// when the id or the environment is malformed.
func (s *Store) CreateTenant(ctx context.Context, t tenancy.Tenant, ev tenancy.AuditEvent) error {
	op := "create tenant " + t.ID
	t.CreatedAt = s.orNow(t.CreatedAt)
	values, err := dbrow.NewTenantValues(t)
	if err != nil {
		return storeErr(op, err)
	}
	return s.change(ctx, op, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants `+dbrow.TenantInsertCols+`
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, values...)
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.TenantCreatedEvent(t))
	})
}

// UpdateTenant replaces the name, environment, SuperOfficeEnvs, AppIDs and config of the
// tenant t.ID and sets its UpdatedAt (the store's clock when t.UpdatedAt is zero),
// together with its audit event (kind tenant.updated unless ev says otherwise). Enabled,
// TokensValidAfter and CreatedAt are left alone. It fails with tenancy.ErrNotFound when
// the tenant is unknown.
func (s *Store) UpdateTenant(ctx context.Context, t tenancy.Tenant, ev tenancy.AuditEvent) error {
	op := "update tenant " + t.ID
	t.UpdatedAt = s.orNow(t.UpdatedAt)
	values, err := dbrow.TenantUpdateValues(t)
	if err != nil {
		return storeErr(op, err)
	}
	return s.change(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE tenants
			SET name = $1, environment = $2, app_ids = $3, config = $4, updated_at = $5, superoffice_envs = $6
			WHERE id = $7`, values...)
		if err := mustAffect(tag, err); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.TenantUpdatedEvent(t))
	})
}

// SetTenantEnabled enables or disables the tenant id at time at (the store's clock when
// zero), together with its audit event (kind tenant.enabled or tenant.disabled unless ev
// says otherwise). Disabling also moves TokensValidAfter to at, which invalidates every
// token issued until then; it never moves it back, and enabling leaves it alone, so
// tokens of the disabled period stay invalid. The update locks the tenant's row, which a
// concurrent IssueToken holds FOR SHARE: one of them waits for the other. It fails with
// tenancy.ErrNotFound when the tenant is unknown.
func (s *Store) SetTenantEnabled(ctx context.Context, id string, enabled bool, at time.Time, ev tenancy.AuditEvent) error {
	op := "set tenant enabled " + id
	at = s.orNow(at)
	if err := dbrow.CheckTimes(at); err != nil {
		return storeErr(op, err)
	}
	return s.change(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE tenants
			SET enabled = $1, updated_at = $2,
			    tokens_valid_after = CASE WHEN $1 THEN tokens_valid_after
			                              ELSE greatest(coalesce(tokens_valid_after, $2), $2) END
			WHERE id = $3`,
			enabled, at.UnixNano(), id)
		if err := mustAffect(tag, err); err != nil {
			return fmt.Errorf("tenant %s: %w", id, err)
		}
		return s.appendAudit(ctx, tx, ev, dbrow.TenantEnabledEvent(id, enabled, at))
	})
}

// UserMapping returns the ERP user mapped to a SuperOffice user of the tenant: the
// mapping of associateID when there is one (and associateID is not 0), else the mapping
// of email, compared ASCII-case-insensitively (tenancy.FoldEmail). It fails with
// tenancy.ErrNotFound when neither is mapped.
func (s *Store) UserMapping(ctx context.Context, tenantID string, associateID int32, email string) (string, error) {
	var erpUser string
	keys := dbrow.MappingKeys(associateID, email)
	err := s.read(ctx, fmt.Sprintf("user mapping %s/%d/%s", tenantID, associateID, email), func(q querier) error {
		var rank int
		return q.QueryRow(ctx, `
			SELECT erp_user, 0 AS rank FROM user_mappings WHERE tenant_id = $1 AND associate_id = $2
			UNION ALL
			SELECT erp_user, 1 AS rank FROM user_mappings WHERE tenant_id = $1 AND email = $3
			ORDER BY rank LIMIT 1`, tenantID, keys[0], keys[1]).Scan(&erpUser, &rank)
	})
	return erpUser, err
}

// SetUserMapping maps a SuperOffice user to m.ERPUser. A mapping is keyed both by its
// associate id (when not 0) and by its e-mail (when not "", case-insensitively): setting
// m replaces every mapping of the tenant that has the same associate id or the same
// e-mail, so each key names one ERP user. m needs an associate id or an e-mail, and an
// ERP user. The mapping and its audit event (kind user.mapped unless ev says otherwise)
// are written in one transaction, which locks the tenant's row so that two settings of
// the same key do not collide. It fails with tenancy.ErrNotFound when the tenant is
// unknown.
func (s *Store) SetUserMapping(ctx context.Context, m tenancy.UserMapping, ev tenancy.AuditEvent) error {
	op := fmt.Sprintf("set user mapping %s/%d/%s", m.TenantID, m.AssociateID, m.Email)
	keys := dbrow.MappingKeys(m.AssociateID, m.Email)
	if err := dbrow.CheckMapping(m, keys); err != nil {
		return storeErr(op, err)
	}
	return s.change(ctx, op, func(tx pgx.Tx) error {
		if err := lockTenant(ctx, tx, m.TenantID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_mappings
			WHERE tenant_id = $1 AND (associate_id = $2 OR email = $3)`,
			m.TenantID, keys[0], keys[1]); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_mappings (tenant_id, associate_id, email, erp_user)
			VALUES ($1, $2, $3, $4)`, m.TenantID, keys[0], keys[1], m.ERPUser); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.UserMappingEvent(m.TenantID, true))
	})
}

// DeleteUserMapping removes the tenant's mappings that match m: those with m.AssociateID
// when it is not 0 and those with m.Email when it is not "" (both must match when both
// are given). m.ERPUser is ignored. The removal and its audit event (kind user.unmapped
// unless ev says otherwise) are written in one transaction. It fails with
// tenancy.ErrNotFound when nothing matched, and then writes no event.
func (s *Store) DeleteUserMapping(ctx context.Context, m tenancy.UserMapping, ev tenancy.AuditEvent) error {
	op := fmt.Sprintf("delete user mapping %s/%d/%s", m.TenantID, m.AssociateID, m.Email)
	keys := dbrow.MappingKeys(m.AssociateID, m.Email)
	if err := dbrow.CheckMappingKeys(keys); err != nil {
		return storeErr(op, err)
	}
	return s.change(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM user_mappings
			WHERE tenant_id = $1 AND ($2::integer IS NULL OR associate_id = $2) AND ($3::text IS NULL OR email = $3)`,
			m.TenantID, keys[0], keys[1])
		if err := mustAffect(tag, err); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.UserMappingEvent(m.TenantID, false))
	})
}

// ListUserMappings returns the tenant's user mappings: those with an associate id first,
// ordered by it, then those keyed by e-mail only, ordered by e-mail. E-mails come back
// as stored, ASCII letters lower-cased (tenancy.FoldEmail). It fails with
// tenancy.ErrNotFound when the tenant is unknown.
func (s *Store) ListUserMappings(ctx context.Context, tenantID string) ([]tenancy.UserMapping, error) {
	op := "list user mappings of " + tenantID
	var ms []tenancy.UserMapping
	err := s.read(ctx, op, func(q querier) error {
		ms = nil
		rows, err := q.Query(ctx, `SELECT `+dbrow.UserMappingCols+` FROM user_mappings
			WHERE tenant_id = $1
			ORDER BY associate_id IS NULL, associate_id, email`, tenantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		ms, err = dbrow.UserMappings(rows, tenantID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		// An empty list and an unknown tenant look alike; tell them apart.
		if _, err := s.Tenant(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// lockTenant locks the tenant's row against concurrent changes of the tenant and of its
// secrets and mappings (FOR NO KEY UPDATE), and fails with tenancy.ErrNotFound when the
// tenant is unknown.
func lockTenant(ctx context.Context, tx pgx.Tx, id string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("tenant %s: %w", id, tenancy.ErrNotFound)
	}
	return err
}

// tenantExists fails with tenancy.ErrNotFound when the tenant is unknown.
func tenantExists(ctx context.Context, tx pgx.Tx, id string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM tenants WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("tenant %s: %w", id, tenancy.ErrNotFound)
	}
	return err
}
