package dbrow

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// CheckSecretCap decides CreateSecret's cap: tenantID has active secrets active at the
// new secret's CreatedAt, and at most maxActive may be (0 or less: no cap). It fails with
// an error wrapping tenancy.ErrLimit when one more would exceed maxActive.
func CheckSecretCap(tenantID string, active, maxActive int) error {
	if maxActive > 0 && active+1 > maxActive {
		return fmt.Errorf("tenant %s has %d active secrets, at most %d allowed: %w",
			tenantID, active, maxActive, tenancy.ErrLimit)
	}
	return nil
}

// CheckRollCap decides RollSecret's cap: tenantID has active secrets active at the roll's
// time at, the old one among them, and the old one then expires at oldExpires. Right
// after the roll the new secret, the others and the old one, unless oldExpires is not
// after at, are active; it fails with an error wrapping tenancy.ErrLimit when they are
// more than maxActive (0 or less: no cap).
func CheckRollCap(tenantID string, active int, oldExpires, at time.Time, maxActive int) error {
	n := active
	if !oldExpires.After(at) {
		n-- // the old one stops now
	}
	if maxActive > 0 && n+1 > maxActive {
		return fmt.Errorf("tenant %s would have %d active secrets, at most %d allowed: %w",
			tenantID, n+1, maxActive, tenancy.ErrLimit)
	}
	return nil
}

// CheckSecretTenant decides whether secret id, of tenant owner, may be changed by a
// caller acting for tenantID ("" for any tenant). It fails with an error wrapping
// tenancy.ErrNotFound when tenantID is set and is not owner: a caller acting for one
// tenant cannot reach another's secret by its id.
func CheckSecretTenant(id int64, owner, tenantID string) error {
	if tenantID != "" && tenantID != owner {
		return fmt.Errorf("secret %d of tenant %s: %w", id, tenantID, tenancy.ErrNotFound)
	}
	return nil
}

// RollExpiry returns the expiry RollSecret asks for the old secret: oldExpiresAt, or at
// (an immediate switch) when it is zero. It fails with a plain error when that time is
// outside the storable range (see CheckTimes).
func RollExpiry(oldExpiresAt, at time.Time) (time.Time, error) {
	if oldExpiresAt.IsZero() {
		oldExpiresAt = at
	}
	return oldExpiresAt, CheckTimes(oldExpiresAt)
}

// PlanRoll decides a roll of secret old to its successor sec at sec.CreatedAt, the old
// one to expire at oldExpiresAt (from RollExpiry). It returns sec with an empty TenantID
// set to the old secret's tenant, and the old secret's new expiry: oldExpiresAt, or the
// expiry it already had when that is earlier (a roll never extends a secret's life).
//
// It fails with an error wrapping tenancy.ErrNotFound when sec names another tenant than
// the old secret's, with CheckNewSecret's plain error when sec cannot be stored, and with
// an error wrapping tenancy.ErrConflict when the old secret is revoked or expired at
// sec.CreatedAt.
func PlanRoll(old, sec tenancy.Secret, oldExpiresAt time.Time) (tenancy.Secret, time.Time, error) {
	if sec.TenantID == "" {
		sec.TenantID = old.TenantID
	}
	if err := CheckSecretTenant(old.ID, old.TenantID, sec.TenantID); err != nil {
		return tenancy.Secret{}, time.Time{}, err
	}
	if err := CheckNewSecret(sec); err != nil {
		return tenancy.Secret{}, time.Time{}, err
	}
	if !old.Active(sec.CreatedAt) {
		return tenancy.Secret{}, time.Time{}, fmt.Errorf("secret %d is revoked or expired: %w", old.ID, tenancy.ErrConflict)
	}
	expires := oldExpiresAt
	if !old.ExpiresAt.IsZero() && old.ExpiresAt.Before(expires) {
		expires = old.ExpiresAt
	}
	return sec, expires, nil
}

// CheckTokenSecret decides whether tok may be issued on secret sec, read in IssueToken's
// transaction. It fails with an error wrapping tenancy.ErrConflict when sec belongs to
// another tenant than tok, or is not active at tok.IssuedAt (revoked, or expired then).
func CheckTokenSecret(tok tenancy.AccessToken, sec tenancy.Secret) error {
	if sec.TenantID != tok.TenantID {
		return fmt.Errorf("secret %d belongs to tenant %s: %w", sec.ID, sec.TenantID, tenancy.ErrConflict)
	}
	if !sec.Active(tok.IssuedAt) {
		return fmt.Errorf("secret %d is revoked or expired: %w", sec.ID, tenancy.ErrConflict)
	}
	return nil
}

// TouchInterval throttles TouchSecret and TouchAdminKey: last_used_at is for people
// ("used 3 days ago"), and writing it on every authentication would put a write on the
// hot path.
const TouchInterval = time.Minute

// TouchCutoff decides a touch at t of a row whose last_used_at is last (nil: NULL). It
// returns the cutoff, in Unix nanoseconds, that the UPDATE repeats so that concurrent
// touches write once (last_used_at IS NULL OR last_used_at <= cutoff), and whether the
// write is due: last is NULL or at least TouchInterval before t. A last_used_at after t
// never moves back.
func TouchCutoff(last *int64, t time.Time) (cutoff int64, due bool) {
	cutoff = t.Add(-TouchInterval).UnixNano()
	return cutoff, last == nil || *last <= cutoff
}

// CheckPruneCutoff refuses, with a plain error, a cut-off time PruneAudit cannot use: the
// zero time, or one outside the storable range (see CheckTimes).
func CheckPruneCutoff(before time.Time) error {
	if before.IsZero() {
		return errors.New("a cut-off time is required")
	}
	return CheckTimes(before)
}

// CheckJWTExpiry refuses, with a plain error, an expiry RememberJWT cannot store: the zero
// time, or one outside the storable range (see CheckTimes).
func CheckJWTExpiry(expires time.Time) error {
	if expires.IsZero() {
		return errors.New("a remembered JWT needs an expiry")
	}
	return CheckTimes(expires)
}

// DistinctTenants returns the tenant ids in ids once each, in id order (byte-wise), as
// RevokeAdminKey writes one event for each tenant whose tokens it revoked. ids may be
// reordered.
func DistinctTenants(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}
