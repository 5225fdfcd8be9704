package auth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/quotekit/quotekit/connector"
)

// superOfficeIssuer is the iss of every token SuperOffice signs for connectors, in all of
// its environments; the environment is told by which key verified the token.
const superOfficeIssuer = "SuperOffice AS"

// Defaults of SuperOfficeConfig.
const (
	defaultSkew            = 60 * time.Second
	defaultMaxLifetime     = 10 * time.Minute
	defaultMaxAge          = 10 * time.Minute
	defaultMaxTokenLength  = 8 << 10
	defaultRefreshCooldown = time.Minute
	defaultTenantPattern   = `^Cust[0-9]{1,10}$`

	claimTenant      = "http://schemes.superoffice.net/identity/ctx"
	claimAssociateID = "http://schemes.superoffice.net/identity/associateid"
	claimEmail       = "http://schemes.superoffice.net/identity/email"
	claimUPN         = "http://schemes.superoffice.net/identity/upn"
	claimNonce       = "nonce"

	// maxUserText bounds the name and e-mail taken from a token; longer values are dropped
	// rather than carried into logs, audit rows and connector calls.
	maxUserText = 256
	// maxTenantID bounds the tenant claim before the pattern is tried.
	maxTenantID = 64
)

// Reason codes of SuperOffice JWT refusals (Refusal.Reason).
const (
	reasonTooLong         = "too_long"          // longer than MaxTokenLength; not parsed
	reasonMalformed       = "malformed"         // not a compact JWS, or claims of the wrong type
	reasonEncrypted       = "encrypted"         // a JWE; never decrypted
	reasonBadAlg          = "bad_alg"           // alg other than RS256
	reasonUnknownKID      = "unknown_kid"       // no trusted key has the token's kid
	reasonBadSignature    = "bad_signature"     // no trusted key verifies the signature
	reasonExpired         = "expired"           // exp (+ skew) has passed
	reasonNotYetValid     = "not_yet_valid"     // nbf or iat lies in the future (beyond skew)
	reasonTooOld          = "too_old"           // now − iat exceeds MaxAge (+ skew)
	reasonLifetimeTooLong = "lifetime_too_long" // exp − iat exceeds MaxLifetime (+ skew)
	reasonNoExp           = "no_exp"            // exp absent, 0 or negative
	reasonNoIat           = "no_iat"            // iat absent
	reasonBadIssuer       = "bad_issuer"        // iss absent or not exactly "SuperOffice AS"
	reasonNoTenant        = "no_tenant"         // tenant claim absent
	reasonBadTenant       = "bad_tenant"        // tenant claim not a string matching TenantPattern
)

// errNoSuperOfficeKeys is returned when no trusted environment has keys to verify with.
var errNoSuperOfficeKeys = fmt.Errorf("no SuperOffice key set available: %w", ErrUnavailable)

// Env is a SuperOffice environment whose signatures the verifier trusts.
type Env struct {
	// Name is sod, qaonline or online, or a local name (tests, development).
	Name string
	// Mode is the tenant environment the name stands for: test for sod and qaonline, live
	// for online. It may be left empty for those three names; a local name must set it.
	Mode connector.Environment
	// JWKSURL is where the environment publishes its keys, https only. For sod, qaonline and
	// online it defaults to https://<name>.superoffice.com/login/.well-known/jwks; other
	// names must set it or Keys. It must be empty when Keys is set.
	JWKSURL string
	// Keys are locally trusted RSA public keys (*rsa.PublicKey, 2048 bits or more). An
	// environment with Keys never fetches anything; its keys are offered for any kid.
	Keys []crypto.PublicKey
}

// SuperOfficeEnvs returns SuperOffice's three environments with their JWKS endpoints:
// sod and qaonline (test) and online (live). A deployment usually trusts a subset.
func SuperOfficeEnvs() []Env {
	return []Env{
		{Name: "sod", Mode: connector.EnvironmentTest},
		{Name: "qaonline", Mode: connector.EnvironmentTest},
		{Name: "online", Mode: connector.EnvironmentLive},
	}
}

// knownEnvModes are SuperOffice's authentication environments. Numbered sub-domains
// (sod2, online3) serve data only and never sign tokens, so no other name gets a default.
var knownEnvModes = map[string]connector.Environment{
	"sod":      connector.EnvironmentTest,
	"qaonline": connector.EnvironmentTest,
	"online":   connector.EnvironmentLive,
}

