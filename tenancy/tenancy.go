// Package tenancy is quotekit's domain: tenants, their user mappings, shared secrets,
// access tokens and admin keys, the audit events of every change, the store interfaces
// adapters (server/sqlite) implement, and the Service that makes every change. It knows
// no transport: it imports the standard library and connector only.
package tenancy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/quotekit/quotekit/connector"
)

// Store errors. Adapters (server/sqlite) turn their driver errors into these at their
// boundary; nothing above the adapter sees a driver error.
var (
	// ErrNotFound: no such tenant, secret, token or mapping.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the record exists already, or the change contradicts its state
	// (rolling a revoked secret, a replayed JWT).
	ErrConflict = errors.New("conflict")
	// ErrLimit: the change would exceed a cap (active secrets per tenant).
	ErrLimit = errors.New("limit reached")
	// ErrUnavailable: the store cannot be read or written now (locked, read-only, disk
	// full). Writes that fail with it did not happen. server/auth answers it with 503.
	ErrUnavailable = errors.New("unavailable")
	// ErrTenantDisabled: a token was to be issued for a tenant that is disabled, or dated
	// at or before the tenant's TokensValidAfter (the tenant was disabled after the
	// credential was verified). It wraps ErrConflict.
	ErrTenantDisabled = fmt.Errorf("tenant disabled or its tokens invalidated: %w", ErrConflict)
)

// TenantPattern is the form of a SuperOffice tenant id (context identifier).
var TenantPattern = regexp.MustCompile(`^Cust[0-9]{1,10}$`)

