package console

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// tenantRow is a line of the tenants list.
type tenantRow struct {
	tenancy.Tenant
	LastCall time.Time // zero: none known
	Failures int       // failed calls and refused credentials in the last hour
}

type tenantsPage struct {
	Query, State, Environment string
	Rows                      []tenantRow
	Total                     int
}

// tenants lists the tenants matching the search: q in the id, name or an AppId
// (case-insensitive), and the state and environment filters.
func (c *Console) tenants(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	q := r.URL.Query()
	p := tenantsPage{Query: strings.TrimSpace(q.Get("q")), State: q.Get("state"), Environment: q.Get("environment")}
	all, err := c.cfg.Store.ListTenants(ctx)
	if err != nil {
		return err
	}
	p.Total = len(all)
	now := c.cfg.Now()
	// Refused credentials of the last hour, per tenant, in one read of the audit log.
	refused := map[string]int{}
	events, err := c.cfg.Store.AuditEvents(ctx, tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuthRefused},
		Since: now.Add(-time.Hour), Limit: 10000})
	if err != nil {
		return err
	}
	for _, ev := range events {
		if ev.TenantID != "" {
			refused[ev.TenantID]++
		}
	}
	needle := strings.ToLower(p.Query)
	for _, t := range all {
		if !matches(t, needle) || p.State == "enabled" && !t.Enabled || p.State == "disabled" && t.Enabled ||
			p.Environment != "" && string(t.Environment) != p.Environment {
			continue
		}
		row := tenantRow{Tenant: t, Failures: refused[t.ID]}
		if c.cfg.Health != nil {
			h := c.cfg.Health.Tenant(t.ID)
			row.LastCall, row.Failures = h.LastCall, row.Failures+h.Failures
		}
		if row.LastCall.IsZero() {
			// Before this process saw a call: the last use of a secret the store recorded.
			secrets, err := c.cfg.Store.SecretsOf(ctx, t.ID)
			if err != nil {
				return err
			}
			for _, s := range secrets {
				if s.LastUsedAt.After(row.LastCall) {
					row.LastCall = s.LastUsedAt
				}
			}
		}
		p.Rows = append(p.Rows, row)
	}
	v.Title, v.Nav, v.Data = "Tenants", "tenants", p
	c.render(w, http.StatusOK, "tenants", v)
	return nil
}

func matches(t tenancy.Tenant, needle string) bool {
	if needle == "" || strings.Contains(strings.ToLower(t.ID), needle) || strings.Contains(strings.ToLower(t.Name), needle) {
		return true
	}
	for _, a := range t.AppIDs {
		if strings.Contains(strings.ToLower(a), needle) {
			return true
		}
	}
	return false
}

// newTenantPage shows the form that adds a tenant.
func (c *Console) newTenantPage(w http.ResponseWriter, _ *http.Request, v *view) error {
	v.Title, v.Nav = "Add a tenant", "tenants"
	c.render(w, http.StatusOK, "tenant_new", v)
	return nil
}

// addTenant adds a tenant, enabled, and shows it.
func (c *Console) addTenant(w http.ResponseWriter, r *http.Request, v *view) error {
	config, err := parseConfig(r.PostFormValue("config"))
	if err != nil {
		return err
	}
	t := tenancy.Tenant{
		ID: strings.TrimSpace(r.PostFormValue("id")), Name: r.PostFormValue("name"),
		Environment: connector.Environment(r.PostFormValue("environment")), Enabled: true,
		AppIDs: splitList(r.PostFormValue("app_ids")), SuperOfficeEnvs: splitList(r.PostFormValue("superoffice_envs")),
		Config: config,
	}
	t, err = c.cfg.Admin.AddTenant(r.Context(), t, v.actor())
	if err != nil {
		return err
	}
	c.logChange(r.Context(), v, "tenant added", t.ID)
	http.Redirect(w, r, "/console/tenants/"+t.ID, http.StatusSeeOther)
	return nil
}

// tenantPage is everything the tenant page shows.
type tenantPage struct {
	Tenant   tenancy.Tenant
	Config   string // key=value lines
	Mappings []tenancy.UserMapping
	Secrets  []secretRow
	Tokens   []tenancy.AccessToken
	CanTest  bool // a secret copy exists and the keyring can read it
	Live     bool
	Overlaps []overlap
}

type secretRow struct {
	tenancy.Secret
	State string // active, expiring, expired, revoked
}

// overlap is a choice of the roll dialog.
type overlap struct {
	Value, Label string
}

// overlaps are the roll dialog's choices of how long the old secret keeps working.
var overlaps = []overlap{{"0s", "Now (the old secret stops at once)"}, {"1h", "1 hour"}, {"24h", "24 hours"}, {"168h", "7 days"}}

// tenant shows one tenant with its settings, mappings, secrets and tokens.
func (c *Console) tenant(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	p := tenantPage{Tenant: t, Config: formatConfig(t.Config), Overlaps: overlaps, Live: t.Environment == connector.EnvironmentLive}
	if p.Mappings, err = c.cfg.Store.ListUserMappings(ctx, t.ID); err != nil {
		return err
	}
	secrets, err := c.cfg.Store.SecretsOf(ctx, t.ID)
	if err != nil {
		return err
	}
	now := c.cfg.Now()
	for _, s := range secrets {
		row := secretRow{Secret: s, State: "active"}
		switch {
		case !s.RevokedAt.IsZero():
			row.State = "revoked"
		case !s.Active(now):
			row.State = "expired"
		case !s.ExpiresAt.IsZero():
			row.State = "active, expiring"
		}
		if s.Active(now) && len(s.Ciphertext) > 0 && c.cfg.Keyring != nil {
			p.CanTest = true
		}
		p.Secrets = append(p.Secrets, row)
	}
	if p.Tokens, err = c.cfg.Store.ListTokens(ctx, t.ID, now); err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = t.ID, "tenants", p
	if r.URL.Query().Get("done") != "" {
		v.Notice = doneNotices[r.URL.Query().Get("done")]
	}
	c.render(w, http.StatusOK, "tenant", v)
	return nil
}

