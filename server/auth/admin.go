package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bounds of credential management.
const (
	// DefaultMaxActiveSecrets caps the secrets a tenant may hold at once; rolling keeps
	// two alive during the overlap, so three leaves room for one mistake.
	DefaultMaxActiveSecrets = 3
	// MaxRollOverlap is the longest an old secret may live on after a roll.
	MaxRollOverlap = 30 * 24 * time.Hour
)

// ErrBadOverlap is the error of a roll overlap below zero or above MaxRollOverlap.
var ErrBadOverlap = fmt.Errorf("roll overlap must be between 0 and %s", MaxRollOverlap)

// Admin manages tenants' shared secrets: it makes them, shows each plaintext exactly
// once (as a return value), and stores only the hash and, with a keyring, the encrypted
// copy HS256 verification needs.
type Admin struct {
	store     AdminStore
	keys      *Keyring
	now       func() time.Time
	maxActive int
}

// NewAdmin returns an Admin on store; keys may be nil (no HS256 copies), now nil (time.Now).
func NewAdmin(store AdminStore, keys *Keyring, now func() time.Time) *Admin {
	if now == nil {
		now = time.Now
	}
	return &Admin{store: store, keys: keys, now: now, maxActive: DefaultMaxActiveSecrets}
}

// CreateSecret makes a new shared secret for the tenant and returns its plaintext, which
// is never available again. Errors: ErrNotFound (tenant), ErrLimit (too many active).
func (a *Admin) CreateSecret(ctx context.Context, tenantID, actor string) (string, Secret, error) {
	plain, sec, err := a.newSecret(ctx, tenantID)
	if err != nil {
		return "", Secret{}, err
	}
	ev := AuditEvent{TenantID: tenantID, Kind: "secret.created", Actor: actor, Credential: sec.Display, At: sec.CreatedAt}
	if sec.ID, err = a.store.CreateSecret(ctx, sec, a.maxActive, ev); err != nil {
		return "", Secret{}, err
	}
	return plain, sec, nil
}

// RollSecret replaces secret oldID with a new one; the old one keeps working for overlap
// (0: it stops now). Errors: ErrBadOverlap, ErrNotFound, ErrConflict (the old secret is
// revoked or expired, or belongs to another tenant), ErrLimit.
func (a *Admin) RollSecret(ctx context.Context, tenantID string, oldID int64, overlap time.Duration, actor string) (string, Secret, error) {
	if overlap < 0 || overlap > MaxRollOverlap {
		return "", Secret{}, ErrBadOverlap
	}
	if err := a.owns(ctx, tenantID, oldID); err != nil {
		return "", Secret{}, err
	}
	plain, sec, err := a.newSecret(ctx, tenantID)
	if err != nil {
		return "", Secret{}, err
	}
	sec.RolledFrom = oldID
	ev := AuditEvent{TenantID: tenantID, Kind: "secret.rolled", Reason: "overlap=" + overlap.String(), Actor: actor, Credential: sec.Display, At: sec.CreatedAt}
	if sec.ID, err = a.store.RollSecret(ctx, oldID, sec, sec.CreatedAt.Add(overlap), a.maxActive, ev); err != nil {
		return "", Secret{}, err
	}
	return plain, sec, nil
}

// RevokeSecret revokes a secret of the tenant at once, and every token minted from it.
func (a *Admin) RevokeSecret(ctx context.Context, tenantID string, id int64, actor string) error {
	if err := a.owns(ctx, tenantID, id); err != nil {
		return err
	}
	now := a.now()
	return a.store.RevokeSecret(ctx, id, now, AuditEvent{TenantID: tenantID, Kind: "secret.revoked", Actor: actor, Credential: fmt.Sprintf("secret:%d", id), At: now})
}

// owns checks that secret id belongs to the tenant, so one tenant's id cannot touch
// another's secret.
func (a *Admin) owns(ctx context.Context, tenantID string, id int64) error {
	secrets, err := a.store.SecretsOf(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, s := range secrets {
		if s.ID == id {
			return nil
		}
	}
	return ErrNotFound
}

func (a *Admin) newSecret(ctx context.Context, tenantID string) (string, Secret, error) {
	t, err := a.store.Tenant(ctx, tenantID)
	if err != nil {
		return "", Secret{}, err
	}
	plain, err := NewCredential(KindSecret, t.Environment)
	if err != nil {
		return "", Secret{}, err
	}
	c, err := ParseCredential(plain)
	if err != nil {
		return "", Secret{}, errors.New("a fresh secret does not parse") // cannot happen
	}
	sec := Secret{
		TenantID: tenantID, Hash: c.Hash(), Mode: t.Environment,
		Display: c.Display(), Last4: c.Last4(), CreatedAt: a.now(),
	}
	if a.keys != nil {
		if sec.Ciphertext, sec.KeyID, err = a.keys.Encrypt(tenantID, []byte(plain)); err != nil {
			return "", Secret{}, err
		}
	}
	return plain, sec, nil
}