// Tenant is a SuperOffice customer the deployment serves.
type Tenant struct {
	// ID is SuperOffice's context identifier; it matches ^Cust[0-9]{1,10}$.
	ID   string
	Name string
	// Environment binds the tenant to SuperOffice's test (sod, qaonline) or live (online)
	// environments and to the secret prefix it accepts.
	Environment connector.Environment
	// SuperOfficeEnvs, when not empty, are the only SuperOffice environments (sod,
	// qaonline, online, or a locally configured name) whose signed JWTs the tenant
	// accepts, compared ASCII-case-insensitively with the name of the environment whose
	// key verified the JWT. Empty: every trusted environment of the tenant's Environment
	// (sod and qaonline for test). A test tenant bound to sod refuses a JWT qaonline signed.
	SuperOfficeEnvs []string
	// AppIDs are the SuperOffice application ids whose JWTs (aud spn:<AppId>) the tenant trusts.
	AppIDs  []string
	Enabled bool
	// Config is the connector configuration handed to the connector in connector.Tenant.
	Config map[string]string
	// TokensValidAfter invalidates every access token issued at or before it.
	TokensValidAfter time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// AcceptsSuperOfficeEnv reports whether the tenant accepts a JWT verified by the key of
// the SuperOffice environment named env: always when SuperOfficeEnvs is empty, else when
// env is one of them, ASCII letters compared case-insensitively. The caller checks the
// environment's mode against Environment separately.
func (t Tenant) AcceptsSuperOfficeEnv(env string) bool {
	if len(t.SuperOfficeEnvs) == 0 {
		return true
	}
	for _, e := range t.SuperOfficeEnvs {
		if ASCIIEqualFold(e, env) {
			return true
		}
	}
	return false
}

// UserMapping maps a SuperOffice user of a tenant to a user of the ERP.
type UserMapping struct {
	TenantID    string
	AssociateID int32  // 0 when the mapping is by e-mail only
	Email       string // "" when the mapping is by associate id only
	ERPUser     string
}

// Secret is a shared secret of a tenant. The plaintext is never stored: Hash is its
// SHA-256, Ciphertext its AES-256-GCM encryption under master key KeyID (for HS256 only).
type Secret struct {
	ID         int64
	TenantID   string
	Hash       [32]byte
	Mode       connector.Environment // from the prefix: test or live
	Display    string                // the prefix and the first characters, for people
	Last4      string
	Ciphertext []byte
	KeyID      string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time // zero: not revoked
	LastUsedAt time.Time // zero: never used
	RolledFrom int64     // the secret this one replaced, 0 if none
}

// Active reports whether the secret authenticates at now: not revoked and not expired
// (a secret expiring exactly at now is expired).
func (s Secret) Active(now time.Time) bool {
	return s.RevokedAt.IsZero() && (s.ExpiresAt.IsZero() || s.ExpiresAt.After(now))
}

// Method says how an access token was obtained.
type Method string

// The methods, as the store records them.
const (
	MethodSecret            Method = "secret"
	MethodSuperOfficeJWT    Method = "superoffice_jwt"
	MethodClientCredentials Method = "client_credentials"
	MethodSupport           Method = "support"
)

// AccessToken is an issued access token. Only its SHA-256 is stored.
type AccessToken struct {
	ID        int64
	Hash      [32]byte
	TenantID  string
	User      connector.User // zero when minted from a shared secret
	Method    Method
	SecretID  int64  // the secret it was minted from, 0 if none; revoking the secret revokes it
	Actor     string // the admin key acting for the tenant (support access), "" otherwise
	IssuedAt  time.Time
	ExpiresAt time.Time
	RevokedAt time.Time // zero: not revoked

	// JWT, when not zero, is the SHA-256 of the SuperOffice JWT the token is minted
	// from. IssueToken remembers it until JWTExpiresAt in the transaction that stores the
	// token, so a JWT is accepted once and a failed issuance does not use it up. It is not
	// read back.
	JWT          [32]byte
	JWTExpiresAt time.Time
}

// AuditEvent is one credential event of a tenant. It never holds a secret, token or JWT:
// credentials are named by their Display prefix or id.
type AuditEvent struct {
	ID         int64
	TenantID   string // "" for events not tied to a known tenant
	Kind       EventKind
	Reason     string // a short code, e.g. bad_checksum, expired, wrong_environment
	Actor      string // who did it: "cli", an admin key's display, a user, or ""
	Credential string // the display form of the credential concerned, never the credential
	RemoteAddr string
	At         time.Time
}

// AuditFilter selects audit events of a tenant, newest first.
type AuditFilter struct {
	TenantID string
	Kinds    []EventKind // empty: all kinds
	Since    time.Time   // zero: from the start
	Until    time.Time   // zero: up to now
	Limit    int         // 0: a default of 100
}

// Store is what authentication needs from persistence. IssueToken writes its audit event
// in the transaction that stores the token, so an issued token and its audit row exist
// together or not at all; Audit writes an event on its own; TouchSecret changes no
// credential and writes none.
type Store interface {
	// Tenant returns the tenant, or ErrNotFound.
	Tenant(ctx context.Context, id string) (Tenant, error)
	// UserMapping returns the ERP user for a SuperOffice user of the tenant, matching the
	// associate id first and then the e-mail; ErrNotFound when unmapped.
	UserMapping(ctx context.Context, tenantID string, associateID int32, email string) (string, error)

	// SecretByHash returns the secret with that hash and its tenant, or ErrNotFound.
	SecretByHash(ctx context.Context, hash [32]byte) (Secret, Tenant, error)
	// SecretsOf returns the tenant's secrets, newest first, revoked and expired included.
	SecretsOf(ctx context.Context, tenantID string) ([]Secret, error)
	// TouchSecret records that the secret was used at t; implementations may skip the
	// write when the stored time is recent.
	TouchSecret(ctx context.Context, id int64, t time.Time) error

	// IssueToken stores tok. When tok.SecretID is set, the secret must still be active
	// at tok.IssuedAt inside the same transaction, or nothing is written and the error
	// is ErrConflict: a revocation racing the minting cannot leave a live token behind.
	// When tok.JWT is set, that JWT must not have been remembered before, or nothing is
	// written and the error is ErrConflict. The tenant must be enabled and tok.IssuedAt
	// after its TokensValidAfter, read in the same transaction, or nothing is written and
	// the error wraps ErrTenantDisabled (a disabling racing the minting).
	IssueToken(ctx context.Context, tok AccessToken, ev AuditEvent) (int64, error)
	// TokenByHash returns the token with that hash and its tenant, or ErrNotFound.
	TokenByHash(ctx context.Context, hash [32]byte) (AccessToken, Tenant, error)

	// Audit appends an event on its own (refusals, which change nothing else).
	Audit(ctx context.Context, ev AuditEvent) error

	// RememberJWT records a SuperOffice JWT by its SHA-256 until expires, for a JWT used
	// without minting a token (the SOAP handshake); ErrConflict when it was recorded
	// before (a replay).
	RememberJWT(ctx context.Context, hash [32]byte, expires time.Time) error
	// DataVersion returns a number that differs between two calls whenever a change was
	// committed to the store in between, by this process or any other. It must be cheap
	// (no table read): callers use it to keep what they verified cached until anything
	// changes.
	DataVersion(ctx context.Context) (uint64, error)
}

// AdminStore is what the Service needs beyond Store. Every method that takes an
// AuditEvent writes the change and that event in one write transaction, so an
// acknowledged change and its audit row exist together or not at all; the methods that
// take none change no credential: they read, record a use (TouchSecret, TouchAdminKey)
// or delete expired rows (Purge).
type AdminStore interface {
	Store
	AdminKeyStore

	// CreateTenant adds a tenant; ErrConflict when the id exists.
	CreateTenant(ctx context.Context, t Tenant, ev AuditEvent) error
	// UpdateTenant replaces name, environment, SuperOfficeEnvs, AppIDs and config;
	// ErrNotFound when unknown.
	UpdateTenant(ctx context.Context, t Tenant, ev AuditEvent) error
	// ListTenants returns every tenant ordered by id.
	ListTenants(ctx context.Context) ([]Tenant, error)
	// SetTenantEnabled enables or disables a tenant. Disabling also sets TokensValidAfter
	// to at, which invalidates every token of the tenant at once.
	SetTenantEnabled(ctx context.Context, id string, enabled bool, at time.Time, ev AuditEvent) error

	// SetUserMapping adds or replaces a user mapping; ErrNotFound when the tenant is unknown.
	SetUserMapping(ctx context.Context, m UserMapping, ev AuditEvent) error
	// DeleteUserMapping removes the mappings that match m; ErrNotFound when none does.
	DeleteUserMapping(ctx context.Context, m UserMapping, ev AuditEvent) error
	// ListUserMappings returns the tenant's user mappings, those with an associate id
	// first (by associate id), then those by e-mail only (by e-mail); ErrNotFound when
	// the tenant is unknown.
	ListUserMappings(ctx context.Context, tenantID string) ([]UserMapping, error)

	// CreateSecret stores a new secret; ErrLimit when the tenant already has maxActive
	// active secrets, ErrNotFound when the tenant is unknown.
	CreateSecret(ctx context.Context, s Secret, maxActive int, ev AuditEvent) (int64, error)
	// RollSecret stores s as the successor of secret oldID and lets the old one expire at
	// oldExpiresAt (now for an immediate switch). ErrConflict when the old secret is
	// revoked or expired, ErrNotFound when unknown, ErrLimit as for CreateSecret.
	RollSecret(ctx context.Context, oldID int64, s Secret, oldExpiresAt time.Time, maxActive int, ev AuditEvent) (int64, error)
	// RevokeSecret revokes a secret and every token minted from it; ErrNotFound when unknown.
	RevokeSecret(ctx context.Context, id int64, at time.Time, ev AuditEvent) error

	// ListTokens returns the tenant's tokens that are neither revoked nor expired at now.
	ListTokens(ctx context.Context, tenantID string, now time.Time) ([]AccessToken, error)
	// RevokeTokens revokes the tenant's live tokens, only those of one user when
	// associateID is not 0, and returns how many it revoked.
	RevokeTokens(ctx context.Context, tenantID string, associateID int32, at time.Time, ev AuditEvent) (int, error)

	// AuditEvents returns events matching f, newest first.
	AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
	// Purge deletes tokens expired before now and replay entries past their expiry, and
	// returns how many rows it removed. It never deletes audit events.
	Purge(ctx context.Context, now time.Time) (int, error)
	// PruneAudit deletes the audit events recorded before before, of every tenant and of
	// none, and writes ev (with " deleted=<n>" appended to its Reason) in the same
	// transaction, and returns n. It is the only way events leave the audit log.
	PruneAudit(ctx context.Context, before time.Time, ev AuditEvent) (int, error)
}
