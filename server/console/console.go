// Package console is quotekit's operator console: server-rendered pages under /console/
// on the admin listener (never the public one) for the people who run a connector. They
// list and add tenants, disable and enable them, edit their configuration and user
// mappings; create, roll and revoke shared secrets (a new secret is shown once); revoke
// access tokens; read the audit log; watch the last hour's health; and test a tenant's
// connection the way NetServer would.
//
// Sign-in takes an admin API key with the console scope, verified by the same
// authenticator as the admin API, and exchanges it for a session: a random 256-bit id in
// an HttpOnly, SameSite=Strict cookie scoped to /console/ (Secure unless the listener is
// plain HTTP on loopback in development), with an idle and an absolute timeout. Sessions
// live in the process's memory only: a restart signs everyone out. The key is never
// stored in the cookie nor logged; the session keeps its hash and looks the key up on
// every request, so revoking the key ends its sessions at their next request, and a
// change of its scopes applies at once.
//
// Every page and action needs a scope of the key (tenancy.Scope): a read-only key sees
// no buttons, and the server refuses a forged change with 403 anyway. Every change goes
// through tenancy.Service with the key as actor (tenancy.AdminKeyActor), so it lands in
// the audit log as a change through the CLI or the admin API would. Every POST carries
// the session's synchronizer token and must come from the console's own origin
// (Sec-Fetch-Site, Origin). Pages are sent with a strict Content-Security-Policy (no
// inline script, no third-party anything: templates, styles and the one small script are
// embedded), frame-ancestors 'none', Referrer-Policy no-referrer and Cache-Control
// no-store. They work without JavaScript, except the copy button.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/tenancy"
)

// Path is where the console is served; its handler answers every path below it.
const Path = "/console/"