// SuperOfficeConfig configures a SuperOfficeVerifier. Zero durations and lengths mean the
// defaults named on each field.
type SuperOfficeConfig struct {
	// Envs are the trusted environments, tried in this order. At least one is required.
	Envs []Env
	// HTTPClient fetches the JWKS. Default: a client with a 5 s timeout, TLS 1.2 or later,
	// redirects only within the same https host, and bodies capped at 1 MiB. A client
	// given here is copied; the copy always gets the 1 MiB body cap, and a zero Timeout
	// becomes 5 s and a nil CheckRedirect the same-host policy.
	HTTPClient *http.Client
	// Clock replaces time.Now for expiry checks and the refresh cooldown.
	Clock func() time.Time
	// Skew is the tolerated clock difference to SuperOffice (default 60 s). It widens every
	// time check, MaxLifetime and MaxAge included.
	Skew time.Duration
	// MaxLifetime bounds exp − iat (default 10 min): a token may be refused for being
	// valid too long, whatever its exp.
	MaxLifetime time.Duration
	// MaxAge bounds now − iat (default 10 min).
	MaxAge time.Duration
	// TenantClaim names the tenant (default http://schemes.superoffice.net/identity/ctx).
	TenantClaim string
	// AssociateIDClaim names the associate id (default
	// http://schemes.superoffice.net/identity/associateid), a number or a decimal string.
	AssociateIDClaim string
	// EmailClaim names the user's e-mail (default
	// http://schemes.superoffice.net/identity/email); when it is absent, sub is used if it
	// holds an '@'.
	EmailClaim string
	// NameClaim names the user's name (default http://schemes.superoffice.net/identity/upn).
	// One claim rather than first name + last name: the upn is what SuperOffice identifies
	// the user by in every flow, while the name parts are optional profile fields.
	NameClaim string
	// TenantPattern is the form a tenant id must have (default ^Cust[0-9]{1,10}$). It is
	// always matched against the whole claim, anchored or not, and a tenant id longer
	// than 64 bytes is refused whatever the pattern.
	TenantPattern string
	// MaxTokenLength refuses longer tokens before any parsing (default 8 KiB).
	MaxTokenLength int
	// RefreshCooldown is the least time between two JWKS refreshes of one environment
	// forced by unknown kids (default 1 min).
	RefreshCooldown time.Duration
}

// SuperOfficeVerifier verifies the RS256 JWTs SuperOffice NetServer presents. It is safe
// for concurrent use.
type SuperOfficeVerifier struct {
	envs     []*envKeys
	clock    func() time.Time
	cooldown time.Duration
	maxLen   int
	tenant   *regexp.Regexp
	// Claim names of the tenant and the user.
	tenantClaim, associateIDClaim, emailClaim, nameClaim string
	// validate are the parse options shared by every call; the key provider and the
	// clock are added per call.
	validate []jwt.ParseOption
}

// SuperOfficeClaims is what a verified SuperOffice JWT says.
type SuperOfficeClaims struct {
	// Env is the name of the trusted environment whose key verified the token; Mode its
	// tenant environment.
	Env  string
	Mode connector.Environment
	// Tenant is the tenant claim, checked against the tenant pattern.
	Tenant string
	// User is the CRM user as far as the token tells (ERPUser is left empty).
	User connector.User
	// Audiences are the aud values as given; Verify does not check them (HasAudienceFor).
	Audiences []string
	// Nonce is the nonce claim ("" when absent); ID the jti.
	Nonce string
	ID    string
	// IssuedAt and ExpiresAt are iat and exp.
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Hash is the SHA-256 of the raw token, the key of the replay cache.
	Hash [32]byte
}

// HasAudienceFor reports whether the token is addressed to one of the applications:
// an audience "spn:<AppId>" with AppId among appIDs. The comparison ignores ASCII letter
// case, as SuperOffice's own connector samples compare case-insensitively and AppIds are
// typed into tenant configuration by people; non-ASCII letters are compared exactly, so
// no Unicode folding can turn one AppId into another. Empty AppIds never match.
func (c SuperOfficeClaims) HasAudienceFor(appIDs []string) bool {
	const prefix = "spn:"
	for _, aud := range c.Audiences {
		if len(aud) <= len(prefix) || !asciiEqualFold(aud[:len(prefix)], prefix) {
			continue
		}
		id := aud[len(prefix):]
		for _, want := range appIDs {
			if want != "" && asciiEqualFold(id, want) {
				return true
			}
		}
	}
	return false
}

