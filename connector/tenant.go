package connector

import (
	"context"

	"github.com/quotekit/quotekit/connector/culture"
)

// Environment is the SuperOffice environment family a tenant belongs to.
type Environment string

const (
	// EnvironmentTest covers SuperOffice's development and stage environments (sod, qaonline).
	EnvironmentTest Environment = "test"
	// EnvironmentLive is SuperOffice's production environment (online).
	EnvironmentLive Environment = "live"
)

// Tenant is the SuperOffice customer a call acts for. It always comes from the
// credential, never from the request body.
type Tenant struct {
	// ID is SuperOffice's context identifier, e.g. "Cust12345".
	ID string
	// Environment says whether the tenant is a test or a live customer.
	Environment Environment
	// Config is the connector configuration stored for the tenant.
	Config culture.Config
	// User is the calling CRM user; nil when the credential names no user (a shared secret).
	User *User
}

// User is the CRM user a call is made for, as far as the credential tells.
type User struct {
	// AssociateID is SuperOffice's associate id; 0 when unknown.
	AssociateID int32
	// Name, Email identify the user for people; either may be empty.
	Name  string
	Email string
	// ERPUser is the ERP user the tenant's mapping assigns to this CRM user; "" when unmapped.
	ERPUser string
}

type tenantKey struct{}

// WithTenant returns a copy of ctx that carries t. The server calls it after
// authentication; tests call it to drive a connector directly.
func WithTenant(ctx context.Context, t Tenant) context.Context {
	return context.WithValue(ctx, tenantKey{}, t)
}

// TenantFrom returns the tenant carried by ctx, and false when there is none.
func TenantFrom(ctx context.Context) (Tenant, bool) {
	t, ok := ctx.Value(tenantKey{}).(Tenant)
	return t, ok
}