// doneNotices confirm a change on the tenant page it redirects to.
var doneNotices = map[string]string{
	"enabled": "The tenant is enabled.", "disabled": "The tenant is disabled; its access tokens stopped working.",
	"saved": "Saved.", "mapped": "The user is mapped.", "unmapped": "The mapping is removed.",
	"revoked": "The secret is revoked, with every token minted from it.", "logged-out": "The tenant's access tokens are revoked.",
	"unchanged": "Nothing changed.",
}

// loadTenant reads the tenant the path names.
func (c *Console) loadTenant(r *http.Request) (tenancy.Tenant, error) {
	id := r.PathValue("id")
	if !tenancy.TenantPattern.MatchString(id) {
		return tenancy.Tenant{}, failf(http.StatusNotFound, "No tenant %q: a tenant id is Cust followed by 1 to 10 digits.", id)
	}
	t, err := c.cfg.Store.Tenant(r.Context(), id)
	if err != nil {
		if pe := pageErrorOf(err); pe != nil && pe.status == http.StatusNotFound {
			return tenancy.Tenant{}, failf(http.StatusNotFound, "No tenant %s.", id)
		}
		return tenancy.Tenant{}, err
	}
	return t, nil
}

func (c *Console) backTo(w http.ResponseWriter, r *http.Request, id, done string) {
	http.Redirect(w, r, "/console/tenants/"+id+"?done="+done, http.StatusSeeOther)
}

// setState enables or disables the tenant.
func (c *Console) setState(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	enable := r.PostFormValue("enabled") == "true"
	if _, err := c.cfg.Admin.SetTenantEnabled(r.Context(), t.ID, enable, r.PostFormValue("reason"), v.actor()); err != nil {
		return err
	}
	done := "disabled"
	if enable {
		done = "enabled"
	}
	c.logChange(r.Context(), v, "tenant "+done, t.ID)
	c.backTo(w, r, t.ID, done)
	return nil
}

// updateTenant saves the name, AppIds, SuperOffice environments and configuration.
func (c *Console) updateTenant(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	config, err := parseConfig(r.PostFormValue("config"))
	if err != nil {
		return err
	}
	_, changed, err := c.cfg.Admin.UpdateTenant(r.Context(), t.ID, func(t *tenancy.Tenant) {
		t.Name = r.PostFormValue("name")
		t.AppIDs = splitList(r.PostFormValue("app_ids"))
		t.SuperOfficeEnvs = splitList(r.PostFormValue("superoffice_envs"))
		t.Config = config
	}, v.actor())
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		c.backTo(w, r, t.ID, "unchanged")
		return nil
	}
	c.logChange(r.Context(), v, "tenant updated: "+strings.Join(changed, ","), t.ID)
	c.backTo(w, r, t.ID, "saved")
	return nil
}

// mappingFrom reads a user mapping of the tenant from the form.
func mappingFrom(r *http.Request, tenantID string) (tenancy.UserMapping, error) {
	m := tenancy.UserMapping{TenantID: tenantID, Email: strings.TrimSpace(r.PostFormValue("email")), ERPUser: strings.TrimSpace(r.PostFormValue("erp_user"))}
	if s := strings.TrimSpace(r.PostFormValue("associate_id")); s != "" && s != "0" {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil || n < 0 {
			return m, failf(http.StatusBadRequest, "The associate id must be a positive whole number.")
		}
		m.AssociateID = int32(n)
	}
	return m, nil
}

// mapUser adds or replaces a user mapping.
func (c *Console) mapUser(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	m, err := mappingFrom(r, t.ID)
	if err != nil {
		return err
	}
	if _, err := c.cfg.Admin.MapUser(r.Context(), m, v.actor()); err != nil {
		return err
	}
	c.logChange(r.Context(), v, "user mapped", t.ID)
	c.backTo(w, r, t.ID, "mapped")
	return nil
}

// unmapUser removes a user mapping.
func (c *Console) unmapUser(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	m, err := mappingFrom(r, t.ID)
	if err != nil {
		return err
	}
	if err := c.cfg.Admin.UnmapUser(r.Context(), m, v.actor()); err != nil {
		return err
	}
	c.logChange(r.Context(), v, "user unmapped", t.ID)
	c.backTo(w, r, t.ID, "unmapped")
	return nil
}

// revokeTokens revokes every live access token of the tenant.
func (c *Console) revokeTokens(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	if _, err := c.cfg.Admin.RevokeTokens(r.Context(), t.ID, 0, r.PostFormValue("reason"), v.actor()); err != nil {
		return err
	}
	c.logChange(r.Context(), v, "tokens revoked", t.ID)
	c.backTo(w, r, t.ID, "logged-out")
	return nil
}

// splitList splits a comma- or space-separated list, dropping empty items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// parseConfig reads key=value lines; blank lines are skipped.
func parseConfig(s string) (map[string]string, error) {
	m := map[string]string{}
	for n, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, val, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, failf(http.StatusBadRequest, "Configuration line %d is not key=value.", n+1)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// formatConfig writes the configuration as sorted key=value lines.
func formatConfig(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare[string])
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + m[k] + "\n")
	}
	return b.String()
}
