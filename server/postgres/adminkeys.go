package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/quotekit/quotekit/server/internal/dbrow"
	"github.com/quotekit/quotekit/tenancy"
)

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
	err = s.change(ctx, op, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO admin_keys (name, hash, display, last4, scopes, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			k.Name, k.Hash[:], k.Display, k.Last4, scopes, k.CreatedAt.UnixNano()).Scan(&id)
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.AdminKeyCreatedEvent(k))
	})
	return id, err
}

// AdminKeyByHash returns the admin key whose SHA-256 is hash, whatever its state;
// tenancy.ErrNotFound when there is none.
func (s *Store) AdminKeyByHash(ctx context.Context, hash [32]byte) (tenancy.AdminKey, error) {
	var k tenancy.AdminKey
	err := s.read(ctx, "admin key by hash", func(q querier) error {
		var r dbrow.AdminKey
		if err := q.QueryRow(ctx, `SELECT `+dbrow.AdminKeyCols+` FROM admin_keys a WHERE a.hash = $1`, hash[:]).Scan(r.Dest()...); err != nil {
			return err
		}
		var err error
		k, err = r.AdminKey()
		return err
	})
	return k, err
}

// ListAdminKeys returns every admin key, newest first, revoked ones included.
func (s *Store) ListAdminKeys(ctx context.Context) ([]tenancy.AdminKey, error) {
	var keys []tenancy.AdminKey
	err := s.read(ctx, "list admin keys", func(q querier) error {
		keys = nil
		rows, err := q.Query(ctx, `SELECT `+dbrow.AdminKeyCols+` FROM admin_keys a ORDER BY a.created_at DESC, a.id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		keys, err = dbrow.AdminKeys(rows)
		return err
	})
	return keys, err
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
	return s.change(ctx, op, func(tx pgx.Tx) error {
		var display string
		err := tx.QueryRow(ctx, `SELECT display FROM admin_keys WHERE id = $1 FOR UPDATE`, id).Scan(&display)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("admin key %d: %w", id, tenancy.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE admin_keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`,
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

// revokeByActor revokes at time at the tokens of actor that are not revoked yet, and
// returns the tenants they belonged to, in id order.
func revokeByActor(ctx context.Context, tx pgx.Tx, actor string, at time.Time) ([]string, error) {
	rows, err := tx.Query(ctx, `UPDATE access_tokens SET revoked_at = $1
		WHERE actor = $2 AND actor <> '' AND revoked_at IS NULL RETURNING tenant_id`, at.UnixNano(), actor)
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
// write is skipped when the stored time is less than a minute before t, or after it. It
// fails with tenancy.ErrNotFound when the key is unknown.
func (s *Store) TouchAdminKey(ctx context.Context, id int64, t time.Time) error {
	return s.touch(ctx, "touch admin key "+strconv.FormatInt(id, 10), "admin_keys", id, t)
}