// asciiEqualFold is strings.EqualFold restricted to ASCII letters.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// pedanticDates makes jwx refuse RFC 3339 strings in exp, iat and nbf. It is a
// process-wide jwx setting, so it is applied once, by the first verifier built.
var pedanticDates sync.Once

// NewSuperOfficeVerifier checks cfg, registers the environments' JWKS endpoints and
// fetches their keys once. An unreachable endpoint does not fail it: Ready tells whether
// any environment has keys, and Verify keeps trying to fetch them. ctx bounds the
// verifier's life: cancelling it stops the background refreshes, after which Verify
// works with the keys it already has. Errors are configuration errors.
func NewSuperOfficeVerifier(ctx context.Context, cfg SuperOfficeConfig) (*SuperOfficeVerifier, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	tenant, err := regexp.Compile(`^(?:` + cfg.TenantPattern + `)$`)
	if err != nil {
		return nil, fmt.Errorf("superoffice: tenant pattern: %w", err)
	}
	pedanticDates.Do(func() { jwt.Settings(jwt.WithNumericDateParsePedantic(true)) })

	v := &SuperOfficeVerifier{
		clock:    cfg.Clock,
		cooldown: cfg.RefreshCooldown,
		maxLen:   cfg.MaxTokenLength,
		tenant:   tenant,

		tenantClaim:      cfg.TenantClaim,
		associateIDClaim: cfg.AssociateIDClaim,
		emailClaim:       cfg.EmailClaim,
		nameClaim:        cfg.NameClaim,
		validate: []jwt.ParseOption{
			jwt.WithValidate(true),
			jwt.WithAcceptableSkew(cfg.Skew),
			jwt.WithIssuer(superOfficeIssuer),
			jwt.WithValidator(because(jwt.IsRequired(jwt.ExpirationKey), reasonNoExp)),
			jwt.WithValidator(jwt.ValidatorFunc(expPositive)),
			jwt.WithValidator(because(jwt.IsRequired(jwt.IssuedAtKey), reasonNoIat)),
			// The two jwt.WithMaxDelta rules, each tagged with its own reason.
			jwt.WithValidator(because(jwt.MaxDeltaIs(jwt.ExpirationKey, jwt.IssuedAtKey, cfg.MaxLifetime), reasonLifetimeTooLong)),
			jwt.WithValidator(because(jwt.MaxDeltaIs("", jwt.IssuedAtKey, cfg.MaxAge), reasonTooOld)),
			jwt.WithValidator(because(jwt.IsRequired(cfg.TenantClaim), reasonNoTenant)),
		},
	}
	envs, err := newEnvKeys(ctx, cfg)
	if err != nil {
		return nil, err
	}
	v.envs = envs
	return v, nil
}

