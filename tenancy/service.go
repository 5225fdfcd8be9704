package tenancy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
)

// Bounds of credential management.
const (
	// DefaultMaxActiveSecrets caps the secrets a tenant may hold at once; rolling keeps
	// two alive during the overlap, so three leaves room for one mistake.
	DefaultMaxActiveSecrets = 3
	// MaxRollOverlap is the longest an old secret may live on after a roll.
	MaxRollOverlap = 30 * 24 * time.Hour
	// MinAuditAge is the youngest an audit event may be when PruneAudit deletes it: the
	// last 90 days stay for investigating an incident.
	MinAuditAge = 90 * 24 * time.Hour
)

// Errors of credential management.
var (
	// ErrBadOverlap is the error of a roll overlap below zero or above MaxRollOverlap.
	ErrBadOverlap = fmt.Errorf("roll overlap must be between 0 and %s", MaxRollOverlap)
	// ErrBadScope: an admin key asked for without scopes, or with one not in AllScopes.
	ErrBadScope = errors.New("bad admin key scope")
	// ErrBadName: an admin key name that is empty, longer than MaxAdminKeyName bytes or
	// holds control characters.
	ErrBadName = errors.New("bad admin key name")
)

// Service makes every change to tenants, their user mappings, shared secrets and access
// tokens, and to admin keys. It validates the change once, for every caller (the CLI,
// the admin API, the samples), and hands the store the change together with its typed
// audit event, which the store writes in the same transaction. Shared secrets and admin
// keys are shown exactly once, as return values; the store keeps only their hashes and,
// with a keyring, the encrypted copy of a secret that HS256 verification needs.
type Service struct {
	store     AdminStore
	keys      *Keyring
	now       func() time.Time
	maxActive int
}

// Option configures a Service.
type Option func(*Service)

// WithKeyring makes the Service keep an encrypted copy of each new shared secret, for
// HS256 JWTs signed with it. Without it secrets are stored as hashes only.
func WithKeyring(k *Keyring) Option { return func(s *Service) { s.keys = k } }

// WithClock sets the clock the Service stamps changes with (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(s *Service) {
		if now != nil {
			s.now = now
		}
	}
}

// NewService returns a Service writing to store.
func NewService(store AdminStore, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, maxActive: DefaultMaxActiveSecrets}
	for _, o := range opts {
		o(s)
	}
	return s
}

// AddTenant checks t (CheckTenant), stamps its CreatedAt and UpdatedAt and stores it with
// a tenant.created event, and returns it as stored. Errors: *InvalidError, ErrConflict
// (the id exists), ErrUnavailable.
func (s *Service) AddTenant(ctx context.Context, t Tenant, actor string) (Tenant, error) {
	t, err := CheckTenant(t)
	if err != nil {
		return Tenant{}, err
	}
	now := s.now()
	t.CreatedAt, t.UpdatedAt = now, now
	if err := s.store.CreateTenant(ctx, t, AuditEvent{TenantID: t.ID, Kind: EventTenantCreated, Actor: actor, At: now}); err != nil {
		return Tenant{}, err
	}
	return s.store.Tenant(ctx, t.ID)
}

// UpdateTenant loads tenant id, lets change edit its name, environment,
// SuperOfficeEnvs, AppIDs and config, checks the result (CheckTenant) and stores it with
// a tenant.updated event whose reason lists the fields that changed. It returns the
// tenant as stored and those fields (name, environment, superoffice_envs, app_ids,
// config); when none changed it writes nothing.
// change may not alter the id. Errors: *InvalidError, ErrNotFound, ErrUnavailable.
func (s *Service) UpdateTenant(ctx context.Context, id string, change func(*Tenant), actor string) (Tenant, []string, error) {
	if err := CheckTenantID(id); err != nil {
		return Tenant{}, nil, fmt.Errorf("tenant %q: %w", id, ErrNotFound)
	}
	old, err := s.store.Tenant(ctx, id)
	if err != nil {
		return Tenant{}, nil, err
	}
	t := old
	t.AppIDs = slices.Clone(old.AppIDs)
	t.SuperOfficeEnvs = slices.Clone(old.SuperOfficeEnvs)
	t.Config = maps.Clone(old.Config)
	change(&t)
	if t.ID != id {
		return Tenant{}, nil, invalid(FieldID, "cannot change")
	}
	if t, err = CheckTenant(t); err != nil {
		return Tenant{}, nil, err
	}
	if len(t.Config) == 0 {
		t.Config = nil
	}
	var changed []string
	if t.Name != old.Name {
		changed = append(changed, "name")
	}
	if t.Environment != old.Environment {
		changed = append(changed, "environment")
	}
	if len(t.SuperOfficeEnvs) == 0 {
		t.SuperOfficeEnvs = nil
	}
	if !slices.Equal(t.SuperOfficeEnvs, old.SuperOfficeEnvs) {
		changed = append(changed, "superoffice_envs")
	}
	if !slices.Equal(t.AppIDs, old.AppIDs) {
		changed = append(changed, "app_ids")
	}
	if !maps.Equal(t.Config, old.Config) {
		changed = append(changed, "config")
	}
	if len(changed) == 0 {
		return old, nil, nil
	}
	t.UpdatedAt = s.now()
	ev := AuditEvent{TenantID: id, Kind: EventTenantUpdated, Reason: strings.Join(changed, ","), Actor: actor, At: t.UpdatedAt}
	if err := s.store.UpdateTenant(ctx, t, ev); err != nil {
		return Tenant{}, nil, err
	}
	t, err = s.store.Tenant(ctx, id)
	return t, changed, err
}

