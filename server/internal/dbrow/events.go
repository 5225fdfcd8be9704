package dbrow

import (
	"strconv"
	"strings"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// The functions below return the default audit event of a store method: what the
// method knows of the change, which fills the fields the caller's event leaves empty
// (see AuditDefaults).

// SecretCreatedEvent is CreateSecret's default: kind secret.created, sec's tenant, at
// sec.CreatedAt, credential sec.Display.
func SecretCreatedEvent(sec tenancy.Secret) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventSecretCreated, TenantID: sec.TenantID, At: sec.CreatedAt, Credential: sec.Display}
}

// SecretRolledEvent is RollSecret's default for the successor sec (from PlanRoll): kind
// secret.rolled, sec's tenant, at sec.CreatedAt, credential sec.Display.
func SecretRolledEvent(sec tenancy.Secret) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventSecretRolled, TenantID: sec.TenantID, At: sec.CreatedAt, Credential: sec.Display}
}

// SecretRevokedEvent is RevokeSecret's default for secret sec revoked at at: kind
// secret.revoked, sec's tenant, credential sec.Display.
func SecretRevokedEvent(sec tenancy.Secret, at time.Time) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventSecretRevoked, TenantID: sec.TenantID, At: at, Credential: sec.Display}
}

// TokenIssuedEvent is IssueToken's default: kind token.issued, tok's tenant, at
// tok.IssuedAt.
func TokenIssuedEvent(tok tenancy.AccessToken) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventTokenIssued, TenantID: tok.TenantID, At: tok.IssuedAt}
}

// TokensRevokedEvent is RevokeTokens' default: kind tokens.revoked, of tenantID, at at.
func TokensRevokedEvent(tenantID string, at time.Time) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventTokensRevoked, TenantID: tenantID, At: at}
}

// TenantEnabledEvent is SetTenantEnabled's default: kind tenant.enabled when enabled,
// else tenant.disabled, of tenant id, at at.
func TenantEnabledEvent(id string, enabled bool, at time.Time) tenancy.AuditEvent {
	kind := tenancy.EventTenantDisabled
	if enabled {
		kind = tenancy.EventTenantEnabled
	}
	return tenancy.AuditEvent{Kind: kind, TenantID: id, At: at}
}

// AdminKeyCreatedEvent is CreateAdminKey's default: kind adminkey.created, no tenant, at
// k.CreatedAt, credential k.Display.
func AdminKeyCreatedEvent(k tenancy.AdminKey) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventAdminKeyCreated, At: k.CreatedAt, Credential: k.Display}
}

// AdminKeyRevokedEvent is RevokeAdminKey's default for the key shown as display, revoked
// at at: kind adminkey.revoked, no tenant.
func AdminKeyRevokedEvent(display string, at time.Time) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventAdminKeyRevoked, At: at, Credential: display}
}

// AdminKeyTokensEvents are the events RevokeAdminKey writes, as they are, for the
// tenants whose support tokens it revoked: one each, in the order of tenants, of kind
// tokens.revoked and reason adminkey_revoked, with ev's actor and remote address, the
// key's display and at.
func AdminKeyTokensEvents(tenants []string, ev tenancy.AuditEvent, display string, at time.Time) []tenancy.AuditEvent {
	evs := make([]tenancy.AuditEvent, 0, len(tenants))
	for _, tenantID := range tenants {
		evs = append(evs, tenancy.AuditEvent{TenantID: tenantID, Kind: tenancy.EventTokensRevoked,
			Reason: "adminkey_revoked", Actor: ev.Actor, Credential: display, RemoteAddr: ev.RemoteAddr, At: at})
	}
	return evs
}

// PrunedAuditEvent returns PruneAudit's event ev after n events were deleted, " deleted=<n>"
// appended to its Reason, and its default: kind audit.pruned, no tenant.
func PrunedAuditEvent(ev tenancy.AuditEvent, n int64) (tenancy.AuditEvent, tenancy.AuditEvent) {
	ev.Reason = strings.TrimSpace(ev.Reason + " deleted=" + strconv.FormatInt(n, 10))
	return ev, tenancy.AuditEvent{Kind: tenancy.EventAuditPruned}
}

// TenantCreatedEvent is CreateTenant's default: kind tenant.created, of t, at t.CreatedAt.
func TenantCreatedEvent(t tenancy.Tenant) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventTenantCreated, TenantID: t.ID, At: t.CreatedAt}
}

// TenantUpdatedEvent is UpdateTenant's default: kind tenant.updated, of t, at t.UpdatedAt.
func TenantUpdatedEvent(t tenancy.Tenant) tenancy.AuditEvent {
	return tenancy.AuditEvent{Kind: tenancy.EventTenantUpdated, TenantID: t.ID, At: t.UpdatedAt}
}

// UserMappingEvent is the default of SetUserMapping (set true: kind user.mapped) and
// DeleteUserMapping (kind user.unmapped) for a mapping of tenantID; its time is the
// store's clock.
func UserMappingEvent(tenantID string, set bool) tenancy.AuditEvent {
	kind := tenancy.EventUserUnmapped
	if set {
		kind = tenancy.EventUserMapped
	}
	return tenancy.AuditEvent{Kind: kind, TenantID: tenantID}
}