// Defaults of the session timeouts.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the console needs. Auth, Store and Admin are required.
type Config struct {
	// Auth verifies the admin key at sign-in (server/auth's Service, as for the admin API).
	Auth server.AdminAuthenticator
	// Store is read for the pages and to look the session's key up on every request.
	Store tenancy.AdminStore
	// Admin makes every change.
	Admin *tenancy.Service
	// Keyring decrypts a tenant's stored secret copy for the connection test; nil turns
	// the test off.
	Keyring *tenancy.Keyring
	// Health is the public listener's health record; nil shows an empty health page.
	Health *server.Health
	// PublicURL is the base URL of this deployment's public listener, SOAPURL its SOAP
	// endpoint ("" when not served): what the connection test calls.
	PublicURL, SOAPURL string
	// CheckClient makes the connection test's requests (default: a client trusting the
	// system's roots).
	CheckClient *http.Client
	// InsecureCookie leaves Secure off the session cookie, for plain HTTP on loopback in
	// development only.
	InsecureCookie bool
	// IdleTimeout and AbsoluteTimeout end sessions (defaults DefaultIdleTimeout and
	// DefaultAbsoluteTimeout).
	IdleTimeout, AbsoluteTimeout time.Duration
	// Logger gets one line per change and per sign-in (default: discard). It never sees a
	// key, secret or cookie.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Console is the console's handler.
type Console struct {
	cfg       Config
	sessions  *sessions
	pages     map[string]*template.Template
	mux       *http.ServeMux
	crossSite *http.CrossOriginProtection
}

// New returns the console's handler, to be mounted at Path on the admin listener. It
// fails when Auth, Store or Admin is missing or a template does not parse.
func New(cfg Config) (*Console, error) {
	if cfg.Auth == nil || cfg.Store == nil || cfg.Admin == nil {
		return nil, errors.New("console: Auth, Store and Admin are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.CheckClient == nil {
		cfg.CheckClient = &http.Client{}
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	c := &Console{
		cfg: cfg, pages: pages, mux: http.NewServeMux(),
		sessions:  newSessions(cfg.IdleTimeout, cfg.AbsoluteTimeout, cfg.Now),
		crossSite: http.NewCrossOriginProtection(),
	}
	c.routes()
	return c, nil
}

// parseTemplates parses each page with the layout.
func parseTemplates() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// contentSecurityPolicy allows nothing but the console's own scripts, styles and images,
// forms posting to itself, and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ServeHTTP answers every request below Path with the security headers set.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

// handler is a page or action of a signed-in key; an error it returns is rendered as an
// error page (pageError) or, for anything else, logged and answered 500.
type handler func(w http.ResponseWriter, r *http.Request, v *view) error

// pageError is an answer other than success, with a message for people.
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return e.msg }

func failf(status int, format string, a ...any) error {
	return &pageError{status, fmt.Sprintf(format, a...)}
}

func (c *Console) routes() {
	m := c.mux
	m.Handle("GET /console/static/", http.StripPrefix("/console/", http.FileServerFS(staticFS)))
	m.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/tenants", http.StatusSeeOther)
	})
	m.HandleFunc("GET /console/signin", c.signInPage)
	m.HandleFunc("POST /console/signin", c.signIn)
	m.Handle("POST /console/signout", c.page(tenancy.ScopeConsole, c.signOut))

	m.Handle("GET /console/tenants", c.page(tenancy.ScopeTenantsRead, c.tenants))
	m.Handle("GET /console/tenants/new", c.page(tenancy.ScopeTenantsWrite, c.newTenantPage))
	m.Handle("POST /console/tenants", c.page(tenancy.ScopeTenantsWrite, c.addTenant))
	m.Handle("GET /console/tenants/{id}", c.page(tenancy.ScopeTenantsRead, c.tenant))
	m.Handle("POST /console/tenants/{id}/state", c.page(tenancy.ScopeTenantsWrite, c.setState))
	m.Handle("POST /console/tenants/{id}/settings", c.page(tenancy.ScopeTenantsWrite, c.updateTenant))
	m.Handle("POST /console/tenants/{id}/mappings", c.page(tenancy.ScopeTenantsWrite, c.mapUser))
	m.Handle("POST /console/tenants/{id}/mappings/delete", c.page(tenancy.ScopeTenantsWrite, c.unmapUser))
	m.Handle("POST /console/tenants/{id}/secrets", c.page(tenancy.ScopeSecretsWrite, c.createSecret))
	m.Handle("GET /console/tenants/{id}/shown/{flash}", c.page(tenancy.ScopeSecretsWrite, c.shownSecret))
	m.Handle("POST /console/tenants/{id}/secrets/{sid}/roll", c.page(tenancy.ScopeSecretsWrite, c.rollSecret))
	m.Handle("GET /console/tenants/{id}/secrets/{sid}/revoke", c.page(tenancy.ScopeSecretsWrite, c.revokeSecretPage))
	m.Handle("POST /console/tenants/{id}/secrets/{sid}/revoke", c.page(tenancy.ScopeSecretsWrite, c.revokeSecret))
	m.Handle("POST /console/tenants/{id}/tokens/revoke", c.page(tenancy.ScopeTokensWrite, c.revokeTokens))
	m.Handle("POST /console/tenants/{id}/check", c.page(tenancy.ScopeSupport, c.connectionTest))
	m.Handle("GET /console/audit", c.page(tenancy.ScopeAuditRead, c.audit))
	m.Handle("GET /console/health", c.page(tenancy.ScopeConsole, c.health))
	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, http.StatusNotFound, "error", &view{Title: "Not found", Data: "There is no such page."})
	})
}

// view is what every page template gets.
type view struct {
	Title  string
	Nav    string // the navigation entry to mark as current
	Key    tenancy.AdminKey
	CSRF   string
	Notice string // a one-line message above the page
	Data   any

	session string // the session id, for flashes
}

// Can reports whether the signed-in key has scope, for showing a button or a form.
func (v *view) Can(scope string) bool { return v.Key.Has(tenancy.Scope(scope)) }

// SignedIn reports whether a key is signed in.
func (v *view) SignedIn() bool { return v.Key.ID != 0 }

