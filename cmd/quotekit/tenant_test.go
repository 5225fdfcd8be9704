package main

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

func TestTenantAdd(t *testing.T) {
	h := newHarness(t)
	var got tenantJSON
	r := h.json(&got, "tenant", "add", "Cust12345", "--name", "Acme AS", "--env", "live",
		"--app-id", "app-one", "--app-id", "APP-ONE", "--app-id", "app-two",
		"--config", "warehouse=main", "--config", "erp_password=hunter2", "--config", "empty=")
	want := tenantJSON{
		ID: "Cust12345", Name: "Acme AS", Environment: "live", SuperOfficeEnvs: []string{}, Enabled: true,
		AppIDs: []string{"app-one", "app-two"},
		Config: map[string]string{"warehouse": "main", "erp_password": hiddenValue, "empty": ""},
	}
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tenant add --json =\n%+v\nwant\n%+v", got, want)
	}
	if strings.Contains(r.stdout, "hunter2") {
		t.Errorf("a credential-like config value was printed:\n%s", r.stdout)
	}

	// The store has the tenant and its audit event, by the actor from $USER.
	s := h.store()
	tn, err := s.Tenant(t.Context(), "Cust12345")
	if err != nil || tn.Config["erp_password"] != "hunter2" || !tn.Enabled {
		t.Errorf("stored tenant %+v, %v", tn, err)
	}
	evs, err := s.AuditEvents(t.Context(), tenancy.AuditFilter{TenantID: "Cust12345"})
	if err != nil || len(evs) != 1 || evs[0].Kind != "tenant.created" || evs[0].Actor != "cli:tester" {
		t.Errorf("audit events %+v, %v", evs, err)
	}

	t.Run("human output", func(t *testing.T) {
		r := h.ok("tenant", "add", "Cust2", "--name", "Beta", "--env", "test", "--disabled", "--actor", "ops-bob")
		for _, want := range []string{"Tenant       Cust2", "State        disabled", "App IDs      -"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		if !strings.Contains(r.stderr, "Tenant Cust2 added") || !strings.Contains(r.stderr, "accepts no SuperOffice JWT") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		evs, _ := s.AuditEvents(t.Context(), tenancy.AuditFilter{TenantID: "Cust2"})
		if len(evs) != 1 || evs[0].Actor != "ops-bob" {
			t.Errorf("audit events %+v", evs)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		r := h.unchanged(exitConflict, "tenant", "add", "Cust12345", "--name", "Other", "--env", "test")
		if !strings.Contains(r.err.Error(), "Cust12345 already exists") {
			t.Errorf("message %q", r.err)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		msg  string
	}{
		{"no name", []string{"--env", "test"}, "--name and --env are required"},
		{"no env", []string{"--name", "x"}, "--name and --env are required"},
		{"blank name", []string{"--name", "  ", "--env", "test"}, "--name must be"},
		{"bad env", []string{"--name", "x", "--env", "prod"}, "--env must be test or live"},
		{"bad app id", []string{"--name", "x", "--env", "test", "--app-id", "a b"}, "--app-id must be"},
		{"bad config", []string{"--name", "x", "--env", "test", "--config", "novalue"}, "want key=value"},
		{"bad actor", []string{"--name", "x", "--env", "test", "--actor", ""}, "--actor must be"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.unchanged(exitUsage, append([]string{"tenant", "add", "Cust3"}, tt.args...)...)
			if !strings.Contains(r.err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", r.err, tt.msg)
			}
		})
	}
}

// TestTenantAddBadIDWritesNothing: a bad id fails before the database is created.
func TestTenantAddBadIDWritesNothing(t *testing.T) {
	h := newHarness(t)
	r := h.want(exitUsage, "tenant", "add", "12345", "--name", "x", "--env", "test")
	if !strings.Contains(r.err.Error(), "Cust followed by 1 to 10 digits") {
		t.Errorf("message %q", r.err)
	}
	if _, err := os.Stat(h.dbPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("database created: %v", err)
	}
}

func TestTenantList(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust2")
	h.addTenant("Cust10", "--config", "api_key=k")
	var got []tenantJSON
	h.json(&got, "tenant", "list")
	if len(got) != 2 || got[0].ID != "Cust10" || got[1].ID != "Cust2" {
		t.Fatalf("tenant list --json = %+v", got)
	}
	if got[0].Config["api_key"] != hiddenValue {
		t.Errorf("config %v: api_key not hidden", got[0].Config)
	}
	h.json(&got, "tenant", "list", "--reveal-config")
	if got[0].Config["api_key"] != "k" {
		t.Errorf("--reveal-config: %v", got[0].Config)
	}
	r := h.ok("tenant", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID      NAME           ENV   STATE    APP IDS") ||
		!strings.HasPrefix(lines[1], "Cust10  Tenant Cust10  test  enabled  app-Cust10") {
		t.Errorf("tenant list:\n%s", r.stdout)
	}
}

func TestTenantShow(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1", "--config", "warehouse=main")
	secret, _ := h.createSecret("Cust1")
	h.createSecret("Cust1")
	svc := h.service(nil)
	if _, err := authenticate(t, svc, secret); err != nil {
		t.Fatal(err)
	}
	// A refusal: Basic authentication as the tenant with a wrong secret.
	req := bearer("/Authenticate", "")
	req.SetBasicAuth("Cust1", "not-the-secret")
	if _, err := svc.Token(req); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Fatalf("a wrong secret: %v", err)
	}
	h.ok("tenant", "map-user", "Cust1", "--associate-id", "7", "--erp-user", "jdoe")
	h.ok("tenant", "map-user", "Cust1", "--email", "Ann@Example.com", "--erp-user", "ann")

	var got tenantShowJSON
	h.json(&got, "tenant", "show", "Cust1")
	if got.ID != "Cust1" || got.Config["warehouse"] != "main" || got.ActiveSecrets != 2 || got.LiveTokens != 1 {
		t.Errorf("tenant show --json = %+v", got)
	}
	wantMappings := []mappingJSON{{AssociateID: 7, ERPUser: "jdoe"}, {Email: "ann@example.com", ERPUser: "ann"}}
	if !reflect.DeepEqual(got.UserMappings, wantMappings) {
		t.Errorf("user mappings %+v, want %+v", got.UserMappings, wantMappings)
	}
	if len(got.RecentRefusals) != 1 || got.RecentRefusals[0].Kind != "auth.refused" || got.RecentRefusals[0].Reason == "" {
		t.Errorf("recent refusals %+v", got.RecentRefusals)
	}

	r := h.ok("tenant", "show", "Cust1")
	for _, want := range []string{"Tenant       Cust1", "Active secrets      2", "Live access tokens  1",
		"User mappings:", "jdoe", "ann@example.com", "Recent refusals:", got.RecentRefusals[0].Reason} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("tenant show lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, secret) {
		t.Error("tenant show printed a secret")
	}
}

func TestTenantUpdate(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1", "--app-id", "second", "--config", "a=1", "--config", "b=2")
	var got tenantJSON
	h.json(&got, "tenant", "update", "Cust1", "--name", "Renamed", "--add-app-id", "third", "--remove-app-id", "APP-CUST1",
		"--config", "a=10", "--config", "c=3", "--unset-config", "b")
	if got.Name != "Renamed" || !slices.Equal(got.AppIDs, []string{"second", "third"}) ||
		!reflect.DeepEqual(got.Config, map[string]string{"a": "10", "c": "3"}) {
		t.Errorf("tenant update = %+v", got)
	}
	h.json(&got, "tenant", "update", "Cust1", "--app-id", "only")
	if !slices.Equal(got.AppIDs, []string{"only"}) || got.Name != "Renamed" {
		t.Errorf("--app-id did not replace the list: %+v", got)
	}
	evs, _ := h.store().AuditEvents(t.Context(), tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTenantUpdated}})
	if len(evs) != 2 || evs[1].Reason != "name,app_ids,config" || evs[0].Reason != "app_ids" || evs[0].Actor != "cli:tester" {
		t.Errorf("audit events %+v", evs)
	}

	t.Run("environment change warns", func(t *testing.T) {
		h.createSecret("Cust1")
		r := h.ok("tenant", "update", "Cust1", "--env", "live")
		if !strings.Contains(r.stderr, "existing secrets are now refused") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("no change writes nothing", func(t *testing.T) {
		r := h.unchanged(exitOK, "tenant", "update", "Cust1", "--name", "Renamed")
		if !strings.Contains(r.stderr, "unchanged") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		msg  string
	}{
		{"nothing to change", nil, "nothing to change"},
		{"replace and add", []string{"--app-id", "x", "--add-app-id", "y"}, "do not combine"},
		{"bad env", []string{"--env", "staging"}, "--env must be test or live"},
		{"blank name", []string{"--name", ""}, "--name must be"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.unchanged(exitUsage, append([]string{"tenant", "update", "Cust1"}, tt.args...)...)
			if !strings.Contains(r.err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", r.err, tt.msg)
			}
		})
	}
}

func TestTenantDisableEnable(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	h.addTenant("Cust2")
	secret, _ := h.createSecret("Cust1")
	other, _ := h.createSecret("Cust2")
	svc := h.service(nil)
	token, err := authenticate(t, svc, secret)
	if err != nil {
		t.Fatal(err)
	}
	otherToken, err := authenticate(t, svc, other)
	if err != nil {
		t.Fatal(err)
	}
	operate := func(token string) error {
		_, err := svc.Authenticate(bearer("/QuoteConnector/GetCapabilities", token))
		return err
	}
	if err := operate(token); err != nil {
		t.Fatalf("token before disabling: %v", err)
	}

	var got tenantJSON
	h.json(&got, "tenant", "disable", "Cust1", "--reason", "contract ended")
	if got.Enabled || got.TokensValidAfter == nil {
		t.Errorf("tenant disable = %+v", got)
	}
	if err := operate(token); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("token after disabling: %v", err)
	}
	if _, err := authenticate(t, svc, secret); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("secret of a disabled tenant: %v", err)
	}
	if err := operate(otherToken); err != nil {
		t.Errorf("another tenant's token after disabling Cust1: %v", err)
	}
	var toks []tokenJSON
	h.json(&toks, "token", "list", "Cust1")
	if len(toks) != 0 {
		t.Errorf("live tokens of a disabled tenant: %+v", toks)
	}

	r := h.ok("tenant", "enable", "Cust1")
	if !strings.Contains(r.stdout, "State               enabled") || !strings.Contains(r.stderr, "Tenant Cust1 enabled") {
		t.Errorf("tenant enable:\n%s", r)
	}
	if err := operate(token); !errors.Is(err, auth.ErrInvalidCredential) {
		t.Errorf("a token from before the disabling works again: %v", err)
	}
	if _, err := authenticate(t, svc, secret); err != nil {
		t.Errorf("secret after enabling: %v", err)
	}
	evs, _ := h.store().AuditEvents(t.Context(), tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTenantDisabled, tenancy.EventTenantEnabled}})
	if len(evs) != 2 || evs[0].Kind != "tenant.enabled" || evs[1].Reason != "contract ended" || evs[1].Actor != "cli:tester" {
		t.Errorf("audit events %+v", evs)
	}
}

