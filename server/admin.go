package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

// AdminAuthenticator checks admin API keys and issues support tokens (server/auth's Service).
type AdminAuthenticator interface {
	// AuthenticateAdmin returns the admin key of the request if it carries scope need.
	AuthenticateAdmin(r *http.Request, need tenancy.Scope) (tenancy.AdminKey, error)
	// SupportToken issues a short-lived access token acting for a tenant, recording the key.
	SupportToken(ctx context.Context, key tenancy.AdminKey, tenantID string, ttl time.Duration, remoteAddr string) (*model.AccessTokenResponse, error)
}

// NewAdmin returns the handler of the admin API under /admin/v1: tenants, user mappings,
// shared secrets, tokens, the audit log and support access, for operations people and
// their tools. It is meant for its own listener (app's --admin-addr), away from the
// address SuperOffice calls, and is protected by scoped admin API keys — never by tenant
// credentials. It reads the store and makes every change through the tenancy Service,
// as the quotekit CLI does.
func NewAdmin(keys AdminAuthenticator, store tenancy.AdminStore, admin *tenancy.Service, opts ...Option) http.Handler {
	cfg := config{logger: slog.New(slog.DiscardHandler), bodyLimit: TokenBodyLimit}
	for _, o := range opts {
		o(&cfg)
	}
	e := newEcho(cfg)

	a := &adminAPI{keys: keys, store: store, admin: admin}
	g := e.Group("/admin/v1")
	route := func(method, path string, scope tenancy.Scope, h func(echo.Context, tenancy.AdminKey) error) {
		g.Add(method, path, func(c echo.Context) error {
			key, err := keys.AuthenticateAdmin(c.Request(), scope)
			if err != nil {
				return err
			}
			return h(c, key)
		})
	}
	route(http.MethodGet, "/tenants", tenancy.ScopeTenantsRead, a.listTenants)
	route(http.MethodPost, "/tenants", tenancy.ScopeTenantsWrite, a.addTenant)
	route(http.MethodGet, "/tenants/:id", tenancy.ScopeTenantsRead, a.showTenant)
	route(http.MethodPatch, "/tenants/:id", tenancy.ScopeTenantsWrite, a.updateTenant)
	route(http.MethodPost, "/tenants/:id/disable", tenancy.ScopeTenantsWrite, a.setEnabled(false))
	route(http.MethodPost, "/tenants/:id/enable", tenancy.ScopeTenantsWrite, a.setEnabled(true))
	route(http.MethodPut, "/tenants/:id/users", tenancy.ScopeTenantsWrite, a.mapUser)
	route(http.MethodDelete, "/tenants/:id/users", tenancy.ScopeTenantsWrite, a.unmapUser)
	route(http.MethodGet, "/tenants/:id/secrets", tenancy.ScopeTenantsRead, a.listSecrets)
	route(http.MethodPost, "/tenants/:id/secrets", tenancy.ScopeSecretsWrite, a.createSecret)
	route(http.MethodPost, "/tenants/:id/secrets/:sid/roll", tenancy.ScopeSecretsWrite, a.rollSecret)
	route(http.MethodPost, "/tenants/:id/secrets/:sid/revoke", tenancy.ScopeSecretsWrite, a.revokeSecret)
	route(http.MethodGet, "/tenants/:id/tokens", tenancy.ScopeTenantsRead, a.listTokens)
	route(http.MethodPost, "/tenants/:id/tokens/revoke", tenancy.ScopeTokensWrite, a.revokeTokens)
	route(http.MethodGet, "/tenants/:id/audit", tenancy.ScopeAuditRead, a.audit)
	route(http.MethodPost, "/tenants/:id/support-token", tenancy.ScopeSupport, a.supportToken)
	return e
}

type adminAPI struct {
	keys  AdminAuthenticator
	store tenancy.AdminStore
	admin *tenancy.Service
}

// adminError is an admin API answer other than 2xx. Unlike the NetServer-facing routes,
// the admin API answers 404 for an unknown tenant and 409 for a conflict: no NetServer
// reads it.
type adminError struct {
	status int
	slug   string
	detail string
}

func (e *adminError) Error() string { return e.detail }