// SetTenantEnabled enables or disables tenant id with a tenant.enabled or
// tenant.disabled event carrying reason, and returns the tenant as stored. Disabling
// invalidates every access token of the tenant at once. Errors: *InvalidError (reason),
// ErrNotFound, ErrUnavailable.
func (s *Service) SetTenantEnabled(ctx context.Context, id string, enabled bool, reason, actor string) (Tenant, error) {
	reason, err := CheckReason(reason)
	if err != nil {
		return Tenant{}, err
	}
	kind := EventTenantDisabled
	if enabled {
		kind = EventTenantEnabled
	}
	now := s.now()
	if err := s.store.SetTenantEnabled(ctx, id, enabled, now, AuditEvent{TenantID: id, Kind: kind, Reason: reason, Actor: actor, At: now}); err != nil {
		return Tenant{}, err
	}
	return s.store.Tenant(ctx, id)
}

// DescribeUser names the SuperOffice side of a mapping, as the audit log records it:
// "associate:7", "email:ann@example.com" or both, comma-separated.
func DescribeUser(m UserMapping) string {
	var parts []string
	if m.AssociateID != 0 {
		parts = append(parts, fmt.Sprintf("associate:%d", m.AssociateID))
	}
	if m.Email != "" {
		parts = append(parts, "email:"+FoldEmail(m.Email))
	}
	return strings.Join(parts, ",")
}

// MapUser checks m (CheckUserMapping) and stores it together with a user.mapped event,
// in one transaction; it returns m as checked. A new mapping replaces any mapping of
// the tenant with the same associate id or e-mail. Errors: *InvalidError, ErrNotFound
// (the tenant), ErrUnavailable.
func (s *Service) MapUser(ctx context.Context, m UserMapping, actor string) (UserMapping, error) {
	m, err := CheckUserMapping(m)
	if err != nil {
		return UserMapping{}, err
	}
	ev := AuditEvent{TenantID: m.TenantID, Kind: EventUserMapped, Reason: DescribeUser(m) + " erp:" + m.ERPUser, Actor: actor, At: s.now()}
	if err := s.store.SetUserMapping(ctx, m, ev); err != nil {
		return UserMapping{}, err
	}
	return m, nil
}

// UnmapUser removes the tenant's mappings matching m's associate id and e-mail (both,
// when both are given) together with a user.unmapped event, in one transaction.
// Errors: *InvalidError, ErrNotFound (no such mapping), ErrUnavailable.
func (s *Service) UnmapUser(ctx context.Context, m UserMapping, actor string) error {
	if err := CheckTenantID(m.TenantID); err != nil {
		return fmt.Errorf("tenant %q: %w", m.TenantID, ErrNotFound)
	}
	m, err := CheckUserKey(m)
	if err != nil {
		return err
	}
	ev := AuditEvent{TenantID: m.TenantID, Kind: EventUserUnmapped, Reason: DescribeUser(m), Actor: actor, At: s.now()}
	return s.store.DeleteUserMapping(ctx, m, ev)
}

