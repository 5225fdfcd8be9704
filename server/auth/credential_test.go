package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

func TestCredentialFormat(t *testing.T) {
	for _, kind := range []string{tenancy.KindSecret, tenancy.KindAccessToken, tenancy.KindAdminKey} {
		for _, mode := range []connector.Environment{connector.EnvironmentTest, connector.EnvironmentLive} {
			s, err := tenancy.NewCredential(kind, mode)
			if err != nil {
				t.Fatal(err)
			}
			prefix := "qk_" + kind + "_" + string(mode) + "_"
			if !strings.HasPrefix(s, prefix) || len(s) != len(prefix)+43+6 {
				t.Fatalf("%q: want %s + 43 random + 6 checksum characters", s, prefix)
			}
			c, err := auth.ParseCredential(s)
			if err != nil {
				t.Fatalf("%q does not parse: %v", s, err)
			}
			if c.Kind != kind || c.Mode != mode || c.String() != s || c.Display() != s[:len(prefix)+4] || c.Last4() != s[len(s)-4:] {
				t.Errorf("parsed %q as %+v", s, c)
			}
		}
	}
	a, _ := tenancy.NewCredential(tenancy.KindSecret, connector.EnvironmentTest)
	b, _ := tenancy.NewCredential(tenancy.KindSecret, connector.EnvironmentTest)
	if a == b {
		t.Error("two fresh credentials are equal")
	}
}

func TestParseCredentialRefuses(t *testing.T) {
	good, _ := tenancy.NewCredential(tenancy.KindSecret, connector.EnvironmentLive)
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "", "malformed"},
		{"no prefix", strings.TrimPrefix(good, "qk_"), "malformed"},
		{"unknown kind", strings.Replace(good, "_sk_", "_pk_", 1), "malformed"},
		{"unknown mode", strings.Replace(good, "_live_", "_prod_", 1), "malformed"},
		{"truncated", good[:len(good)-1], "malformed"},
		{"extended", good + "x", "malformed"},
		{"bad character", strings.Replace(good, good[20:21], "=", 1), "malformed"},
		{"random part changed", flipAt(good, 20), "bad_checksum"},
		{"checksum changed", flipAt(good, len(good)-2), "bad_checksum"},
		{"mode changed, checksum kept", strings.Replace(good, "_live_", "_test_", 1), "bad_checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.ParseCredential(tt.in)
			if !errors.Is(err, auth.ErrInvalidCredential) || auth.ReasonOf(err) != tt.reason {
				t.Errorf("err %v (reason %q), want reason %q", err, auth.ReasonOf(err), tt.reason)
			}
		})
	}
}

func FuzzParseCredential(f *testing.F) {
	good, _ := tenancy.NewCredential(tenancy.KindAccessToken, connector.EnvironmentTest)
	for _, seed := range []string{good, "", "qk_", "qk_at_test_", good[:40], good + good} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := auth.ParseCredential(s)
		if err != nil {
			if !errors.Is(err, auth.ErrInvalidCredential) {
				t.Fatalf("error %v is not a refusal", err)
			}
			return
		}
		if c.String() != s {
			t.Fatal("a parsed credential does not give itself back")
		}
	})
}
