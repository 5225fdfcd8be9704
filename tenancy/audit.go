package tenancy

// EventKind is the kind of an audit event. The values are stored as they are: the audit
// table and everything reading it (the CLI's audit command, the admin API) see these
// strings.
type EventKind string

// The audit event kinds.
const (
	EventTenantCreated  EventKind = "tenant.created"
	EventTenantUpdated  EventKind = "tenant.updated"
	EventTenantEnabled  EventKind = "tenant.enabled"
	EventTenantDisabled EventKind = "tenant.disabled"

	EventUserMapped   EventKind = "user.mapped"
	EventUserUnmapped EventKind = "user.unmapped"

	EventSecretCreated EventKind = "secret.created"
	EventSecretRolled  EventKind = "secret.rolled"
	EventSecretRevoked EventKind = "secret.revoked"

	EventTokenIssued   EventKind = "token.issued"
	EventTokensRevoked EventKind = "tokens.revoked"
	// EventSupportToken is a support access token an admin key obtained for a tenant.
	EventSupportToken EventKind = "support.token"
	// EventAuthRefused is a refused credential, of a tenant or of no known tenant.
	EventAuthRefused EventKind = "auth.refused"
	// EventHandshake is a SuperOffice Authenticate handshake answered with a signed
	// application token.
	EventHandshake EventKind = "handshake.answered"

	EventAdminKeyCreated EventKind = "adminkey.created"
	EventAdminKeyRevoked EventKind = "adminkey.revoked"

	// EventAuditPruned records that audit events older than a cut-off were deleted: the
	// one way events leave the log. It belongs to no tenant.
	EventAuditPruned EventKind = "audit.pruned"
)

// EventKinds lists every kind, for validation and help texts.
var EventKinds = []EventKind{
	EventTenantCreated, EventTenantUpdated, EventTenantEnabled, EventTenantDisabled,
	EventUserMapped, EventUserUnmapped,
	EventSecretCreated, EventSecretRolled, EventSecretRevoked,
	EventTokenIssued, EventTokensRevoked, EventSupportToken, EventAuthRefused, EventHandshake,
	EventAdminKeyCreated, EventAdminKeyRevoked, EventAuditPruned,
}
