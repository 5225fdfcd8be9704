package dbrow

import (
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

func TestEvents(t *testing.T) {
	at := time.Unix(100, 0)
	created := at.Add(-time.Hour)
	sec := tenancy.Secret{ID: 4, TenantID: "Cust1", Display: "qk_…abcd", CreatedAt: created}
	for _, c := range []struct {
		name      string
		got, want tenancy.AuditEvent
	}{
		{"secret created", SecretCreatedEvent(sec),
			tenancy.AuditEvent{Kind: tenancy.EventSecretCreated, TenantID: "Cust1", At: created, Credential: "qk_…abcd"}},
		{"secret rolled", SecretRolledEvent(sec),
			tenancy.AuditEvent{Kind: tenancy.EventSecretRolled, TenantID: "Cust1", At: created, Credential: "qk_…abcd"}},
		{"secret revoked", SecretRevokedEvent(sec, at),
			tenancy.AuditEvent{Kind: tenancy.EventSecretRevoked, TenantID: "Cust1", At: at, Credential: "qk_…abcd"}},
		{"token issued", TokenIssuedEvent(tenancy.AccessToken{TenantID: "Cust1", IssuedAt: created, Actor: "x"}),
			tenancy.AuditEvent{Kind: tenancy.EventTokenIssued, TenantID: "Cust1", At: created}},
		{"tokens revoked", TokensRevokedEvent("Cust1", at),
			tenancy.AuditEvent{Kind: tenancy.EventTokensRevoked, TenantID: "Cust1", At: at}},
		{"tenant enabled", TenantEnabledEvent("Cust1", true, at),
			tenancy.AuditEvent{Kind: tenancy.EventTenantEnabled, TenantID: "Cust1", At: at}},
		{"tenant disabled", TenantEnabledEvent("Cust1", false, at),
			tenancy.AuditEvent{Kind: tenancy.EventTenantDisabled, TenantID: "Cust1", At: at}},
		{"tenant created", TenantCreatedEvent(tenancy.Tenant{ID: "Cust1", CreatedAt: created, UpdatedAt: at}),
			tenancy.AuditEvent{Kind: tenancy.EventTenantCreated, TenantID: "Cust1", At: created}},
		{"tenant updated", TenantUpdatedEvent(tenancy.Tenant{ID: "Cust1", CreatedAt: created, UpdatedAt: at}),
			tenancy.AuditEvent{Kind: tenancy.EventTenantUpdated, TenantID: "Cust1", At: at}},
		{"user mapped", UserMappingEvent("Cust1", true), tenancy.AuditEvent{Kind: tenancy.EventUserMapped, TenantID: "Cust1"}},
		{"user unmapped", UserMappingEvent("Cust1", false), tenancy.AuditEvent{Kind: tenancy.EventUserUnmapped, TenantID: "Cust1"}},
		{"admin key created", AdminKeyCreatedEvent(tenancy.AdminKey{ID: 2, Display: "ak_…1234", CreatedAt: created}),
			tenancy.AuditEvent{Kind: tenancy.EventAdminKeyCreated, At: created, Credential: "ak_…1234"}},
		{"admin key revoked", AdminKeyRevokedEvent("ak_…1234", at),
			tenancy.AuditEvent{Kind: tenancy.EventAdminKeyRevoked, At: at, Credential: "ak_…1234"}},
	} {
		if c.got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, c.got, c.want)
		}
	}
}

func TestAdminKeyTokensEvents(t *testing.T) {
	at := time.Unix(100, 0)
	ev := tenancy.AuditEvent{Kind: tenancy.EventAdminKeyRevoked, TenantID: "Cust9", Reason: "leaked",
		Actor: "admin:1", Credential: "other", RemoteAddr: "192.0.2.1", At: at.Add(time.Hour)}
	got := AdminKeyTokensEvents([]string{"Cust1", "Cust2"}, ev, "ak_…1234", at)
	var want []tenancy.AuditEvent
	for _, id := range []string{"Cust1", "Cust2"} {
		want = append(want, tenancy.AuditEvent{TenantID: id, Kind: tenancy.EventTokensRevoked, Reason: "adminkey_revoked",
			Actor: "admin:1", Credential: "ak_…1234", RemoteAddr: "192.0.2.1", At: at})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events = %+v, want %+v", got, want)
	}
	if got := AdminKeyTokensEvents(nil, ev, "ak_…1234", at); len(got) != 0 {
		t.Errorf("events of no tenants = %+v", got)
	}
}

func TestPrunedAuditEvent(t *testing.T) {
	for _, c := range []struct {
		reason string
		n      int64
		want   string
	}{
		{"", 0, "deleted=0"},
		{"retention", 12, "retention deleted=12"},
	} {
		ev, def := PrunedAuditEvent(tenancy.AuditEvent{Reason: c.reason, Actor: "a"}, c.n)
		if ev.Reason != c.want || ev.Actor != "a" || def != (tenancy.AuditEvent{Kind: tenancy.EventAuditPruned}) {
			t.Errorf("PrunedAuditEvent(%q, %d) = %+v, %+v; want reason %q", c.reason, c.n, ev, def, c.want)
		}
	}
}
