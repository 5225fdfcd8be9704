package auth

import (
	"context"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/tenancy"
)

// Defaults of the Service.
const (
	DefaultTokenTTL = time.Hour
	// replaySlack keeps a JWT in the replay cache a little past its expiry, covering the skew.
	replaySlack = 2 * time.Minute
)

// Service verifies credentials and issues access tokens. It implements the server's
// Authenticator: operations accept a quotekit access token, Basic tenant:secret, an HS256
// JWT signed with a shared secret, or a SuperOffice RS256 JWT; POST /Authenticate takes a
// shared secret or a SuperOffice JWT; POST /oauth/access_token takes client credentials.
// The tenant always comes from the credential. With WithAdminKeys it also checks the
// admin API's keys (AuthenticateAdmin), which are never tenant credentials, and issues
// support tokens for them (SupportToken).
type Service struct {
	store      tenancy.Store
	so         *SuperOfficeVerifier
	keys       *tenancy.Keyring
	partnerKey *rsa.PrivateKey
	now        func() time.Time
	tokenTTL   time.Duration
	limits     *limiter
	clientIP   func(*http.Request) string
	log        *slog.Logger
	metrics    *authMetrics
	adminKeys  tenancy.AdminKeyStore // nil: the admin API is off (see AuthenticateAdmin)
	secrets    credentialCache       // shared secrets verified for SOAP calls
	tokens     credentialCache       // access tokens verified for REST calls
	audits     *refusalAudit         // which refusals get an audit row of their own
	onRefusal  func(reason string)   // WithRefusalHook; nil: none
}

// Option sets an optional part of the Service.
type Option func(*Service)

// WithSuperOffice accepts SuperOffice-signed JWTs verified by v.
func WithSuperOffice(v *SuperOfficeVerifier) Option { return func(s *Service) { s.so = v } }

// WithKeyring enables HS256 JWTs signed with a shared secret; k decrypts the secrets' copies.
func WithKeyring(k *tenancy.Keyring) Option { return func(s *Service) { s.keys = k } }

// WithPartnerKey signs the application token returned to SuperOffice when its JWT has a nonce.
func WithPartnerKey(k *rsa.PrivateKey) Option { return func(s *Service) { s.partnerKey = k } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithTokenTTL sets the lifetime of access tokens (default DefaultTokenTTL).
func WithTokenTTL(d time.Duration) Option { return func(s *Service) { s.tokenTTL = d } }

// WithLogger logs refusals (reason codes, never credentials) and faults.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithRateLimits sets how many failed attempts a client (an IPv4 address, or an IPv6 /64)
// may make: burst at once, then one per interval (default DefaultIPLimit). Only failures
// of credentials that nothing proves to be a tenant's count; past the limit they are
// answered 429. A credential proven to be a tenant's (its revoked secret, its expired
// token, a verified JWT for it) is refused with 401 whatever the limit, so that NetServer
// authenticates again, and valid credentials are never throttled.
func WithRateLimits(perClient Limit) Option {
	return func(s *Service) { s.limits = newLimiter(perClient, func() time.Time { return s.now() }) }
}

// WithTrustedProxies makes the client address the last X-Forwarded-For hop not in
// proxies, when the peer itself is one of them; otherwise the peer address is used.
func WithTrustedProxies(proxies []string) Option {
	return func(s *Service) { s.clientIP = clientIPFunc(proxies) }
}

// WithMetrics counts authentication outcomes (by reason code) and issued tokens (by
// method) in reg. Labels come from fixed sets: never a tenant or a credential.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(s *Service) {
		m := &authMetrics{
			outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
				Namespace: "quotekit", Name: "auth_outcomes_total",
				Help: "Credential checks by outcome (ok, refused, throttled) and refusal reason.",
			}, []string{"outcome", "reason"}),
			issued: prometheus.NewCounterVec(prometheus.CounterOpts{
				Namespace: "quotekit", Name: "tokens_issued_total",
				Help: "Access tokens issued, by how they were obtained.",
			}, []string{"method"}),
		}
		reg.MustRegister(m.outcomes, m.issued)
		s.metrics = m
	}
}

type authMetrics struct {
	outcomes *prometheus.CounterVec
	issued   *prometheus.CounterVec
}

