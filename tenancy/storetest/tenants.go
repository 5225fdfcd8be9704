package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

func testCreateTenant(t *testing.T, h Harness) {
	ctx := context.Background()
	tests := []struct {
		name      string
		tenant    func() tenancy.Tenant
		want      error
		wantAudit int
	}{
		{"new", func() tenancy.Tenant { return NewTenant("Cust2") }, nil, 1},
		{"duplicate id", func() tenancy.Tenant { return NewTenant("Cust1") }, tenancy.ErrConflict, 0},
		{"ten digits", func() tenancy.Tenant { return NewTenant("Cust1234567890") }, nil, 1},
		{"eleven digits", func() tenancy.Tenant { return NewTenant("Cust12345678901") }, ErrPlain, 0},
		{"lower-case prefix", func() tenancy.Tenant { return NewTenant("cust3") }, ErrPlain, 0},
		{"no digits", func() tenancy.Tenant { return NewTenant("Cust") }, ErrPlain, 0},
		{"bad environment", func() tenancy.Tenant {
			tn := NewTenant("Cust4")
			tn.Environment = "staging"
			return tn
		}, ErrPlain, 0},
		{"empty lists and zero times", func() tenancy.Tenant {
			return tenancy.Tenant{ID: "Cust5", Environment: connector.EnvironmentLive}
		}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			MustCreateTenant(t, s, "Cust1")
			before := auditCount(t, h, s)
			tn := tt.tenant()
			err := s.CreateTenant(ctx, tn, tenancy.AuditEvent{Actor: "cli"})
			WantErr(t, err, tt.want)
			if got := auditCount(t, h, s) - before; got != tt.wantAudit {
				t.Errorf("audit events written = %d, want %d", got, tt.wantAudit)
			}
			if err != nil {
				return
			}
			got, err := s.Tenant(ctx, tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tn.CreatedAt.IsZero() {
				tn.CreatedAt, tn.UpdatedAt = T0, T0 // the store's clock
			}
			if !reflect.DeepEqual(got, tn) {
				t.Errorf("Tenant = %+v\nwant     %+v", got, tn)
			}
		})
	}
}

func testTenantLookups(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	for _, id := range []string{"Cust9", "Cust10", "Cust1"} {
		MustCreateTenant(t, s, id)
	}
	if _, err := s.Tenant(ctx, "Cust404"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("Tenant(unknown) = %v, want ErrNotFound", err)
	}
	ts, err := s.ListTenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tn := range ts {
		ids = append(ids, tn.ID)
	}
	if want := []string{"Cust1", "Cust10", "Cust9"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ListTenants ids = %v, want %v", ids, want)
	}
}

func testUpdateTenant(t *testing.T, h Harness) {
	ctx := context.Background()
	tests := []struct {
		name      string
		update    tenancy.Tenant
		want      error
		wantAudit int
	}{
		{"replaces fields", tenancy.Tenant{
			ID: "Cust1", Name: "Renamed", Environment: connector.EnvironmentLive, SuperOfficeEnvs: []string{"online"},
			AppIDs: []string{"a", "b"}, Config: map[string]string{"k": "v"},
			Enabled: false, // ignored: enabling is SetTenantEnabled's job
		}, nil, 1},
		{"unknown tenant", tenancy.Tenant{ID: "Cust2", Environment: connector.EnvironmentTest}, tenancy.ErrNotFound, 0},
		{"malformed id", tenancy.Tenant{ID: "nobody", Environment: connector.EnvironmentTest}, tenancy.ErrNotFound, 0},
		{"bad environment", tenancy.Tenant{ID: "Cust1", Environment: "prod"}, ErrPlain, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			orig := MustCreateTenant(t, s, "Cust1")
			before := auditCount(t, h, s)
			err := s.UpdateTenant(ctx, tt.update, tenancy.AuditEvent{})
			WantErr(t, err, tt.want)
			if got := auditCount(t, h, s) - before; got != tt.wantAudit {
				t.Errorf("audit events written = %d, want %d", got, tt.wantAudit)
			}
			got, err2 := s.Tenant(ctx, "Cust1")
			if err2 != nil {
				t.Fatal(err2)
			}
			want := orig
			if err == nil {
				want.Name, want.Environment = tt.update.Name, tt.update.Environment
				want.AppIDs, want.Config = tt.update.AppIDs, tt.update.Config
				want.SuperOfficeEnvs = tt.update.SuperOfficeEnvs
				want.UpdatedAt = T0
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Tenant = %+v\nwant     %+v", got, want)
			}
		})
	}
}