func badRequest(format string, a ...any) error {
	return &adminError{http.StatusBadRequest, "invalid-input", fmt.Sprintf(format, a...)}
}

// storeError turns the store's and auth's errors into admin answers.
func storeError(err error, what string) error {
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		return &adminError{http.StatusNotFound, "not-found", what + " not found"}
	case errors.Is(err, tenancy.ErrConflict):
		return &adminError{http.StatusConflict, "conflict", what + " is in a state that does not allow this"}
	case errors.Is(err, tenancy.ErrLimit):
		return &adminError{http.StatusConflict, "limit", "the tenant has the most active secrets allowed: revoke or roll one"}
	case errors.Is(err, tenancy.ErrBadOverlap):
		return badRequest("%v", tenancy.ErrBadOverlap)
	case errors.Is(err, tenancy.ErrInvalid):
		return badRequest("%v", err)
	}
	return err
}

func actor(key tenancy.AdminKey) string { return tenancy.AdminKeyActor(key.ID) }

// tenantParam reads and checks the :id of the path.
func tenantParam(c echo.Context) (string, error) {
	id := c.Param("id")
	if !tenancy.TenantPattern.MatchString(id) {
		return "", badRequest("a tenant id is Cust followed by 1 to 10 digits")
	}
	return id, nil
}

// knownTenant reads the :id of the path and checks that it names a tenant.
func (a *adminAPI) knownTenant(c echo.Context) (string, error) {
	id, err := tenantParam(c)
	if err != nil {
		return "", err
	}
	if _, err := a.store.Tenant(c.Request().Context(), id); err != nil {
		return "", storeError(err, "tenant "+id)
	}
	return id, nil
}

// readOptionalJSON is readJSON for a body that may be left out, whatever its framing
// (Content-Length or chunked).
func (a *adminAPI) readOptionalJSON(c echo.Context, v any) error {
	body := bufferedBody(c.Request())
	if _, err := body.Peek(); errors.Is(err, io.EOF) {
		return nil
	} else if err != nil {
		return err
	}
	c.Request().Body = io.NopCloser(body)
	return a.readJSON(c, v)
}

// readJSON decodes the request body into v: JSON only, one value, known members only.
func (a *adminAPI) readJSON(c echo.Context, v any) error {
	r := c.Request()
	if !isJSON(r.Header.Get(echo.HeaderContentType)) {
		return errMediaType
	}
	dec := json.NewDecoder(r.Body) // bounded by the body limit middleware (413)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tooLarge(err) {
			return err
		}
		return badRequest("the request body is not the JSON this route takes")
	}
	// Reading to the end also surfaces a body limit the last read crossed: the decoder
	// returns a complete value before it reports that read's error.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if tooLarge(err) {
			return err
		}
		return &malformedError{"the request body holds more than one JSON value"}
	}
	return nil
}

// --- tenants -----------------------------------------------------------------------------

