package tenancy

import (
	"context"
	"strconv"
	"time"
)

// Scope is a permission of an admin API key.
type Scope string

// The admin API's scopes. Each admin route needs exactly one. The operator console
// needs ScopeConsole to sign in, and then the scope of each page and action.
const (
	ScopeTenantsRead  Scope = "tenants:read"  // list and show tenants, mappings, secrets (never their values), tokens
	ScopeTenantsWrite Scope = "tenants:write" // add, update, disable, enable tenants; map users
	ScopeSecretsWrite Scope = "secrets:write" // create, roll, revoke shared secrets
	ScopeTokensWrite  Scope = "tokens:write"  // revoke access tokens
	ScopeAuditRead    Scope = "audit:read"    // read the audit log
	ScopeSupport      Scope = "support"       // obtain a short-lived access token acting for a tenant; test a tenant's connection in the console
	ScopeConsole      Scope = "console"       // sign in to the operator console and see its health page
)

// AllScopes lists every scope, for validation and help texts.
var AllScopes = []Scope{ScopeTenantsRead, ScopeTenantsWrite, ScopeSecretsWrite, ScopeTokensWrite, ScopeAuditRead, ScopeConsole, ScopeSupport}

// Valid reports whether s is one of AllScopes.
func (s Scope) Valid() bool {
	for _, known := range AllScopes {
		if s == known {
			return true
		}
	}
	return false
}

// AdminKey is an admin API key (qk_ak_…). Only its SHA-256 is stored; it is never a
// tenant credential and never authenticates an operation or a token endpoint.
type AdminKey struct {
	ID        int64
	Hash      [32]byte
	Name      string // what it is for, e.g. "ops dashboard"
	Display   string // the prefix and first characters, for people and the audit log
	Last4     string
	Scopes    []Scope
	CreatedAt time.Time
	RevokedAt time.Time // zero: not revoked
	LastUsed  time.Time // zero: never used
}

// Has reports whether the key carries scope s.
func (k AdminKey) Has(s Scope) bool {
	for _, have := range k.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// AdminKeyActor names admin key id as the actor of what it does: the Actor of the support
// tokens it obtains and of their audit events, "adminkey:<id>". Revoking the key revokes
// every access token with that actor.
func AdminKeyActor(id int64) string { return "adminkey:" + strconv.FormatInt(id, 10) }

// AdminKeyStore is what admin API keys need from persistence.
type AdminKeyStore interface {
	// CreateAdminKey stores a key (with its audit event, TenantID "") and returns its id.
	CreateAdminKey(ctx context.Context, k AdminKey, ev AuditEvent) (int64, error)
	// AdminKeyByHash returns the key with that hash, or ErrNotFound.
	AdminKeyByHash(ctx context.Context, hash [32]byte) (AdminKey, error)
	// ListAdminKeys returns every admin key, newest first, revoked ones included.
	ListAdminKeys(ctx context.Context) ([]AdminKey, error)
	// RevokeAdminKey revokes a key and every support token it obtained; ErrNotFound when unknown.
	RevokeAdminKey(ctx context.Context, id int64, at time.Time, ev AuditEvent) error
	// TouchAdminKey records a use at t (writes may be throttled as for secrets).
	TouchAdminKey(ctx context.Context, id int64, t time.Time) error
}