func (m *authMetrics) outcome(outcome, reason string) {
	if m != nil {
		m.outcomes.WithLabelValues(outcome, reason).Inc()
	}
}

func (m *authMetrics) tokenIssued(method tenancy.Method) {
	if m != nil {
		m.issued.WithLabelValues(string(method)).Inc()
	}
}

// WithRefusalHook calls f with the reason code of every refused credential (the codes
// of the audit log and of the auth_outcomes_total metric), "throttled" for an attempt
// answered 429, and "insufficient_scope" for an admin key lacking a scope. f runs on the
// request's goroutine, must be safe for concurrent use and must not block; it never sees
// the credential, the client or the tenant. The operator console's health page counts
// refusals with it.
func WithRefusalHook(f func(reason string)) Option { return func(s *Service) { s.onRefusal = f } }

// reportRefusal hands reason to the WithRefusalHook function, if any.
func (s *Service) reportRefusal(reason string) {
	if s.onRefusal != nil {
		s.onRefusal(reason)
	}
}

// NewService returns a Service on store.
func NewService(store tenancy.Store, opts ...Option) *Service {
	s := &Service{
		store:    store,
		now:      time.Now,
		tokenTTL: DefaultTokenTTL,
		clientIP: clientIPFunc(nil),
		log:      slog.New(slog.DiscardHandler),
	}
	s.limits = newLimiter(DefaultIPLimit, func() time.Time { return s.now() })
	s.audits = &refusalAudit{limits: DefaultRefusalAudit}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Authenticate verifies the credential of an operation call and returns its tenant. A
// SuperOffice JWT is accepted once (spendJWT); an HS256 JWT signed with the shared secret
// is not remembered.
func (s *Service) Authenticate(r *http.Request) (connector.Tenant, error) {
	return s.guard(r, ReadAuthorization, func(ctx context.Context, p Presented) (connector.Tenant, string, error) {
		switch {
		case p.Scheme == "Basic":
			sec, t, err := s.verifySecret(ctx, p.Pass, p.User)
			return s.tenantOf(t, connector.User{}), t.ID, s.touch(ctx, sec, err)
		case isCredential(p.Token, tenancy.KindAccessToken):
			return s.cachedAccessToken(ctx, p.Token)
		case isJWT(p.Token):
			t, claims, err := s.verifyJWT(ctx, p.Token, false)
			if err == nil && claims.Hash != [32]byte{} {
				err = s.spendJWT(ctx, t.ID, claims)
			}
			return t, t.ID, err
		default:
			// A shared secret is not an access token on operations (and vice versa).
			return connector.Tenant{}, "", refuse("wrong_kind")
		}
	})
}

// spendJWT accepts a verified SuperOffice JWT presented on an operation once: it is
// remembered until its expiry (plus the skew), as at /Authenticate, and refused as
// "replayed" when it was presented before, there or here. A captured JWT is thus worth
// nothing, and NetServer, which signs a fresh JWT on a 401, loses at most a retry.
func (s *Service) spendJWT(ctx context.Context, tenantID string, claims SuperOfficeClaims) error {
	err := s.store.RememberJWT(ctx, claims.Hash, claims.ExpiresAt.Add(replaySlack))
	switch {
	case errors.Is(err, tenancy.ErrConflict):
		return refuseOwned(tenantID, "replayed")
	case err != nil:
		return storeErr(err)
	}
	return nil
}

// Token answers POST /Authenticate: a shared secret (Bearer or Basic) or a SuperOffice
// JWT (Bearer, or SignedToken in a JSON body) buys an access token.
func (s *Service) Token(r *http.Request) (*model.AccessTokenResponse, error) {
	var out *model.AccessTokenResponse
	_, err := s.guard(r, tokenCredential, func(ctx context.Context, p Presented) (connector.Tenant, string, error) {
		switch {
		case p.Scheme == "Basic":
			var tenantID string
			var err error
			out, tenantID, err = s.tokenForSecret(ctx, r, p.Pass, p.User, tenancy.MethodSecret)
			return connector.Tenant{}, tenantID, err
		case isCredential(p.Token, tenancy.KindSecret):
			var tenantID string
			var err error
			out, tenantID, err = s.tokenForSecret(ctx, r, p.Token, "", tenancy.MethodSecret)
			return connector.Tenant{}, tenantID, err
		case isJWT(p.Token):
			t, claims, err := s.verifyJWT(ctx, p.Token, true)
			if err == nil {
				out, err = s.mintFromJWT(ctx, r, t, claims)
			}
			return t, t.ID, err
		default:
			// Access tokens cannot mint or extend tokens.
			return connector.Tenant{}, "", refuse("wrong_kind")
		}
	})
	return out, err
}

// tokenForSecret verifies a shared secret (of tenantID, when named) and mints an access
// token from it. It returns the tenant id for the audit of a refusal.
func (s *Service) tokenForSecret(ctx context.Context, r *http.Request, secret, tenantID string, method tenancy.Method) (*model.AccessTokenResponse, string, error) {
	sec, t, err := s.verifySecret(ctx, secret, tenantID)
	if err != nil {
		return nil, t.ID, err
	}
	out, err := s.mint(ctx, r, s.tenantOf(t, connector.User{}), connector.User{}, method, sec.ID)
	return out, t.ID, s.touch(ctx, sec, err)
}

// guard reads the request's credential with read and checks it with verify; refusals
// are rate limited and audited. verify returns the tenant the credential names, proven
// or not, for the audit.
//
// Only failures are counted and only failures are throttled: NetServer calls from a few
// shared SuperOffice addresses for many tenants, so throttling an address outright would
// let one misconfigured tenant (or an attacker on the same egress) lock every other
// tenant out. Verification is cheap (one hash and one indexed lookup, or one RSA verify),
// so the limiter guards the audit log and the answer, not the CPU.
func (s *Service) guard(r *http.Request, read func(*http.Request) (Presented, error),
	verify func(context.Context, Presented) (connector.Tenant, string, error)) (connector.Tenant, error) {
	ctx := r.Context()
	p, err := read(r)
	var tenantID string
	var t connector.Tenant
	if err == nil {
		t, tenantID, err = verify(ctx, p)
	}
	if err == nil {
		s.metrics.outcome("ok", "")
		s.flushRefusals(ctx, s.now())
		return t, nil
	}
	if errors.Is(err, ErrInvalidCredential) || errors.Is(err, ErrMalformed) {
		return connector.Tenant{}, s.refused(r, tenantID, err)
	}
	return connector.Tenant{}, err
}

// refused logs and audits a failed attempt by reason code; the credential itself is
// never written anywhere, and the audit rows are bounded (WithRefusalAudit). A failure of a credential nothing proves to be a tenant's is
// counted against its client, and past the limit answered 429 instead, unaudited, so a
// flood cannot fill the audit table. A credential proven to be a tenant's is audited
// under that tenant and always answered with its own refusal (401).
func (s *Service) refused(r *http.Request, tenantID string, err error) error {
	ctx := r.Context()
	ip := s.clientIP(r) // only here: an accepted call has no use for it
	if owner := ownerOf(err); owner != "" {
		tenantID = owner
	} else if limited := s.limits.failed(clientKey(ip)); limited != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "authentication throttled", slog.String("client", ip), slog.String("tenant", tenantID))
		s.metrics.outcome("throttled", "")
		s.reportRefusal("throttled")
		return limited
	}
	reason := ReasonOf(err)
	if reason == "" {
		reason = "malformed"
	}
	s.metrics.outcome("refused", reason)
	s.reportRefusal(reason)
	s.log.LogAttrs(ctx, slog.LevelInfo, "authentication refused",
		slog.String("reason", reason), slog.String("tenant", tenantID), slog.String("client", ip), slog.String("path", r.URL.Path))
	s.auditRefusal(ctx, tenancy.AuditEvent{TenantID: tenantID, Kind: tenancy.EventAuthRefused, Reason: reason, RemoteAddr: ip, At: s.now()})
	return err
}