func testSetTenantEnabled(t *testing.T, h Harness) {
	ctx := context.Background()
	earlier := T0.Add(-time.Hour)
	tests := []struct {
		name          string
		enabled       bool
		at            time.Time
		validAfter    time.Time // TokensValidAfter before the call
		wantEnabled   bool
		wantValidAftr time.Time
	}{
		{"disable sets TokensValidAfter", false, T0, time.Time{}, false, T0},
		{"disable moves it forward", false, T0, earlier, false, T0},
		{"disable never moves it back", false, earlier, T0, false, T0},
		{"enable leaves it", true, T0, earlier, true, earlier},
		{"enable without one", true, T0, time.Time{}, true, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			tn := NewTenant("Cust1")
			tn.TokensValidAfter = tt.validAfter
			tn.Enabled = !tt.enabled
			if err := s.CreateTenant(ctx, tn, tenancy.AuditEvent{}); err != nil {
				t.Fatal(err)
			}
			before := auditCount(t, h, s)
			if err := s.SetTenantEnabled(ctx, "Cust1", tt.enabled, tt.at, tenancy.AuditEvent{Actor: "cli"}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Tenant(ctx, "Cust1")
			if err != nil {
				t.Fatal(err)
			}
			if got.Enabled != tt.wantEnabled || !got.TokensValidAfter.Equal(tt.wantValidAftr) {
				t.Errorf("Enabled, TokensValidAfter = %v, %v; want %v, %v",
					got.Enabled, got.TokensValidAfter, tt.wantEnabled, tt.wantValidAftr)
			}
			evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: "Cust1", Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			wantKind := map[bool]tenancy.EventKind{true: "tenant.enabled", false: "tenant.disabled"}[tt.enabled]
			if auditCount(t, h, s)-before != 1 || evs[0].Kind != wantKind || evs[0].Actor != "cli" {
				t.Errorf("audit: %d new, latest %+v; want 1 of kind %s by cli", auditCount(t, h, s)-before, evs[0], wantKind)
			}
		})
	}
	t.Run("unknown tenant", func(t *testing.T) {
		s := open(t, h)
		err := s.SetTenantEnabled(ctx, "Cust1", false, T0, tenancy.AuditEvent{})
		WantErr(t, err, tenancy.ErrNotFound)
		if n := auditCount(t, h, s); n != 0 {
			t.Errorf("%d audit events for a failed change", n)
		}
	})
}

func testUserMapping(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	MustCreateTenant(t, s, "Cust2")
	for _, m := range []tenancy.UserMapping{
		{TenantID: "Cust1", AssociateID: 7, ERPUser: "by-associate"},
		{TenantID: "Cust1", Email: "Ann@Example.com", ERPUser: "by-email"},
		{TenantID: "Cust1", AssociateID: 8, Email: "bob@example.com", ERPUser: "bob"},
		{TenantID: "Cust2", AssociateID: 7, ERPUser: "other-tenant"},
	} {
		if err := s.SetUserMapping(ctx, m, tenancy.AuditEvent{}); err != nil {
			t.Fatalf("SetUserMapping(%+v): %v", m, err)
		}
	}
	tests := []struct {
		name      string
		tenant    string
		associate int32
		email     string
		want      string
		wantErr   error
	}{
		{"associate id", "Cust1", 7, "", "by-associate", nil},
		{"associate id wins over e-mail", "Cust1", 7, "ann@example.com", "by-associate", nil},
		{"e-mail when the associate is unmapped", "Cust1", 99, "ann@example.com", "by-email", nil},
		{"e-mail case-insensitive", "Cust1", 0, "  ANN@EXAMPLE.COM ", "by-email", nil},
		{"mapping with both keys, by e-mail", "Cust1", 0, "Bob@example.com", "bob", nil},
		{"per tenant", "Cust2", 7, "", "other-tenant", nil},
		{"unmapped", "Cust1", 99, "nobody@example.com", "", tenancy.ErrNotFound},
		{"zero keys never match", "Cust1", 0, "", "", tenancy.ErrNotFound},
		{"unknown tenant", "Cust3", 7, "", "", tenancy.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.UserMapping(ctx, tt.tenant, tt.associate, tt.email)
			WantErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("UserMapping = %q, want %q", got, tt.want)
			}
		})
	}
}