func (cfg *SuperOfficeConfig) withDefaults() error {
	if len(cfg.Envs) == 0 {
		return errors.New("superoffice: no trusted environment")
	}
	cfg.Envs = slices.Clone(cfg.Envs) // defaults are filled in; the caller's slice stays as given
	seen, urls := map[string]bool{}, map[string]bool{}
	for i := range cfg.Envs {
		e := &cfg.Envs[i]
		if e.Name == "" || seen[e.Name] {
			return fmt.Errorf("superoffice: environment %d: empty or repeated name", i)
		}
		seen[e.Name] = true
		known, isKnown := knownEnvModes[e.Name]
		switch {
		case e.Mode == "" && isKnown:
			e.Mode = known
		case e.Mode != connector.EnvironmentTest && e.Mode != connector.EnvironmentLive:
			return fmt.Errorf("superoffice: environment %s: mode must be %q or %q", e.Name, connector.EnvironmentTest, connector.EnvironmentLive)
		case isKnown && e.Mode != known:
			return fmt.Errorf("superoffice: environment %s is %s, not %s", e.Name, known, e.Mode)
		}
		switch {
		case len(e.Keys) > 0 && e.JWKSURL != "":
			return fmt.Errorf("superoffice: environment %s: both keys and a JWKS URL", e.Name)
		case len(e.Keys) > 0:
			for _, k := range e.Keys {
				rk, ok := k.(*rsa.PublicKey)
				if !ok || rk == nil || rk.N == nil || rk.N.BitLen() < minRSABits {
					return fmt.Errorf("superoffice: environment %s: keys must be RSA public keys of at least %d bits", e.Name, minRSABits)
				}
			}
		case e.JWKSURL == "" && isKnown:
			e.JWKSURL = "https://" + e.Name + ".superoffice.com/login/.well-known/jwks"
		case e.JWKSURL == "":
			return fmt.Errorf("superoffice: environment %s: neither keys nor a JWKS URL", e.Name)
		}
		if e.JWKSURL != "" {
			u, err := url.Parse(e.JWKSURL)
			if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
				return fmt.Errorf("superoffice: environment %s: the JWKS URL must be an absolute https URL", e.Name)
			}
			if urls[e.JWKSURL] {
				return fmt.Errorf("superoffice: environment %s: JWKS URL used by another environment", e.Name)
			}
			urls[e.JWKSURL] = true
		}
	}
	if cfg.Skew < 0 || cfg.MaxLifetime < 0 || cfg.MaxAge < 0 || cfg.MaxTokenLength < 0 || cfg.RefreshCooldown < 0 {
		return errors.New("superoffice: negative duration or length")
	}
	setDefault(&cfg.Skew, defaultSkew)
	setDefault(&cfg.MaxLifetime, defaultMaxLifetime)
	setDefault(&cfg.MaxAge, defaultMaxAge)
	setDefault(&cfg.RefreshCooldown, defaultRefreshCooldown)
	setDefault(&cfg.MaxTokenLength, defaultMaxTokenLength)
	setDefault(&cfg.TenantClaim, claimTenant)
	setDefault(&cfg.AssociateIDClaim, claimAssociateID)
	setDefault(&cfg.EmailClaim, claimEmail)
	setDefault(&cfg.NameClaim, claimUPN)
	setDefault(&cfg.TenantPattern, defaultTenantPattern)
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return nil
}

func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// because tags the failure of a jwx validator with a reason code.
func because(v jwt.Validator, reason string) jwt.Validator {
	return jwt.ValidatorFunc(func(ctx context.Context, t jwt.Token) jwt.ValidationError {
		if v.Validate(ctx, t) != nil {
			return jwt.NewValidationError(refuse(reason))
		}
		return nil
	})
}

// expPositive refuses exp ≤ 0: jwx treats exp 0 as "no expiry" even when exp is required.
func expPositive(_ context.Context, t jwt.Token) jwt.ValidationError {
	if t.Expiration().Unix() <= 0 {
		return jwt.NewValidationError(refuse(reasonNoExp))
	}
	return nil
}

// Ready reports whether at least one trusted environment has keys to verify with.
func (v *SuperOfficeVerifier) Ready() bool {
	for _, e := range v.envs {
		if e.current() != nil {
			return true
		}
	}
	return false
}

// Verify checks a SuperOffice JWT: compact RS256 only, signed by a key of a trusted
// environment, iss "SuperOffice AS", exp and iat present and in range, nbf honoured, a
// tenant claim of the tenant pattern. It does not check the audience: the caller matches
// Audiences against the tenant's AppIds (HasAudienceFor). Every refusal is a *Refusal
// (matching ErrInvalidCredential) whose reason carries nothing from the token. When no
// environment has keys (JWKS unreachable since start, nothing cached) the error wraps
// ErrUnavailable. An unknown kid may make Verify wait, within ctx, for a JWKS refresh.
func (v *SuperOfficeVerifier) Verify(ctx context.Context, raw string) (SuperOfficeClaims, error) {
	if len(raw) > v.maxLen {
		return SuperOfficeClaims{}, refuse(reasonTooLong)
	}
	if reason := compactShape(raw); reason != "" {
		return SuperOfficeClaims{}, refuse(reason)
	}
	now := v.clock()
	buf := []byte(raw)

	// First pass over the keys at hand; environments that lack the token's kid, or any
	// keys at all, are then refreshed (rate-limited) and tried once more.
	var (
		stale   []*envKeys
		tried   []*keySet
		offered bool
	)
	for _, e := range v.envs {
		set := e.current()
		if set == nil {
			if e.fetchable() {
				stale, tried = append(stale, e), append(tried, nil)
			}
			continue
		}
		res := v.verifyWith(buf, e, set, now)
		if res.tok != nil || res.refusal != nil {
			return v.result(res, e, raw)
		}
		offered = offered || res.offered
		if res.kidMissed && e.fetchable() {
			stale, tried = append(stale, e), append(tried, set)
		}
	}
	if len(stale) > 0 {
		v.refresh(ctx, stale, now)
		for i, e := range stale {
			set := e.current()
			if set == nil || set == tried[i] {
				continue
			}
			res := v.verifyWith(buf, e, set, now)
			if res.tok != nil || res.refusal != nil {
				return v.result(res, e, raw)
			}
			offered = offered || res.offered
		}
	}
	switch {
	case !v.Ready():
		return SuperOfficeClaims{}, errNoSuperOfficeKeys
	case !offered:
		return SuperOfficeClaims{}, refuse(reasonUnknownKID)
	default:
		return SuperOfficeClaims{}, refuse(reasonBadSignature)
	}
}

