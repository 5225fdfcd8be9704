package dbrow

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

func TestCheckSecretCap(t *testing.T) {
	for _, c := range []struct {
		active, max int
		limit       bool
	}{
		{0, 0, false}, {5, 0, false}, {5, -1, false},
		{0, 1, false}, {1, 1, true}, {1, 2, false}, {2, 2, true}, {3, 2, true},
	} {
		err := CheckSecretCap("Cust1", c.active, c.max)
		if got := errors.Is(err, tenancy.ErrLimit); got != c.limit {
			t.Errorf("active %d, max %d: %v, want ErrLimit %v", c.active, c.max, err, c.limit)
		}
	}
	const want = "tenant Cust1 has 2 active secrets, at most 2 allowed: limit reached"
	if err := CheckSecretCap("Cust1", 2, 2); err == nil || err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}

func TestCheckRollCap(t *testing.T) {
	at := time.Unix(100, 0)
	later, now, earlier := at.Add(time.Nanosecond), at, at.Add(-time.Nanosecond)
	for _, c := range []struct {
		active  int
		expires time.Time
		max     int
		limit   bool
	}{
		{2, later, 2, true},  // the old one overlaps: 3 active
		{2, later, 3, false}, // 3 active, 3 allowed
		{2, now, 2, false},   // the old one stops at the roll: 2 active
		{2, earlier, 2, false},
		{3, now, 2, true},
		{9, later, 0, false}, // no cap
		{9, later, -1, false},
	} {
		err := CheckRollCap("Cust1", c.active, c.expires, at, c.max)
		if got := errors.Is(err, tenancy.ErrLimit); got != c.limit {
			t.Errorf("active %d, expires %v, max %d: %v, want ErrLimit %v", c.active, c.expires, c.max, err, c.limit)
		}
	}
	const want = "tenant Cust1 would have 3 active secrets, at most 2 allowed: limit reached"
	if err := CheckRollCap("Cust1", 2, later, at, 2); err == nil || err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}

func TestCheckSecretTenant(t *testing.T) {
	if err := CheckSecretTenant(3, "Cust1", ""); err != nil {
		t.Errorf("any tenant: %v", err)
	}
	if err := CheckSecretTenant(3, "Cust1", "Cust1"); err != nil {
		t.Errorf("own tenant: %v", err)
	}
	err := CheckSecretTenant(3, "Cust1", "Cust2")
	if !errors.Is(err, tenancy.ErrNotFound) || err.Error() != "secret 3 of tenant Cust2: not found" {
		t.Errorf("other tenant: %v", err)
	}
}

func TestRollExpiry(t *testing.T) {
	at := time.Unix(100, 0)
	if got, err := RollExpiry(time.Time{}, at); err != nil || !got.Equal(at) {
		t.Errorf("RollExpiry(zero) = %v, %v, want %v", got, err, at)
	}
	later := at.Add(time.Hour)
	if got, err := RollExpiry(later, at); err != nil || !got.Equal(later) {
		t.Errorf("RollExpiry(later) = %v, %v, want %v", got, err, later)
	}
	if _, err := RollExpiry(time.Unix(0, math.MaxInt64).Add(time.Nanosecond), at); err == nil {
		t.Error("RollExpiry of an unstorable time succeeded")
	}
}

