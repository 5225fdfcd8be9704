package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// T0 is the fixed "now" of the suite: the clock of every store it opens, and the instant
// every other time of the tests derives from.
var T0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock returns T0; it is the clock the suite gives Harness.Open and Harness.Reopen.
func Clock() time.Time { return T0 }

// unknownID is an id no store hands out in a test: far beyond any sequence a test can
// advance, and positive, so it is a well-formed id that is merely unknown.
const unknownID int64 = 1 << 62

var hashSeq atomic.Int64

// NewHash returns a SHA-256 no other call in the test binary returns.
func NewHash() [32]byte {
	return sha256.Sum256(fmt.Appendf(nil, "credential-%d", hashSeq.Add(1)))
}

// NewTenant returns an enabled test-environment tenant with the id, created and updated a
// day before T0, with one SuperOffice environment, one application id and one config key.
func NewTenant(id string) tenancy.Tenant {
	return tenancy.Tenant{
		ID:              id,
		Name:            "Tenant " + id,
		Environment:     connector.EnvironmentTest,
		SuperOfficeEnvs: []string{"sod"},
		AppIDs:          []string{"app-" + id},
		Enabled:         true,
		Config:          map[string]string{"warehouse": "main"},
		CreatedAt:       T0.Add(-24 * time.Hour),
		UpdatedAt:       T0.Add(-24 * time.Hour),
	}
}

// MustCreateTenant creates NewTenant(id) in s and returns it; it fails t when the store
// refuses.
func MustCreateTenant(t testing.TB, s tenancy.AdminStore, id string) tenancy.Tenant {
	t.Helper()
	tn := NewTenant(id)
	if err := s.CreateTenant(context.Background(), tn, tenancy.AuditEvent{Actor: "test"}); err != nil {
		t.Fatalf("CreateTenant(%s): %v", id, err)
	}
	return tn
}

// NewSecret returns a test-mode secret of tenant with a fresh hash, created at T0, that
// never expires.
func NewSecret(tenant string) tenancy.Secret {
	h := NewHash()
	return tenancy.Secret{
		TenantID:   tenant,
		Hash:       h,
		Mode:       connector.EnvironmentTest,
		Display:    fmt.Sprintf("qk_test_%x", h[:3]),
		Last4:      fmt.Sprintf("%x", h[30:]),
		Ciphertext: []byte("sealed:" + string(h[:4])),
		KeyID:      "k1",
		CreatedAt:  T0,
	}
}

// MustCreateSecret stores sec in s without a cap and returns its id; it fails t when the
// store refuses.
func MustCreateSecret(t testing.TB, s tenancy.AdminStore, sec tenancy.Secret) int64 {
	t.Helper()
	id, err := s.CreateSecret(context.Background(), sec, 0, tenancy.AuditEvent{Actor: "test"})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	return id
}

// NewToken returns a token of tenant with a fresh hash, minted from secret secretID (0:
// none) at T0 for an hour.
func NewToken(tenant string, secretID int64) tenancy.AccessToken {
	return tenancy.AccessToken{
		Hash:      NewHash(),
		TenantID:  tenant,
		Method:    tenancy.MethodSecret,
		SecretID:  secretID,
		IssuedAt:  T0,
		ExpiresAt: T0.Add(time.Hour),
	}
}

// MustIssueToken stores tok in s and returns its id; it fails t when the store refuses.
func MustIssueToken(t testing.TB, s tenancy.Store, tok tenancy.AccessToken) int64 {
	t.Helper()
	id, err := s.IssueToken(context.Background(), tok, tenancy.AuditEvent{})
	if err != nil {
		t.Fatalf("IssueToken: %v", err)
	}
	return id
}

// NewAdminKey returns an admin key with a fresh hash, created at T0, with the scopes.
func NewAdminKey(name string, scopes ...tenancy.Scope) tenancy.AdminKey {
	h := NewHash()
	return tenancy.AdminKey{
		Hash:      h,
		Name:      name,
		Display:   fmt.Sprintf("qk_ak_test_%x", h[:2]),
		Last4:     fmt.Sprintf("%x", h[30:]),
		Scopes:    scopes,
		CreatedAt: T0,
	}
}

// MustCreateAdminKey stores k in s and returns its id; it fails t when the store refuses.
func MustCreateAdminKey(t testing.TB, s tenancy.AdminKeyStore, k tenancy.AdminKey) int64 {
	t.Helper()
	id, err := s.CreateAdminKey(context.Background(), k, tenancy.AuditEvent{Actor: "test"})
	if err != nil {
		t.Fatalf("CreateAdminKey: %v", err)
	}
	return id
}

// SupportToken returns a support token of tenant obtained by actor (see NewToken).
func SupportToken(tenant, actor string) tenancy.AccessToken {
	tok := NewToken(tenant, 0)
	tok.Method, tok.Actor = tenancy.MethodSupport, actor
	return tok
}

// ErrPlain stands, given to WantErr, for any error that wraps none of tenancy's store
// sentinels: bad input or a failure that is no store outcome.
var ErrPlain = errors.New("any error that is no store sentinel")

// sentinels are the store outcomes a caller acts on.
var sentinels = []error{tenancy.ErrNotFound, tenancy.ErrConflict, tenancy.ErrLimit, tenancy.ErrUnavailable}

// WantErr fails t unless err wraps want; a nil want asks for no error, and ErrPlain for an
// error that wraps none of tenancy's sentinels.
func WantErr(t testing.TB, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case errors.Is(want, ErrPlain):
		if err == nil {
			t.Fatalf("got no error, want one")
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				t.Fatalf("error %q wraps %v, want a plain error", err, s)
			}
		}
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error = %v, want %v", err, want)
	}
}

// count returns h's Counts of s.
func count(t testing.TB, h Harness, s Store) Counts {
	t.Helper()
	return h.Count(t, s)
}

// auditCount returns how many audit events the database of s holds.
func auditCount(t testing.TB, h Harness, s Store) int {
	t.Helper()
	return h.Count(t, s).AuditEvents
}

// issueRevoked issues tok and revokes it at at through RevokeTokens. The caller issues it
// before any other token of its tenant, so it is the one token RevokeTokens revokes; the
// revocation writes its own tokens.revoked event.
func issueRevoked(t testing.TB, s Store, tok tenancy.AccessToken, at time.Time) {
	t.Helper()
	MustIssueToken(t, s, tok)
	n, err := s.RevokeTokens(context.Background(), tok.TenantID, 0, at, tenancy.AuditEvent{})
	if err != nil || n != 1 {
		t.Fatalf("RevokeTokens(%s) = %d, %v; want the 1 token just issued", tok.TenantID, n, err)
	}
}