// tokenCredential reads the credential of POST /Authenticate: the Authorization header,
// or else a SuperOffice JWT in the JSON body.
func tokenCredential(r *http.Request) (Presented, error) {
	p, err := ReadAuthorization(r)
	if errors.Is(err, ErrNoCredential) && r.Header.Get("Authorization") == "" {
		return signedTokenBody(r)
	}
	return p, err
}

// verifySecret checks a shared secret, and that it belongs to wantTenant when one is
// named. Unknown, wrong-tenant, revoked, expired, wrong-mode and disabled-tenant secrets
// are all the same refusal to the caller; each costs one hash and one indexed lookup.
func (s *Service) verifySecret(ctx context.Context, secret, wantTenant string) (tenancy.Secret, tenancy.Tenant, error) {
	c, err := ParseCredential(secret)
	if err != nil {
		return tenancy.Secret{}, tenancy.Tenant{ID: plausibleTenant(wantTenant)}, err
	}
	if c.Kind != tenancy.KindSecret {
		return tenancy.Secret{}, tenancy.Tenant{ID: plausibleTenant(wantTenant)}, refuse("wrong_kind")
	}
	hash := c.Hash()
	sec, t, err := s.store.SecretByHash(ctx, hash)
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		return tenancy.Secret{}, tenancy.Tenant{ID: plausibleTenant(wantTenant)}, refuse("unknown_secret")
	case err != nil:
		return tenancy.Secret{}, tenancy.Tenant{}, storeErr(err)
	}
	now := s.now()
	switch {
	case subtle.ConstantTimeCompare(sec.Hash[:], hash[:]) != 1:
		return tenancy.Secret{}, t, refuse("unknown_secret")
	case wantTenant != "" && wantTenant != t.ID:
		return tenancy.Secret{}, tenancy.Tenant{ID: plausibleTenant(wantTenant)}, refuse("wrong_tenant")
	case !sec.RevokedAt.IsZero():
		return tenancy.Secret{}, t, refuseOwned(t.ID, "revoked")
	case !sec.Active(now):
		return tenancy.Secret{}, t, refuseOwned(t.ID, "expired")
	case c.Mode != t.Environment || sec.Mode != t.Environment:
		return tenancy.Secret{}, t, refuseOwned(t.ID, "wrong_environment")
	case !t.Enabled:
		return tenancy.Secret{}, t, refuseOwned(t.ID, "tenant_disabled")
	}
	return sec, t, nil
}