func TestMapUser(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	var m mappingJSON
	h.json(&m, "tenant", "map-user", "Cust1", "--associate-id", "7", "--erp-user", "jdoe")
	if m != (mappingJSON{AssociateID: 7, ERPUser: "jdoe"}) {
		t.Errorf("map-user = %+v", m)
	}
	r := h.ok("tenant", "map-user", "Cust1", "--email", "Ann@Example.com", "--associate-id", "8", "--erp-user", "ann")
	if !strings.Contains(r.stdout, "8             ann@example.com  ann") {
		t.Errorf("map-user:\n%s", r.stdout)
	}
	var show tenantShowJSON
	h.json(&show, "tenant", "show", "Cust1")
	if len(show.UserMappings) != 2 {
		t.Fatalf("mappings %+v", show.UserMappings)
	}
	erp, err := h.store().UserMapping(t.Context(), "Cust1", 0, "ann@example.com")
	if err != nil || erp != "ann" {
		t.Errorf("UserMapping by e-mail = %q, %v", erp, err)
	}

	h.ok("tenant", "unmap-user", "Cust1", "--associate-id", "7")
	h.json(&show, "tenant", "show", "Cust1")
	if len(show.UserMappings) != 1 || show.UserMappings[0].ERPUser != "ann" {
		t.Errorf("after unmap: %+v", show.UserMappings)
	}
	r = h.unchanged(exitNotFound, "tenant", "unmap-user", "Cust1", "--associate-id", "7")
	if !strings.Contains(r.err.Error(), "no user mapping for associate:7") {
		t.Errorf("message %q", r.err)
	}
	for _, args := range [][]string{
		{"--erp-user", "x"},
		{"--associate-id", "7"},
		{"--associate-id", "-1", "--erp-user", "x"},
		{"--associate-id", "4294967296", "--erp-user", "x"},
		{"--email", "not-an-address", "--erp-user", "x"},
	} {
		h.unchanged(exitUsage, append([]string{"tenant", "map-user", "Cust1"}, args...)...)
	}
	h.unchanged(exitUsage, "tenant", "unmap-user", "Cust1")

	evs, _ := h.store().AuditEvents(t.Context(), tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventUserMapped, tenancy.EventUserUnmapped}})
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, string(ev.Kind)+" "+ev.Reason+" "+ev.Actor)
	}
	want := []string{
		"user.unmapped associate:7 cli:tester",
		"user.mapped associate:8,email:ann@example.com erp:ann cli:tester",
		"user.mapped associate:7 erp:jdoe cli:tester",
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("audit events\n%q\nwant\n%q", kinds, want)
	}
}

