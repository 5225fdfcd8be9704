package tenancy_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/sqlite"
	"github.com/quotekit/quotekit/tenancy"
)

func newService(t *testing.T) (*tenancy.Service, *sqlite.Store) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "quotekit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return tenancy.NewService(store, tenancy.WithClock(func() time.Time { return now })), store
}

func goodTenant() tenancy.Tenant {
	return tenancy.Tenant{ID: "Cust1", Name: "Customer", Environment: connector.EnvironmentTest,
		AppIDs: []string{"app"}, Enabled: true, Config: map[string]string{"company": "[I:1]"}}
}

// TestServiceRefusesBadInput checks the one validation every caller gets: a bad field
// is an *InvalidError naming it, and nothing is written.
func TestServiceRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		change func(*tenancy.Tenant)
		field  string
	}{
		{"malformed id", func(t *tenancy.Tenant) { t.ID = "12345" }, tenancy.FieldID},
		{"id too long", func(t *tenancy.Tenant) { t.ID = "Cust12345678901" }, tenancy.FieldID},
		{"blank name", func(t *tenancy.Tenant) { t.Name = "  " }, tenancy.FieldName},
		{"name too long", func(t *tenancy.Tenant) { t.Name = strings.Repeat("n", tenancy.MaxName+1) }, tenancy.FieldName},
		{"name with a control character", func(t *tenancy.Tenant) { t.Name = "a\x00b" }, tenancy.FieldName},
		{"unknown environment", func(t *tenancy.Tenant) { t.Environment = "prod" }, tenancy.FieldEnvironment},
		{"live SuperOffice environment for a test tenant", func(t *tenancy.Tenant) { t.SuperOfficeEnvs = []string{"sod", "online"} }, tenancy.FieldSOEnvs},
		{"test SuperOffice environment for a live tenant", func(t *tenancy.Tenant) {
			t.Environment, t.SuperOfficeEnvs = connector.EnvironmentLive, []string{"QAOnline"}
		}, tenancy.FieldSOEnvs},
		{"empty SuperOffice environment", func(t *tenancy.Tenant) { t.SuperOfficeEnvs = []string{" "} }, tenancy.FieldSOEnvs},
		{"SuperOffice environment with a space", func(t *tenancy.Tenant) { t.SuperOfficeEnvs = []string{"so d"} }, tenancy.FieldSOEnvs},
		{"SuperOffice environment not ASCII", func(t *tenancy.Tenant) { t.SuperOfficeEnvs = []string{"sød"} }, tenancy.FieldSOEnvs},
		{"SuperOffice environment too long", func(t *tenancy.Tenant) { t.SuperOfficeEnvs = []string{strings.Repeat("e", tenancy.MaxEnvName+1)} }, tenancy.FieldSOEnvs},
		{"empty AppId", func(t *tenancy.Tenant) { t.AppIDs = []string{" "} }, tenancy.FieldAppID},
		{"AppId with a space", func(t *tenancy.Tenant) { t.AppIDs = []string{"a b"} }, tenancy.FieldAppID},
		{"AppId with a comma", func(t *tenancy.Tenant) { t.AppIDs = []string{"a,b"} }, tenancy.FieldAppID},
		{"AppId too long", func(t *tenancy.Tenant) { t.AppIDs = []string{strings.Repeat("a", tenancy.MaxAppID+1)} }, tenancy.FieldAppID},
		{"config key too long", func(t *tenancy.Tenant) {
			t.Config = map[string]string{strings.Repeat("k", tenancy.MaxConfigKey+1): "v"}
		}, tenancy.FieldConfig},
		{"config key not printable", func(t *tenancy.Tenant) { t.Config = map[string]string{"k\n": "v"} }, tenancy.FieldConfig},
		{"config value too long", func(t *tenancy.Tenant) {
			t.Config = map[string]string{"k": strings.Repeat("v", tenancy.MaxConfigValue+1)}
		}, tenancy.FieldConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, store := newService(t)
			in := goodTenant()
			tt.change(&in)
			_, err := svc.AddTenant(context.Background(), in, "test")
			var ie *tenancy.InvalidError
			if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, tenancy.ErrInvalid) {
				t.Fatalf("AddTenant: %v, want an InvalidError of field %s", err, tt.field)
			}
			if ts, _ := store.ListTenants(context.Background()); len(ts) != 0 {
				t.Errorf("a refused tenant was stored: %+v", ts)
			}
		})
	}
}

// TestServiceNormalises checks what the Service stores for input it accepts.
func TestServiceNormalises(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	in := goodTenant()
	in.Name, in.AppIDs = "  Customer  ", []string{" app ", "APP", "other"}
	got, err := svc.AddTenant(ctx, in, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Customer" || strings.Join(got.AppIDs, ",") != "app,other" {
		t.Errorf("stored name %q, AppIDs %q; want Customer, [app other]", got.Name, got.AppIDs)
	}
	_, changed, err := svc.UpdateTenant(ctx, "Cust1", func(t *tenancy.Tenant) { t.Name = "Customer " }, "test")
	if err != nil || len(changed) != 0 {
		t.Errorf("an update to the same trimmed name: changed %v, %v; want nothing", changed, err)
	}
	_, _, err = svc.UpdateTenant(ctx, "Cust1", func(t *tenancy.Tenant) { t.Environment = "prod" }, "test")
	if !errors.Is(err, tenancy.ErrInvalid) {
		t.Errorf("an update to environment prod: %v, want ErrInvalid", err)
	}
}