// touch records a successful use of a secret; it passes err through.
func (s *Service) touch(ctx context.Context, sec tenancy.Secret, err error) error {
	if err == nil && sec.ID != 0 {
		if terr := s.store.TouchSecret(ctx, sec.ID, s.now()); terr != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "recording secret use failed", slog.String("error", terr.Error()))
		}
	}
	return err
}

// cachedAccessToken is verifyAccessToken behind the token cache (credentialCache): a
// token verified since the store last changed is answered from memory, until it expires.
func (s *Service) cachedAccessToken(ctx context.Context, token string) (connector.Tenant, string, error) {
	version, verr := s.store.DataVersion(ctx)
	if verr == nil {
		if t, ok := s.tokens.get(version, token, s.now()); ok {
			return t, t.ID, nil
		}
	}
	t, tenantID, expires, err := s.verifyAccessToken(ctx, token)
	if err == nil && verr == nil {
		s.tokens.put(version, token, cachedCredential{tenant: t, expiresAt: expires})
	}
	return t, tenantID, err
}

// verifyAccessToken checks an access token against the store and returns its tenant, the
// tenant id for the audit of a refusal, and the token's expiry.
func (s *Service) verifyAccessToken(ctx context.Context, token string) (connector.Tenant, string, time.Time, error) {
	c, err := ParseCredential(token)
	if err != nil {
		return connector.Tenant{}, "", time.Time{}, err
	}
	tok, t, err := s.store.TokenByHash(ctx, c.Hash())
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		return connector.Tenant{}, "", time.Time{}, refuse("unknown_token")
	case err != nil:
		return connector.Tenant{}, "", time.Time{}, storeErr(err)
	}
	now := s.now()
	switch {
	case !tok.RevokedAt.IsZero():
		return connector.Tenant{}, t.ID, time.Time{}, refuseOwned(t.ID, "revoked")
	case !now.Before(tok.ExpiresAt):
		return connector.Tenant{}, t.ID, time.Time{}, refuseOwned(t.ID, "expired")
	case !tok.IssuedAt.After(t.TokensValidAfter):
		return connector.Tenant{}, t.ID, time.Time{}, refuseOwned(t.ID, "invalidated")
	case !t.Enabled:
		return connector.Tenant{}, t.ID, time.Time{}, refuseOwned(t.ID, "tenant_disabled")
	case c.Mode != t.Environment:
		return connector.Tenant{}, t.ID, time.Time{}, refuseOwned(t.ID, "wrong_environment")
	}
	return s.tenantOf(t, tok.User), t.ID, tok.ExpiresAt, nil
}