// compactShape checks that raw is three segments of canonical base64url (the signature
// may be empty, so that alg "none" is reported as such) and returns a reason code when it
// is not. Padding, whitespace, standard base64 and the JSON serialization are refused, and
// so are spare bits set in a segment's last character: they decode to the same bytes, and
// would let one signed token be presented under many spellings, past the replay cache.
func compactShape(raw string) string {
	switch strings.Count(raw, ".") {
	case 2:
	case 4:
		return reasonEncrypted
	default:
		return reasonMalformed
	}
	head, rest, _ := strings.Cut(raw, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	if head == "" || payload == "" || !canonicalBase64URL(head) || !canonicalBase64URL(payload) || !canonicalBase64URL(sig) {
		return reasonMalformed
	}
	return ""
}

// canonicalBase64URL reports whether s is unpadded base64url whose last character carries
// no spare bits.
func canonicalBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		if base64URLValue(s[i]) < 0 {
			return false
		}
	}
	if len(s) == 0 {
		return true
	}
	last := base64URLValue(s[len(s)-1])
	switch len(s) % 4 {
	case 1:
		return false
	case 2:
		return last&0x0f == 0
	case 3:
		return last&0x03 == 0
	}
	return true
}

func base64URLValue(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return -1
}

// attempt is the outcome of verifying a token with one environment's keys: a token, a
// final refusal (the token itself is at fault, whoever signed it), or neither (no key of
// this environment verified it).
type attempt struct {
	tok       jwt.Token
	payload   []byte // the verified payload, with tok
	refusal   error
	offered   bool // some key was tried
	kidMissed bool // the token names a kid this environment does not have
}

func (v *SuperOfficeVerifier) verifyWith(raw []byte, e *envKeys, set *keySet, now time.Time) attempt {
	offer := &keyOffer{set: set}
	opts := make([]jwt.ParseOption, 0, len(v.validate)+2)
	opts = append(opts, v.validate...)
	opts = append(opts,
		jwt.WithKeyProvider(offer),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return now })),
	)
	tok, err := jwt.Parse(raw, opts...)
	res := attempt{offered: offer.offered, kidMissed: offer.kidMissed}
	switch {
	case err == nil:
		res.tok, res.payload = tok, offer.payload
	case offer.badAlg:
		res.refusal = refuse(reasonBadAlg)
	case offer.badHeader:
		res.refusal = refuse(reasonMalformed)
	case jws.IsVerificationError(err):
		// Not this environment's signature; the next environment may know it.
	default:
		// The signature was good (jwx validates claims only after verifying), or the
		// token could not be parsed at all: either way no other key changes the answer.
		res.refusal = refuse(claimReason(err))
	}
	return res
}

// claimReason maps a jwx parse or validation error to a reason code.
func claimReason(err error) string {
	var r *Refusal
	switch {
	case errors.As(err, &r):
		return r.Reason
	case errors.Is(err, jwt.ErrTokenExpired()):
		return reasonExpired
	case errors.Is(err, jwt.ErrTokenNotYetValid()), errors.Is(err, jwt.ErrInvalidIssuedAt()):
		return reasonNotYetValid
	case errors.Is(err, jwt.ErrInvalidIssuer()):
		return reasonBadIssuer
	default:
		return reasonMalformed
	}
}

// keyOffer is the jws key provider of one verification. It offers keys only for RS256 and
// always names RS256 itself: the token's header chooses neither the algorithm nor, through
// jwk, jku, x5u or x5c, the key.
type keyOffer struct {
	set       *keySet
	payload   []byte
	offered   bool
	kidMissed bool
	badAlg    bool
	badHeader bool
}