// page wraps h: it needs a live session whose key is still valid and has ScopeConsole and
// scope, and on POST the session's token and a same-origin request.
func (c *Console) page(scope tenancy.Scope, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(cookieName)
		var sess session
		ok := err == nil && ck.Value != ""
		if ok {
			sess, ok = c.sessions.get(ck.Value)
		}
		if !ok {
			c.toSignIn(w, r, "required")
			return
		}
		key, err := c.cfg.Store.AdminKeyByHash(r.Context(), sess.keyHash)
		switch {
		case errors.Is(err, tenancy.ErrNotFound) || err == nil && (key.ID != sess.keyID || !key.RevokedAt.IsZero() || !key.Has(tenancy.ScopeConsole)):
			c.sessions.endKey(sess.keyID)
			c.setCookie(w, "")
			c.toSignIn(w, r, "ended")
			return
		case err != nil:
			c.fail(w, r, &view{}, err)
			return
		}
		v := &view{Key: key, CSRF: sess.csrf, session: ck.Value}
		if r.Method == http.MethodPost {
			if err := c.crossSite.Check(r); err != nil {
				c.fail(w, r, v, failf(http.StatusForbidden, "The request did not come from this console's own pages."))
				return
			}
			if !sameToken(r.PostFormValue("csrf"), sess.csrf) {
				c.fail(w, r, v, failf(http.StatusForbidden, "The form is out of date or did not come from this console: reload the page and try again."))
				return
			}
		}
		if !key.Has(scope) {
			c.fail(w, r, v, failf(http.StatusForbidden, "Your admin key lacks the %s scope this needs.", scope))
			return
		}
		if err := h(w, r, v); err != nil {
			c.fail(w, r, v, err)
		}
	})
}

// toSignIn sends a request without a usable session to the sign-in page.
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request, why string) {
	target := "/console/signin"
	if why != "" {
		target += "?why=" + why
	}
	if r.Method != http.MethodGet {
		c.render(w, http.StatusUnauthorized, "error", &view{Title: "Signed out",
			Data: "You are not signed in, or your session ended. Sign in again at /console/signin."})
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// fail answers err as an error page.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	var pe *pageError
	if !errors.As(err, &pe) {
		pe = pageErrorOf(err)
	}
	if pe == nil {
		c.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "console request failed",
			slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		pe = &pageError{http.StatusInternalServerError, "Something went wrong; the server log has the details."}
	}
	v.Title, v.Data = http.StatusText(pe.status), pe.msg
	c.render(w, pe.status, "error", v)
}

// pageErrorOf maps the tenancy errors to answers, or nil for an unexpected error.
func pageErrorOf(err error) *pageError {
	var inv *tenancy.InvalidError
	switch {
	case errors.As(err, &inv):
		return &pageError{http.StatusBadRequest, "Not saved: " + inv.Error() + "."}
	case errors.Is(err, tenancy.ErrNotFound):
		return &pageError{http.StatusNotFound, "Not found."}
	case errors.Is(err, tenancy.ErrLimit):
		return &pageError{http.StatusConflict, "The tenant has the most active secrets allowed: revoke or roll one first."}
	case errors.Is(err, tenancy.ErrBadOverlap):
		return &pageError{http.StatusBadRequest, tenancy.ErrBadOverlap.Error() + "."}
	case errors.Is(err, tenancy.ErrConflict):
		return &pageError{http.StatusConflict, "The change conflicts with the current state (it exists already, or the secret is revoked or expired)."}
	case errors.Is(err, tenancy.ErrUnavailable):
		return &pageError{http.StatusServiceUnavailable, "The store is unavailable; try again in a moment."}
	}
	return nil
}

// render writes page with v, never cached.
func (c *Console) render(w http.ResponseWriter, status int, page string, v *view) {
	t, ok := c.pages[page]
	if !ok {
		http.Error(w, "no such page template", http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		c.cfg.Logger.Error("console template failed", slog.String("page", page), slog.String("error", err.Error()))
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// actor names the signed-in key in the audit log.
func (v *view) actor() string { return tenancy.AdminKeyActor(v.Key.ID) }

// logChange logs a change made through the console.
func (c *Console) logChange(ctx context.Context, v *view, what, tenantID string) {
	c.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "console change", slog.String("change", what),
		slog.String("tenant", tenantID), slog.String("admin_key", v.Key.Display))
}
