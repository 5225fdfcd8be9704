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

// IssueToken stores tok and returns its id, together with its audit event (kind
// token.issued unless ev says otherwise). A zero IssuedAt is the store's clock; tok must
// expire after it is issued, and tok.ID and tok.RevokedAt are ignored.
//
// When tok.SecretID is set, the secret is read inside the write transaction, which holds
// SQLite's write lock from its start: a RevokeSecret either committed before (the secret
// is not active at IssuedAt, the error wraps tenancy.ErrConflict and nothing is written) or
// commits after and revokes the new token with the others. It also fails with
// tenancy.ErrNotFound when the tenant or the secret is unknown, tenancy.ErrConflict when the
// secret belongs to another tenant or the hash exists.
//
// The tenant is read in the same transaction: when it is disabled, or tok.IssuedAt is at
// or before its TokensValidAfter, nothing is written and the error wraps
// tenancy.ErrTenantDisabled (and so tenancy.ErrConflict). A tenant disabled after the
// caller verified the credential therefore never gets a token that re-enabling would
// bring back to life.
func (s *Store) IssueToken(ctx context.Context, tok tenancy.AccessToken, ev tenancy.AuditEvent) (int64, error) {
	op := "issue token for " + tok.TenantID
	tok.IssuedAt = s.orNow(tok.IssuedAt)
	if err := dbrow.CheckNewToken(tok); err != nil {
		return 0, storeErr(op, err)
	}
	var id int64
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		if err := tenantIssuable(ctx, tx, tok.TenantID, tok.IssuedAt); err != nil {
			return err
		}
		if tok.JWT != [32]byte{} {
			// A JWT seen before violates the primary key: ErrConflict, nothing written.
			if _, err := tx.ExecContext(ctx, `INSERT INTO jwt_replay (hash, expires_at) VALUES (?, ?)`,
				tok.JWT[:], tok.JWTExpiresAt.UnixNano()); err != nil {
				return err
			}
		}
		if tok.SecretID != 0 {
			sec, err := secretByID(ctx, tx, tok.SecretID)
			if err != nil {
				return err
			}
			if err := dbrow.CheckTokenSecret(tok, sec); err != nil {
				return err
			}
		}
		const q = `INSERT INTO access_tokens ` + dbrow.TokenInsertCols + `
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		res, err := tx.ExecContext(ctx, q, dbrow.TokenValues(tok)...)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.TokenIssuedEvent(tok))
	})
	return id, err
}

// tenantIssuable fails with tenancy.ErrNotFound when the tenant is unknown, and with
// tenancy.ErrTenantDisabled when it is disabled or issued is at or before its
// TokensValidAfter: read inside the write transaction, which holds the write lock, so a
// SetTenantEnabled either committed before (and the token is refused) or commits after
// (and invalidates the token with the others).
func tenantIssuable(ctx context.Context, tx *sql.Tx, id string, issued time.Time) error {
	var enabled bool
	var validAfter *int64
	err := tx.QueryRowContext(ctx, `SELECT enabled, tokens_valid_after FROM tenants WHERE id = ?`, id).Scan(&enabled, &validAfter)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("tenant %s: %w", id, tenancy.ErrNotFound)
	case err != nil:
		return err
	}
	return dbrow.TenantIssuable(id, enabled, validAfter, issued)
}

// tokenByHashQuery is the per-request token check. The CAST keeps it from being
// compiled again on every run: see "Parameters in joins".
const tokenByHashQuery = `SELECT ` + dbrow.TokenCols + `, ` + dbrow.TenantCols + `
	FROM access_tokens k JOIN tenants t ON t.id = k.tenant_id
	WHERE k.hash = CAST(? AS BLOB)`

// TokenByHash returns the token whose SHA-256 is hash, whatever its state, and its
// tenant; tenancy.ErrNotFound when there is none. It runs on every authenticated request:
// one lookup in the unique hash index joined to the tenant by primary key, on the read
// pool, with a cached prepared statement.
func (s *Store) TokenByHash(ctx context.Context, hash [32]byte) (tenancy.AccessToken, tenancy.Tenant, error) {
	const op = "token by hash"
	var kr dbrow.Token
	var tr dbrow.Tenant
	err := s.r.QueryRowContext(ctx, tokenByHashQuery, hash[:]).Scan(append(kr.Dest(), tr.Dest()...)...)
	if err != nil {
		return tenancy.AccessToken{}, tenancy.Tenant{}, storeErr(op, err)
	}
	k, err := kr.Token()
	if err != nil {
		return tenancy.AccessToken{}, tenancy.Tenant{}, storeErr(op, err)
	}
	t, err := tr.Tenant()
	if err != nil {
		return tenancy.AccessToken{}, tenancy.Tenant{}, storeErr(op, err)
	}
	return k, t, nil
}

// liveTokens is the condition on k (access_tokens) and t (its tenant) for a token that
// authenticates at ?2: not revoked, not expired, and issued after the tenant's
// TokensValidAfter.
const liveTokens = `k.revoked_at IS NULL AND k.expires_at > ?2
	AND (t.tokens_valid_after IS NULL OR k.issued_at > t.tokens_valid_after)`

// ListTokens returns the tenant's live tokens at now, newest first: neither revoked nor
// expired, and not invalidated by the tenant's TokensValidAfter either. It fails with
// tenancy.ErrNotFound when the tenant is unknown.
func (s *Store) ListTokens(ctx context.Context, tenantID string, now time.Time) ([]tenancy.AccessToken, error) {
	op := "list tokens of " + tenantID
	now = s.orNow(now)
	if err := dbrow.CheckTimes(now); err != nil {
		return nil, storeErr(op, err)
	}
	// CAST: see "Parameters in joins".
	const q = `SELECT ` + dbrow.TokenCols + `
		FROM access_tokens k JOIN tenants t ON t.id = k.tenant_id
		WHERE k.tenant_id = CAST(?1 AS TEXT) AND ` + liveTokens + `
		ORDER BY k.issued_at DESC, k.id DESC`
	rows, err := s.r.QueryContext(ctx, q, tenantID, now.UnixNano()) //nolint:rowserrcheck // dbrow's readers check rows.Err
	if err != nil {
		return nil, storeErr(op, err)
	}
	defer rows.Close()
	toks, err := dbrow.Tokens(rows)
	if err != nil {
		return nil, storeErr(op, err)
	}
	if len(toks) == 0 {
		if _, err := s.Tenant(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	return toks, nil
}

// RevokeTokens revokes at time at (the store's clock when zero) the tenant's tokens that
// are live then (as ListTokens counts them), only those of one user when associateID is
// not 0, together with its audit event (kind tokens.revoked unless ev says otherwise),
// and returns how many it revoked. The event is written even when there were none. It
// fails with tenancy.ErrNotFound when the tenant is unknown.
func (s *Store) RevokeTokens(ctx context.Context, tenantID string, associateID int32, at time.Time, ev tenancy.AuditEvent) (int, error) {
	op := "revoke tokens of " + tenantID
	at = s.orNow(at)
	if err := dbrow.CheckTimes(at); err != nil {
		return 0, storeErr(op, err)
	}
	var n int64
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		if err := tenantExists(ctx, tx, tenantID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE access_tokens AS k SET revoked_at = ?2
			FROM tenants t
			WHERE t.id = k.tenant_id AND k.tenant_id = ?1 AND (?3 = 0 OR k.associate_id = ?3) AND `+liveTokens,
			tenantID, at.UnixNano(), associateID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.TokensRevokedEvent(tenantID, at))
	})
	return int(n), err
}

