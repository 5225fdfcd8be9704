package connector_test

import (
	"bytes"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

// FuzzML builds multi-language texts with ML and reads them with ParseMultiLang: a text
// written is a text read, with each '"' turned into an apostrophe as ML documents, and
// IsWellFormedMultiLang agrees.
func FuzzML(f *testing.F) {
	f.Add("US", "Price list closed", "NO", "Prisliste stengt")
	f.Add("GE", "", "SW", `say "hi"`)
	f.Add("US", "a;NO:\"b", "NO", ";")
	f.Fuzz(func(t *testing.T, c1, t1, c2, t2 string) {
		code := func(s string) bool { return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' }
		if !code(c1) || !code(c2) || c1 == c2 {
			return
		}
		s := connector.ML(c1, t1, c2, t2)
		m, err := connector.ParseMultiLang(s)
		if err != nil {
			t.Fatalf("ML(%q, %q, %q, %q) = %q, which does not parse: %v", c1, t1, c2, t2, s, err)
		}
		unquote := func(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(`"`), []byte("'"))) }
		if len(m) != 2 || m[c1] != unquote(t1) || m[c2] != unquote(t2) {
			t.Fatalf("ML(%q, %q, %q, %q) = %q parses to %v", c1, t1, c2, t2, s, m)
		}
		if !connector.IsWellFormedMultiLang(s) {
			t.Fatalf("ML wrote %q, which IsWellFormedMultiLang refuses", s)
		}
	})
}
