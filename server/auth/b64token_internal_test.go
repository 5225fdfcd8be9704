package auth

import (
	"regexp"
	"testing"
)

// b64tokenRE is RFC 6750's b64token grammar as a regular expression, the definition the
// hand-written check must agree with.
var b64tokenRE = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

var b64tokenCases = []string{
	"", "=", "==", "a", "a=", "a==", "a=b", "abc~+/-._", "qk_at_test_abc", "Zm9vOmJhcg==",
	"a b", "a\tb", "a\x00", "é", "a,b", "a;b", "a\"", "=a", "a==\n", "\xff", "a=\xff",
}

func TestB64TokenGrammar(t *testing.T) {
	for _, s := range b64tokenCases {
		if got, want := b64token.MatchString(s), b64tokenRE.MatchString(s); got != want {
			t.Errorf("b64token(%q) = %v, the grammar says %v", s, got, want)
		}
	}
}

func FuzzB64TokenGrammar(f *testing.F) {
	for _, s := range b64tokenCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := b64token.MatchString(s), b64tokenRE.MatchString(s); got != want {
			t.Fatalf("b64token(%q) = %v, the grammar says %v", s, got, want)
		}
	})
}
