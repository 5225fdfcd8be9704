package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// maxCachedCredentials bounds each verified-credential cache; when one is full it starts
// afresh. A deployment serves at most a few thousand tenants, each with a secret or two
// and a token per CRM user.
const maxCachedCredentials = 4096

// credentialCache remembers credentials verified against the store (shared secrets of
// SOAP calls, access tokens of REST calls), so that the hot path costs neither a hash nor
// a store read. It is valid for one data version of the store only: any committed change
// (a revoked or rolled secret, revoked tokens, a disabled tenant, by this process or by
// the CLI on the same database) moves the version and empties the cache before the next
// lookup, so such a change is refused on the very next call.
type credentialCache struct {
	mu      sync.Mutex
	version uint64
	entries map[string]cachedCredential // by the credential itself: never hashed, never logged
}

type cachedCredential struct {
	tenant    connector.Tenant
	expiresAt time.Time // the credential's own expiry (a rolled-away secret's overlap, a token's); zero: none
}

// get returns the tenant of credential when it was verified at version and has not
// expired by now. A new version empties the cache.
func (c *credentialCache) get(version uint64, credential string, now time.Time) (connector.Tenant, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		c.version, c.entries = version, nil
		return connector.Tenant{}, false
	}
	e, ok := c.entries[credential]
	if !ok || (!e.expiresAt.IsZero() && !now.Before(e.expiresAt)) {
		return connector.Tenant{}, false
	}
	return detached(e.tenant), true
}

// detached is a copy of t that shares no memory with it, so that a connector that changes
// its tenant's configuration or user cannot change what another call sees.
func detached(t connector.Tenant) connector.Tenant {
	t.Config = maps.Clone(t.Config)
	if t.User != nil {
		u := *t.User
		t.User = &u
	}
	return t
}

// put remembers a credential verified against the store as it was at version. A
// verification that started before the cache moved on is not remembered: its store read
// may predate the change that moved it.
func (c *credentialCache) put(version uint64, credential string, e cachedCredential) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return
	}
	if c.entries == nil || len(c.entries) >= maxCachedCredentials {
		c.entries = make(map[string]cachedCredential)
	}
	e.tenant = detached(e.tenant)
	c.entries[credential] = e
}

// AuthenticateSecret verifies the shared secret a SOAP quote call carries in its
// connection's configuration fields: it must be an active secret of tenantID, the call's
// ContextIdentifier. It returns the tenant, or ErrNoCredential when secret is empty, a
// *Refusal (ErrInvalidCredential) when it is not such a secret, a *RateLimitedError past
// the failure limits, or ErrUnavailable when the store is down. Refusals are throttled,
// counted and audited exactly as on the REST operations.
//
// A verified secret is cached until the store's data version moves (see
// credentialCache): a hit costs one cheap version read and a map lookup. The secret's last use is recorded
// on verifications that reach the store, so it lags by up to one cache lifetime.
func (s *Service) AuthenticateSecret(r *http.Request, tenantID, secret string) (connector.Tenant, error) {
	ctx := r.Context()
	version, verr := s.store.DataVersion(ctx)
	if verr == nil && secret != "" {
		if t, ok := s.secrets.get(version, secret, s.now()); ok && t.ID == tenantID {
			s.metrics.outcome("ok", "")
			return t, nil
		}
	}
	read := func(*http.Request) (Presented, error) {
		if secret == "" {
			return Presented{}, ErrNoCredential
		}
		return Presented{Scheme: "Basic", User: tenantID, Pass: secret}, nil
	}
	return s.guard(r, read, func(ctx context.Context, p Presented) (connector.Tenant, string, error) {
		if p.User == "" {
			// Without a ContextIdentifier any tenant's secret would do.
			return connector.Tenant{}, "", refuse("wrong_tenant")
		}
		sec, t, err := s.verifySecret(ctx, p.Pass, p.User)
		if err != nil {
			return connector.Tenant{}, t.ID, err
		}
		tenant := s.tenantOf(t, connector.User{})
		if verr == nil {
			s.secrets.put(version, secret, cachedCredential{tenant: tenant, expiresAt: sec.ExpiresAt})
		}
		return tenant, t.ID, s.touch(ctx, sec, nil)
	})
}

