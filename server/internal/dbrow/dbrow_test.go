package dbrow

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// columns counts the columns of a column list.
func columns(list string) int { return strings.Count(list, ",") + 1 }

func TestDestMatchesColumns(t *testing.T) {
	for _, c := range []struct {
		name string
		cols string
		dest []any
	}{
		{"tenant", TenantCols, new(Tenant).Dest()},
		{"secret", SecretCols, new(Secret).Dest()},
		{"token", TokenCols, new(Token).Dest()},
		{"admin key", AdminKeyCols, new(AdminKey).Dest()},
		{"user mapping", UserMappingCols, new(UserMapping).Dest()},
		{"audit event", AuditCols, new(AuditEvent).Dest()},
	} {
		if got, want := len(c.dest), columns(c.cols); got != want {
			t.Errorf("%s: Dest has %d destinations, the column list %d columns", c.name, got, want)
		}
	}
	values, err := AuditValues(tenancy.AuditEvent{Kind: tenancy.EventTenantCreated})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		cols   string
		values []any
	}{
		{"secret", SecretInsertCols, SecretValues(tenancy.Secret{}, 0)},
		{"token", TokenInsertCols, TokenValues(tenancy.AccessToken{})},
		{"audit event", AuditInsertCols, values},
	} {
		if got, want := len(c.values), columns(c.cols); got != want {
			t.Errorf("%s: %d values for %d insert columns", c.name, got, want)
		}
	}
}

func TestTimes(t *testing.T) {
	if NullTime(time.Time{}) != nil {
		t.Error("NullTime(zero) is not nil")
	}
	if got := TimeOf(nil); !got.IsZero() {
		t.Errorf("TimeOf(nil) = %v, want the zero time", got)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 5, time.FixedZone("CET", 3600))
	got := TimeOf(NullTime(at))
	if !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("TimeOf(NullTime(%v)) = %v, want the same instant in UTC", at, got)
	}

	minT, maxT := time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	if err := CheckTimes(time.Time{}, minT, maxT, at); err != nil {
		t.Errorf("CheckTimes of storable times: %v", err)
	}
	for _, bad := range []time.Time{minT.Add(-time.Nanosecond), maxT.Add(time.Nanosecond)} {
		err := CheckTimes(at, bad)
		if err == nil || !strings.Contains(err.Error(), "outside the storable range") {
			t.Errorf("CheckTimes(%v) = %v, want the range error", bad, err)
		}
	}
}

func TestTenantRow(t *testing.T) {
	r := Tenant{t: tenancy.Tenant{ID: "Cust1", Enabled: true}, env: "live",
		appIDs: "[]", config: "{}", soEnvs: `["sod"]`, created: 1, updated: 2}
	got, err := r.Tenant()
	if err != nil {
		t.Fatal(err)
	}
	if got.AppIDs != nil || got.Config != nil {
		t.Errorf("empty JSON columns came back as %#v and %#v, want nil", got.AppIDs, got.Config)
	}
	if len(got.SuperOfficeEnvs) != 1 || got.SuperOfficeEnvs[0] != "sod" || got.Environment != connector.EnvironmentLive {
		t.Errorf("tenant = %+v", got)
	}
	if !got.TokensValidAfter.IsZero() || got.UpdatedAt != time.Unix(0, 2).UTC() {
		t.Errorf("times = %v, %v", got.TokensValidAfter, got.UpdatedAt)
	}

	r.config = "[1]"
	if _, err := r.Tenant(); err == nil || !strings.HasPrefix(err.Error(), "tenant Cust1: config: ") {
		t.Errorf("a config that is not an object: %v", err)
	}
}

func TestTenantJSON(t *testing.T) {
	tn := tenancy.Tenant{ID: "Cust12", Environment: connector.EnvironmentTest}
	appIDs, config, soEnvs, err := TenantJSON(tn)
	if err != nil || appIDs != "[]" || config != "{}" || soEnvs != "[]" {
		t.Errorf("TenantJSON of empty lists = %q, %q, %q, %v", appIDs, config, soEnvs, err)
	}
	for _, c := range []struct {
		t    tenancy.Tenant
		want string
	}{
		{tenancy.Tenant{ID: "cust1", Environment: connector.EnvironmentTest}, `tenant id "cust1" does not match`},
		{tenancy.Tenant{ID: "Cust1", Environment: "prod"}, `tenant Cust1: environment "prod" is neither test nor live`},
	} {
		if _, _, _, err := TenantJSON(c.t); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("TenantJSON(%+v) = %v, want %q", c.t, err, c.want)
		}
	}
}

