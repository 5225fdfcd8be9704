package connector

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrMultiLang is wrapped by the errors ParseMultiLang returns.
var ErrMultiLang = errors.New("malformed multi-language text")

// MultiLang is a SuperOffice multi-language text, mapping two-letter
// SuperOffice language codes such as "US", "NO" and "GE" to the text in that
// language. SuperOffice shows such texts, for example in UserExplanation,
// Reason or DisplayName, in the user's language.
type MultiLang map[string]string

// mlCultureCodes maps the language part of a .NET culture name to the code
// SuperOffice uses, which is not always the ISO 639 code: German is "GE" and
// Swedish "SW".
var mlCultureCodes = map[string]string{
	"en": "US",
	"nb": "NO",
	"nn": "NO",
	"no": "NO",
	"de": "GE",
	"sv": "SW",
	"da": "DA",
	"fr": "FR",
	"nl": "NL",
}

// ParseMultiLang parses text of the form CODE:"text";CODE:"text" where each
// CODE is two upper-case ASCII letters and each text contains no '"'. One
// trailing ';' is accepted, because SuperOffice itself stores lists that way.
// Texts may be empty. It returns an error wrapping ErrMultiLang for anything
// else, so that nothing SuperOffice would fail to understand passes:
// the empty string, whitespace around pairs, a code that is lower-case or
// not two letters, a missing ':' or quote, a '"' inside a text, a repeated
// code, or any text after the last pair.
func ParseMultiLang(s string) (MultiLang, error) {
	if s == "" {
		return nil, mlError(0, "empty text")
	}
	m := MultiLang{}
	i := 0
	for {
		if len(s)-i < len(`XX:""`) {
			return nil, mlError(i, `want a pair CODE:"text"`)
		}
		code := s[i : i+2]
		if !mlIsCode(code) {
			return nil, mlError(i, "want a language code of two upper-case letters")
		}
		if s[i+2] != ':' || s[i+3] != '"' {
			return nil, mlError(i+2, `want :" after the language code`)
		}
		start := i + 4
		n := strings.IndexByte(s[start:], '"')
		if n < 0 {
			return nil, mlError(start, "text has no closing quote")
		}
		if _, dup := m[code]; dup {
			return nil, mlError(i, "language code "+code+" repeated")
		}
		m[code] = s[start : start+n]
		i = start + n + 1
		if i == len(s) {
			return m, nil
		}
		if s[i] != ';' {
			return nil, mlError(i, "want ; or the end after a closing quote (a text may not contain quotes)")
		}
		i++
		if i == len(s) {
			return m, nil
		}
	}
}

func mlError(pos int, reason string) error {
	return fmt.Errorf("connector: %w at byte %d: %s", ErrMultiLang, pos, reason)
}

// String formats m as SuperOffice stores it: US first if present, then the
// other codes in sorted order, without a trailing ';'. Like ML, it replaces
// each double quote inside a text with an apostrophe so that the result is
// always well formed, and it leaves out entries whose code is not two
// upper-case letters, since SuperOffice would reject the whole text for
// them. An empty m gives "".
func (m MultiLang) String() string {
	var b strings.Builder
	for i, code := range mlCodes(m) {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(code)
		b.WriteString(`:"`)
		b.WriteString(strings.ReplaceAll(m[code], `"`, `'`))
		b.WriteByte('"')
	}
	return b.String()
}

// mlCodes returns the valid codes of m in String's order.
func mlCodes(m MultiLang) []string {
	codes := make([]string, 0, len(m))
	for _, code := range slices.Sorted(maps.Keys(m)) {
		if !mlIsCode(code) {
			continue
		}
		if code == "US" {
			codes = slices.Insert(codes, 0, code)
		} else {
			codes = append(codes, code)
		}
	}
	return codes
}

// Text returns the text of m for a .NET culture name such as "nb-NO",
// "en-US" or "de" (matched case-insensitively on its language part). When m
// has no text for that language it falls back to US English, then to the
// first text in String's order, and returns "" only when m has no text at
// all. An empty text counts as missing, so a blank translation does not hide
// the English one.
func Text(m MultiLang, culture string) string {
	lang, _, _ := strings.Cut(culture, "-")
	lang, _, _ = strings.Cut(lang, "_")
	if code, ok := mlCultureCodes[strings.ToLower(lang)]; ok && m[code] != "" {
		return m[code]
	}
	if m["US"] != "" {
		return m["US"]
	}
	for _, code := range mlCodes(m) {
		if m[code] != "" {
			return m[code]
		}
	}
	return ""
}

// ML builds a multi-language text from code, text pairs, for example
// ML("US", "Closed", "NO", "Stengt"), formatted as by MultiLang.String.
// Each double quote inside a text becomes an apostrophe, because SuperOffice
// has no way to escape it. ML with no arguments returns "". It panics, as for a programming
// error, on an odd number of arguments, a code that is not two upper-case
// letters, or a repeated code.
func ML(pairs ...string) string {
	if len(pairs)%2 != 0 {
		panic("connector.ML: odd number of arguments; want code, text pairs")
	}
	m := make(MultiLang, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		code := pairs[i]
		if !mlIsCode(code) {
			panic(fmt.Sprintf("connector.ML: language code %q is not two upper-case letters", code))
		}
		if _, dup := m[code]; dup {
			panic(fmt.Sprintf("connector.ML: language code %q repeated", code))
		}
		m[code] = pairs[i+1] //nolint:gosec // len(pairs) is even, checked above
	}
	return m.String()
}

// IsWellFormedMultiLang reports whether SuperOffice will understand s as a
// user-visible text: either s does not begin like a multi-language text
// (two upper-case letters, ':' and '"') and is shown as it is, or s is a
// multi-language text ParseMultiLang accepts. The empty string is well
// formed. It is false for text that starts as a multi-language text but is
// malformed further on, which SuperOffice would show garbled.
func IsWellFormedMultiLang(s string) bool {
	if len(s) < len(`XX:"`) || !mlIsCode(s[:2]) || s[2] != ':' || s[3] != '"' {
		return true
	}
	_, err := ParseMultiLang(s)
	return err == nil
}

func mlIsCode(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z'
}