// tenantView is a tenant as the admin API shows it.
type tenantView struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Environment      string            `json:"environment"`
	AppIDs           []string          `json:"app_ids"`
	Enabled          bool              `json:"enabled"`
	Config           map[string]string `json:"config"`
	TokensValidAfter *time.Time        `json:"tokens_valid_after,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

func viewTenant(t tenancy.Tenant) tenantView {
	v := tenantView{ID: t.ID, Name: t.Name, Environment: string(t.Environment), AppIDs: t.AppIDs,
		Enabled: t.Enabled, Config: t.Config, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	if v.AppIDs == nil {
		v.AppIDs = []string{}
	}
	if !t.TokensValidAfter.IsZero() {
		tva := t.TokensValidAfter
		v.TokensValidAfter = &tva
	}
	return v
}

func (a *adminAPI) listTenants(c echo.Context, _ tenancy.AdminKey) error {
	ts, err := a.store.ListTenants(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]tenantView, 0, len(ts))
	for _, t := range ts {
		out = append(out, viewTenant(t))
	}
	return c.JSON(http.StatusOK, out)
}

type tenantInput struct {
	ID          string            `json:"id"`
	Name        *string           `json:"name"`
	Environment *string           `json:"environment"`
	AppIDs      *[]string         `json:"app_ids"`
	Config      map[string]string `json:"config"`
}

func environment(s string) (connector.Environment, error) {
	switch e := connector.Environment(s); e {
	case connector.EnvironmentTest, connector.EnvironmentLive:
		return e, nil
	}
	return "", badRequest("environment is test or live")
}

func (a *adminAPI) addTenant(c echo.Context, key tenancy.AdminKey) error {
	var in tenantInput
	if err := a.readJSON(c, &in); err != nil {
		return err
	}
	if !tenancy.TenantPattern.MatchString(in.ID) {
		return badRequest("a tenant id is Cust followed by 1 to 10 digits")
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" || in.Environment == nil {
		return badRequest("name and environment are required")
	}
	env, err := environment(*in.Environment)
	if err != nil {
		return err
	}
	t := tenancy.Tenant{ID: in.ID, Name: *in.Name, Environment: env, Enabled: true, Config: in.Config}
	if in.AppIDs != nil {
		t.AppIDs = *in.AppIDs
	}
	ctx := c.Request().Context()
	stored, err := a.admin.AddTenant(ctx, t, actor(key))
	if err != nil {
		return storeError(err, "tenant "+t.ID)
	}
	return c.JSON(http.StatusCreated, viewTenant(stored))
}

func (a *adminAPI) showTenant(c echo.Context, _ tenancy.AdminKey) error {
	id, err := tenantParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := a.store.Tenant(ctx, id)
	if err != nil {
		return storeError(err, "tenant "+id)
	}
	mappings, err := a.store.ListUserMappings(ctx, id)
	if err != nil {
		return storeError(err, "tenant "+id)
	}
	users := make([]userMapping, 0, len(mappings))
	for _, m := range mappings {
		users = append(users, userMapping{AssociateID: m.AssociateID, Email: m.Email, ERPUser: m.ERPUser})
	}
	return c.JSON(http.StatusOK, struct {
		tenantView
		Users []userMapping `json:"users"`
	}{viewTenant(t), users})
}

func (a *adminAPI) updateTenant(c echo.Context, key tenancy.AdminKey) error {
	id, err := tenantParam(c)
	if err != nil {
		return err
	}
	var in tenantInput
	if err := a.readJSON(c, &in); err != nil {
		return err
	}
	if in.ID != "" && in.ID != id {
		return badRequest("a tenant's id cannot change")
	}
	var env connector.Environment
	if in.Environment != nil {
		if env, err = environment(*in.Environment); err != nil {
			return err
		}
	}
	t, _, err := a.admin.UpdateTenant(c.Request().Context(), id, func(t *tenancy.Tenant) {
		if in.Name != nil {
			t.Name = *in.Name
		}
		if in.Environment != nil {
			t.Environment = env
		}
		if in.AppIDs != nil {
			t.AppIDs = *in.AppIDs
		}
		if in.Config != nil {
			t.Config = in.Config
		}
	}, actor(key))
	if err != nil {
		return storeError(err, "tenant "+id)
	}
	return c.JSON(http.StatusOK, viewTenant(t))
}

func (a *adminAPI) setEnabled(enabled bool) func(echo.Context, tenancy.AdminKey) error {
	return func(c echo.Context, key tenancy.AdminKey) error {
		id, err := tenantParam(c)
		if err != nil {
			return err
		}
		t, err := a.admin.SetTenantEnabled(c.Request().Context(), id, enabled, "", actor(key))
		if err != nil {
			return storeError(err, "tenant "+id)
		}
		return c.JSON(http.StatusOK, viewTenant(t))
	}
}

type userMapping struct {
	AssociateID int32  `json:"associate_id,omitempty"`
	Email       string `json:"email,omitempty"`
	ERPUser     string `json:"erp_user"`
}

func (a *adminAPI) mapUser(c echo.Context, key tenancy.AdminKey) error {
	id, err := a.knownTenant(c)
	if err != nil {
		return err
	}
	var in userMapping
	if err := a.readJSON(c, &in); err != nil {
		return err
	}
	if (in.AssociateID == 0 && in.Email == "") || in.ERPUser == "" {
		return badRequest("give associate_id or email, and erp_user")
	}
	if _, err := a.admin.MapUser(c.Request().Context(), tenancy.UserMapping{TenantID: id, AssociateID: in.AssociateID, Email: in.Email, ERPUser: in.ERPUser}, actor(key)); err != nil {
		return storeError(err, "tenant "+id)
	}
	return c.JSON(http.StatusOK, in)
}

func (a *adminAPI) unmapUser(c echo.Context, key tenancy.AdminKey) error {
	id, err := tenantParam(c)
	if err != nil {
		return err
	}
	var in struct {
		AssociateID int32  `json:"associate_id"`
		Email       string `json:"email"`
	}
	if err := a.readJSON(c, &in); err != nil {
		return err
	}
	if in.AssociateID == 0 && in.Email == "" {
		return badRequest("give associate_id or email")
	}
	if err := a.admin.UnmapUser(c.Request().Context(), tenancy.UserMapping{TenantID: id, AssociateID: in.AssociateID, Email: in.Email}, actor(key)); err != nil {
		return storeError(err, "the mapping")
	}
	return c.NoContent(http.StatusNoContent)
}

// --- secrets and tokens -----------------------------------------------------------------

type secretView struct {
	ID         int64      `json:"id"`
	Display    string     `json:"display"`
	Last4      string     `json:"last4"`
	Mode       string     `json:"mode"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RolledFrom int64      `json:"rolled_from,omitempty"`
	Secret     string     `json:"secret,omitempty"` // only in the answer that creates it
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func viewSecret(s tenancy.Secret) secretView {
	return secretView{ID: s.ID, Display: s.Display, Last4: s.Last4, Mode: string(s.Mode), CreatedAt: s.CreatedAt,
		ExpiresAt: timePtr(s.ExpiresAt), RevokedAt: timePtr(s.RevokedAt), LastUsedAt: timePtr(s.LastUsedAt), RolledFrom: s.RolledFrom}
}

