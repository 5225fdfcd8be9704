package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/tenancy"
)

// ErrBadTTL is the error of a support token lifetime below zero or above MaxSupportTTL.
var ErrBadTTL = fmt.Errorf("support token lifetime must not be negative or exceed %s", MaxSupportTTL)

// MaxSupportTTL bounds the lifetime of a support access token.
const MaxSupportTTL = 15 * time.Minute

// APIKeyHeader is the request header that may carry an admin key instead of
// Authorization: Bearer. Some proxies drop headers with an underscore by default (nginx:
// underscores_in_headers off); Authorization always gets through.
const APIKeyHeader = "api_key"

// WithAdminKeys lets AuthenticateAdmin check admin API keys against store. Without it,
// AuthenticateAdmin answers ErrUnavailable: the admin API is off.
func WithAdminKeys(store tenancy.AdminKeyStore) Option {
	return func(s *Service) { s.adminKeys = store }
}

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
func (s *Service) AuthenticateAdmin(r *http.Request, need tenancy.Scope) (tenancy.AdminKey, error) {
	if s.adminKeys == nil {
		return tenancy.AdminKey{}, fmt.Errorf("admin API keys are not configured: %w", ErrUnavailable)
	}
	var key tenancy.AdminKey
	_, err := s.guard(r, readAdminKey, func(ctx context.Context, p Presented) (connector.Tenant, string, error) {
		var err error
		key, err = s.verifyAdminKey(ctx, p)
		return connector.Tenant{}, "", err
	})
	if err != nil {
		return tenancy.AdminKey{}, err
	}
	ctx := r.Context()
	if !key.Has(need) {
		ip := s.clientIP(r)
		s.metrics.outcome("forbidden", "insufficient_scope")
		s.reportRefusal("insufficient_scope")
		s.log.LogAttrs(ctx, slog.LevelInfo, "admin key lacks a scope",
			slog.String("admin_key", key.Display), slog.String("scope", string(need)), slog.String("client", ip), slog.String("path", r.URL.Path))
		if aerr := s.store.Audit(ctx, tenancy.AuditEvent{Kind: tenancy.EventAuthRefused, Reason: "insufficient_scope", Actor: tenancy.AdminKeyActor(key.ID),
			Credential: key.Display, RemoteAddr: ip, At: s.now()}); aerr != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "audit write failed", slog.String("error", aerr.Error()))
		}
		return tenancy.AdminKey{}, fmt.Errorf("admin key %s lacks scope %s: %w", key.Display, need, ErrForbidden)
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
func (s *Service) verifyAdminKey(ctx context.Context, p Presented) (tenancy.AdminKey, error) {
	if p.Scheme != "Bearer" || !isCredential(p.Token, tenancy.KindAdminKey) {
		return tenancy.AdminKey{}, refuse("wrong_kind")
	}
	c, err := ParseCredential(p.Token)
	if err != nil {
		return tenancy.AdminKey{}, err
	}
	hash := c.Hash()
	k, err := s.adminKeys.AdminKeyByHash(ctx, hash)
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		return tenancy.AdminKey{}, refuse("unknown_key")
	case err != nil:
		return tenancy.AdminKey{}, storeErr(err)
	case subtle.ConstantTimeCompare(k.Hash[:], hash[:]) != 1:
		return tenancy.AdminKey{}, refuse("unknown_key")
	case !k.RevokedAt.IsZero():
		return tenancy.AdminKey{}, refuse("revoked")
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
func (s *Service) SupportToken(ctx context.Context, key tenancy.AdminKey, tenantID string, ttl time.Duration, remoteAddr string) (*model.AccessTokenResponse, error) {
	switch {
	case !key.Has(tenancy.ScopeSupport):
		return nil, fmt.Errorf("admin key %s lacks scope %s: %w", key.Display, tenancy.ScopeSupport, ErrForbidden)
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
	case errors.Is(err, tenancy.ErrNotFound):
		return nil, fmt.Errorf("support token: %w", tenancy.ErrNotFound)
	case err != nil:
		return nil, storeErr(err)
	case !t.Enabled:
		return nil, fmt.Errorf("support token: tenant %s is disabled: %w", t.ID, tenancy.ErrConflict)
	}
	actor := tenancy.AdminKeyActor(key.ID)
	out, err := s.issue(ctx, grant{
		tenant: s.tenantOf(t, connector.User{}), method: tenancy.MethodSupport, ttl: ttl,
		kind: tenancy.EventSupportToken, actor: actor, remoteAddr: remoteAddr,
	})
	if err != nil {
		return nil, err
	}
	// A revocation of the key that committed before the token did cannot have revoked
	// it: revoke again, which catches it, and hand out nothing.
	if err := s.adminKeyLive(ctx, key); err != nil {
		if rerr := s.adminKeys.RevokeAdminKey(ctx, key.ID, s.now(), tenancy.AuditEvent{Kind: tenancy.EventAdminKeyRevoked,
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
func (s *Service) adminKeyLive(ctx context.Context, key tenancy.AdminKey) error {
	if s.adminKeys == nil {
		return fmt.Errorf("admin API keys are not configured: %w", ErrUnavailable)
	}
	k, err := s.adminKeys.AdminKeyByHash(ctx, key.Hash)
	switch {
	case errors.Is(err, tenancy.ErrNotFound) || err == nil && (k.ID != key.ID || !k.RevokedAt.IsZero()):
		return fmt.Errorf("admin key %s is revoked: %w", key.Display, ErrForbidden)
	case err != nil:
		return storeErr(err)
	}
	return nil
}
