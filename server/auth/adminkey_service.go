package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
)

// Admin key errors.
var (
	// ErrBadScope: an admin key asked for without scopes, or with one not in AllScopes.
	ErrBadScope = errors.New("bad admin key scope")
	// ErrBadName: an admin key name that is empty, longer than MaxAdminKeyName bytes or
	// holds control characters.
	ErrBadName = errors.New("bad admin key name")
	// ErrBadTTL: a support token lifetime below zero or above MaxSupportTTL.
	ErrBadTTL = fmt.Errorf("support token lifetime must not be negative or exceed %s", MaxSupportTTL)
)

// MaxAdminKeyName bounds the name of an admin key, in bytes.
const MaxAdminKeyName = 128

// APIKeyHeader is the request header that may carry an admin key instead of
// Authorization: Bearer. Some proxies drop headers with an underscore by default (nginx:
// underscores_in_headers off); Authorization always gets through.
const APIKeyHeader = "api_key"

// CreateAdminKey makes a new admin API key (qk_ak_<mode>_…) named name with the scopes
// and returns its plaintext, which is never available again. The mode only labels the
// key, so a leaked live key can be told from a test one. The scopes are stored once each,
// in the order of AllScopes. Errors: ErrBadScope (no scope, or an unknown one), ErrBadName.
func (a *Admin) CreateAdminKey(ctx context.Context, name string, scopes []Scope, mode connector.Environment, actor string) (string, AdminKey, error) {
	scopes, err := normalScopes(scopes)
	if err != nil {
		return "", AdminKey{}, err
	}
	if name == "" || len(name) > MaxAdminKeyName || strings.ContainsFunc(name, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	}) {
		return "", AdminKey{}, fmt.Errorf("%w: a name must be 1 to %d printable bytes", ErrBadName, MaxAdminKeyName)
	}
	if mode != connector.EnvironmentTest && mode != connector.EnvironmentLive {
		return "", AdminKey{}, fmt.Errorf("admin key mode %q is neither test nor live", mode)
	}
	plain, err := NewCredential(KindAdminKey, mode)
	if err != nil {
		return "", AdminKey{}, err
	}
	c, err := ParseCredential(plain)
	if err != nil {
		return "", AdminKey{}, errors.New("a fresh admin key does not parse") // cannot happen
	}
	k := AdminKey{
		Hash: c.Hash(), Name: name, Display: c.Display(), Last4: c.Last4(), Scopes: scopes, CreatedAt: a.now(),
	}
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	ev := AuditEvent{Kind: "adminkey.created", Reason: "scopes=" + strings.Join(names, ","), Actor: actor,
		Credential: k.Display, At: k.CreatedAt}
	if k.ID, err = a.store.CreateAdminKey(ctx, k, ev); err != nil {
		return "", AdminKey{}, err
	}
	return plain, k, nil
}

// RevokeAdminKey revokes admin key id at once, and every support token it obtained.
// Revoking a revoked key changes nothing but the audit log. Errors: ErrNotFound.
func (a *Admin) RevokeAdminKey(ctx context.Context, id int64, actor string) error {
	now := a.now()
	return a.store.RevokeAdminKey(ctx, id, now, AuditEvent{Kind: "adminkey.revoked", Actor: actor, At: now})
}