// CreateSecret makes a new shared secret for the tenant and returns its plaintext, which
// is never available again. Errors: ErrNotFound (tenant), ErrLimit (too many active).
func (s *Service) CreateSecret(ctx context.Context, tenantID, actor string) (string, Secret, error) {
	plain, sec, err := s.newSecret(ctx, tenantID)
	if err != nil {
		return "", Secret{}, err
	}
	ev := AuditEvent{TenantID: tenantID, Kind: EventSecretCreated, Actor: actor, Credential: sec.Display, At: sec.CreatedAt}
	if sec.ID, err = s.store.CreateSecret(ctx, sec, s.maxActive, ev); err != nil {
		return "", Secret{}, err
	}
	return plain, sec, nil
}

// RollSecret replaces secret oldID with a new one; the old one keeps working for overlap
// (0: it stops now). Errors: ErrBadOverlap, ErrNotFound, ErrConflict (the old secret is
// revoked or expired, or belongs to another tenant), ErrLimit.
func (s *Service) RollSecret(ctx context.Context, tenantID string, oldID int64, overlap time.Duration, actor string) (string, Secret, error) {
	if overlap < 0 || overlap > MaxRollOverlap {
		return "", Secret{}, ErrBadOverlap
	}
	if err := s.owns(ctx, tenantID, oldID); err != nil {
		return "", Secret{}, err
	}
	plain, sec, err := s.newSecret(ctx, tenantID)
	if err != nil {
		return "", Secret{}, err
	}
	sec.RolledFrom = oldID
	ev := AuditEvent{TenantID: tenantID, Kind: EventSecretRolled, Reason: "overlap=" + overlap.String(), Actor: actor, Credential: sec.Display, At: sec.CreatedAt}
	if sec.ID, err = s.store.RollSecret(ctx, oldID, sec, sec.CreatedAt.Add(overlap), s.maxActive, ev); err != nil {
		return "", Secret{}, err
	}
	return plain, sec, nil
}

// RevokeSecret revokes a secret of the tenant at once, and every token minted from it.
// Errors: ErrNotFound, ErrUnavailable.
func (s *Service) RevokeSecret(ctx context.Context, tenantID string, id int64, actor string) error {
	sec, err := s.secretOf(ctx, tenantID, id)
	if err != nil {
		return err
	}
	// The event names the secret as every other secret event does, by its display form.
	credential := sec.Display
	if credential == "" {
		credential = fmt.Sprintf("secret:%d", id)
	}
	now := s.now()
	return s.store.RevokeSecret(ctx, id, now, AuditEvent{TenantID: tenantID, Kind: EventSecretRevoked, Actor: actor, Credential: credential, At: now})
}

// owns checks that secret id belongs to the tenant, so one tenant's id cannot touch
// another's secret.
func (s *Service) owns(ctx context.Context, tenantID string, id int64) error {
	_, err := s.secretOf(ctx, tenantID, id)
	return err
}

// secretOf returns the tenant's secret id; ErrNotFound when the tenant has no such secret.
func (s *Service) secretOf(ctx context.Context, tenantID string, id int64) (Secret, error) {
	secrets, err := s.store.SecretsOf(ctx, tenantID)
	if err != nil {
		return Secret{}, err
	}
	for _, sec := range secrets {
		if sec.ID == id {
			return sec, nil
		}
	}
	return Secret{}, ErrNotFound
}

func (s *Service) newSecret(ctx context.Context, tenantID string) (string, Secret, error) {
	t, err := s.store.Tenant(ctx, tenantID)
	if err != nil {
		return "", Secret{}, err
	}
	plain, c, err := newCredential(KindSecret, t.Environment)
	if err != nil {
		return "", Secret{}, err
	}
	sec := Secret{
		TenantID: tenantID, Hash: c.Hash(), Mode: t.Environment,
		Display: c.Display(), Last4: c.Last4(), CreatedAt: s.now(),
	}
	if s.keys != nil {
		if sec.Ciphertext, sec.KeyID, err = s.keys.Encrypt(tenantID, []byte(plain)); err != nil {
			return "", Secret{}, err
		}
	}
	return plain, sec, nil
}

// newCredential returns a fresh credential, as text and parsed.
func newCredential(kind string, mode connector.Environment) (string, Credential, error) {
	plain, err := NewCredential(kind, mode)
	if err != nil {
		return "", Credential{}, err
	}
	c, err := ParseCredential(plain)
	if err != nil {
		return "", Credential{}, errors.New("a fresh credential does not parse") // cannot happen
	}
	return plain, c, nil
}