// RememberJWT records a SuperOffice JWT by its SHA-256 until expires; it fails with
// tenancy.ErrConflict when the hash is recorded already (a replay), whether or not that
// entry has expired but not yet been purged. The server records a JWT with the token it
// mints from it (AccessToken.JWT in IssueToken); this is the same entry on its own.
func (s *Store) RememberJWT(ctx context.Context, hash [32]byte, expires time.Time) error {
	const op = "remember jwt"
	if err := dbrow.CheckJWTExpiry(expires); err != nil {
		return storeErr(op, err)
	}
	return s.exec(ctx, op, `INSERT INTO jwt_replay (hash, expires_at) VALUES (?, ?)`,
		hash[:], expires.UnixNano())
}

// Purge deletes, in one transaction, the tokens that expired before now and the replay
// entries whose expiry is before now, and returns how many rows it removed. Revoked
// tokens stay until they expire, so they can still be listed and audited. The audit log
// is not touched: PruneAudit alone deletes old events, and records doing so.
func (s *Store) Purge(ctx context.Context, now time.Time) (int, error) {
	const op = "purge"
	if err := dbrow.CheckTimes(now); err != nil {
		return 0, storeErr(op, err)
	}
	now = s.orNow(now)
	var n int64
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM access_tokens WHERE expires_at < ?`,
			`DELETE FROM jwt_replay WHERE expires_at < ?`,
		} {
			res, err := tx.ExecContext(ctx, q, now.UnixNano())
			if err != nil {
				return err
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	})
	return int(n), err
}