// TestServiceRefusesBadMappings checks the validation of user mappings and that a
// refused one writes neither a mapping nor an audit event.
func TestServiceRefusesBadMappings(t *testing.T) {
	ctx := context.Background()
	svc, store := newService(t)
	if _, err := svc.AddTenant(ctx, goodTenant(), "test"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		m     tenancy.UserMapping
		field string
	}{
		{"no user", tenancy.UserMapping{TenantID: "Cust1", ERPUser: "ann"}, tenancy.FieldUser},
		{"negative associate id", tenancy.UserMapping{TenantID: "Cust1", AssociateID: -1, ERPUser: "ann"}, tenancy.FieldAssociateID},
		{"not an e-mail", tenancy.UserMapping{TenantID: "Cust1", Email: "ann", ERPUser: "ann"}, tenancy.FieldEmail},
		{"e-mail with a space", tenancy.UserMapping{TenantID: "Cust1", Email: "a nn@x.com", ERPUser: "ann"}, tenancy.FieldEmail},
		{"no ERP user", tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7, ERPUser: " "}, tenancy.FieldERPUser},
		{"ERP user too long", tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7, ERPUser: strings.Repeat("u", tenancy.MaxName+1)}, tenancy.FieldERPUser},
		{"malformed tenant id", tenancy.UserMapping{TenantID: "cust1", AssociateID: 7, ERPUser: "ann"}, tenancy.FieldID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.MapUser(ctx, tt.m, "test")
			var ie *tenancy.InvalidError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("MapUser: %v, want an InvalidError of field %s", err, tt.field)
			}
		})
	}
	if ms, _ := store.ListUserMappings(ctx, "Cust1"); len(ms) != 0 {
		t.Errorf("refused mappings were stored: %+v", ms)
	}
	evs, err := store.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventUserMapped}})
	if err != nil || len(evs) != 0 {
		t.Errorf("audit events of refused mappings: %+v, %v", evs, err)
	}

	// An accepted mapping is stored with its event, by the actor, describing the user.
	if _, err := svc.MapUser(ctx, tenancy.UserMapping{TenantID: "Cust1", AssociateID: 7, Email: " Ann@X.com ", ERPUser: " ann "}, "cli:tester"); err != nil {
		t.Fatal(err)
	}
	evs, err = store.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventUserMapped}})
	if err != nil || len(evs) != 1 || evs[0].Actor != "cli:tester" || evs[0].Reason != "associate:7,email:ann@x.com erp:ann" {
		t.Errorf("audit events of a mapping: %+v, %v", evs, err)
	}
}

// TestServiceRefusesBadReason checks the reason recorded with a change.
func TestServiceRefusesBadReason(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	if _, err := svc.AddTenant(ctx, goodTenant(), "test"); err != nil {
		t.Fatal(err)
	}
	for _, reason := range []string{strings.Repeat("r", tenancy.MaxReason+1), "a\x1bb"} {
		if _, err := svc.SetTenantEnabled(ctx, "Cust1", false, reason, "test"); !errors.Is(err, tenancy.ErrInvalid) {
			t.Errorf("SetTenantEnabled with reason %q: %v, want ErrInvalid", reason, err)
		}
		if _, err := svc.RevokeTokens(ctx, "Cust1", 0, reason, "test"); !errors.Is(err, tenancy.ErrInvalid) {
			t.Errorf("RevokeTokens with reason %q: %v, want ErrInvalid", reason, err)
		}
	}
}

