package console

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/connector/netserver"
	"github.com/quotekit/quotekit/tenancy"
)

// checkTimeout bounds one connection test.
const checkTimeout = 2 * time.Minute

type checkPage struct {
	TenantID  string
	Transport string
	ReadOnly  bool
	Secret    string // the display form of the secret used
	Report    *check.Report
	Counts    map[string]int // by result
}

// connectionTest runs quotekit check's lifecycle against this deployment's public
// listener for the tenant, with the newest active secret whose encrypted copy the
// keyring reads, and shows the check table. A live tenant is always checked read-only.
// The secret's plaintext exists only in this request's memory.
func (c *Console) connectionTest(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	if c.cfg.Keyring == nil || c.cfg.PublicURL == "" {
		return failf(http.StatusConflict, "The connection test is off: this server has no master key or no public URL.")
	}
	if !t.Enabled {
		return failf(http.StatusConflict, "%s is disabled: enable it before testing its connection.", t.ID)
	}
	secrets, err := c.cfg.Store.SecretsOf(r.Context(), t.ID)
	if err != nil {
		return err
	}
	now := c.cfg.Now()
	var plain []byte
	var used tenancy.Secret
	for _, s := range secrets { // newest first
		if !s.Active(now) || len(s.Ciphertext) == 0 || s.Mode != t.Environment {
			continue
		}
		if plain, err = c.cfg.Keyring.Decrypt(t.ID, s.Hash, s.Ciphertext, s.KeyID); err == nil {
			used = s
			break
		}
	}
	if plain == nil {
		return failf(http.StatusConflict, "%s has no active secret with a stored copy this server can read: create one first.", t.ID)
	}
	secret := string(plain)
	clear(plain)

	p := checkPage{TenantID: t.ID, Transport: "rest", Secret: used.Display,
		ReadOnly: r.PostFormValue("read_only") == "on" || t.Environment == connector.EnvironmentLive}
	opts := check.Options{URL: c.cfg.PublicURL, HTTPClient: c.cfg.CheckClient, ReadOnly: p.ReadOnly,
		AllowHTTP: strings.HasPrefix(c.cfg.PublicURL, "http:"), ConfigValues: t.Config,
		Search: strings.TrimSpace(r.PostFormValue("search")), Timeout: 30 * time.Second,
		Credentials: netserver.SharedSecret(secret)}
	if r.PostFormValue("transport") == "soap" {
		if c.cfg.SOAPURL == "" {
			return failf(http.StatusBadRequest, "This server does not serve SOAP.")
		}
		p.Transport = "soap"
		opts.URL, opts.SOAP, opts.Tenant, opts.Secret, opts.Credentials = c.cfg.SOAPURL, true, t.ID, secret, nil
		if len(t.AppIDs) > 0 {
			opts.AppID = t.AppIDs[0]
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
	defer cancel()
	if p.Report, err = check.Run(ctx, opts); err != nil {
		return err
	}
	p.Counts = map[string]int{}
	for _, k := range p.Report.Checks {
		p.Counts[string(k.Result)]++
	}
	c.logChange(r.Context(), v, "connection tested ("+p.Transport+")", t.ID)
	v.Title, v.Nav, v.Data = "Connection test of "+t.ID, "tenants", p
	c.render(w, http.StatusOK, "check", v)
	return nil
}