// RevokeTokens revokes the tenant's live access tokens, only those of one user when
// associateID is not 0, with a tokens.revoked event carrying reason, and returns how many
// it revoked. Errors: *InvalidError (reason, a negative associate id), ErrNotFound,
// ErrUnavailable.
func (s *Service) RevokeTokens(ctx context.Context, tenantID string, associateID int32, reason, actor string) (int, error) {
	reason, err := CheckReason(reason)
	if err != nil {
		return 0, err
	}
	if associateID < 0 {
		return 0, invalid(FieldAssociateID, "must not be negative")
	}
	now := s.now()
	return s.store.RevokeTokens(ctx, tenantID, associateID, now, AuditEvent{TenantID: tenantID, Kind: EventTokensRevoked, Reason: reason, Actor: actor, At: now})
}

// CreateAdminKey makes a new admin API key (qk_ak_<mode>_…) named name with the scopes
// and returns its plaintext, which is never available again. The mode only labels the
// key, so a leaked live key can be told from a test one. The scopes are stored once each,
// in the order of AllScopes. Errors: ErrBadScope (no scope, or an unknown one), ErrBadName.
func (s *Service) CreateAdminKey(ctx context.Context, name string, scopes []Scope, mode connector.Environment, actor string) (string, AdminKey, error) {
	scopes, err := normalScopes(scopes)
	if err != nil {
		return "", AdminKey{}, err
	}
	if name == "" || len(name) > MaxAdminKeyName || !Printable(name) {
		return "", AdminKey{}, fmt.Errorf("%w: a name must be 1 to %d printable bytes", ErrBadName, MaxAdminKeyName)
	}
	if mode != connector.EnvironmentTest && mode != connector.EnvironmentLive {
		return "", AdminKey{}, fmt.Errorf("admin key mode %q is neither test nor live", mode)
	}
	plain, c, err := newCredential(KindAdminKey, mode)
	if err != nil {
		return "", AdminKey{}, err
	}
	k := AdminKey{
		Hash: c.Hash(), Name: name, Display: c.Display(), Last4: c.Last4(), Scopes: scopes, CreatedAt: s.now(),
	}
	names := make([]string, len(scopes))
	for i, sc := range scopes {
		names[i] = string(sc)
	}
	ev := AuditEvent{Kind: EventAdminKeyCreated, Reason: "scopes=" + strings.Join(names, ","), Actor: actor,
		Credential: k.Display, At: k.CreatedAt}
	if k.ID, err = s.store.CreateAdminKey(ctx, k, ev); err != nil {
		return "", AdminKey{}, err
	}
	return plain, k, nil
}

// RevokeAdminKey revokes admin key id at once, and every support token it obtained.
// Revoking a revoked key changes nothing but the audit log. Errors: ErrNotFound.
func (s *Service) RevokeAdminKey(ctx context.Context, id int64, actor string) error {
	now := s.now()
	return s.store.RevokeAdminKey(ctx, id, now, AuditEvent{Kind: EventAdminKeyRevoked, Actor: actor, At: now})
}

// normalScopes checks scopes and returns them once each, in the order of AllScopes.
func normalScopes(scopes []Scope) ([]Scope, error) {
	if len(scopes) == 0 {
		return nil, fmt.Errorf("%w: an admin key needs at least one scope", ErrBadScope)
	}
	for _, sc := range scopes {
		if !sc.Valid() {
			q := string(sc)
			if len(q) > 40 {
				q = q[:40] + "…"
			}
			return nil, fmt.Errorf("%w: unknown scope %q", ErrBadScope, q)
		}
	}
	out := make([]Scope, 0, len(scopes))
	for _, known := range AllScopes {
		if slices.Contains(scopes, known) {
			out = append(out, known)
		}
	}
	return out, nil
}

// PruneAudit deletes the audit events recorded before before, of every tenant and of
// none, with an audit.pruned event naming the cut-off, how many it deleted and the
// actor, written in the same transaction; it returns how many it deleted. It is the
// only way events leave the log. Errors: *InvalidError when before is zero or later than
// MinAuditAge before now, ErrUnavailable.
func (s *Service) PruneAudit(ctx context.Context, before time.Time, actor string) (int, error) {
	now := s.now()
	if before.IsZero() || before.After(now.Add(-MinAuditAge)) {
		return 0, invalid(FieldBefore, "must be at least %d days ago", int(MinAuditAge/(24*time.Hour)))
	}
	ev := AuditEvent{Kind: EventAuditPruned, Reason: "before=" + before.UTC().Format(time.RFC3339Nano), Actor: actor, At: now}
	return s.store.PruneAudit(ctx, before, ev)
}
