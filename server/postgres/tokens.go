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

// IssueToken stores tok and returns its id, together with its audit event (kind
// token.issued unless ev says otherwise). A zero IssuedAt is the store's clock; tok must
// expire after it is issued, and tok.ID and tok.RevokedAt are ignored.
//
// The tenant's row, and the secret's when tok.SecretID is set, are read FOR SHARE inside
// the transaction: a RevokeSecret or SetTenantEnabled either committed before (the read
// sees it: the secret is not active at IssuedAt and the error wraps tenancy.ErrConflict,
// or the tenant refuses, and nothing is written) or waits for this transaction and then
// revokes or invalidates the new token with the others. It also fails with
// tenancy.ErrNotFound when the tenant or the secret is unknown, tenancy.ErrConflict when
// the secret belongs to another tenant or the hash exists.
//
// When the tenant is disabled, or tok.IssuedAt is at or before its TokensValidAfter,
// nothing is written and the error wraps tenancy.ErrTenantDisabled (and so
// tenancy.ErrConflict). When tok.JWT is set, the JWT's replay entry is written in the
// same transaction; a JWT remembered before violates its primary key: tenancy.ErrConflict,
// nothing written.
func (s *Store) IssueToken(ctx context.Context, tok tenancy.AccessToken, ev tenancy.AuditEvent) (int64, error) {
	op := "issue token for " + tok.TenantID
	tok.IssuedAt = s.orNow(tok.IssuedAt)
	if err := dbrow.CheckNewToken(tok); err != nil {
		return 0, storeErr(op, err)
	}
	var id int64
	err := s.write(ctx, op, func(tx pgx.Tx) error {
		if err := tenantIssuable(ctx, tx, tok.TenantID, tok.IssuedAt); err != nil {
			return err
		}
		if tok.SecretID != 0 {
			sec, err := secretByID(ctx, tx, tok.SecretID, "FOR SHARE")
			if err != nil {
				return err
			}
			if err := dbrow.CheckTokenSecret(tok, sec); err != nil {
				return err
			}
		}
		if tok.JWT != [32]byte{} {
			if _, err := tx.Exec(ctx, `INSERT INTO jwt_replay (hash, expires_at) VALUES ($1, $2)`,
				tok.JWT[:], tok.JWTExpiresAt.UnixNano()); err != nil {
				return err
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO access_tokens `+dbrow.TokenInsertCols+`
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			dbrow.TokenValues(tok)...).Scan(&id)
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, ev, dbrow.TokenIssuedEvent(tok))
	})
	return id, err
}

// tenantIssuable reads the tenant FOR SHARE and fails with tenancy.ErrNotFound when it is
// unknown, and with tenancy.ErrTenantDisabled when it is disabled or issued is at or
// before its TokensValidAfter.
func tenantIssuable(ctx context.Context, tx pgx.Tx, id string, issued time.Time) error {
	var enabled bool
	var validAfter *int64
	err := tx.QueryRow(ctx, `SELECT enabled, tokens_valid_after FROM tenants WHERE id = $1 FOR SHARE`, id).Scan(&enabled, &validAfter)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("tenant %s: %w", id, tenancy.ErrNotFound)
	case err != nil:
		return err
	}
	return dbrow.TenantIssuable(id, enabled, validAfter, issued)
}

// TokenByHash returns the token whose SHA-256 is hash, whatever its state, and its
// tenant; tenancy.ErrNotFound when there is none. It runs on every authenticated request
// the cache does not answer: one lookup in the unique hash index joined to the tenant by
// primary key, a statement pgx prepares once per connection.
func (s *Store) TokenByHash(ctx context.Context, hash [32]byte) (tenancy.AccessToken, tenancy.Tenant, error) {
	var k tenancy.AccessToken
	var t tenancy.Tenant
	err := s.read(ctx, "token by hash", func(q querier) error {
		var kr dbrow.Token
		var tr dbrow.Tenant
		err := q.QueryRow(ctx, `SELECT `+dbrow.TokenCols+`, `+dbrow.TenantCols+`
			FROM access_tokens k JOIN tenants t ON t.id = k.tenant_id
			WHERE k.hash = $1`, hash[:]).Scan(append(kr.Dest(), tr.Dest()...)...)
		if err != nil {
			return err
		}
		if k, err = kr.Token(); err != nil {
			return err
		}
		t, err = tr.Tenant()
		return err
	})
	if err != nil {
		return tenancy.AccessToken{}, tenancy.Tenant{}, err
	}
	return k, t, nil
}

// liveTokens is the condition on k (access_tokens) and t (its tenant) for a token that
// authenticates at $2: not revoked, not expired, and issued after the tenant's
// TokensValidAfter.
//
//nolint:gosec // G101: a WHERE clause, not a credential
const liveTokens = `k.revoked_at IS NULL AND k.expires_at > $2
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
	var toks []tenancy.AccessToken
	err := s.read(ctx, op, func(q querier) error {
		toks = nil
		rows, err := q.Query(ctx, `SELECT `+dbrow.TokenCols+`
			FROM access_tokens k JOIN tenants t ON t.id = k.tenant_id
			WHERE k.tenant_id = $1 AND `+liveTokens+`
			ORDER BY k.issued_at DESC, k.id DESC`, tenantID, now.UnixNano())
		if err != nil {
			return err
		}
		defer rows.Close()
		toks, err = dbrow.Tokens(rows)
		return err
	})
	if err != nil {
		return nil, err
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
	err := s.change(ctx, op, func(tx pgx.Tx) error {
		if err := tenantExists(ctx, tx, tenantID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE access_tokens AS k SET revoked_at = $2
			FROM tenants t
			WHERE t.id = k.tenant_id AND k.tenant_id = $1 AND ($3 = 0 OR k.associate_id = $3) AND `+liveTokens,
			tenantID, at.UnixNano(), associateID)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
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
	return s.write(ctx, op, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO jwt_replay (hash, expires_at) VALUES ($1, $2)`, hash[:], expires.UnixNano())
		return err
	})
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
	err := s.write(ctx, op, func(tx pgx.Tx) error {
		n = 0
		for _, q := range []string{
			`DELETE FROM access_tokens WHERE expires_at < $1`,
			`DELETE FROM jwt_replay WHERE expires_at < $1`,
		} {
			tag, err := tx.Exec(ctx, q, now.UnixNano())
			if err != nil {
				return err
			}
			n += tag.RowsAffected()
		}
		return nil
	})
	return int(n), err
}
