package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quotekit/quotekit/server/internal/dbrow"
	"github.com/quotekit/quotekit/tenancy"
)

// Tenant returns the tenant, or tenancy.ErrNotFound.
func (s *Store) Tenant(ctx context.Context, id string) (tenancy.Tenant, error) {
	var r dbrow.Tenant
	err := s.r.QueryRowContext(ctx, `SELECT `+dbrow.TenantCols+` FROM tenants t WHERE t.id = ?`, id).Scan(r.Dest()...)
	if err != nil {
		return tenancy.Tenant{}, storeErr("tenant "+id, err)
	}
	t, err := r.Tenant()
	return t, storeErr("tenant "+id, err)
}

// ListTenants returns every tenant ordered by id (byte-wise: Cust10 before Cust9).
func (s *Store) ListTenants(ctx context.Context) ([]tenancy.Tenant, error) {
	const q = `SELECT ` + dbrow.TenantCols + ` FROM tenants t ORDER BY t.id`
	rows, err := s.r.QueryContext(ctx, q) //nolint:rowserrcheck // dbrow's readers check rows.Err
	if err != nil {
		return nil, storeErr("list tenants", err)
	}
	defer rows.Close()
	ts, err := dbrow.Tenants(rows)
	return ts, storeErr("list tenants", err)
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
	return s.write(ctx, op, func(tx *sql.Tx) error {
		const q = `INSERT INTO tenants ` + dbrow.TenantInsertCols + `
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		_, err := tx.ExecContext(ctx, q, values...)
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
	return s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tenants
			SET name = ?, environment = ?, app_ids = ?, config = ?, updated_at = ?, superoffice_envs = ?
			WHERE id = ?`, values...)
		if err := mustAffect(res, err); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.TenantUpdatedEvent(t))
	})
}

// SetTenantEnabled enables or disables the tenant id at time at (the store's clock when
// zero), together with its audit event (kind tenant.enabled or tenant.disabled unless ev
// says otherwise). Disabling also moves TokensValidAfter to at, which invalidates every
// token issued until then; it never moves it back, and enabling leaves it alone, so
// tokens of the disabled period stay invalid. It fails with tenancy.ErrNotFound when the
// tenant is unknown.
func (s *Store) SetTenantEnabled(ctx context.Context, id string, enabled bool, at time.Time, ev tenancy.AuditEvent) error {
	op := "set tenant enabled " + id
	at = s.orNow(at)
	if err := dbrow.CheckTimes(at); err != nil {
		return storeErr(op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tenants
			SET enabled = ?1, updated_at = ?2,
			    tokens_valid_after = CASE WHEN ?1 THEN tokens_valid_after
			                              ELSE max(coalesce(tokens_valid_after, ?2), ?2) END
			WHERE id = ?3`,
			enabled, at.UnixNano(), id)
		if err := mustAffect(res, err); err != nil {
			return fmt.Errorf("tenant %s: %w", id, err)
		}
		return s.appendAudit(ctx, tx, ev, dbrow.TenantEnabledEvent(id, enabled, at))
	})
}

// UserMapping returns the ERP user mapped to a SuperOffice user of the tenant: the
// mapping of associateID when there is one (and associateID is not 0), else the mapping
// of email, compared ASCII-case-insensitively (tenancy.FoldEmail). It fails with tenancy.ErrNotFound when neither is
// mapped.
func (s *Store) UserMapping(ctx context.Context, tenantID string, associateID int32, email string) (string, error) {
	var erpUser string
	var rank int
	// Each branch is an equality lookup in one of the UNIQUE indexes; an absent key is
	// bound as NULL, which matches nothing.
	err := s.r.QueryRowContext(ctx, `
		SELECT erp_user, 0 AS rank FROM user_mappings WHERE tenant_id = ?1 AND associate_id = ?2
		UNION ALL
		SELECT erp_user, 1 AS rank FROM user_mappings WHERE tenant_id = ?1 AND email = ?3
		ORDER BY rank LIMIT 1`,
		append([]any{tenantID}, dbrow.MappingKeys(associateID, email)...)...).Scan(&erpUser, &rank)
	if err != nil {
		return "", storeErr(fmt.Sprintf("user mapping %s/%d/%s", tenantID, associateID, email), err)
	}
	return erpUser, nil
}

// SetUserMapping maps a SuperOffice user to m.ERPUser. A mapping is keyed both by its
// associate id (when not 0) and by its e-mail (when not "", case-insensitively): setting
// m replaces every mapping of the tenant that has the same associate id or the same
// e-mail, so each key names one ERP user. m needs an associate id or an e-mail, and an
// ERP user. The mapping and its audit event (kind user.mapped unless ev says otherwise)
// are written in one transaction. It fails with tenancy.ErrNotFound when the tenant is
// unknown.
func (s *Store) SetUserMapping(ctx context.Context, m tenancy.UserMapping, ev tenancy.AuditEvent) error {
	op := fmt.Sprintf("set user mapping %s/%d/%s", m.TenantID, m.AssociateID, m.Email)
	keys := dbrow.MappingKeys(m.AssociateID, m.Email)
	if err := dbrow.CheckMapping(m, keys); err != nil {
		return storeErr(op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		if err := tenantExists(ctx, tx, m.TenantID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_mappings
			WHERE tenant_id = ?1 AND (associate_id = ?2 OR email = ?3)`,
			append([]any{m.TenantID}, keys...)...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_mappings (tenant_id, associate_id, email, erp_user)
			VALUES (?, ?, ?, ?)`, m.TenantID, keys[0], keys[1], m.ERPUser); err != nil {
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
	return s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_mappings
			WHERE tenant_id = ?1 AND (?2 IS NULL OR associate_id = ?2) AND (?3 IS NULL OR email = ?3)`,
			append([]any{m.TenantID}, keys...)...)
		if err := mustAffect(res, err); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.UserMappingEvent(m.TenantID, false))
	})
}

// tenantExists fails with tenancy.ErrNotFound when the tenant is unknown.
func tenantExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM tenants WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("tenant %s: %w", id, tenancy.ErrNotFound)
	}
	return err
}

// mustAffect turns an update or delete that matched no row into tenancy.ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return tenancy.ErrNotFound
	}
	return nil
}