func TestStoredHashLength(t *testing.T) {
	const want = "stored hash has 3 bytes, want 32"
	if _, err := (&Secret{s: tenancy.Secret{ID: 7}, hash: []byte("abc")}).Secret(); err == nil || err.Error() != "secret 7: "+want {
		t.Errorf("secret: %v", err)
	}
	if _, err := (&Token{k: tenancy.AccessToken{ID: 8}, hash: []byte("abc")}).Token(); err == nil || err.Error() != "token 8: "+want {
		t.Errorf("token: %v", err)
	}
	if _, err := (&AdminKey{k: tenancy.AdminKey{ID: 9}, hash: []byte("abc"), scopes: "[]"}).AdminKey(); err == nil || err.Error() != "admin key 9: "+want {
		t.Errorf("admin key: %v", err)
	}
}

func TestNullableColumns(t *testing.T) {
	sec := tenancy.Secret{CreatedAt: time.Unix(0, 10)}
	if v := SecretValues(sec, 0); v[8].(*int64) != nil || v[9].(*int64) != nil {
		t.Errorf("no expiry and no predecessor: expires_at %v, rolled_from %v, want NULL", v[8], v[9])
	}
	if v := SecretValues(sec, 4); *v[9].(*int64) != 4 {
		t.Errorf("rolled_from = %v, want 4", v[9])
	}
	if v := TokenValues(tenancy.AccessToken{}); v[7].(*int64) != nil {
		t.Errorf("secret_id of a token without a secret = %v, want NULL", v[7])
	}
	rolled := int64(4)
	got, err := (&Secret{hash: make([]byte, 32), rolledFrom: &rolled}).Secret()
	if err != nil || got.RolledFrom != 4 || !got.ExpiresAt.IsZero() {
		t.Errorf("secret = %+v, %v", got, err)
	}
	var m UserMapping
	m.erpUser = "erp1"
	if got := m.Mapping("Cust1"); got != (tenancy.UserMapping{TenantID: "Cust1", ERPUser: "erp1"}) {
		t.Errorf("mapping with NULL keys = %+v", got)
	}
}

func TestTenantIssuable(t *testing.T) {
	after := time.Unix(100, 0).UnixNano()
	if err := TenantIssuable("Cust1", true, &after, time.Unix(101, 0)); err != nil {
		t.Errorf("token issued after TokensValidAfter: %v", err)
	}
	for _, c := range []struct {
		enabled bool
		issued  time.Time
	}{{false, time.Unix(101, 0)}, {true, time.Unix(100, 0)}} {
		if err := TenantIssuable("Cust1", c.enabled, &after, c.issued); !errors.Is(err, tenancy.ErrTenantDisabled) {
			t.Errorf("enabled %v, issued %v: %v, want ErrTenantDisabled", c.enabled, c.issued, err)
		}
	}
}

func TestChecks(t *testing.T) {
	var h [32]byte
	h[0] = 1
	if err := CheckNewToken(tenancy.AccessToken{Hash: h, Method: "m", IssuedAt: time.Unix(1, 0),
		ExpiresAt: time.Unix(2, 0), JWT: h}); err == nil || err.Error() != "a remembered JWT needs a valid expiry" {
		t.Errorf("JWT without an expiry: %v", err)
	}
	if err := CheckNewSecret(tenancy.Secret{Hash: h, Mode: connector.EnvironmentTest, CreatedAt: time.Unix(2, 0),
		ExpiresAt: time.Unix(2, 0)}); err == nil || !strings.Contains(err.Error(), "before it is created") {
		t.Errorf("secret expiring when created: %v", err)
	}
	if _, err := AdminKeyScopes(tenancy.AdminKey{Hash: h}); err == nil || err.Error() != "admin key without scopes" {
		t.Errorf("admin key without scopes: %v", err)
	}
	keys := MappingKeys(0, "")
	if err := CheckMapping(tenancy.UserMapping{ERPUser: "e"}, keys); err == nil || err.Error() != "a mapping needs an associate id or an e-mail" {
		t.Errorf("mapping without keys: %v", err)
	}
	if keys := MappingKeys(3, "A@Example.com"); keys[0] != int32(3) || keys[1] != "a@example.com" {
		t.Errorf("MappingKeys = %v", keys)
	}
	ev := AuditDefaults(tenancy.AuditEvent{Actor: "x"}, tenancy.AuditEvent{Kind: tenancy.EventTenantCreated, TenantID: "Cust1", At: time.Unix(5, 0)})
	if ev.Kind != tenancy.EventTenantCreated || ev.TenantID != "Cust1" || ev.Actor != "x" || !ev.At.Equal(time.Unix(5, 0)) {
		t.Errorf("AuditDefaults = %+v", ev)
	}
	if _, err := AuditValues(tenancy.AuditEvent{}); err == nil || err.Error() != "audit event without a kind" {
		t.Errorf("audit event without a kind: %v", err)
	}
	if got := AuditLimit(tenancy.AuditFilter{}); got != DefaultAuditLimit {
		t.Errorf("AuditLimit of no limit = %d", got)
	}
}