// normalScopes checks scopes and returns them once each, in the order of AllScopes.
func normalScopes(scopes []Scope) ([]Scope, error) {
	if len(scopes) == 0 {
		return nil, fmt.Errorf("%w: an admin key needs at least one scope", ErrBadScope)
	}
	for _, s := range scopes {
		if !s.Valid() {
			return nil, fmt.Errorf("%w: unknown scope %q", ErrBadScope, truncate(string(s), 40))
		}
	}
	out := make([]Scope, 0, len(scopes))
	for _, known := range AllScopes {
		for _, s := range scopes {
			if s == known {
				out = append(out, s)
				break
			}
		}
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// WithAdminKeys lets AuthenticateAdmin check admin API keys against store. Without it,
// AuthenticateAdmin answers ErrUnavailable: the admin API is off.
func WithAdminKeys(store AdminKeyStore) Option { return func(s *Service) { s.adminKeys = store } }

// AuthenticateAdmin verifies the admin API key of a request and that it has scope need,
// and returns the key. The key comes as "Authorization: Bearer qk_ak_…" or in the api_key
// header, never both (ErrMalformed) and never in the query string; no key at all is
// ErrNoCredential. Anything that is not an admin key — a shared secret, an access token,
// a JWT, Basic tenant:secret — is ErrInvalidCredential: tenant credentials never open the
// admin API. So are unknown and revoked keys. A valid key without need is an error
// wrapping ErrForbidden (403).
//
// Refusals are throttled, counted and audited (without a tenant) as on the tenant
// endpoints; a missing scope is counted and audited too. A successful use is recorded on
// the key (throttled, see TouchAdminKey).
//
// Without WithAdminKeys the answer is an error wrapping ErrUnavailable.
func (s *Service) AuthenticateAdmin(r *http.Request, need Scope) (AdminKey, error) {
	if s.adminKeys == nil {
		return AdminKey{}, fmt.Errorf("admin API keys are not configured: %w", ErrUnavailable)
	}
	var key AdminKey
	_, err := s.guard(r, readAdminKey, func(ctx context.Context, p Presented) (connector.Tenant, string, error) {
		var err error
		key, err = s.verifyAdminKey(ctx, p)
		return connector.Tenant{}, "", err
	})
	if err != nil {
		return AdminKey{}, err
	}
	ctx := r.Context()
	if !key.Has(need) {
		ip := s.clientIP(r)
		s.metrics.outcome("forbidden", "insufficient_scope")
		s.log.LogAttrs(ctx, slog.LevelInfo, "admin key lacks a scope",
			slog.String("admin_key", key.Display), slog.String("scope", string(need)), slog.String("client", ip), slog.String("path", r.URL.Path))
		if aerr := s.store.Audit(ctx, AuditEvent{Kind: "auth.refused", Reason: "insufficient_scope", Actor: AdminKeyActor(key.ID),
			Credential: key.Display, RemoteAddr: ip, At: s.now()}); aerr != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "audit write failed", slog.String("error", aerr.Error()))
		}
		return AdminKey{}, fmt.Errorf("admin key %s lacks scope %s: %w", key.Display, need, ErrForbidden)
	}
	if terr := s.adminKeys.TouchAdminKey(ctx, key.ID, s.now()); terr != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "recording admin key use failed", slog.String("error", terr.Error()))
	}
	return key, nil
}

// readAdminKey reads the credential of an admin API request: the api_key header, or else
// the Authorization header.
func readAdminKey(r *http.Request) (Presented, error) {
	values := r.Header.Values(APIKeyHeader)
	switch {
	case len(values) == 0:
		return ReadAuthorization(r)
	case len(values) > 1 || len(r.Header.Values("Authorization")) > 0:
		return Presented{}, ErrMalformed // one credential, one way
	}
	v := values[0]
	switch {
	case len(v) > MaxCredentialLength:
		return Presented{}, refuse("too_long")
	case !b64token.MatchString(v):
		return Presented{}, ErrMalformed
	}
	return Presented{Scheme: "Bearer", Token: v}, nil
}