// The Reason texts of a failed handshake: SuperOffice's own connector samples answer
// these (the misspelling included), and none of them says anything about the token.
const (
	HandshakeWrongAudience = "Wrong audience, missmatch on application identifier"
	HandshakeNoNonce       = "Failed to retrieve nonce from the token"
	HandshakeFailed        = "Failed to validate authentication request"
)

// HandshakeResult is the answer to SuperOffice's Authenticate handshake.
type HandshakeResult struct {
	Succeeded bool
	// Reason says why it failed: one of the Handshake* texts; "" on success.
	Reason string
	// SignedApplicationToken is "nonce.yyyyMMddHHmm.signature" signed with the partner key.
	SignedApplicationToken string
}

// Handshake answers SuperOffice's Authenticate handshake (IIntegrationServiceConnectorAuth):
// signedToken must be a SuperOffice RS256 JWT that Verify accepts, for a known enabled
// tenant whose AppIds its audience names, with a nonce, and not presented before (it is
// remembered until its expiry). The answer proves the partner to SuperOffice by signing
// the nonce with the partner key (WithPartnerKey). A refusal is an answer too
// (Succeeded false, a fixed Reason), never an error: SuperOffice's samples answer every
// failure in-band. Refusals are throttled, counted and audited like any credential's;
// success is audited as EventHandshake.
func (s *Service) Handshake(r *http.Request, signedToken string) HandshakeResult {
	failed := HandshakeResult{Reason: HandshakeFailed}
	if s.so == nil || s.partnerKey == nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "handshake refused: no SuperOffice verifier or partner key configured")
		return failed
	}
	var out HandshakeResult
	read := func(*http.Request) (Presented, error) {
		if signedToken == "" {
			return Presented{}, refuse("no_token")
		}
		return Presented{Scheme: "Bearer", Token: signedToken}, nil
	}
	_, err := s.guard(r, read, func(ctx context.Context, p Presented) (connector.Tenant, string, error) {
		t, claims, err := s.verifyJWT(ctx, p.Token, true)
		if err != nil {
			return t, t.ID, err
		}
		if claims.Nonce == "" {
			return t, t.ID, refuseOwned(t.ID, "no_nonce")
		}
		if err := s.store.RememberJWT(ctx, claims.Hash, claims.ExpiresAt.Add(replaySlack)); err != nil {
			if errors.Is(err, tenancy.ErrConflict) {
				return t, t.ID, refuseOwned(t.ID, "replayed")
			}
			return t, t.ID, storeErr(err)
		}
		signed, err := SignApplicationToken(s.partnerKey, claims.Nonce, s.now())
		if err != nil {
			return t, t.ID, fmt.Errorf("sign application token: %w", err)
		}
		var user connector.User
		if t.User != nil {
			user = *t.User
		}
		ev := tenancy.AuditEvent{TenantID: t.ID, Kind: tenancy.EventHandshake, Actor: actorOf(user),
			RemoteAddr: s.clientIP(r), At: s.now()}
		if aerr := s.store.Audit(ctx, ev); aerr != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "audit write failed", slog.String("error", aerr.Error()))
		}
		out = HandshakeResult{Succeeded: true, SignedApplicationToken: signed}
		return t, t.ID, nil
	})
	var limited *RateLimitedError
	switch ReasonOf(err) {
	case "":
		if err != nil && !errors.As(err, &limited) {
			s.log.LogAttrs(r.Context(), slog.LevelError, "handshake failed", slog.String("error", err.Error()))
			return failed
		}
		if err != nil {
			return failed
		}
		return out
	case "bad_audience":
		return HandshakeResult{Reason: HandshakeWrongAudience}
	case "no_nonce":
		return HandshakeResult{Reason: HandshakeNoNonce}
	}
	return failed
}