// TestMapUserFoldsASCIIOnly: the CLI shows and stores an e-mail with its ASCII letters
// lower-cased only; the Kelvin sign (U+212A) stays itself and does not map "kate".
func TestMapUserFoldsASCIIOnly(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	var m mappingJSON
	h.json(&m, "tenant", "map-user", "Cust1", "--email", "\u212AATE@Example.com", "--erp-user", "kelvin")
	if m.Email != "\u212Aate@example.com" {
		t.Errorf("map-user e-mail = %q, want %q", m.Email, "\u212Aate@example.com")
	}
	if erp, err := h.store().UserMapping(t.Context(), "Cust1", 0, "kate@example.com"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("kate@example.com maps to %q, %v; want no mapping", erp, err)
	}
	var out map[string]any
	h.json(&out, "tenant", "unmap-user", "Cust1", "--email", "\u212AATE@example.com")
	if out["email"] != "\u212Aate@example.com" {
		t.Errorf("unmap-user e-mail = %v", out["email"])
	}
}

// TestTenantSuperOfficeEnv: --superoffice-env binds a tenant to named SuperOffice
// environments; tenant show and list show the binding, update replaces or clears it,
// and an environment of the other mode is a usage error that changes nothing.
func TestTenantSuperOfficeEnv(t *testing.T) {
	h := newHarness(t)
	var got tenantJSON
	h.json(&got, "tenant", "add", "Cust1", "--name", "Acme", "--env", "test", "--superoffice-env", "SOD", "--superoffice-env", "sod")
	if !slices.Equal(got.SuperOfficeEnvs, []string{"sod"}) {
		t.Errorf("tenant add: superoffice_envs %q, want [sod]", got.SuperOfficeEnvs)
	}
	if tn, err := h.store().Tenant(t.Context(), "Cust1"); err != nil || !slices.Equal(tn.SuperOfficeEnvs, []string{"sod"}) {
		t.Errorf("stored tenant %+v, %v", tn, err)
	}
	h.addTenant("Cust2")
	var all []tenantJSON
	h.json(&all, "tenant", "list")
	if len(all) != 2 || !slices.Equal(all[0].SuperOfficeEnvs, []string{"sod"}) || all[1].SuperOfficeEnvs == nil || len(all[1].SuperOfficeEnvs) != 0 {
		t.Errorf("tenant list --json: %+v", all)
	}
	r := h.ok("tenant", "list")
	if !strings.Contains(r.stdout, "Cust1  Acme          test (sod)  enabled") || !strings.Contains(r.stdout, "Cust2  Tenant Cust2  test        enabled") {
		t.Errorf("tenant list:\n%s", r.stdout)
	}
	r = h.ok("tenant", "show", "Cust1")
	if !strings.Contains(r.stdout, "SuperOffice  sod\n") {
		t.Errorf("tenant show:\n%s", r.stdout)
	}
	if r := h.ok("tenant", "show", "Cust2"); !strings.Contains(r.stdout, "SuperOffice  any test environment\n") {
		t.Errorf("tenant show, unbound:\n%s", r.stdout)
	}

	h.json(&got, "tenant", "update", "Cust1", "--superoffice-env", "qaonline", "--superoffice-env", "sod")
	if !slices.Equal(got.SuperOfficeEnvs, []string{"qaonline", "sod"}) {
		t.Errorf("update: %q", got.SuperOfficeEnvs)
	}
	h.json(&got, "tenant", "update", "Cust1", "--any-superoffice-env")
	if len(got.SuperOfficeEnvs) != 0 {
		t.Errorf("--any-superoffice-env: %q", got.SuperOfficeEnvs)
	}
	evs, _ := h.store().AuditEvents(t.Context(), tenancy.AuditFilter{TenantID: "Cust1", Kinds: []tenancy.EventKind{tenancy.EventTenantUpdated}})
	if len(evs) != 2 || evs[0].Reason != "superoffice_envs" || evs[1].Reason != "superoffice_envs" {
		t.Errorf("audit events %+v", evs)
	}
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"tenant", "update", "Cust1", "--superoffice-env", "online"}, "online is a SuperOffice live environment"},
		{[]string{"tenant", "update", "Cust1", "--superoffice-env", "sod", "--any-superoffice-env"}, "do not combine"},
		{[]string{"tenant", "update", "Cust1", "--superoffice-env", "so d"}, "--superoffice-env must be"},
		{[]string{"tenant", "add", "Cust3", "--name", "x", "--env", "live", "--superoffice-env", "sod"}, "sod is a SuperOffice test environment"},
	} {
		r := h.unchanged(exitUsage, tt.args...)
		if !strings.Contains(r.err.Error(), tt.msg) {
			t.Errorf("%v: message %q lacks %q", tt.args, r.err, tt.msg)
		}
	}
}