func testSetAndDeleteUserMapping(t *testing.T, h Harness) {
	ctx := context.Background()
	type lookup struct {
		associate int32
		email     string
		want      string // "" when unmapped
	}
	tests := []struct {
		name    string
		set     []tenancy.UserMapping
		del     *tenancy.UserMapping
		wantErr error
		lookups []lookup
	}{
		{
			name: "set replaces same associate",
			set: []tenancy.UserMapping{
				{AssociateID: 7, ERPUser: "old"},
				{AssociateID: 7, ERPUser: "new"},
			},
			lookups: []lookup{{7, "", "new"}},
		},
		{
			name: "set replaces same e-mail in any case",
			set: []tenancy.UserMapping{
				{Email: "a@x.com", ERPUser: "old"},
				{Email: "A@X.COM", ERPUser: "new"},
			},
			lookups: []lookup{{0, "a@x.com", "new"}},
		},
		{
			name: "set replaces mappings sharing either key",
			set: []tenancy.UserMapping{
				{AssociateID: 7, ERPUser: "seven"},
				{Email: "a@x.com", ERPUser: "ann"},
				{AssociateID: 7, Email: "a@x.com", ERPUser: "both"},
			},
			lookups: []lookup{{7, "", "both"}, {0, "a@x.com", "both"}},
		},
		{
			name:    "set without keys",
			set:     []tenancy.UserMapping{{ERPUser: "x"}},
			wantErr: ErrPlain,
		},
		{
			name:    "set without ERP user",
			set:     []tenancy.UserMapping{{AssociateID: 7}},
			wantErr: ErrPlain,
		},
		{
			name:    "set on unknown tenant",
			set:     []tenancy.UserMapping{{TenantID: "Cust9", AssociateID: 7, ERPUser: "x"}},
			wantErr: tenancy.ErrNotFound,
		},
		{
			name:    "delete by associate",
			set:     []tenancy.UserMapping{{AssociateID: 7, Email: "a@x.com", ERPUser: "both"}},
			del:     &tenancy.UserMapping{AssociateID: 7},
			lookups: []lookup{{7, "", ""}, {0, "a@x.com", ""}},
		},
		{
			name: "delete by e-mail leaves others",
			set: []tenancy.UserMapping{
				{AssociateID: 7, ERPUser: "seven"},
				{Email: "a@x.com", ERPUser: "ann"},
			},
			del:     &tenancy.UserMapping{Email: "A@x.com"},
			lookups: []lookup{{7, "", "seven"}, {0, "a@x.com", ""}},
		},
		{
			name:    "delete needs both keys to match when both given",
			set:     []tenancy.UserMapping{{AssociateID: 7, Email: "a@x.com", ERPUser: "both"}},
			del:     &tenancy.UserMapping{AssociateID: 7, Email: "b@x.com"},
			wantErr: tenancy.ErrNotFound,
			lookups: []lookup{{7, "", "both"}},
		},
		{
			name:    "delete unmapped",
			del:     &tenancy.UserMapping{AssociateID: 7},
			wantErr: tenancy.ErrNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, h)
			MustCreateTenant(t, s, "Cust1")
			var err error
			for _, m := range tt.set {
				if m.TenantID == "" {
					m.TenantID = "Cust1"
				}
				if err = s.SetUserMapping(ctx, m, tenancy.AuditEvent{}); err != nil {
					break
				}
			}
			if tt.del != nil && err == nil {
				m := *tt.del
				m.TenantID = "Cust1"
				err = s.DeleteUserMapping(ctx, m, tenancy.AuditEvent{})
			}
			WantErr(t, err, tt.wantErr)
			for _, l := range tt.lookups {
				got, err := s.UserMapping(ctx, "Cust1", l.associate, l.email)
				if l.want == "" {
					WantErr(t, err, tenancy.ErrNotFound)
				} else if err != nil || got != l.want {
					t.Errorf("UserMapping(%d, %q) = %q, %v; want %q", l.associate, l.email, got, err, l.want)
				}
			}
		})
	}
}

