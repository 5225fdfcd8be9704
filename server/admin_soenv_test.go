package server_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/quotekit/quotekit/tenancy"
)

// TestAdminTenantSuperOfficeEnvs: the admin API adds, shows, replaces and clears the
// SuperOffice environments a tenant is bound to, and refuses one of the other mode.
func TestAdminTenantSuperOfficeEnvs(t *testing.T) {
	e := newAdminEnv(t)
	write, read := e.keys[tenancy.ScopeTenantsWrite], e.keys[tenancy.ScopeTenantsRead]
	envsOf := func(body []byte) []string {
		t.Helper()
		var v struct {
			Envs *[]string `json:"superoffice_envs"`
		}
		if err := json.Unmarshal(body, &v); err != nil || v.Envs == nil {
			t.Fatalf("no superoffice_envs in %s (%v)", body, err)
		}
		return *v.Envs
	}
	for _, s := range []struct {
		method, path, body, key string
		status                  int
		want                    []string
	}{
		{"POST", "/tenants", `{"id":"Cust42","name":"Nord AS","environment":"test","superoffice_envs":["SOD"]}`, write, 201, []string{"sod"}},
		{"GET", "/tenants/Cust42", "", read, 200, []string{"sod"}},
		{"PATCH", "/tenants/Cust42", `{"name":"Nord"}`, write, 200, []string{"sod"}},
		{"PATCH", "/tenants/Cust42", `{"superoffice_envs":["qaonline","sod"]}`, write, 200, []string{"qaonline", "sod"}},
		{"PATCH", "/tenants/Cust42", `{"superoffice_envs":["online"]}`, write, 400, nil},
		{"PATCH", "/tenants/Cust42", `{"superoffice_envs":[]}`, write, 200, []string{}},
		{"POST", "/tenants", `{"id":"Cust43","name":"Syd AS","environment":"test"}`, write, 201, []string{}},
	} {
		status, _, body := e.call(t, s.method, s.path, s.body, "Authorization", "Bearer "+s.key)
		if status != s.status {
			t.Fatalf("%s %s %s: %d, want %d: %s", s.method, s.path, s.body, status, s.status, body)
		}
		if s.want != nil {
			if got := envsOf(body); !slices.Equal(got, s.want) {
				t.Errorf("%s %s %s: superoffice_envs %q, want %q", s.method, s.path, s.body, got, s.want)
			}
		}
	}
	tn, err := e.store.Tenant(t.Context(), "Cust42")
	if err != nil || tn.SuperOfficeEnvs != nil {
		t.Errorf("stored tenant %+v, %v; want no SuperOffice environments", tn, err)
	}
}
