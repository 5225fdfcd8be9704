package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// A new secret's plaintext is shown once. The change is a POST, answered with a redirect
// to a page whose URL names a one-time flash of the session: the first GET shows the
// secret and forgets it, so a reload, the back button or another tab finds it gone. The
// plaintext waits in the session's memory for at most flashTTL, and the page is sent
// with Cache-Control: no-store so the browser keeps no copy either.

// shownSecretPage is the page showing a new secret.
type shownSecretPage struct {
	TenantID  string
	Secret    tenancy.Secret
	Plaintext string // "" once shown
	Rolled    bool
}

// createSecret makes a new secret for the tenant.
func (c *Console) createSecret(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	plain, sec, err := c.cfg.Admin.CreateSecret(r.Context(), t.ID, v.actor())
	if err != nil {
		return err
	}
	c.logChange(r.Context(), v, "secret created "+sec.Display, t.ID)
	c.showOnce(w, r, v, flash{tenantID: t.ID, secret: sec, plaintext: plain})
	return nil
}

// rollSecret replaces a secret, letting the old one work on for the chosen overlap.
func (c *Console) rollSecret(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	sid, err := secretID(r)
	if err != nil {
		return err
	}
	d, ok := overlapOf(r.PostFormValue("overlap"))
	if !ok {
		return failf(http.StatusBadRequest, "Choose how long the old secret keeps working: now, 1 hour, 24 hours or 7 days.")
	}
	plain, sec, err := c.cfg.Admin.RollSecret(r.Context(), t.ID, sid, d, v.actor())
	if err != nil {
		return err
	}
	c.logChange(r.Context(), v, "secret rolled "+sec.Display, t.ID)
	c.showOnce(w, r, v, flash{tenantID: t.ID, secret: sec, plaintext: plain, rolled: true})
	return nil
}

// overlapOf returns the duration of one of the roll dialog's choices.
func overlapOf(s string) (time.Duration, bool) {
	for _, o := range overlaps {
		if o.Value == s {
			d, err := time.ParseDuration(s)
			return d, err == nil
		}
	}
	return 0, false
}

// showOnce keeps the plaintext for the next page only and redirects there.
func (c *Console) showOnce(w http.ResponseWriter, r *http.Request, v *view, f flash) {
	fid := c.sessions.putFlash(v.session, f)
	http.Redirect(w, r, "/console/tenants/"+f.tenantID+"/shown/"+fid, http.StatusSeeOther)
}

// shownSecret shows a new secret the first time, and says it is gone after that.
func (c *Console) shownSecret(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	p := shownSecretPage{TenantID: t.ID}
	if f, ok := c.sessions.takeFlash(v.session, r.PathValue("flash")); ok && f.tenantID == t.ID {
		p.Secret, p.Plaintext, p.Rolled = f.secret, f.plaintext, f.rolled
	}
	v.Title, v.Nav, v.Data = "New secret for "+t.ID, "tenants", p
	c.render(w, http.StatusOK, "secret_shown", v)
	return nil
}

// revokeSecretPage asks to confirm a revocation.
func (c *Console) revokeSecretPage(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	sec, err := c.secretOf(r, t.ID)
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "Revoke a secret of "+t.ID, "tenants", secretRow{Secret: sec}
	c.render(w, http.StatusOK, "secret_revoke", v)
	return nil
}

// revokeSecret revokes the secret once confirmed.
func (c *Console) revokeSecret(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.loadTenant(r)
	if err != nil {
		return err
	}
	sec, err := c.secretOf(r, t.ID)
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return failf(http.StatusBadRequest, "The revocation was not confirmed.")
	}
	if err := c.cfg.Admin.RevokeSecret(r.Context(), t.ID, sec.ID, v.actor()); err != nil {
		return err
	}
	c.logChange(r.Context(), v, "secret revoked "+sec.Display, t.ID)
	c.backTo(w, r, t.ID, "revoked")
	return nil
}

func secretID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err != nil || id <= 0 {
		return 0, failf(http.StatusNotFound, "No such secret.")
	}
	return id, nil
}

// secretOf returns the tenant's secret the path names.
func (c *Console) secretOf(r *http.Request, tenantID string) (tenancy.Secret, error) {
	id, err := secretID(r)
	if err != nil {
		return tenancy.Secret{}, err
	}
	secrets, err := c.cfg.Store.SecretsOf(r.Context(), tenantID)
	if err != nil {
		return tenancy.Secret{}, err
	}
	for _, s := range secrets {
		if s.ID == id {
			return s, nil
		}
	}
	return tenancy.Secret{}, failf(http.StatusNotFound, "No such secret of %s.", tenantID)
}
