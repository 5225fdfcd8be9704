package dbrow

import (
	"encoding/json"
	"fmt"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// SecretCols are the columns of secrets (alias s) that Secret.Dest receives, in order.
//
//nolint:gosec // G101: a column list, not a credential
const SecretCols = `s.id, s.tenant_id, s.hash, s.mode, s.display, s.last4, s.ciphertext, s.key_id,
	s.created_at, s.expires_at, s.revoked_at, s.last_used_at, s.rolled_from`

// Secret receives the SecretCols of a row.
type Secret struct {
	s                          tenancy.Secret
	hash                       []byte
	mode                       string
	created                    int64
	expires, revoked, lastUsed *int64
	rolledFrom                 *int64
}

// Dest returns the scan destinations of the SecretCols, in order.
func (r *Secret) Dest() []any {
	return []any{&r.s.ID, &r.s.TenantID, &r.hash, &r.mode, &r.s.Display, &r.s.Last4, &r.s.Ciphertext,
		&r.s.KeyID, &r.created, &r.expires, &r.revoked, &r.lastUsed, &r.rolledFrom}
}

// Secret returns the secret the scanned row holds. It fails with a plain error naming the
// secret when the stored hash is not 32 bytes long.
func (r *Secret) Secret() (tenancy.Secret, error) {
	s := r.s
	h, err := hash32(r.hash)
	if err != nil {
		return tenancy.Secret{}, fmt.Errorf("secret %d: %w", s.ID, err)
	}
	s.Hash = h
	s.Mode = connector.Environment(r.mode)
	s.CreatedAt = NanosTime(r.created)
	s.ExpiresAt = TimeOf(r.expires)
	s.RevokedAt = TimeOf(r.revoked)
	s.LastUsedAt = TimeOf(r.lastUsed)
	s.RolledFrom = idOf(r.rolledFrom)
	return s, nil
}

// CheckNewSecret refuses, with a plain error, a new secret the schema would refuse with a
// less readable one: no hash, a mode neither test nor live, an expiry not after
// CreatedAt, or a time outside the storable range (see CheckTimes).
func CheckNewSecret(sec tenancy.Secret) error {
	switch {
	case sec.Hash == [32]byte{}:
		return fmt.Errorf("secret without a hash")
	case !ValidEnvironment(sec.Mode):
		return fmt.Errorf("secret mode %q is neither test nor live", sec.Mode)
	case !sec.ExpiresAt.IsZero() && !sec.ExpiresAt.After(sec.CreatedAt):
		return fmt.Errorf("secret expires at %s, before it is created", sec.ExpiresAt.UTC())
	}
	return CheckTimes(sec.CreatedAt, sec.ExpiresAt)
}

// SecretInsertCols are the columns of secrets that SecretValues gives values for, in
// order, as an INSERT lists them.
//
//nolint:gosec // G101: a column list, not a credential
const SecretInsertCols = `(tenant_id, hash, mode, display, last4, ciphertext, key_id, created_at, expires_at, rolled_from)`

// SecretValues returns the values of the SecretInsertCols of sec, a successor of the
// secret rolledFrom (0: none, NULL).
func SecretValues(sec tenancy.Secret, rolledFrom int64) []any {
	return []any{sec.TenantID, sec.Hash[:], string(sec.Mode), sec.Display, sec.Last4, sec.Ciphertext, sec.KeyID,
		sec.CreatedAt.UnixNano(), NullTime(sec.ExpiresAt), nullID(rolledFrom)}
}

// TokenCols are the columns of access_tokens (alias k) that Token.Dest receives, in
// order.
//
//nolint:gosec // G101: a column list, not a credential
const TokenCols = `k.id, k.hash, k.tenant_id, k.associate_id, k.user_name, k.user_email, k.erp_user,
	k.method, k.secret_id, k.actor, k.issued_at, k.expires_at, k.revoked_at`

// Token receives the TokenCols of a row.
type Token struct {
	k               tenancy.AccessToken
	hash            []byte
	method          string
	secretID        *int64
	issued, expires int64
	revoked         *int64
}

// Dest returns the scan destinations of the TokenCols, in order.
func (r *Token) Dest() []any {
	return []any{&r.k.ID, &r.hash, &r.k.TenantID, &r.k.User.AssociateID, &r.k.User.Name, &r.k.User.Email,
		&r.k.User.ERPUser, &r.method, &r.secretID, &r.k.Actor, &r.issued, &r.expires, &r.revoked}
}

// Token returns the access token the scanned row holds. It fails with a plain error
// naming the token when the stored hash is not 32 bytes long.
func (r *Token) Token() (tenancy.AccessToken, error) {
	k := r.k
	h, err := hash32(r.hash)
	if err != nil {
		return tenancy.AccessToken{}, fmt.Errorf("token %d: %w", k.ID, err)
	}
	k.Hash = h
	k.Method = tenancy.Method(r.method)
	k.SecretID = idOf(r.secretID)
	k.IssuedAt = NanosTime(r.issued)
	k.ExpiresAt = NanosTime(r.expires)
	k.RevokedAt = TimeOf(r.revoked)
	return k, nil
}

// CheckNewToken refuses, with a plain error, a token IssueToken cannot store: no hash, no
// method, an expiry not after IssuedAt, a time outside the storable range (see
// CheckTimes), or a remembered JWT (tok.JWT set) without a valid expiry.
func CheckNewToken(tok tenancy.AccessToken) error {
	switch {
	case tok.Hash == [32]byte{}:
		return fmt.Errorf("token without a hash")
	case tok.Method == "":
		return fmt.Errorf("token without a method")
	case !tok.ExpiresAt.After(tok.IssuedAt):
		return fmt.Errorf("token must expire after it is issued")
	}
	if err := CheckTimes(tok.IssuedAt, tok.ExpiresAt); err != nil {
		return err
	}
	if tok.JWT != [32]byte{} {
		if err := CheckTimes(tok.JWTExpiresAt); err != nil || tok.JWTExpiresAt.IsZero() {
			return fmt.Errorf("a remembered JWT needs a valid expiry")
		}
	}
	return nil
}

// TokenInsertCols are the columns of access_tokens that TokenValues gives values for, in
// order, as an INSERT lists them.
//
//nolint:gosec // G101: a column list, not a credential
const TokenInsertCols = `(hash, tenant_id, associate_id, user_name, user_email, erp_user, method, secret_id, actor, issued_at, expires_at)`

// TokenValues returns the values of the TokenInsertCols of tok; a SecretID of 0 is NULL.
func TokenValues(tok tenancy.AccessToken) []any {
	return []any{tok.Hash[:], tok.TenantID, tok.User.AssociateID, tok.User.Name, tok.User.Email, tok.User.ERPUser,
		string(tok.Method), nullID(tok.SecretID), tok.Actor, tok.IssuedAt.UnixNano(), tok.ExpiresAt.UnixNano()}
}

// AdminKeyCols are the columns of admin_keys (alias a) that AdminKey.Dest receives, in
// order.
const AdminKeyCols = `a.id, a.name, a.hash, a.display, a.last4, a.scopes, a.created_at, a.revoked_at, a.last_used_at`

// AdminKey receives the AdminKeyCols of a row.
type AdminKey struct {
	k                 tenancy.AdminKey
	hash              []byte
	scopes            string
	created           int64
	revoked, lastUsed *int64
}

// Dest returns the scan destinations of the AdminKeyCols, in order.
func (r *AdminKey) Dest() []any {
	return []any{&r.k.ID, &r.k.Name, &r.hash, &r.k.Display, &r.k.Last4, &r.scopes, &r.created, &r.revoked, &r.lastUsed}
}

// AdminKey returns the admin key the scanned row holds. It fails with a plain error
// naming the key when the stored hash is not 32 bytes long or the scopes are not a JSON
// array of strings.
func (r *AdminKey) AdminKey() (tenancy.AdminKey, error) {
	k := r.k
	h, err := hash32(r.hash)
	if err != nil {
		return tenancy.AdminKey{}, fmt.Errorf("admin key %d: %w", k.ID, err)
	}
	k.Hash = h
	if err := json.Unmarshal([]byte(r.scopes), &k.Scopes); err != nil {
		return tenancy.AdminKey{}, fmt.Errorf("admin key %d: scopes: %w", k.ID, err)
	}
	k.CreatedAt = NanosTime(r.created)
	k.RevokedAt = TimeOf(r.revoked)
	k.LastUsed = TimeOf(r.lastUsed)
	return k, nil
}

// AdminKeyScopes validates a new admin key and encodes its scopes column, a JSON array.
// The scopes are stored as given: checking them is the caller's business, but a key
// needs at least one. It fails with a plain error when k has no hash or no scopes, or
// its CreatedAt is outside the storable range (see CheckTimes).
func AdminKeyScopes(k tenancy.AdminKey) (string, error) {
	switch {
	case k.Hash == [32]byte{}:
		return "", fmt.Errorf("admin key without a hash")
	case len(k.Scopes) == 0:
		return "", fmt.Errorf("admin key without scopes")
	}
	if err := CheckTimes(k.CreatedAt); err != nil {
		return "", err
	}
	scopes, err := json.Marshal(k.Scopes)
	if err != nil {
		return "", err
	}
	return string(scopes), nil
}