// verifyJWT accepts a SuperOffice RS256 JWT, or an HS256 JWT signed with a shared secret
// (SuperOffice's draft form for operation calls, not accepted for minting tokens).
func (s *Service) verifyJWT(ctx context.Context, raw string, forToken bool) (connector.Tenant, SuperOfficeClaims, error) {
	switch alg := jwtAlgorithm(raw); {
	case alg == "HS256" && !forToken:
		t, err := s.verifyHS256(ctx, raw)
		return t, SuperOfficeClaims{}, err
	case alg == "RS256" && s.so != nil:
		claims, err := s.so.Verify(ctx, raw)
		if err != nil {
			return connector.Tenant{}, claims, err
		}
		t, err := s.superOfficeTenant(ctx, claims)
		if err != nil {
			t.ID = plausibleTenant(claims.Tenant)
		}
		return t, claims, err
	default:
		return connector.Tenant{}, SuperOfficeClaims{}, refuse("bad_alg")
	}
}

// superOfficeTenant checks a verified SuperOffice JWT against its tenant: known, enabled,
// of the mode of the environment whose key signed it and, when the tenant names its
// SuperOffice environments, bound to that very environment (sod and qaonline are both
// test), trusting the audience's AppId.
func (s *Service) superOfficeTenant(ctx context.Context, c SuperOfficeClaims) (connector.Tenant, error) {
	t, err := s.store.Tenant(ctx, c.Tenant)
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		return connector.Tenant{}, refuseOwned(c.Tenant, "unknown_tenant")
	case err != nil:
		return connector.Tenant{}, storeErr(err)
	case !t.Enabled:
		return connector.Tenant{}, refuseOwned(c.Tenant, "tenant_disabled")
	case c.Mode != t.Environment:
		return connector.Tenant{}, refuseOwned(c.Tenant, "wrong_environment")
	case !t.AcceptsSuperOfficeEnv(c.Env):
		return connector.Tenant{}, refuseOwned(c.Tenant, "wrong_environment")
	case !c.HasAudienceFor(t.AppIDs):
		return connector.Tenant{}, refuseOwned(c.Tenant, "bad_audience")
	}
	user := c.User
	erpUser, err := s.store.UserMapping(ctx, t.ID, user.AssociateID, user.Email)
	switch {
	case err == nil:
		user.ERPUser = erpUser
	case !errors.Is(err, tenancy.ErrNotFound):
		return connector.Tenant{}, storeErr(err)
	}
	tenant := s.tenantOf(t, user)
	tenant.User = &user
	return tenant, nil
}

func (s *Service) tenantOf(t tenancy.Tenant, u connector.User) connector.Tenant {
	out := connector.Tenant{ID: t.ID, Environment: t.Environment, Config: t.Config}
	if u != (connector.User{}) {
		out.User = &u
	}
	return out
}

// mint issues an access token for the tenant and writes its audit event.
func (s *Service) mint(ctx context.Context, r *http.Request, t connector.Tenant, user connector.User, method tenancy.Method, secretID int64) (*model.AccessTokenResponse, error) {
	return s.issue(ctx, grant{
		tenant: t, user: user, method: method, secretID: secretID, ttl: s.tokenTTL,
		kind: tenancy.EventTokenIssued, remoteAddr: s.clientIP(r),
	})
}

// grant describes an access token to issue and its audit event.
type grant struct {
	tenant     connector.Tenant
	user       connector.User
	method     tenancy.Method
	secretID   int64             // the secret it is minted from, 0 if none
	ttl        time.Duration     // its lifetime
	kind       tenancy.EventKind // the kind of its audit event
	actor      string            // the admin key acting for the tenant (support access), "" otherwise
	remoteAddr string
	jwt        [32]byte  // the SuperOffice JWT it is minted from, accepted once; zero if none
	jwtExpires time.Time // how long that JWT is remembered
}

