package connector

import (
	"errors"
	"maps"
	"testing"
)

func TestParseMultiLang(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   MultiLang
		format string // what String writes for the parsed value
	}{
		{"three languages", `US:"Price list closed";NO:"Prisliste stengt";GE:"Preisliste geschlossen"`,
			MultiLang{"US": "Price list closed", "NO": "Prisliste stengt", "GE": "Preisliste geschlossen"},
			`US:"Price list closed";GE:"Preisliste geschlossen";NO:"Prisliste stengt"`},
		{"one language", `NO:"Stengt"`, MultiLang{"NO": "Stengt"}, `NO:"Stengt"`},
		{"trailing semicolon", `US:"Legal";NO:"Lovlig";`, MultiLang{"US": "Legal", "NO": "Lovlig"}, `US:"Legal";NO:"Lovlig"`},
		{"empty text", `US:"";NO:"Tom"`, MultiLang{"US": "", "NO": "Tom"}, `US:"";NO:"Tom"`},
		{"semicolon and colon inside text", `FR:"Note : a;b"`, MultiLang{"FR": "Note : a;b"}, `FR:"Note : a;b"`},
		{"non-ASCII text", `SW:"Prislista stängd";DA:"Prisliste lukket"`, MultiLang{"SW": "Prislista stängd", "DA": "Prisliste lukket"}, `DA:"Prisliste lukket";SW:"Prislista stängd"`},
		{"US sorts first", `NL:"Gesloten";DA:"Lukket";US:"Closed"`, MultiLang{"NL": "Gesloten", "DA": "Lukket", "US": "Closed"}, `US:"Closed";DA:"Lukket";NL:"Gesloten"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMultiLang(tc.in)
			if err != nil {
				t.Fatalf("ParseMultiLang: %v", err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("parsed %v, want %v", got, tc.want)
			}
			if s := got.String(); s != tc.format {
				t.Errorf("String() = %q, want %q", s, tc.format)
			}
			again, err := ParseMultiLang(got.String())
			if err != nil || !maps.Equal(again, got) {
				t.Errorf("String() re-parses to %v, %v; want %v", again, err, got)
			}
			if !IsWellFormedMultiLang(tc.in) {
				t.Errorf("IsWellFormedMultiLang(%q) = false", tc.in)
			}
		})
	}
}

func TestParseMultiLangMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ``},
		{"plain text", `Closed`},
		{"missing opening quote", `US:Closed"`},
		{"missing closing quote", `US:"Closed`},
		{"missing colon", `US"Closed"`},
		{"lower-case code", `us:"Closed"`},
		{"mixed-case code", `Us:"Closed"`},
		{"one-letter code", `U:"Closed"`},
		{"three-letter code", `USA:"Closed"`},
		{"digit in code", `U1:"Closed"`},
		{"duplicate code", `US:"Closed";US:"Shut"`},
		{"quote inside text", `US:"The "best" price"`},
		{"trailing junk", `US:"Closed"x`},
		{"junk after semicolon", `US:"Closed";x`},
		{"two trailing semicolons", `US:"Closed";;`},
		{"leading semicolon", `;US:"Closed"`},
		{"space after semicolon", `US:"Closed"; NO:"Stengt"`},
		{"leading space", ` US:"Closed"`},
		{"trailing space", `US:"Closed" `},
		{"comma separator", `US:"Closed",NO:"Stengt"`},
		{"single quotes", `US:'Closed'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMultiLang(tc.in)
			if !errors.Is(err, ErrMultiLang) {
				t.Fatalf("ParseMultiLang(%q) = %v, %v; want an error wrapping ErrMultiLang", tc.in, got, err)
			}
			if got != nil {
				t.Errorf("failed parse returned %v, want nil", got)
			}
		})
	}
}

func TestMultiLangStringSanitises(t *testing.T) {
	tests := []struct {
		name string
		m    MultiLang
		want string
	}{
		{"nil", nil, ``},
		{"quote in text", MultiLang{"US": `The "best" price`}, `US:"The 'best' price"`},
		{"invalid codes left out", MultiLang{"us": "x", "USA": "y", "": "z", "NO": "Stengt"}, `NO:"Stengt"`},
		{"only invalid codes", MultiLang{"en": "Closed"}, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.m.String()
			if got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if !IsWellFormedMultiLang(got) {
				t.Errorf("IsWellFormedMultiLang(%q) = false", got)
			}
		})
	}
}

func TestMultiLangText(t *testing.T) {
	all := MultiLang{
		"US": "Closed", "NO": "Stengt", "GE": "Geschlossen", "SW": "Stängd",
		"DA": "Lukket", "FR": "Fermé", "NL": "Gesloten",
	}
	tests := []struct {
		name    string
		m       MultiLang
		culture string
		want    string
	}{
		{"en-US", all, "en-US", "Closed"},
		{"en-GB", all, "en-GB", "Closed"},
		{"nb-NO", all, "nb-NO", "Stengt"},
		{"nn-NO", all, "nn-NO", "Stengt"},
		{"no", all, "no", "Stengt"},
		{"de-DE", all, "de-DE", "Geschlossen"},
		{"de-AT", all, "de-AT", "Geschlossen"},
		{"sv-SE", all, "sv-SE", "Stängd"},
		{"da-DK", all, "da-DK", "Lukket"},
		{"fr-FR", all, "fr-FR", "Fermé"},
		{"nl-NL", all, "nl-NL", "Gesloten"},
		{"upper-case culture", all, "NB-no", "Stengt"},
		{"underscore culture", all, "sv_SE", "Stängd"},
		{"Swahili is not Swedish", all, "sw-KE", "Closed"},
		{"unknown culture falls back to US", all, "fi-FI", "Closed"},
		{"empty culture falls back to US", all, "", "Closed"},
		{"missing language falls back to US", MultiLang{"US": "Closed", "GE": "Geschlossen"}, "nb-NO", "Closed"},
		{"empty translation falls back to US", MultiLang{"US": "Closed", "NO": ""}, "nb-NO", "Closed"},
		{"no US falls back to the first code", MultiLang{"SW": "Stängd", "GE": "Geschlossen"}, "nb-NO", "Geschlossen"},
		{"first non-empty text", MultiLang{"DA": "", "NL": "Gesloten"}, "en-US", "Gesloten"},
		{"all empty", MultiLang{"US": ""}, "en-US", ""},
		{"nil", nil, "en-US", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.m, tc.culture); got != tc.want {
				t.Errorf("Text(%v, %q) = %q, want %q", tc.m, tc.culture, got, tc.want)
			}
		})
	}
}

func TestMultiLangML(t *testing.T) {
	tests := []struct {
		name  string
		pairs []string
		want  string
	}{
		{"two languages", []string{"US", "Closed", "NO", "Stengt"}, `US:"Closed";NO:"Stengt"`},
		{"sorted with US first", []string{"NO", "Stengt", "US", "Closed", "GE", "Geschlossen"}, `US:"Closed";GE:"Geschlossen";NO:"Stengt"`},
		{"quote sanitised", []string{"US", `Say "hi"`}, `US:"Say 'hi'"`},
		{"empty text", []string{"US", ""}, `US:""`},
		{"no arguments", nil, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ML(tc.pairs...)
			if got != tc.want {
				t.Errorf("ML(%q) = %q, want %q", tc.pairs, got, tc.want)
			}
			if !IsWellFormedMultiLang(got) {
				t.Errorf("IsWellFormedMultiLang(%q) = false", got)
			}
		})
	}
}

func TestMultiLangMLPanics(t *testing.T) {
	tests := []struct {
		name  string
		pairs []string
	}{
		{"odd number of arguments", []string{"US", "Closed", "NO"}},
		{"lower-case code", []string{"us", "Closed"}},
		{"long code", []string{"USA", "Closed"}},
		{"empty code", []string{"", "Closed"}},
		{"repeated code", []string{"US", "Closed", "US", "Shut"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("ML(%q) did not panic", tc.pairs)
				}
			}()
			ML(tc.pairs...)
		})
	}
}

func TestIsWellFormedMultiLang(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"empty", ``, true},
		{"plain text", `Price list closed`, true},
		{"plain text with a colon", `Note: closed`, true},
		{"plain text mentioning a pair later", `See US:"x"`, true},
		{"lower-case start", `us:"Closed"`, true},
		{"code without quote", `US: closed`, true},
		{"valid multi-language", `US:"Closed";NO:"Stengt"`, true},
		{"valid with trailing semicolon", `US:"Closed";`, true},
		{"unterminated", `US:"Closed`, false},
		{"quote inside text", `US:"The "best" price"`, false},
		{"trailing junk", `US:"Closed";no`, false},
		{"duplicate code", `US:"a";US:"b"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsWellFormedMultiLang(tc.in); got != tc.want {
				t.Errorf("IsWellFormedMultiLang(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParseMultiLang(f *testing.F) {
	for _, s := range []string{
		`US:"Price list closed";NO:"Prisliste stengt";GE:"Preisliste geschlossen"`,
		`US:"Legal";NO:"Lovlig";`, `US:""`, `US:"a";US:"b"`, `us:"x"`, `US:"x`,
		`US:"a"b"`, `plain`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		wellFormed := IsWellFormedMultiLang(s)
		m, err := ParseMultiLang(s)
		if err != nil {
			if !errors.Is(err, ErrMultiLang) {
				t.Fatalf("ParseMultiLang(%q): error %v does not wrap ErrMultiLang", s, err)
			}
			return
		}
		if !wellFormed {
			t.Fatalf("ParseMultiLang(%q) succeeds but IsWellFormedMultiLang is false", s)
		}
		out := m.String()
		again, err := ParseMultiLang(out)
		if err != nil {
			t.Fatalf("String() of %q is %q, which does not parse: %v", s, out, err)
		}
		if !maps.Equal(again, m) {
			t.Fatalf("%q parses to %v but its String() %q parses to %v", s, m, out, again)
		}
	})
}