// testUserMappingFoldsASCIIOnly: e-mails are compared case-insensitively for the ASCII
// letters only. The Kelvin sign (U+212A) is not the letter K: Unicode case folding maps
// it to "k", which would let the holder of "\u212Aate@example.com" act as the ERP user of
// "kate@example.com". Setting, looking up and deleting all fold alike.
func testUserMappingFoldsASCIIOnly(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	for _, m := range []tenancy.UserMapping{
		{TenantID: "Cust1", Email: "kate@example.com", ERPUser: "kate"},
		{TenantID: "Cust1", Email: "\u212Aim@example.com", ERPUser: "kelvin-kim"},
		{TenantID: "Cust1", Email: "\u00C5sa@example.com", ERPUser: "asa"},
	} {
		if err := s.SetUserMapping(ctx, m, tenancy.AuditEvent{}); err != nil {
			t.Fatalf("SetUserMapping(%+v): %v", m, err)
		}
	}
	for _, tt := range []struct {
		email, want string
	}{
		{"kate@example.com", "kate"},
		{"KATE@Example.COM", "kate"},
		{"\u212Aate@example.com", ""}, // Kelvin sign: not kate
		{"\u212Aim@example.com", "kelvin-kim"},
		{"kim@example.com", ""}, // nor the other way round
		{"Kim@example.com", ""},
		{"\u00C5sa@example.com", "asa"},
		{"\u00E5sa@example.com", ""}, // non-ASCII letters compare exactly
	} {
		got, err := s.UserMapping(ctx, "Cust1", 0, tt.email)
		if tt.want == "" {
			if !errors.Is(err, tenancy.ErrNotFound) {
				t.Errorf("UserMapping(%q) = %q, %v; want ErrNotFound", tt.email, got, err)
			}
		} else if err != nil || got != tt.want {
			t.Errorf("UserMapping(%q) = %q, %v; want %q", tt.email, got, err, tt.want)
		}
	}
	ms, err := s.ListUserMappings(ctx, "Cust1")
	if err != nil || len(ms) != 3 {
		t.Fatalf("ListUserMappings = %+v, %v; want the three mappings", ms, err)
	}
	// Deleting by the Kelvin-sign address removes that mapping only.
	if err := s.DeleteUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", Email: "\u212Aate@example.com"}, tenancy.AuditEvent{}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("DeleteUserMapping(\\u212Aate@…) = %v, want ErrNotFound", err)
	}
	if got, err := s.UserMapping(ctx, "Cust1", 0, "kate@example.com"); err != nil || got != "kate" {
		t.Errorf("kate after deleting the Kelvin-sign address: %q, %v", got, err)
	}
}

func testListUserMappings(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	MustCreateTenant(t, s, "Cust2")
	MustCreateTenant(t, s, "Cust3")
	for _, m := range []tenancy.UserMapping{
		{TenantID: "Cust1", Email: "Zed@Example.com", ERPUser: "zed"},
		{TenantID: "Cust1", AssociateID: 9, ERPUser: "nine"},
		{TenantID: "Cust1", Email: "ann@example.com", ERPUser: "ann"},
		{TenantID: "Cust1", AssociateID: 3, Email: "bob@example.com", ERPUser: "bob"},
		{TenantID: "Cust2", AssociateID: 1, ERPUser: "other-tenant"},
	} {
		if err := s.SetUserMapping(ctx, m, tenancy.AuditEvent{}); err != nil {
			t.Fatalf("SetUserMapping(%+v): %v", m, err)
		}
	}
	tests := []struct {
		name    string
		tenant  string
		want    []tenancy.UserMapping
		wantErr error
	}{
		{
			name:   "associate ids first, then e-mails, both sorted",
			tenant: "Cust1",
			want: []tenancy.UserMapping{
				{TenantID: "Cust1", AssociateID: 3, Email: "bob@example.com", ERPUser: "bob"},
				{TenantID: "Cust1", AssociateID: 9, ERPUser: "nine"},
				{TenantID: "Cust1", Email: "ann@example.com", ERPUser: "ann"},
				{TenantID: "Cust1", Email: "zed@example.com", ERPUser: "zed"},
			},
		},
		{
			name:   "only the tenant's own",
			tenant: "Cust2",
			want:   []tenancy.UserMapping{{TenantID: "Cust2", AssociateID: 1, ERPUser: "other-tenant"}},
		},
		{name: "no mappings", tenant: "Cust3"},
		{name: "unknown tenant", tenant: "Cust4", wantErr: tenancy.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListUserMappings(ctx, tt.tenant)
			WantErr(t, err, tt.wantErr)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ListUserMappings(%s) =\n%+v\nwant\n%+v", tt.tenant, got, tt.want)
			}
		})
	}
}

// testListUserMappingsAfterDelete checks the list follows replacements and deletions.
func testListUserMappingsAfterDelete(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h)
	MustCreateTenant(t, s, "Cust1")
	for _, m := range []tenancy.UserMapping{
		{TenantID: "Cust1", AssociateID: 7, ERPUser: "old"},
		{TenantID: "Cust1", AssociateID: 7, ERPUser: "new"},
		{TenantID: "Cust1", Email: "a@x.com", ERPUser: "ann"},
	} {
		if err := s.SetUserMapping(ctx, m, tenancy.AuditEvent{}); err != nil {
			t.Fatalf("SetUserMapping(%+v): %v", m, err)
		}
	}
	if err := s.DeleteUserMapping(ctx, tenancy.UserMapping{TenantID: "Cust1", Email: "a@x.com"}, tenancy.AuditEvent{}); err != nil {
		t.Fatalf("DeleteUserMapping: %v", err)
	}
	got, err := s.ListUserMappings(ctx, "Cust1")
	if err != nil {
		t.Fatal(err)
	}
	want := []tenancy.UserMapping{{TenantID: "Cust1", AssociateID: 7, ERPUser: "new"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListUserMappings = %+v, want %+v", got, want)
	}
}
