package sqlite

import (
	"context"
	"reflect"
	"testing"

	"github.com/quotekit/quotekit/tenancy"
)

func TestListUserMappings(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	mustCreateTenant(t, s, "Cust2")
	mustCreateTenant(t, s, "Cust3")
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
			wantErr(t, err, tt.wantErr)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ListUserMappings(%s) =\n%+v\nwant\n%+v", tt.tenant, got, tt.want)
			}
		})
	}
}

// TestListUserMappingsAfterDelete checks the list follows replacements and deletions.
func TestListUserMappingsAfterDelete(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
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
