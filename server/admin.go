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
	"reflect"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/internal/adminapi"
	"github.com/quotekit/quotekit/tenancy"
)

// AdminAuthenticator checks admin API keys and issues support tokens (server/auth's Service).
type AdminAuthenticator interface {
	// AuthenticateAdmin returns the admin key of the request if it carries scope need.
	AuthenticateAdmin(r *http.Request, need tenancy.Scope) (tenancy.AdminKey, error)
	// SupportToken issues a short-lived access token acting for a tenant, recording the key.
	SupportToken(ctx context.Context, key tenancy.AdminKey, tenantID string, ttl time.Duration, remoteAddr string) (*model.AccessTokenResponse, error)
}

// adminScopes is the scope each admin operation needs, by the contract's operation id.
// NewAdmin refuses to start when an operation of the generated interface has none, so a
// new operation cannot be served without an admin-key check.
var adminScopes = map[string]tenancy.Scope{
	"AdminListTenants":   tenancy.ScopeTenantsRead,
	"AdminAddTenant":     tenancy.ScopeTenantsWrite,
	"AdminShowTenant":    tenancy.ScopeTenantsRead,
	"AdminUpdateTenant":  tenancy.ScopeTenantsWrite,
	"AdminDisableTenant": tenancy.ScopeTenantsWrite,
	"AdminEnableTenant":  tenancy.ScopeTenantsWrite,
	"AdminMapUser":       tenancy.ScopeTenantsWrite,
	"AdminUnmapUser":     tenancy.ScopeTenantsWrite,
	"AdminListSecrets":   tenancy.ScopeTenantsRead,
	"AdminCreateSecret":  tenancy.ScopeSecretsWrite,
	"AdminRollSecret":    tenancy.ScopeSecretsWrite,
	"AdminRevokeSecret":  tenancy.ScopeSecretsWrite,
	"AdminListTokens":    tenancy.ScopeTenantsRead,
	"AdminRevokeTokens":  tenancy.ScopeTokensWrite,
	"AdminAudit":         tenancy.ScopeAuditRead,
	"AdminSupportToken":  tenancy.ScopeSupport,
}

// NewAdmin returns the handler of the admin API under /admin/v1: tenants, user mappings,
// shared secrets, tokens, the audit log and support access, for operations people and
// their tools. It is meant for its own listener (app's --admin-addr), away from the
// address SuperOffice calls, and is protected by scoped admin API keys — never by tenant
// credentials. Every change goes through the same tenancy.Service as the quotekit CLI.
//
// The routes, parameters and answers are the contract's operations tagged Admin, served
// through the generated strict server; NewAdmin panics when one of them has no scope in
// adminScopes.
func NewAdmin(keys AdminAuthenticator, store tenancy.AdminStore, admin *tenancy.Service, opts ...Option) http.Handler {
	cfg := config{logger: slog.New(slog.DiscardHandler), bodyLimit: TokenBodyLimit}
	for _, o := range opts {
		o(&cfg)
	}
	e := newEcho(cfg)
	e.Binder = adminBinder{}

	// The admin key is checked per operation, in front of everything the generated
	// handler does (parameters, body), and only on the contract's routes: a middleware on
	// an echo Group would also answer unknown paths 401.
	ops := reflect.TypeFor[adminapi.StrictServerInterface]()
	perOp := make(map[string][]echo.MiddlewareFunc, ops.NumMethod())
	for i := range ops.NumMethod() {
		op := ops.Method(i).Name
		scope, ok := adminScopes[op]
		if !ok {
			panic("server: admin operation " + op + " has no scope")
		}
		perOp[op] = []echo.MiddlewareFunc{requireAdminKey(keys, scope)}
	}
	a := &adminAPI{keys: keys, store: store, admin: admin}
	adminapi.RegisterHandlersWithOptions(e, adminapi.NewStrictHandler(a, nil),
		adminapi.RegisterHandlersOptions{OperationMiddlewares: perOp})
	return e
}

// adminCaller is who calls an admin operation: the admin key and the peer address.
type adminCaller struct {
	key    tenancy.AdminKey
	remote string
}

type adminCallerKey struct{}

func callerFrom(ctx context.Context) adminCaller {
	c, _ := ctx.Value(adminCallerKey{}).(adminCaller)
	return c
}

