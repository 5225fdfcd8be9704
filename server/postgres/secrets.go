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

// SecretByHash returns the secret whose SHA-256 is hash, whatever its state, and its
// tenant; tenancy.ErrNotFound when there is none. It is one lookup in the unique hash index.
func (s *Store) SecretByHash(ctx context.Context, hash [32]byte) (tenancy.Secret, tenancy.Tenant, error) {
	var sec tenancy.Secret
	var t tenancy.Tenant
	err := s.read(ctx, "secret by hash", func(q querier) error {
		var sr dbrow.Secret
		var tr dbrow.Tenant
		err := q.QueryRow(ctx, `SELECT `+dbrow.SecretCols+`, `+dbrow.TenantCols+`
			FROM secrets s JOIN tenants t ON t.id = s.tenant_id
			WHERE s.hash = $1`, hash[:]).Scan(append(sr.Dest(), tr.Dest()...)...)
		if err != nil {
			return err
		}
		if sec, err = sr.Secret(); err != nil {
			return err
		}
		t, err = tr.Tenant()
		return err
	})
	if err != nil {
		return tenancy.Secret{}, tenancy.Tenant{}, err
	}
	return sec, t, nil
}

// SecretsOf returns the tenant's secrets, newest first, revoked and expired included;
// tenancy.ErrNotFound when the tenant is unknown.
func (s *Store) SecretsOf(ctx context.Context, tenantID string) ([]tenancy.Secret, error) {
	op := "secrets of " + tenantID
	var secs []tenancy.Secret
	err := s.read(ctx, op, func(q querier) error {
		secs = nil
		rows, err := q.Query(ctx, `SELECT `+dbrow.SecretCols+` FROM secrets s
			WHERE s.tenant_id = $1 ORDER BY s.created_at DESC, s.id DESC`, tenantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		secs, err = dbrow.Secrets(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(secs) == 0 {
		if _, err := s.Tenant(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	return secs, nil
}

// TouchSecret records that secret id was used at t. The write is skipped when the stored
// time is less than a minute before t, or after it (last_used_at never moves back); the
// check is a read, so a throttled touch writes nothing. It fails with
// tenancy.ErrNotFound when the secret is unknown.
func (s *Store) TouchSecret(ctx context.Context, id int64, t time.Time) error {
	return s.touch(ctx, "touch secret "+strconv.FormatInt(id, 10), "secrets", id, t)
}

// touch is TouchSecret and TouchAdminKey on table (secrets, admin_keys).
func (s *Store) touch(ctx context.Context, op, table string, id int64, t time.Time) error {
	t = s.orNow(t)
	if err := dbrow.CheckTimes(t); err != nil {
		return storeErr(op, err)
	}
	var last *int64
	if err := s.read(ctx, op, func(q querier) error {
		return q.QueryRow(ctx, `SELECT last_used_at FROM `+table+` WHERE id = $1`, id).Scan(&last)
	}); err != nil {
		return err
	}
	cutoff, due := dbrow.TouchCutoff(last, t)
	if !due {
		return nil
	}
	// The condition is repeated in the UPDATE: concurrent touches then write once.
	return s.write(ctx, op, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE `+table+` SET last_used_at = $1
			WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)`, t.UnixNano(), id, cutoff)
		return err
	})
}

// CreateSecret stores sec as a new secret of sec.TenantID and returns its id, together
// with its audit event (kind secret.created, credential sec.Display, unless ev says
// otherwise). A zero CreatedAt is the store's clock. ID, RevokedAt, LastUsedAt and
// RolledFrom of sec are ignored: a new secret is unused, not revoked and replaces
// nothing.
//
// The cap: it fails with tenancy.ErrLimit when the tenant already has maxActive or more
// secrets active at CreatedAt (maxActive 0 or less: no cap). The transaction locks the
// tenant's row before counting, so concurrent creations and rolls of one tenant count one
// after the other and never exceed the cap together. Also tenancy.ErrNotFound when the
// tenant is unknown, tenancy.ErrConflict when a secret with the same hash exists.
func (s *Store) CreateSecret(ctx context.Context, sec tenancy.Secret, maxActive int, ev tenancy.AuditEvent) (int64, error) {
	op := "create secret for " + sec.TenantID
	sec.CreatedAt = s.orNow(sec.CreatedAt)
	if err := dbrow.CheckNewSecret(sec); err != nil {
		return 0, storeErr(op, err)
	}
	var id int64
	err := s.change(ctx, op, func(tx pgx.Tx) error {
		if err := lockTenant(ctx, tx, sec.TenantID); err != nil {
			return err
		}
		n, err := countActive(ctx, tx, sec.TenantID, sec.CreatedAt)
		if err != nil {
			return err
		}
		if err := dbrow.CheckSecretCap(sec.TenantID, n, maxActive); err != nil {
			return err
		}
		if id, err = insertSecret(ctx, tx, sec, 0); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.SecretCreatedEvent(sec))
	})
	return id, err
}

// RollSecret stores sec as the successor of secret oldID and returns its id, together
// with its audit event (kind secret.rolled, credential sec.Display, unless ev says
// otherwise). The roll happens at sec.CreatedAt (the store's clock when zero); an empty
// sec.TenantID is the old secret's tenant.
//
// The old secret then expires at oldExpiresAt: pass sec.CreatedAt, or the zero time, for
// an immediate switch, a later time for an overlap during which both authenticate. A
// roll never extends the old secret's life: an expiry it already had that is earlier
// stays.
//
// The transaction locks the tenant's row and then the old secret's before it checks
// anything, so parallel rolls of one tenant run one after the other: a second roll of the
// same secret finds it expired, and the cap holds.
//
// It fails with tenancy.ErrNotFound when the old secret is unknown or belongs to another
// tenant than sec.TenantID; tenancy.ErrConflict when it is revoked or expired at
// sec.CreatedAt; tenancy.ErrLimit when more than maxActive secrets (0 or less: no cap)
// would be active right after the roll: the new one, the others, and the old one when its
// overlap has not ended. On any error nothing changed.
func (s *Store) RollSecret(ctx context.Context, oldID int64, sec tenancy.Secret, oldExpiresAt time.Time, maxActive int, ev tenancy.AuditEvent) (int64, error) {
	op := "roll secret " + strconv.FormatInt(oldID, 10)
	sec.CreatedAt = s.orNow(sec.CreatedAt)
	oldExpiresAt, err := dbrow.RollExpiry(oldExpiresAt, sec.CreatedAt)
	if err != nil {
		return 0, storeErr(op, err)
	}
	var id int64
	err = s.change(ctx, op, func(tx pgx.Tx) error {
		sec := sec
		old, err := secretByID(ctx, tx, oldID, "")
		if err != nil {
			return err
		}
		// A secret never changes tenant: the tenant read without a lock is the one to lock.
		if err := lockTenant(ctx, tx, old.TenantID); err != nil {
			return err
		}
		if old, err = secretByID(ctx, tx, oldID, "FOR UPDATE"); err != nil {
			return err
		}
		sec, expires, err := dbrow.PlanRoll(old, sec, oldExpiresAt)
		if err != nil {
			return err
		}

		n, err := countActive(ctx, tx, old.TenantID, sec.CreatedAt) // counts the old one
		if err != nil {
			return err
		}
		if err := dbrow.CheckRollCap(old.TenantID, n, expires, sec.CreatedAt, maxActive); err != nil {
			return err
		}

		if _, err := tx.Exec(ctx, `UPDATE secrets SET expires_at = $1 WHERE id = $2`,
			expires.UnixNano(), oldID); err != nil {
			return err
		}
		if id, err = insertSecret(ctx, tx, sec, oldID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.SecretRolledEvent(sec))
	})
	return id, err
}

// RevokeSecret revokes secret id at time at (the store's clock when zero) and, in the
// same transaction, every token minted from it that is not revoked yet, together with
// its audit event (kind secret.revoked, credential the secret's display, unless ev says
// otherwise). The secret's row is locked first: an IssueToken holding it FOR SHARE
// finishes first and its token is revoked here with the others (READ COMMITTED: the
// token update sees it), or it waits and then finds the secret revoked. Revoking a
// revoked secret keeps its first revocation time and still records the event. It fails
// with tenancy.ErrNotFound when the secret is unknown, or when ev.TenantID is set and the
// secret belongs to another tenant: a caller acting for one tenant cannot revoke
// another's secret by its id.
func (s *Store) RevokeSecret(ctx context.Context, id int64, at time.Time, ev tenancy.AuditEvent) error {
	op := "revoke secret " + strconv.FormatInt(id, 10)
	at = s.orNow(at)
	if err := dbrow.CheckTimes(at); err != nil {
		return storeErr(op, err)
	}
	return s.change(ctx, op, func(tx pgx.Tx) error {
		sec, err := secretByID(ctx, tx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		if err := dbrow.CheckSecretTenant(id, sec.TenantID, ev.TenantID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE secrets SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`,
			at.UnixNano(), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE access_tokens SET revoked_at = $1
			WHERE secret_id = $2 AND revoked_at IS NULL`, at.UnixNano(), id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.SecretRevokedEvent(sec, at))
	})
}

func insertSecret(ctx context.Context, tx pgx.Tx, sec tenancy.Secret, rolledFrom int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO secrets `+dbrow.SecretInsertCols+`
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		dbrow.SecretValues(sec, rolledFrom)...).Scan(&id)
	return id, err
}

// countActive counts the tenant's secrets that authenticate at now (see tenancy.Secret.Active).
func countActive(ctx context.Context, tx pgx.Tx, tenantID string, now time.Time) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM secrets
		WHERE tenant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
		tenantID, now.UnixNano()).Scan(&n)
	return n, err
}

// secretByID reads a secret in tx, with lock ("", "FOR SHARE", "FOR UPDATE").
func secretByID(ctx context.Context, tx pgx.Tx, id int64, lock string) (tenancy.Secret, error) {
	var r dbrow.Secret
	err := tx.QueryRow(ctx, `SELECT `+dbrow.SecretCols+` FROM secrets s WHERE s.id = $1 `+lock, id).Scan(r.Dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return tenancy.Secret{}, fmt.Errorf("secret %d: %w", id, tenancy.ErrNotFound)
	}
	if err != nil {
		return tenancy.Secret{}, err
	}
	return r.Secret()
}