func (o *keyOffer) FetchKeys(_ context.Context, sink jws.KeySink, sig *jws.Signature, msg *jws.Message) error {
	h := sig.ProtectedHeaders()
	if h.Algorithm() != jwa.RS256 {
		o.badAlg = true
		return nil
	}
	// Extensions we do not implement (crit, b64) and nested tokens (cty JWT, or a payload
	// that is not a JSON object) are refused rather than interpreted.
	_, hasB64 := h.Get("b64")
	if len(h.Critical()) > 0 || hasB64 || h.ContentType() != "" && !strings.EqualFold(h.ContentType(), "json") ||
		!bytes.HasPrefix(bytes.TrimLeft(msg.Payload(), " \t\r\n"), []byte("{")) {
		o.badHeader = true
		return nil
	}
	o.payload = msg.Payload()
	offer := func(k *rsa.PublicKey) {
		o.offered = true
		sink.Key(jwa.RS256, k)
	}
	kid := h.KeyID()
	if kid == "" {
		for _, k := range o.set.all {
			offer(k)
		}
		return nil
	}
	if k, ok := o.set.byKID[kid]; ok {
		offer(k)
		return nil
	}
	o.kidMissed = true
	// Keys without a kid (local keys, kid-less JWKS entries) stand for any kid.
	for _, k := range o.set.noKID {
		offer(k)
	}
	return nil
}

// result turns a verified token into claims, or returns the attempt's refusal.
func (v *SuperOfficeVerifier) result(res attempt, e *envKeys, raw string) (SuperOfficeClaims, error) {
	if res.refusal != nil {
		return SuperOfficeClaims{}, res.refusal
	}
	tok := res.tok
	if !numericDates(res.payload) {
		return SuperOfficeClaims{}, refuse(reasonMalformed)
	}
	tenant, ok := tok.Get(v.tenantClaim)
	if !ok {
		return SuperOfficeClaims{}, refuse(reasonNoTenant)
	}
	tenantID, ok := tenant.(string)
	if !ok || len(tenantID) > maxTenantID || !v.tenant.MatchString(tenantID) {
		return SuperOfficeClaims{}, refuse(reasonBadTenant)
	}
	c := SuperOfficeClaims{
		Env:       e.name,
		Mode:      e.mode,
		Tenant:    tenantID,
		Audiences: tok.Audience(),
		ID:        tok.JwtID(),
		IssuedAt:  tok.IssuedAt(),
		ExpiresAt: tok.Expiration(),
		Hash:      sha256.Sum256([]byte(raw)),
	}
	c.Nonce, _ = stringClaim(tok, claimNonce)
	c.User.AssociateID = associateID(tok, v.associateIDClaim)
	if name, ok := stringClaim(tok, v.nameClaim); ok {
		c.User.Name = userText(name)
	}
	if email, ok := stringClaim(tok, v.emailClaim); ok {
		c.User.Email = userText(email)
	} else if sub := tok.Subject(); strings.Contains(sub, "@") {
		c.User.Email = userText(sub)
	}
	return c, nil
}

// numericDates reports whether exp, iat and nbf, where present, are JSON numbers. jwx
// also takes decimal strings for them, even with pedantic date parsing.
func numericDates(payload []byte) bool {
	var claims map[string]json.RawMessage
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	for _, name := range []string{jwt.ExpirationKey, jwt.IssuedAtKey, jwt.NotBeforeKey} {
		if v, ok := claims[name]; ok && (len(v) == 0 || v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
			return false
		}
	}
	return true
}

func stringClaim(tok jwt.Token, name string) (string, bool) {
	v, ok := tok.Get(name)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// associateID reads a positive int32 given as a JSON number or a decimal string. Anything
// else reads as 0 (unknown): the user is then mapped by e-mail, if at all.
func associateID(tok jwt.Token, name string) int32 {
	v, ok := tok.Get(name)
	if !ok {
		return 0
	}
	var n float64
	switch x := v.(type) {
	case float64:
		n = x
	case string:
		i, err := strconv.ParseInt(x, 10, 32)
		if err != nil {
			return 0
		}
		n = float64(i)
	default:
		return 0
	}
	if n <= 0 || n > math.MaxInt32 || n != math.Trunc(n) {
		return 0
	}
	return int32(n)
}

// userText keeps a name or e-mail only when it is short, valid UTF-8 without control
// characters; otherwise the user is left without it rather than with a mangled value.
func userText(s string) string {
	if len(s) > maxUserText || !utf8.ValidString(s) {
		return ""
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ""
		}
	}
	return s
}
