package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// hs256TenantClaims are where an HS256 JWT may name its tenant: SuperOffice's context
// claim, or the subject.
var hs256TenantClaims = []string{"http://schemes.superoffice.net/identity/ctx", "sub"}

// verifyHS256 checks a JWT that NetServer signed with the tenant's shared secret
// (SuperOffice's REST draft). The tenant named in the token only selects whose secrets to
// try; the decision rests on the signature and the claims checked with that secret. It
// needs the keyring, since only the encrypted copy of a secret can verify an HMAC. A JWT
// that a secret of the tenant signed is the tenant's, so its refusal (the secret revoked
// or expired, the claims out of range) is never throttled; only a JWT no secret of the
// tenant signed counts against its client.
func (s *Service) verifyHS256(ctx context.Context, raw string) (connector.Tenant, error) {
	if s.keys == nil {
		return connector.Tenant{}, refuse("hs256_disabled")
	}
	// The same shape and date rules as SuperOffice's own JWTs (see Verify): canonical
	// base64url segments, numeric dates, a positive exp.
	if reason := compactShape(raw); reason != "" {
		return connector.Tenant{}, refuse(reason)
	}
	if !numericDates(payloadOf(raw)) {
		return connector.Tenant{}, refuse(reasonMalformed)
	}
	pedanticDates.Do(func() { jwt.Settings(jwt.WithNumericDateParsePedantic(true)) })
	tenantID := unverifiedTenant(raw)
	if !tenancy.TenantPattern.MatchString(tenantID) {
		return connector.Tenant{}, refuse("no_tenant")
	}
	t, err := s.store.Tenant(ctx, tenantID)
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		return connector.Tenant{ID: tenantID}, refuse("unknown_tenant")
	case err != nil:
		return connector.Tenant{}, storeErr(err)
	case !t.Enabled:
		return connector.Tenant{ID: tenantID}, refuse("tenant_disabled")
	}
	secrets, err := s.store.SecretsOf(ctx, tenantID)
	if err != nil {
		return connector.Tenant{}, storeErr(err)
	}
	now := s.now()
	for _, sec := range secrets {
		if sec.Mode != t.Environment || len(sec.Ciphertext) == 0 {
			continue
		}
		key, err := s.keys.Decrypt(tenantID, sec.Hash, sec.Ciphertext, sec.KeyID)
		if err != nil {
			continue
		}
		if _, err := jws.Verify([]byte(raw), jws.WithKey(jwa.HS256, key)); err != nil {
			clear(key)
			continue
		}
		// Signed with this secret of the tenant: from here on a refusal is the tenant's
		// own, answered 401 and never throttled.
		_, err = jwt.Parse([]byte(raw),
			jwt.WithKey(jwa.HS256, key),
			jwt.WithValidate(true),
			jwt.WithClock(jwt.ClockFunc(s.now)),
			jwt.WithAcceptableSkew(60*time.Second),
			jwt.WithRequiredClaim(jwt.ExpirationKey),
			jwt.WithRequiredClaim(jwt.IssuedAtKey),
			jwt.WithMaxDelta(10*time.Minute, jwt.ExpirationKey, jwt.IssuedAtKey),
			jwt.WithMaxDelta(10*time.Minute, "", jwt.IssuedAtKey),
			jwt.WithValidator(jwt.ValidatorFunc(expPositive)),
		)
		clear(key)
		switch {
		case !sec.RevokedAt.IsZero():
			return connector.Tenant{ID: tenantID}, refuseOwned(tenantID, "revoked")
		case !sec.Active(now):
			return connector.Tenant{ID: tenantID}, refuseOwned(tenantID, "expired")
		case err != nil:
			return connector.Tenant{ID: tenantID}, refuseOwned(tenantID, claimReason(err))
		}
		_ = s.store.TouchSecret(ctx, sec.ID, now)
		return s.tenantOf(t, connector.User{}), nil
	}
	return connector.Tenant{ID: tenantID}, refuse("bad_signature")
}

// payloadOf decodes the payload segment of a compact JWT, unverified; nil if it cannot.
func payloadOf(raw string) []byte {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || len(parts[1]) > MaxCredentialLength {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	return b
}

// unverifiedTenant reads the tenant claim of a compact JWT without verifying it; it only
// chooses whose secrets to try.
func unverifiedTenant(raw string) string {
	var claims map[string]any
	if json.Unmarshal(payloadOf(raw), &claims) != nil {
		return ""
	}
	for _, name := range hs256TenantClaims {
		if v, ok := claims[name].(string); ok {
			return v
		}
	}
	return ""
}