// requireAdminKey stops a request without an admin key carrying scope, and puts the
// caller into the context of one with it. It also answers the generated wrapper's
// parameter errors in our words.
func requireAdminKey(keys AdminAuthenticator, scope tenancy.Scope) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			key, err := keys.AuthenticateAdmin(r, scope)
			if err != nil {
				return err
			}
			// The peer address, for the audit: echo's RealIP would believe X-Forwarded-For from anyone.
			remote, _, _ := net.SplitHostPort(r.RemoteAddr)
			c.SetRequest(r.WithContext(context.WithValue(r.Context(), adminCallerKey{}, adminCaller{key: key, remote: remote})))
			return parameterError(next(c))
		}
	}
}

// adminParameters says in our words what each path and query parameter must be.
var adminParameters = map[string]string{
	"id":    "a tenant id is Cust followed by 1 to 10 digits",
	"sid":   "a secret is named by its numeric id",
	"since": "since is an RFC 3339 time",
	"until": "until is an RFC 3339 time",
	"limit": "limit is a number from 1 to 10000",
}

// parameterError replaces the generated wrapper's answer to a parameter it cannot bind
// (a 400 echo.HTTPError whose message quotes the parser) with our own.
func parameterError(err error) error {
	var he *echo.HTTPError
	if !errors.As(err, &he) || he.Code != http.StatusBadRequest {
		return err
	}
	msg, _ := he.Message.(string)
	name, _, _ := strings.Cut(strings.TrimPrefix(msg, "Invalid format for parameter "), ":")
	if what, ok := adminParameters[name]; ok {
		return badRequest("%s", what)
	}
	return badRequest("a parameter of the request cannot be read")
}

// adminBinder is the admin API's echo.Binder: JSON only, one value, known members only,
// as the admin API has always read its bodies. An empty body is io.EOF for the generated
// handlers (which leave an optional body out on it) and, for a required one, the answer
// the admin API gives to a body it cannot read.
type adminBinder struct{}