// TestEmailsFoldASCIIOnly: the Service, the audit text and the store compare e-mails
// with the ASCII letters folded and nothing else: the Kelvin sign (U+212A), which Unicode
// case folding turns into "k", names another user than the letter k.
func TestEmailsFoldASCIIOnly(t *testing.T) {
	ctx := context.Background()
	svc, store := newService(t)
	if _, err := svc.AddTenant(ctx, goodTenant(), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MapUser(ctx, tenancy.UserMapping{TenantID: "Cust1", Email: "Kate@Example.com", ERPUser: "kate"}, "test"); err != nil {
		t.Fatal(err)
	}
	if got, err := store.UserMapping(ctx, "Cust1", 0, "KATE@example.COM"); err != nil || got != "kate" {
		t.Errorf("ASCII case: %q, %v; want kate", got, err)
	}
	if got, err := store.UserMapping(ctx, "Cust1", 0, "\u212Aate@example.com"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("Kelvin sign: %q, %v; want ErrNotFound", got, err)
	}
	for _, tt := range []struct{ email, want string }{
		{"Kate@Example.COM", "email:kate@example.com"},
		{"\u212Aate@example.com", "email:\u212Aate@example.com"},
		{"\u00C5sa@example.com", "email:\u00C5sa@example.com"},
	} {
		if got := tenancy.DescribeUser(tenancy.UserMapping{Email: tt.email}); got != tt.want {
			t.Errorf("DescribeUser(%q) = %q, want %q", tt.email, got, tt.want)
		}
	}
	if got := tenancy.FoldEmail("  \u212AATE@Example.com "); got != "\u212Aate@example.com" {
		t.Errorf("FoldEmail = %q", got)
	}
	// AppIds are compared as authentication compares them: ASCII case only.
	ids, err := tenancy.CheckAppIDs([]string{"kapp", "KAPP", "\u212Aapp"})
	if err != nil || len(ids) != 2 || ids[0] != "kapp" || ids[1] != "\u212Aapp" {
		t.Errorf("CheckAppIDs = %q, %v; want [kapp \u212Aapp]", ids, err)
	}
}

// TestTenantSuperOfficeEnvs: a tenant's SuperOffice environments are stored lower-cased
// without repeats, shown in the tenant, and a change to them is named in the audit event.
func TestTenantSuperOfficeEnvs(t *testing.T) {
	ctx := context.Background()
	svc, store := newService(t)
	in := goodTenant()
	in.SuperOfficeEnvs = []string{" SOD ", "sod", "local-dev"}
	got, err := svc.AddTenant(ctx, in, "test")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sod", "local-dev"}; !slices.Equal(got.SuperOfficeEnvs, want) {
		t.Errorf("stored SuperOfficeEnvs = %q, want %q", got.SuperOfficeEnvs, want)
	}
	got, changed, err := svc.UpdateTenant(ctx, "Cust1", func(t *tenancy.Tenant) { t.SuperOfficeEnvs = []string{"qaonline"} }, "test")
	if err != nil || !slices.Equal(changed, []string{"superoffice_envs"}) || !slices.Equal(got.SuperOfficeEnvs, []string{"qaonline"}) {
		t.Errorf("UpdateTenant = %q, %q, %v", got.SuperOfficeEnvs, changed, err)
	}
	evs, err := store.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTenantUpdated}})
	if err != nil || len(evs) != 1 || evs[0].Reason != "superoffice_envs" {
		t.Errorf("audit events %+v, %v", evs, err)
	}
	got, changed, err = svc.UpdateTenant(ctx, "Cust1", func(t *tenancy.Tenant) { t.SuperOfficeEnvs = nil }, "test")
	if err != nil || !slices.Equal(changed, []string{"superoffice_envs"}) || got.SuperOfficeEnvs != nil {
		t.Errorf("clearing: %q, %q, %v", got.SuperOfficeEnvs, changed, err)
	}
	// Switching to live while bound to a test environment is refused as a whole.
	if _, _, err := svc.UpdateTenant(ctx, "Cust1", func(t *tenancy.Tenant) {
		t.SuperOfficeEnvs = []string{"sod"}
		t.Environment = connector.EnvironmentLive
	}, "test"); !errors.Is(err, tenancy.ErrInvalid) {
		t.Errorf("live tenant bound to sod: %v, want ErrInvalid", err)
	}
}

// TestPruneAudit: the Service deletes old audit events through the store, with an
// audit.pruned event naming the cut-off, the count and the actor, and refuses a cut-off
// that would delete events younger than MinAuditAge.
func TestPruneAudit(t *testing.T) {
	ctx := context.Background()
	svc, store := newService(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) // newService's clock
	for _, at := range []time.Time{now.AddDate(-2, 0, 0), now.AddDate(-1, 0, -1), now.AddDate(0, 0, -1)} {
		if err := store.Audit(ctx, tenancy.AuditEvent{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	for _, before := range []time.Time{{}, now, now.Add(-tenancy.MinAuditAge + time.Second)} {
		if _, err := svc.PruneAudit(ctx, before, "test"); !errors.Is(err, tenancy.ErrInvalid) {
			t.Errorf("PruneAudit(%v): %v, want ErrInvalid", before, err)
		}
	}
	if n, _ := store.AuditEvents(ctx, tenancy.AuditFilter{Limit: 100}); len(n) != 3 {
		t.Fatalf("refused prunes changed the log: %d events", len(n))
	}
	cut := now.AddDate(-1, 0, 0)
	n, err := svc.PruneAudit(ctx, cut, "ops")
	if err != nil || n != 2 {
		t.Fatalf("PruneAudit = %d, %v; want 2", n, err)
	}
	evs, err := store.AuditEvents(ctx, tenancy.AuditFilter{Limit: 100})
	if err != nil || len(evs) != 2 {
		t.Fatalf("events after the prune %+v, %v", evs, err)
	}
	if ev := evs[0]; ev.Kind != tenancy.EventAuditPruned || ev.Actor != "ops" || ev.Reason != "before=2025-01-02T03:04:05Z deleted=2" || !ev.At.Equal(now) {
		t.Errorf("prune event %+v", ev)
	}
}