// verifyAdminKey checks a presented admin key. Unknown and revoked keys, and every other
// kind of credential, are the same refusal to the caller; a mistyped or forged key is
// refused by its checksum without a store lookup.
func (s *Service) verifyAdminKey(ctx context.Context, p Presented) (AdminKey, error) {
	if p.Scheme != "Bearer" || !isCredential(p.Token, KindAdminKey) {
		return AdminKey{}, refuse("wrong_kind")
	}
	c, err := ParseCredential(p.Token)
	if err != nil {
		return AdminKey{}, err
	}
	hash := c.Hash()
	k, err := s.adminKeys.AdminKeyByHash(ctx, hash)
	switch {
	case errors.Is(err, ErrNotFound):
		return AdminKey{}, refuse("unknown_key")
	case err != nil:
		return AdminKey{}, storeErr(err)
	case subtle.ConstantTimeCompare(k.Hash[:], hash[:]) != 1:
		return AdminKey{}, refuse("unknown_key")
	case !k.RevokedAt.IsZero():
		return AdminKey{}, refuse("revoked")
	}
	return k, nil
}

// SupportToken issues a short-lived access token acting for the tenant on behalf of an
// admin key (support access, a masquerade): it works on operations like any access token
// (the connector sees the tenant, without a user) and, like every access token, cannot
// mint further tokens. The token records the key as its actor (AdminKeyActor), so
// revoking the key revokes it; its audit event (kind support.token, actor the key,
// credential the token's display) is written with it, and the issue is logged.
//
// ttl 0 is MaxSupportTTL. Errors: ErrForbidden (the key lacks ScopeSupport, or was revoked
// meanwhile), ErrBadTTL, ErrNotFound (no such tenant), ErrConflict (the tenant is
// disabled), ErrUnavailable.
func (s *Service) SupportToken(ctx context.Context, key AdminKey, tenantID string, ttl time.Duration, remoteAddr string) (*model.AccessTokenResponse, error) {
	switch {
	case !key.Has(ScopeSupport):
		return nil, fmt.Errorf("admin key %s lacks scope %s: %w", key.Display, ScopeSupport, ErrForbidden)
	case ttl < 0 || ttl > MaxSupportTTL:
		return nil, ErrBadTTL
	case ttl == 0:
		ttl = MaxSupportTTL
	}
	if err := s.adminKeyLive(ctx, key); err != nil {
		return nil, err
	}
	t, err := s.store.Tenant(ctx, tenantID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("support token: %w", ErrNotFound)
	case err != nil:
		return nil, storeErr(err)
	case !t.Enabled:
		return nil, fmt.Errorf("support token: tenant %s is disabled: %w", t.ID, ErrConflict)
	}
	actor := AdminKeyActor(key.ID)
	out, err := s.issue(ctx, grant{
		tenant: s.tenantOf(t, connector.User{}), method: MethodSupport, ttl: ttl,
		kind: "support.token", actor: actor, remoteAddr: remoteAddr,
	})
	if err != nil {
		return nil, err
	}
	// A revocation of the key that committed before the token did cannot have revoked
	// it: revoke again, which catches it, and hand out nothing.
	if err := s.adminKeyLive(ctx, key); err != nil {
		if rerr := s.adminKeys.RevokeAdminKey(ctx, key.ID, s.now(), AuditEvent{Kind: "adminkey.revoked",
			Reason: "revoked_while_issuing", Actor: actor}); rerr != nil {
			return nil, storeErr(rerr)
		}
		return nil, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "support token issued",
		slog.String("admin_key", key.Display), slog.String("tenant", t.ID),
		slog.Duration("ttl", ttl), slog.String("client", remoteAddr))
	return out, nil
}

// adminKeyLive checks that key is still known and not revoked. The key a caller holds may
// be older than a revocation.
func (s *Service) adminKeyLive(ctx context.Context, key AdminKey) error {
	if s.adminKeys == nil {
		return fmt.Errorf("admin API keys are not configured: %w", ErrUnavailable)
	}
	k, err := s.adminKeys.AdminKeyByHash(ctx, key.Hash)
	switch {
	case errors.Is(err, ErrNotFound) || err == nil && (k.ID != key.ID || !k.RevokedAt.IsZero()):
		return fmt.Errorf("admin key %s is revoked: %w", key.Display, ErrForbidden)
	case err != nil:
		return storeErr(err)
	}
	return nil
}