func (adminBinder) Bind(target any, c echo.Context) error {
	r := c.Request()
	body := bufferedBody(r)
	if _, err := body.Peek(); errors.Is(err, io.EOF) {
		if !isJSON(r.Header.Get(echo.HeaderContentType)) {
			return errors.Join(errMediaType, io.EOF)
		}
		return errors.Join(badRequest("the request body is not the JSON this route takes"), io.EOF)
	} else if err != nil {
		return err
	}
	if !isJSON(r.Header.Get(echo.HeaderContentType)) {
		return errMediaType
	}
	dec := json.NewDecoder(body) // bounded by the body limit middleware (413)
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
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

// adminAPI answers the admin operations: it reads the request, calls the store or
// the tenancy service, and maps the result to the contract's types.
type adminAPI struct {
	keys  AdminAuthenticator
	store tenancy.AdminStore
	admin *tenancy.Service
}

var _ adminapi.StrictServerInterface = (*adminAPI)(nil)

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

// actor names the admin key of the call in the audit log.
func actor(ctx context.Context) string { return tenancy.AdminKeyActor(callerFrom(ctx).key.ID) }

// checkTenantID checks the form of a tenant id from the path.
func checkTenantID(id string) error {
	if !tenancy.TenantPattern.MatchString(id) {
		return badRequest("a tenant id is Cust followed by 1 to 10 digits")
	}
	return nil
}

// knownTenant checks that id names a tenant.
func (a *adminAPI) knownTenant(ctx context.Context, id string) error {
	if err := checkTenantID(id); err != nil {
		return err
	}
	if _, err := a.store.Tenant(ctx, id); err != nil {
		return storeError(err, "tenant "+id)
	}
	return nil
}

// checkSecretID checks a secret id from the path.
func checkSecretID(sid int64) error {
	if sid <= 0 {
		return badRequest("a secret is named by its numeric id")
	}
	return nil
}

// noStore is the header pair of an answer that carries a credential.
const (
	noStore = "no-store"
	noCache = "no-cache"
)

// --- tenants -----------------------------------------------------------------------------

// tenantOut is a tenant as the admin API shows it.
func tenantOut(t tenancy.Tenant) model.AdminTenant {
	appIDs, soEnvs := t.AppIDs, t.SuperOfficeEnvs
	if appIDs == nil {
		appIDs = []string{}
	}
	if soEnvs == nil {
		soEnvs = []string{}
	}
	return model.AdminTenant{Id: t.ID, Name: t.Name, Environment: model.AdminTenantEnvironment(t.Environment),
		SuperofficeEnvs: soEnvs, AppIds: appIDs, Enabled: t.Enabled, Config: t.Config, TokensValidAfter: t.TokensValidAfter,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func (a *adminAPI) AdminListTenants(ctx context.Context, _ adminapi.AdminListTenantsRequestObject) (adminapi.AdminListTenantsResponseObject, error) {
	ts, err := a.store.ListTenants(ctx)
	if err != nil {
		return nil, err
	}
	out := make(adminapi.AdminListTenants200JSONResponse, 0, len(ts))
	for _, t := range ts {
		out = append(out, tenantOut(t))
	}
	return out, nil
}

func environment(e *model.AdminTenantInputEnvironment) (connector.Environment, error) {
	switch env := connector.Environment(*e); env {
	case connector.EnvironmentTest, connector.EnvironmentLive:
		return env, nil
	}
	return "", badRequest("environment is test or live")
}

func (a *adminAPI) AdminAddTenant(ctx context.Context, req adminapi.AdminAddTenantRequestObject) (adminapi.AdminAddTenantResponseObject, error) {
	in := req.Body
	if !tenancy.TenantPattern.MatchString(in.Id) {
		return nil, badRequest("a tenant id is Cust followed by 1 to 10 digits")
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" || in.Environment == nil {
		return nil, badRequest("name and environment are required")
	}
	env, err := environment(in.Environment)
	if err != nil {
		return nil, err
	}
	t := tenancy.Tenant{ID: in.Id, Name: *in.Name, Environment: env, SuperOfficeEnvs: in.SuperofficeEnvs, Enabled: true,
		AppIDs: in.AppIds, Config: in.Config}
	stored, err := a.admin.AddTenant(ctx, t, actor(ctx))
	if err != nil {
		return nil, storeError(err, "tenant "+t.ID)
	}
	return adminapi.AdminAddTenant201JSONResponse(tenantOut(stored)), nil
}

func (a *adminAPI) AdminShowTenant(ctx context.Context, req adminapi.AdminShowTenantRequestObject) (adminapi.AdminShowTenantResponseObject, error) {
	id := req.Id
	if err := checkTenantID(id); err != nil {
		return nil, err
	}
	t, err := a.store.Tenant(ctx, id)
	if err != nil {
		return nil, storeError(err, "tenant "+id)
	}
	mappings, err := a.store.ListUserMappings(ctx, id)
	if err != nil {
		return nil, storeError(err, "tenant "+id)
	}
	users := make([]model.AdminUserMapping, 0, len(mappings))
	for _, m := range mappings {
		users = append(users, model.AdminUserMapping{AssociateId: m.AssociateID, Email: m.Email, ErpUser: m.ERPUser})
	}
	v := tenantOut(t)
	return adminapi.AdminShowTenant200JSONResponse{Id: v.Id, Name: v.Name,
		Environment: model.AdminTenantWithUsersEnvironment(v.Environment), SuperofficeEnvs: v.SuperofficeEnvs,
		AppIds: v.AppIds, Enabled: v.Enabled,
		Config: v.Config, TokensValidAfter: v.TokensValidAfter, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		Users: users}, nil
}

func (a *adminAPI) AdminUpdateTenant(ctx context.Context, req adminapi.AdminUpdateTenantRequestObject) (adminapi.AdminUpdateTenantResponseObject, error) {
	id, in := req.Id, req.Body
	if err := checkTenantID(id); err != nil {
		return nil, err
	}
	if in.Id != "" && in.Id != id {
		return nil, badRequest("a tenant's id cannot change")
	}
	var env connector.Environment
	if in.Environment != nil {
		var err error
		if env, err = environment(in.Environment); err != nil {
			return nil, err
		}
	}
	t, _, err := a.admin.UpdateTenant(ctx, id, func(t *tenancy.Tenant) {
		if in.Name != nil {
			t.Name = *in.Name
		}
		if in.Environment != nil {
			t.Environment = env
		}
		if in.SuperofficeEnvs != nil {
			t.SuperOfficeEnvs = in.SuperofficeEnvs
		}
		if in.AppIds != nil {
			t.AppIDs = in.AppIds
		}
		if in.Config != nil {
			t.Config = in.Config
		}
	}, actor(ctx))
	if err != nil {
		return nil, storeError(err, "tenant "+id)
	}
	return adminapi.AdminUpdateTenant200JSONResponse(tenantOut(t)), nil
}

func (a *adminAPI) AdminDisableTenant(ctx context.Context, req adminapi.AdminDisableTenantRequestObject) (adminapi.AdminDisableTenantResponseObject, error) {
	t, err := a.setEnabled(ctx, req.Id, false)
	if err != nil {
		return nil, err
	}
	return adminapi.AdminDisableTenant200JSONResponse(tenantOut(t)), nil
}

func (a *adminAPI) AdminEnableTenant(ctx context.Context, req adminapi.AdminEnableTenantRequestObject) (adminapi.AdminEnableTenantResponseObject, error) {
	t, err := a.setEnabled(ctx, req.Id, true)
	if err != nil {
		return nil, err
	}
	return adminapi.AdminEnableTenant200JSONResponse(tenantOut(t)), nil
}

func (a *adminAPI) setEnabled(ctx context.Context, id string, enabled bool) (tenancy.Tenant, error) {
	if err := checkTenantID(id); err != nil {
		return tenancy.Tenant{}, err
	}
	t, err := a.admin.SetTenantEnabled(ctx, id, enabled, "", actor(ctx))
	if err != nil {
		return tenancy.Tenant{}, storeError(err, "tenant "+id)
	}
	return t, nil
}

func (a *adminAPI) AdminMapUser(ctx context.Context, req adminapi.AdminMapUserRequestObject) (adminapi.AdminMapUserResponseObject, error) {
	id, in := req.Id, req.Body
	if err := a.knownTenant(ctx, id); err != nil {
		return nil, err
	}
	if (in.AssociateId == 0 && in.Email == "") || in.ErpUser == "" {
		return nil, badRequest("give associate_id or email, and erp_user")
	}
	if _, err := a.admin.MapUser(ctx, tenancy.UserMapping{TenantID: id, AssociateID: in.AssociateId, Email: in.Email, ERPUser: in.ErpUser}, actor(ctx)); err != nil {
		return nil, storeError(err, "tenant "+id)
	}
	return adminapi.AdminMapUser200JSONResponse(*in), nil
}

func (a *adminAPI) AdminUnmapUser(ctx context.Context, req adminapi.AdminUnmapUserRequestObject) (adminapi.AdminUnmapUserResponseObject, error) {
	id, in := req.Id, req.Body
	if err := checkTenantID(id); err != nil {
		return nil, err
	}
	if in.AssociateId == 0 && in.Email == "" {
		return nil, badRequest("give associate_id or email")
	}
	if err := a.admin.UnmapUser(ctx, tenancy.UserMapping{TenantID: id, AssociateID: in.AssociateId, Email: in.Email}, actor(ctx)); err != nil {
		return nil, storeError(err, "the mapping")
	}
	return adminapi.AdminUnmapUser204Response{}, nil
}

// --- secrets and tokens -----------------------------------------------------------------

// secretOut is a secret as the admin API shows it, without its value.
func secretOut(s tenancy.Secret) model.AdminSecret {
	return model.AdminSecret{Id: s.ID, Display: s.Display, Last4: s.Last4, Mode: model.AdminSecretMode(s.Mode),
		CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt, LastUsedAt: s.LastUsedAt, RolledFrom: s.RolledFrom}
}

func (a *adminAPI) AdminListSecrets(ctx context.Context, req adminapi.AdminListSecretsRequestObject) (adminapi.AdminListSecretsResponseObject, error) {
	if err := a.knownTenant(ctx, req.Id); err != nil {
		return nil, err
	}
	secrets, err := a.store.SecretsOf(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	out := make(adminapi.AdminListSecrets200JSONResponse, 0, len(secrets))
	for _, s := range secrets {
		out = append(out, secretOut(s))
	}
	return out, nil
}

func (a *adminAPI) AdminCreateSecret(ctx context.Context, req adminapi.AdminCreateSecretRequestObject) (adminapi.AdminCreateSecretResponseObject, error) {
	id := req.Id
	if err := checkTenantID(id); err != nil {
		return nil, err
	}
	plain, sec, err := a.admin.CreateSecret(ctx, id, actor(ctx))
	if err != nil {
		return nil, storeError(err, "tenant "+id)
	}
	v := secretOut(sec)
	v.Secret = plain
	return adminapi.AdminCreateSecret201JSONResponse{Body: v,
		Headers: adminapi.AdminCreateSecret201ResponseHeaders{CacheControl: noStore, Pragma: noCache}}, nil
}

func (a *adminAPI) AdminRollSecret(ctx context.Context, req adminapi.AdminRollSecretRequestObject) (adminapi.AdminRollSecretResponseObject, error) {
	id, sid, in := req.Id, req.Sid, req.Body
	if err := checkTenantID(id); err != nil {
		return nil, err
	}
	if err := checkSecretID(sid); err != nil {
		return nil, err
	}
	if in.ExpireOldInSeconds == nil {
		return nil, badRequest("expire_old_in_seconds is required: 0 ends the old secret now")
	}
	plain, sec, err := a.admin.RollSecret(ctx, id, sid, time.Duration(*in.ExpireOldInSeconds)*time.Second, actor(ctx))
	if err != nil {
		return nil, storeError(err, fmt.Sprintf("secret %d of %s", sid, id))
	}
	v := secretOut(sec)
	v.Secret = plain
	return adminapi.AdminRollSecret201JSONResponse{Body: v,
		Headers: adminapi.AdminRollSecret201ResponseHeaders{CacheControl: noStore, Pragma: noCache}}, nil
}

func (a *adminAPI) AdminRevokeSecret(ctx context.Context, req adminapi.AdminRevokeSecretRequestObject) (adminapi.AdminRevokeSecretResponseObject, error) {
	id, sid := req.Id, req.Sid
	if err := checkTenantID(id); err != nil {
		return nil, err
	}
	if err := checkSecretID(sid); err != nil {
		return nil, err
	}
	if err := a.admin.RevokeSecret(ctx, id, sid, actor(ctx)); err != nil {
		return nil, storeError(err, fmt.Sprintf("secret %d of %s", sid, id))
	}
	return adminapi.AdminRevokeSecret204Response{}, nil
}

func (a *adminAPI) AdminListTokens(ctx context.Context, req adminapi.AdminListTokensRequestObject) (adminapi.AdminListTokensResponseObject, error) {
	if err := a.knownTenant(ctx, req.Id); err != nil {
		return nil, err
	}
	tokens, err := a.store.ListTokens(ctx, req.Id, time.Now())
	if err != nil {
		return nil, err
	}
	out := make(adminapi.AdminListTokens200JSONResponse, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, model.AdminToken{Id: t.ID, AssociateId: t.User.AssociateID, Email: t.User.Email, Method: string(t.Method),
			SecretId: t.SecretID, Actor: t.Actor, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt})
	}
	return out, nil
}

func (a *adminAPI) AdminRevokeTokens(ctx context.Context, req adminapi.AdminRevokeTokensRequestObject) (adminapi.AdminRevokeTokensResponseObject, error) {
	id := req.Id
	if err := a.knownTenant(ctx, id); err != nil {
		return nil, err
	}
	var associateID int32 // every token of the tenant when the body is left out
	if req.Body != nil {
		associateID = req.Body.AssociateId
	}
	n, err := a.admin.RevokeTokens(ctx, id, associateID, "", actor(ctx))
	if err != nil {
		return nil, storeError(err, "tenant "+id)
	}
	return adminapi.AdminRevokeTokens200JSONResponse{Revoked: n}, nil
}

// --- audit and support --------------------------------------------------------------------

func (a *adminAPI) AdminAudit(ctx context.Context, req adminapi.AdminAuditRequestObject) (adminapi.AdminAuditResponseObject, error) {
	id, p := req.Id, req.Params
	if err := checkTenantID(id); err != nil {
		return nil, err
	}
	f := tenancy.AuditFilter{TenantID: id, Since: p.Since, Until: p.Until}
	for _, k := range p.Kind {
		f.Kinds = append(f.Kinds, tenancy.EventKind(k))
	}
	if p.Limit != nil {
		if f.Limit = *p.Limit; f.Limit < 1 || f.Limit > 10000 {
			return nil, badRequest("limit is a number from 1 to 10000")
		}
	}
	events, err := a.store.AuditEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make(adminapi.AdminAudit200JSONResponse, 0, len(events))
	for _, ev := range events {
		out = append(out, model.AdminAuditEvent{At: ev.At, Kind: string(ev.Kind), Reason: ev.Reason, Actor: ev.Actor,
			Credential: ev.Credential, RemoteAddr: ev.RemoteAddr})
	}
	return out, nil
}

func (a *adminAPI) AdminSupportToken(ctx context.Context, req adminapi.AdminSupportTokenRequestObject) (adminapi.AdminSupportTokenResponseObject, error) {
	id := req.Id
	if err := checkTenantID(id); err != nil {
		return nil, err
	}
	var ttl time.Duration // the maximum when the body is left out
	if req.Body != nil {
		ttl = time.Duration(req.Body.TtlSeconds) * time.Second
	}
	caller := callerFrom(ctx)
	tok, err := a.keys.SupportToken(ctx, caller.key, id, ttl, caller.remote)
	if err != nil {
		if errors.Is(err, auth.ErrBadTTL) {
			return nil, badRequest("ttl_seconds is at most %d", int(auth.MaxSupportTTL.Seconds()))
		}
		return nil, storeError(err, "tenant "+id)
	}
	return adminapi.AdminSupportToken201JSONResponse{Body: *tok,
		Headers: adminapi.AdminSupportToken201ResponseHeaders{CacheControl: noStore, Pragma: noCache}}, nil
}