func TestPlanRoll(t *testing.T) {
	var h [32]byte
	h[0] = 1
	at := time.Unix(100, 0)
	old := tenancy.Secret{ID: 4, TenantID: "Cust1"}
	sec := tenancy.Secret{Hash: h, Mode: connector.EnvironmentTest, CreatedAt: at}

	got, expires, err := PlanRoll(old, sec, at.Add(time.Hour))
	if err != nil || got.TenantID != "Cust1" || !expires.Equal(at.Add(time.Hour)) {
		t.Errorf("roll of a secret without expiry = %+v, %v, %v", got, expires, err)
	}
	// A roll never extends the old secret's life; an equal expiry is kept too.
	for _, had := range []time.Time{at.Add(time.Minute), at.Add(time.Hour)} {
		o := old
		o.ExpiresAt = had
		if _, expires, err := PlanRoll(o, sec, at.Add(time.Hour)); err != nil || !expires.Equal(had) {
			t.Errorf("old expiring at %v: new expiry %v, %v", had, expires, err)
		}
	}
	o := old
	o.ExpiresAt = at.Add(2 * time.Hour)
	if _, expires, err := PlanRoll(o, sec, at.Add(time.Hour)); err != nil || !expires.Equal(at.Add(time.Hour)) {
		t.Errorf("old expiring later: new expiry %v, %v, want %v", expires, err, at.Add(time.Hour))
	}

	other := sec
	other.TenantID = "Cust2"
	if _, _, err := PlanRoll(old, other, at); !errors.Is(err, tenancy.ErrNotFound) || err.Error() != "secret 4 of tenant Cust2: not found" {
		t.Errorf("roll into another tenant: %v", err)
	}
	noHash := sec
	noHash.Hash = [32]byte{}
	if _, _, err := PlanRoll(old, noHash, at); err == nil || err.Error() != "secret without a hash" {
		t.Errorf("successor without a hash: %v", err)
	}
	for _, o := range []tenancy.Secret{
		{ID: 4, TenantID: "Cust1", RevokedAt: at.Add(time.Hour)},
		{ID: 4, TenantID: "Cust1", ExpiresAt: at},                       // expires at the roll
		{ID: 4, TenantID: "Cust1", ExpiresAt: at.Add(-time.Nanosecond)}, // expired before
	} {
		_, _, err := PlanRoll(o, sec, at)
		if !errors.Is(err, tenancy.ErrConflict) || err.Error() != "secret 4 is revoked or expired: conflict" {
			t.Errorf("old %+v: %v, want the conflict", o, err)
		}
	}
	o = old
	o.ExpiresAt = at.Add(time.Nanosecond)
	if _, _, err := PlanRoll(o, sec, at); err != nil {
		t.Errorf("old expiring just after the roll: %v", err)
	}
}

func TestCheckTokenSecret(t *testing.T) {
	at := time.Unix(100, 0)
	tok := tenancy.AccessToken{TenantID: "Cust1", IssuedAt: at}
	for _, sec := range []tenancy.Secret{
		{ID: 2, TenantID: "Cust1"},
		{ID: 2, TenantID: "Cust1", ExpiresAt: at.Add(time.Nanosecond)},
	} {
		if err := CheckTokenSecret(tok, sec); err != nil {
			t.Errorf("secret %+v: %v", sec, err)
		}
	}
	for _, c := range []struct {
		sec  tenancy.Secret
		want string
	}{
		{tenancy.Secret{ID: 2, TenantID: "Cust2"}, "secret 2 belongs to tenant Cust2: conflict"},
		{tenancy.Secret{ID: 2, TenantID: "Cust1", ExpiresAt: at}, "secret 2 is revoked or expired: conflict"},
		{tenancy.Secret{ID: 2, TenantID: "Cust1", RevokedAt: at.Add(time.Hour)}, "secret 2 is revoked or expired: conflict"},
	} {
		err := CheckTokenSecret(tok, c.sec)
		if !errors.Is(err, tenancy.ErrConflict) || err.Error() != c.want {
			t.Errorf("secret %+v: %v, want %q", c.sec, err, c.want)
		}
	}
}

func TestTouchCutoff(t *testing.T) {
	at := time.Unix(1000, 0)
	want := at.Add(-TouchInterval).UnixNano()
	nanos := func(d time.Duration) *int64 { n := at.Add(d).UnixNano(); return &n }
	for _, c := range []struct {
		last *int64
		due  bool
	}{
		{nil, true},
		{nanos(-TouchInterval - time.Nanosecond), true},
		{nanos(-TouchInterval), true},
		{nanos(-TouchInterval + time.Nanosecond), false},
		{nanos(0), false},
		{nanos(time.Hour), false}, // never moves back
	} {
		cutoff, due := TouchCutoff(c.last, at)
		if cutoff != want || due != c.due {
			t.Errorf("last %v: cutoff %d, due %v; want %d, %v", c.last, cutoff, due, want, c.due)
		}
	}
}