// issue stores a new access token for g and writes its audit event in the same
// transaction, and returns the token, which exists nowhere else.
func (s *Service) issue(ctx context.Context, g grant) (*model.AccessTokenResponse, error) {
	plain, err := tenancy.NewCredential(tenancy.KindAccessToken, g.tenant.Environment)
	if err != nil {
		return nil, err
	}
	c, err := ParseCredential(plain)
	if err != nil {
		return nil, err
	}
	now := s.now()
	tok := tenancy.AccessToken{
		Hash: c.Hash(), TenantID: g.tenant.ID, User: g.user, Method: g.method, SecretID: g.secretID,
		Actor: g.actor, IssuedAt: now, ExpiresAt: now.Add(g.ttl), JWT: g.jwt, JWTExpiresAt: g.jwtExpires,
	}
	actor := g.actor
	if actor == "" {
		actor = actorOf(g.user)
	}
	ev := tenancy.AuditEvent{TenantID: g.tenant.ID, Kind: g.kind, Reason: string(g.method), Actor: actor,
		Credential: c.Display(), RemoteAddr: g.remoteAddr, At: now}
	if _, err := s.store.IssueToken(ctx, tok, ev); err != nil {
		switch {
		case errors.Is(err, tenancy.ErrTenantDisabled):
			return nil, refuseOwned(g.tenant.ID, "tenant_disabled") // disabled while we minted
		case errors.Is(err, tenancy.ErrConflict) && g.jwt != [32]byte{}:
			return nil, refuseOwned(g.tenant.ID, "replayed") // the JWT was presented before
		case errors.Is(err, tenancy.ErrConflict):
			return nil, refuseOwned(g.tenant.ID, "revoked") // the secret was revoked while we minted
		}
		return nil, storeErr(err)
	}
	s.metrics.tokenIssued(g.method)
	return &model.AccessTokenResponse{
		AccessToken: plain, TokenType: model.AccessTokenResponseTokenTypeBearer,
		ExpiresIn: int64(g.ttl / time.Second), IssuedAt: now.Unix(),
	}, nil
}

// mintFromJWT issues a per-user token for a verified SuperOffice JWT, refusing a JWT seen
// before (remembered in the token's own transaction: one commit, and a JWT is used up
// only by a token actually issued), and adds the signed application token when the JWT
// carried a nonce.
func (s *Service) mintFromJWT(ctx context.Context, r *http.Request, t connector.Tenant, claims SuperOfficeClaims) (*model.AccessTokenResponse, error) {
	var user connector.User
	if t.User != nil {
		user = *t.User
	}
	out, err := s.issue(ctx, grant{
		tenant: t, user: user, method: tenancy.MethodSuperOfficeJWT, ttl: s.tokenTTL,
		kind: tenancy.EventTokenIssued, remoteAddr: s.clientIP(r),
		jwt: claims.Hash, jwtExpires: claims.ExpiresAt.Add(replaySlack),
	})
	if err != nil {
		return nil, err
	}
	if claims.Nonce != "" && s.partnerKey != nil {
		signed, err := SignApplicationToken(s.partnerKey, claims.Nonce, s.now())
		if err != nil {
			return nil, fmt.Errorf("sign application token: %w", err)
		}
		out.SignedApplicationToken = signed
	}
	return out, nil
}

func actorOf(u connector.User) string {
	switch {
	case u.Email != "":
		return u.Email
	case u.AssociateID != 0:
		return fmt.Sprintf("associate:%d", u.AssociateID)
	}
	return ""
}

// plausibleTenant keeps a caller-supplied tenant id for the audit only when
// it has the form of one, so junk never reaches the audit table.
func plausibleTenant(id string) string {
	if tenancy.TenantPattern.MatchString(id) {
		return id
	}
	return ""
}

// storeErr passes ErrUnavailable through (503) and wraps anything else as a fault.
func storeErr(err error) error {
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("auth store: %w", err)
}