// noStore marks an answer that carries a credential.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Pragma", "no-cache")
}

func (a *adminAPI) listSecrets(c echo.Context, _ tenancy.AdminKey) error {
	id, err := a.knownTenant(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	secrets, err := a.store.SecretsOf(ctx, id)
	if err != nil {
		return err
	}
	out := make([]secretView, 0, len(secrets))
	for _, s := range secrets {
		out = append(out, viewSecret(s))
	}
	return c.JSON(http.StatusOK, out)
}

func (a *adminAPI) createSecret(c echo.Context, key tenancy.AdminKey) error {
	id, err := tenantParam(c)
	if err != nil {
		return err
	}
	plain, sec, err := a.admin.CreateSecret(c.Request().Context(), id, actor(key))
	if err != nil {
		return storeError(err, "tenant "+id)
	}
	v := viewSecret(sec)
	v.Secret = plain
	noStore(c)
	return c.JSON(http.StatusCreated, v)
}

func secretParam(c echo.Context) (int64, error) {
	n, err := strconv.ParseInt(c.Param("sid"), 10, 64)
	if err != nil || n <= 0 {
		return 0, badRequest("a secret is named by its numeric id")
	}
	return n, nil
}

func (a *adminAPI) rollSecret(c echo.Context, key tenancy.AdminKey) error {
	id, err := tenantParam(c)
	if err != nil {
		return err
	}
	sid, err := secretParam(c)
	if err != nil {
		return err
	}
	var in struct {
		ExpireOldInSeconds *int64 `json:"expire_old_in_seconds"`
	}
	if err := a.readJSON(c, &in); err != nil {
		return err
	}
	if in.ExpireOldInSeconds == nil {
		return badRequest("expire_old_in_seconds is required: 0 ends the old secret now")
	}
	plain, sec, err := a.admin.RollSecret(c.Request().Context(), id, sid, time.Duration(*in.ExpireOldInSeconds)*time.Second, actor(key))
	if err != nil {
		return storeError(err, fmt.Sprintf("secret %d of %s", sid, id))
	}
	v := viewSecret(sec)
	v.Secret = plain
	noStore(c)
	return c.JSON(http.StatusCreated, v)
}

func (a *adminAPI) revokeSecret(c echo.Context, key tenancy.AdminKey) error {
	id, err := tenantParam(c)
	if err != nil {
		return err
	}
	sid, err := secretParam(c)
	if err != nil {
		return err
	}
	if err := a.admin.RevokeSecret(c.Request().Context(), id, sid, actor(key)); err != nil {
		return storeError(err, fmt.Sprintf("secret %d of %s", sid, id))
	}
	return c.NoContent(http.StatusNoContent)
}

type tokenView struct {
	ID          int64     `json:"id"`
	AssociateID int32     `json:"associate_id,omitempty"`
	Email       string    `json:"email,omitempty"`
	Method      string    `json:"method"`
	SecretID    int64     `json:"secret_id,omitempty"`
	Actor       string    `json:"actor,omitempty"`
	IssuedAt    time.Time `json:"issued_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func (a *adminAPI) listTokens(c echo.Context, _ tenancy.AdminKey) error {
	id, err := a.knownTenant(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tokens, err := a.store.ListTokens(ctx, id, time.Now())
	if err != nil {
		return err
	}
	out := make([]tokenView, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, tokenView{ID: t.ID, AssociateID: t.User.AssociateID, Email: t.User.Email, Method: string(t.Method),
			SecretID: t.SecretID, Actor: t.Actor, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt})
	}
	return c.JSON(http.StatusOK, out)
}

func (a *adminAPI) revokeTokens(c echo.Context, key tenancy.AdminKey) error {
	id, err := a.knownTenant(c)
	if err != nil {
		return err
	}
	var in struct {
		AssociateID int32 `json:"associate_id"`
	}
	if err := a.readOptionalJSON(c, &in); err != nil {
		return err
	}
	n, err := a.admin.RevokeTokens(c.Request().Context(), id, in.AssociateID, "", actor(key))
	if err != nil {
		return storeError(err, "tenant "+id)
	}
	return c.JSON(http.StatusOK, map[string]int{"revoked": n})
}

// --- audit and support --------------------------------------------------------------------

type auditView struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	Reason     string    `json:"reason,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	Credential string    `json:"credential,omitempty"`
	RemoteAddr string    `json:"remote_addr,omitempty"`
}

func (a *adminAPI) audit(c echo.Context, _ tenancy.AdminKey) error {
	id, err := tenantParam(c)
	if err != nil {
		return err
	}
	f := tenancy.AuditFilter{TenantID: id}
	for _, k := range c.QueryParams()["kind"] {
		f.Kinds = append(f.Kinds, tenancy.EventKind(k))
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := c.QueryParam(name); v != "" {
			if *dst, err = time.Parse(time.RFC3339, v); err != nil {
				return badRequest("%s is an RFC 3339 time", name)
			}
		}
	}
	if v := c.QueryParam("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 10000 {
			return badRequest("limit is a number from 1 to 10000")
		}
	}
	events, err := a.store.AuditEvents(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]auditView, 0, len(events))
	for _, ev := range events {
		out = append(out, auditView{At: ev.At, Kind: string(ev.Kind), Reason: ev.Reason, Actor: ev.Actor, Credential: ev.Credential, RemoteAddr: ev.RemoteAddr})
	}
	return c.JSON(http.StatusOK, out)
}

func (a *adminAPI) supportToken(c echo.Context, key tenancy.AdminKey) error {
	id, err := tenantParam(c)
	if err != nil {
		return err
	}
	var in struct {
		TTLSeconds int64 `json:"ttl_seconds"`
	}
	if err := a.readOptionalJSON(c, &in); err != nil {
		return err
	}
	// The peer address, for the audit: echo's RealIP would believe X-Forwarded-For from anyone.
	remote, _, _ := net.SplitHostPort(c.Request().RemoteAddr)
	tok, err := a.keys.SupportToken(c.Request().Context(), key, id, time.Duration(in.TTLSeconds)*time.Second, remote)
	if err != nil {
		if errors.Is(err, auth.ErrBadTTL) {
			return badRequest("ttl_seconds is at most %d", int(auth.MaxSupportTTL.Seconds()))
		}
		return storeError(err, "tenant "+id)
	}
	noStore(c)
	return c.JSON(http.StatusCreated, tok)
}
