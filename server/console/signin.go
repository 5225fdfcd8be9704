package console

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

// signInNotices are the messages the sign-in page shows for its why parameter.
var signInNotices = map[string]string{
	"ended":    "Your session ended: the admin key was revoked or lost the console scope.",
	"signout":  "You are signed out.",
	"required": "Sign in to continue.",
}

// signInPage shows the sign-in form.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, http.StatusOK, "signin", &view{Title: "Sign in", Notice: signInNotices[r.URL.Query().Get("why")]})
}

// signIn exchanges an admin key with the console scope for a session. The key is checked
// by the admin API's authenticator (refusals throttled, counted and audited as there);
// it is not kept, logged or echoed.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	if err := c.crossSite.Check(r); err != nil {
		c.fail(w, r, &view{}, failf(http.StatusForbidden, "The request did not come from this console's own pages."))
		return
	}
	key := strings.TrimSpace(r.PostFormValue("key"))
	refuse := func(status int, msg string) {
		c.render(w, status, "signin", &view{Title: "Sign in", Notice: msg})
	}
	if key == "" {
		refuse(http.StatusBadRequest, "Enter an admin API key (qk_ak_…).")
		return
	}
	// The authenticator reads the key where the admin API carries it.
	probe := r.Clone(r.Context())
	probe.Header = http.Header{"Authorization": {"Bearer " + key}}
	probe.Body, probe.Form, probe.PostForm = http.NoBody, nil, nil
	k, err := c.cfg.Auth.AuthenticateAdmin(probe, tenancy.ScopeConsole)
	var limited *auth.RateLimitedError
	switch {
	case errors.As(err, &limited):
		refuse(http.StatusTooManyRequests, "Too many failed attempts from here; wait a minute and try again.")
		return
	case errors.Is(err, auth.ErrForbidden):
		refuse(http.StatusForbidden, "This admin key lacks the console scope.")
		return
	case errors.Is(err, auth.ErrUnavailable):
		refuse(http.StatusServiceUnavailable, "Admin keys cannot be checked now; try again in a moment.")
		return
	case err != nil:
		refuse(http.StatusUnauthorized, "The admin key was refused.")
		return
	}
	id := c.sessions.create(k)
	c.setCookie(w, id)
	remote, _, _ := net.SplitHostPort(r.RemoteAddr)
	c.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "console sign-in",
		slog.String("admin_key", k.Display), slog.String("client", remote))
	http.Redirect(w, r, "/console/tenants", http.StatusSeeOther)
}

// signOut ends the session.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, v *view) error {
	c.sessions.end(v.session)
	c.setCookie(w, "")
	http.Redirect(w, r, "/console/signin?why=signout", http.StatusSeeOther)
	return nil
}