func TestNewTenantValues(t *testing.T) {
	created := time.Unix(100, 0)
	tn := tenancy.Tenant{ID: "Cust1", Environment: connector.EnvironmentTest, Enabled: true, CreatedAt: created}
	v, err := NewTenantValues(tn)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(v), columns(TenantInsertCols); got != want {
		t.Fatalf("%d values for %d insert columns", got, want)
	}
	if v[7] != created.UnixNano() || v[8] != created.UnixNano() || v[6].(*int64) != nil {
		t.Errorf("a zero UpdatedAt: created_at %v, updated_at %v, tokens_valid_after %v", v[7], v[8], v[6])
	}
	tn.UpdatedAt = created.Add(time.Second)
	if v, err := NewTenantValues(tn); err != nil || v[8] != tn.UpdatedAt.UnixNano() {
		t.Errorf("updated_at = %v, %v, want %d", v, err, tn.UpdatedAt.UnixNano())
	}
	bad := tn
	bad.TokensValidAfter = time.Unix(0, math.MaxInt64).Add(time.Nanosecond)
	if _, err := NewTenantValues(bad); err == nil || !strings.Contains(err.Error(), "outside the storable range") {
		t.Errorf("unstorable TokensValidAfter: %v", err)
	}
	bad = tn
	bad.ID = "cust1"
	if _, err := NewTenantValues(bad); err == nil || errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("malformed id: %v, want a plain error", err)
	}
}

func TestTenantUpdateValues(t *testing.T) {
	tn := tenancy.Tenant{ID: "Cust1", Name: "n", Environment: connector.EnvironmentLive, UpdatedAt: time.Unix(100, 0)}
	v, err := TenantUpdateValues(tn)
	if err != nil || len(v) != 7 || v[0] != "n" || v[1] != "live" || v[4] != tn.UpdatedAt.UnixNano() || v[6] != "Cust1" {
		t.Errorf("TenantUpdateValues = %v, %v", v, err)
	}
	bad := tn
	bad.ID = "Cust"
	if _, err := TenantUpdateValues(bad); !errors.Is(err, tenancy.ErrNotFound) ||
		!strings.HasPrefix(err.Error(), `tenant id "Cust" does not match`) {
		t.Errorf("malformed id: %v, want ErrNotFound", err)
	}
	bad = tn
	bad.Environment = "prod"
	if _, err := TenantUpdateValues(bad); err == nil || errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("bad environment: %v, want a plain error", err)
	}
	bad = tn
	bad.UpdatedAt = time.Unix(0, math.MinInt64).Add(-time.Nanosecond)
	if _, err := TenantUpdateValues(bad); err == nil || !strings.Contains(err.Error(), "outside the storable range") {
		t.Errorf("unstorable UpdatedAt: %v", err)
	}
}

func TestCheckPruneCutoffAndJWTExpiry(t *testing.T) {
	at := time.Unix(100, 0)
	unstorable := time.Unix(0, math.MaxInt64).Add(time.Nanosecond)
	if err := CheckPruneCutoff(at); err != nil {
		t.Errorf("CheckPruneCutoff(%v): %v", at, err)
	}
	if err := CheckPruneCutoff(time.Time{}); err == nil || err.Error() != "a cut-off time is required" {
		t.Errorf("CheckPruneCutoff(zero): %v", err)
	}
	if err := CheckPruneCutoff(unstorable); err == nil || !strings.Contains(err.Error(), "outside the storable range") {
		t.Errorf("CheckPruneCutoff(unstorable): %v", err)
	}
	if err := CheckJWTExpiry(at); err != nil {
		t.Errorf("CheckJWTExpiry(%v): %v", at, err)
	}
	if err := CheckJWTExpiry(time.Time{}); err == nil || err.Error() != "a remembered JWT needs an expiry" {
		t.Errorf("CheckJWTExpiry(zero): %v", err)
	}
	if err := CheckJWTExpiry(unstorable); err == nil || !strings.Contains(err.Error(), "outside the storable range") {
		t.Errorf("CheckJWTExpiry(unstorable): %v", err)
	}
}

func TestDistinctTenants(t *testing.T) {
	if got := DistinctTenants(nil); len(got) != 0 {
		t.Errorf("DistinctTenants(nil) = %v", got)
	}
	got := DistinctTenants([]string{"Cust9", "Cust10", "Cust9", "Cust1", "Cust10"})
	if want := []string{"Cust1", "Cust10", "Cust9"}; !slices.Equal(got, want) {
		t.Errorf("DistinctTenants = %v, want %v", got, want)
	}
}
