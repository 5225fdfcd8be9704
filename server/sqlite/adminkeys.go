package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/quotekit/quotekit/server/internal/dbrow"
	"github.com/quotekit/quotekit/tenancy"
)

// adminKeyByHashQuery finds a presented admin key: one lookup in the unique hash index.
// The CAST matches the other hash lookups (see "Parameters in joins").
const adminKeyByHashQuery = `SELECT ` + dbrow.AdminKeyCols + ` FROM admin_keys a WHERE a.hash = CAST(? AS BLOB)`

// CreateAdminKey stores k and returns its id, together with its audit event (kind
// adminkey.created, credential k.Display, no tenant, unless ev says otherwise). A zero
// CreatedAt is the store's clock; ID, RevokedAt and LastUsed are ignored. The scopes are
// stored as given: checking them is the caller's business (tenancy.Service does), but a key
// needs at least one. It fails with tenancy.ErrConflict when a key with the same hash
// exists, with a plain error when k has no hash or no scopes.
func (s *Store) CreateAdminKey(ctx context.Context, k tenancy.AdminKey, ev tenancy.AuditEvent) (int64, error) {
	const op = "create admin key"
	k.CreatedAt = s.orNow(k.CreatedAt)
	scopes, err := dbrow.AdminKeyScopes(k)
	if err != nil {
		return 0, storeErr(op, err)
	}
	var id int64
	err = s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO admin_keys (name, hash, display, last4, scopes, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
			k.Name, k.Hash[:], k.Display, k.Last4, scopes, k.CreatedAt.UnixNano())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.AdminKeyCreatedEvent(k))
	})
	return id, err
}

// AdminKeyByHash returns the admin key whose SHA-256 is hash, whatever its state;
// tenancy.ErrNotFound when there is none.
func (s *Store) AdminKeyByHash(ctx context.Context, hash [32]byte) (tenancy.AdminKey, error) {
	const op = "admin key by hash"
	var r dbrow.AdminKey
	if err := s.r.QueryRowContext(ctx, adminKeyByHashQuery, hash[:]).Scan(r.Dest()...); err != nil {
		return tenancy.AdminKey{}, storeErr(op, err)
	}
	k, err := r.AdminKey()
	return k, storeErr(op, err)
}

// ListAdminKeys returns every admin key, newest first, revoked ones included.
func (s *Store) ListAdminKeys(ctx context.Context) ([]tenancy.AdminKey, error) {
	const op = "list admin keys"
	const q = `SELECT ` + dbrow.AdminKeyCols + ` FROM admin_keys a ORDER BY a.created_at DESC, a.id DESC`
	rows, err := s.r.QueryContext(ctx, q) //nolint:rowserrcheck // dbrow's readers check rows.Err
	if err != nil {
		return nil, storeErr(op, err)
	}
	defer rows.Close()
	keys, err := dbrow.AdminKeys(rows)
	return keys, storeErr(op, err)
}

// RevokeAdminKey revokes admin key id at time at (the store's clock when zero) and, in the
// same transaction, every access token whose actor is the key (tenancy.AdminKeyActor) that is
// not revoked yet: the support tokens it obtained. It writes its audit event (kind
// adminkey.revoked, credential the key's display, no tenant, unless ev says otherwise)
// and, for each tenant that had such tokens, an event of that tenant (kind
// tokens.revoked, reason adminkey_revoked, with ev's actor and the key's display), so the
// tenant's own audit trail shows where its support access ended. Revoking a revoked key
// keeps its first revocation time and still records the event. It fails with
// tenancy.ErrNotFound when the key is unknown.
func (s *Store) RevokeAdminKey(ctx context.Context, id int64, at time.Time, ev tenancy.AuditEvent) error {
	op := "revoke admin key " + strconv.FormatInt(id, 10)
	at = s.orNow(at)
	if err := dbrow.CheckTimes(at); err != nil {
		return storeErr(op, err)
	}
	actor := tenancy.AdminKeyActor(id)
	return s.write(ctx, op, func(tx *sql.Tx) error {
		var display string
		err := tx.QueryRowContext(ctx, `SELECT display FROM admin_keys WHERE id = ?`, id).Scan(&display)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("admin key %d: %w", id, tenancy.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE admin_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`,
			at.UnixNano(), id); err != nil {
			return err
		}
		tenants, err := revokeByActor(ctx, tx, actor, at)
		if err != nil {
			return err
		}
		if err := s.appendAudit(ctx, tx, ev, dbrow.AdminKeyRevokedEvent(display, at)); err != nil {
			return err
		}
		for _, tev := range dbrow.AdminKeyTokensEvents(tenants, ev, display, at) {
			if err := insertAudit(ctx, tx, tev); err != nil {
				return err
			}
		}
		return nil
	})
}

// revokeByActorQuery finds the tokens of an actor in access_tokens_by_actor.
const revokeByActorQuery = `UPDATE access_tokens SET revoked_at = ?
	WHERE actor = ? AND revoked_at IS NULL RETURNING tenant_id`

// revokeByActor revokes at time at the tokens of actor that are not revoked yet, and
// returns the tenants they belonged to, in id order.
func revokeByActor(ctx context.Context, tx *sql.Tx, actor string, at time.Time) ([]string, error) {
	rows, err := tx.QueryContext(ctx, revokeByActorQuery, at.UnixNano(), actor)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tenants []string
	for rows.Next() {
		var tenantID string
		if err := rows.Scan(&tenantID); err != nil {
			return nil, err
		}
		tenants = append(tenants, tenantID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return dbrow.DistinctTenants(tenants), nil
}

// TouchAdminKey records that admin key id was used at t, throttled as TouchSecret is: the
// write is skipped when the stored time is less than a minute before t, or after it, and
// the check runs on the read pool. It fails with tenancy.ErrNotFound when the key is unknown.
func (s *Store) TouchAdminKey(ctx context.Context, id int64, t time.Time) error {
	op := "touch admin key " + strconv.FormatInt(id, 10)
	t = s.orNow(t)
	if err := dbrow.CheckTimes(t); err != nil {
		return storeErr(op, err)
	}
	var last *int64
	if err := s.r.QueryRowContext(ctx, `SELECT last_used_at FROM admin_keys WHERE id = ?`, id).Scan(&last); err != nil {
		return storeErr(op, err)
	}
	cutoff, due := dbrow.TouchCutoff(last, t)
	if !due {
		return nil
	}
	return s.exec(ctx, op, `UPDATE admin_keys SET last_used_at = ?1
		WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at <= ?3)`, t.UnixNano(), id, cutoff)
}
