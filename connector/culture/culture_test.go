package culture

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// roundTrip converts v to its Go value, encodes that value with the
// encoder of v's kind, and returns the encoded text together with a
// printable form of the Go value for comparisons.
func roundTrip(v Value) (encoded, repr string, err error) {
	switch v.Kind {
	case String:
		return v.Raw, v.Raw, nil
	case Int:
		n, err := v.Int()
		return EncodeInt(n), strconv.FormatInt(n, 10), err
	case Float:
		f, err := v.Float()
		return EncodeFloat(f), strconv.FormatFloat(f, 'g', -1, 64), err
	case Money:
		f, err := v.Float()
		return EncodeMoney(f), strconv.FormatFloat(f, 'g', -1, 64), err
	case DateTime:
		t, err := v.Time()
		return EncodeDateTime(t), t.Format(time.RFC3339Nano) + " " + t.Location().String(), err
	case Date:
		t, err := v.Time()
		return EncodeDate(t), t.Format(time.RFC3339Nano) + " " + t.Location().String(), err
	case TimeOfDay:
		d, err := v.TimeOfDay()
		return EncodeTimeOfDay(d), d.String(), err
	case TimeSpan:
		d, err := v.Duration()
		return EncodeTimeSpan(d), d.String(), err
	case Binary:
		b, err := v.Bytes()
		return EncodeBytes(b), hex.EncodeToString(b), err
	case Ints:
		ns, err := v.Ints()
		return EncodeInts(ns), fmt.Sprint(ns), err
	}
	return "", "", fmt.Errorf("unexpected kind %q", v.Kind)
}

func TestDecodeRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		kind    Kind
		raw     string
		reenc   string // what the kind's encoder writes for the decoded value
		goValue string // the decoded value as roundTrip prints it
	}{
		{"int", "[I:123]", Int, "123", "[I:123]", "123"},
		{"negative int", "[I:-42]", Int, "-42", "[I:-42]", "-42"},
		{"int with leading zeros", "[I:007]", Int, "007", "[I:7]", "7"},
		{"double", "[F:453.2]", Float, "453.2", "[F:453.2]", "453.2"},
		{"negative double with exponent", "[F:-1.5E-07]", Float, "-1.5E-07", "[F:-1.5E-07]", "-1.5e-07"},
		{"large double", "[F:1e20]", Float, "1e20", "[F:1E+20]", "1e+20"},
		{"double below 1e15", "[F:123456789012345]", Float, "123456789012345", "[F:123456789012345]", "1.23456789012345e+14"},
		{"NaN", "[F:NaN]", Float, "NaN", "[F:NaN]", "NaN"},
		{"negative infinity", "[F:-Infinity]", Float, "-Infinity", "[F:-Infinity]", "-Inf"},
		{"money", "[M:123.45]", Money, "123.45", "[M:123.45]", "123.45"},
		{"money with trailing zeros", "[M:10.50]", Money, "10.50", "[M:10.5]", "10.5"},
		{"datetime", "[DT:07/15/2022 00:00:00.0000000]", DateTime, "07/15/2022 00:00:00.0000000", "[DT:07/15/2022 00:00:00.0000000]", "2022-07-15T00:00:00Z UTC"},
		{"datetime without fraction", "[DT:11/09/2017 14:53:18]", DateTime, "11/09/2017 14:53:18", "[DT:11/09/2017 14:53:18.0000000]", "2017-11-09T14:53:18Z UTC"},
		{"datetime with 3 digits", "[DT:11/09/2017 14:53:18.125]", DateTime, "11/09/2017 14:53:18.125", "[DT:11/09/2017 14:53:18.1250000]", "2017-11-09T14:53:18.125Z UTC"},
		{"datetime MaxValue", "[DT:12/31/9999 23:59:59.9999999]", DateTime, "12/31/9999 23:59:59.9999999", "[DT:12/31/9999 23:59:59.9999999]", "9999-12-31T23:59:59.9999999Z UTC"},
		{"date", "[D:07/15/2022]", Date, "07/15/2022", "[D:07/15/2022]", "2022-07-15T00:00:00Z UTC"},
		{"leap day", "[D:02/29/2024]", Date, "02/29/2024", "[D:02/29/2024]", "2024-02-29T00:00:00Z UTC"},
		{"time of day", "[T:14:52]", TimeOfDay, "14:52", "[T:14:52]", "14h52m0s"},
		{"time of day with seconds", "[T:14:52:07]", TimeOfDay, "14:52:07", "[T:14:52:07]", "14h52m7s"},
		{"time of day, zero seconds", "[T:14:52:00]", TimeOfDay, "14:52:00", "[T:14:52]", "14h52m0s"},
		{"timespan", "[TS:500]", TimeSpan, "500", "[TS:500]", "8m20s"},
		{"fractional timespan", "[TS:-1.250]", TimeSpan, "-1.250", "[TS:-1.25]", "-1.25s"},
		{"smallest timespan", "[TS:0.000000001]", TimeSpan, "0.000000001", "[TS:0.000000001]", "1ns"},
		{"binary", "[B:AQID]", Binary, "AQID", "[B:AQID]", "010203"},
		{"padded binary", "[B:AQ==]", Binary, "AQ==", "[B:AQ==]", "01"},
		{"empty binary", "[B:]", Binary, "", "[B:]", ""},
		{"int array", "[A:3,4,5]", Ints, "3,4,5", "[A:3,4,5]", "[3 4 5]"},
		{"one-element int array", "[A:-1]", Ints, "-1", "[A:-1]", "[-1]"},
		{"empty int array", "[A:]", Ints, "", "[A:]", "[]"},
		{"plain text", "hello", String, "hello", "hello", "hello"},
		{"empty text", "", String, "", "", ""},
		{"lower-case moniker", "[i:1]", String, "[i:1]", "[i:1]", "[i:1]"},
		{"three-letter moniker", "[INT:1]", String, "[INT:1]", "[INT:1]", "[INT:1]"},
		{"unknown moniker", "[Q:1]", String, "[Q:1]", "[Q:1]", "[Q:1]"},
		{"no closing bracket", "[I:1", String, "[I:1", "[I:1", "[I:1"},
		{"trailing newline", "[I:1]\n", String, "[I:1]\n", "[I:1]\n", "[I:1]\n"},
		{"newline in payload", "[I:1\n2]", String, "[I:1\n2]", "[I:1\n2]", "[I:1\n2]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Decode(tc.in)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tc.in, err)
			}
			if v.Kind != tc.kind || v.Raw != tc.raw {
				t.Errorf("decoded %#v, want kind %q raw %q", v, tc.kind, tc.raw)
			}
			if got := v.String(); got != tc.in {
				t.Errorf("String() = %q, want the input %q", got, tc.in)
			}
			enc, repr, err := roundTrip(v)
			if err != nil {
				t.Fatalf("converting %q: %v", tc.in, err)
			}
			if enc != tc.reenc {
				t.Errorf("re-encoded as %q, want %q", enc, tc.reenc)
			}
			if repr != tc.goValue {
				t.Errorf("Go value %s, want %s", repr, tc.goValue)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"int letters", "[I:abc]"},
		{"int empty", "[I:]"},
		{"int plus sign", "[I:+1]"},
		{"int space", "[I: 1]"},
		{"int overflow", "[I:9223372036854775808]"},
		{"datetime month 13 day 45", "[DT:13/45/2022 00:00:00]"},
		{"datetime without time", "[DT:07/15/2022]"},
		{"datetime 8 digits", "[DT:07/15/2022 00:00:00.12345678]"},
		{"datetime empty fraction", "[DT:07/15/2022 00:00:00.]"},
		{"datetime hour 24", "[DT:07/15/2022 24:00:00]"},
		{"datetime ISO", "[DT:2022-07-15T00:00:00]"},
		{"date February 29 in a common year", "[D:02/29/2023]"},
		{"date dotted", "[D:09.11.2017]"},
		{"date year 0", "[D:01/01/0000]"},
		{"time hour 24", "[T:24:00]"},
		{"time one-digit hour", "[T:1:52]"},
		{"time second 60", "[T:12:00:60]"},
		{"timespan exponent", "[TS:1e3]"},
		{"timespan letters", "[TS:abc]"},
		{"timespan 10 digits", "[TS:0.0000000001]"},
		{"timespan overflow", "[TS:9223372037]"},
		{"binary invalid characters", "[B:!!]"},
		{"binary missing padding", "[B:AQI]"},
		{"double with comma", "[F:1,5]"},
		{"double inf", "[F:inf]"},
		{"double hex", "[F:0x1p3]"},
		{"double underscore", "[F:1_0]"},
		{"double overflow", "[F:1e999]"},
		{"double leading point", "[F:.5]"},
		{"money NaN", "[M:NaN]"},
		{"int array empty element", "[A:1,,2]"},
		{"int array space", "[A:1, 2]"},
		{"int array trailing comma", "[A:1,]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Decode(tc.in)
			if !errors.Is(err, ErrBadConfigValue) {
				t.Fatalf("Decode(%q) = %#v, %v; want an error wrapping ErrBadConfigValue", tc.in, v, err)
			}
			if v != (Value{}) {
				t.Errorf("failed decode returned %#v, want the zero Value", v)
			}
		})
	}
}

func TestConfigTypedGetters(t *testing.T) {
	c := Config{
		"Port":     "[I:8080]",
		"Rate":     "[F:0.25]",
		"Fee":      "[M:99.95]",
		"Count":    "[I:3]",
		"Enabled":  "[I:1]",
		"Disabled": "[I:0]",
		"Verbose":  "TRUE",
		"Quiet":    "0",
		"Since":    "[DT:07/15/2022 14:52:18.5000000]",
		"Day":      "[D:07/15/2022]",
		"Key":      "[B:AQID]",
		"Ids":      "[A:3,4,5]",
		"Name":     "ERP",
	}
	tests := []struct {
		name string
		get  func() (any, error)
		want any
	}{
		{"Int", func() (any, error) { return c.Int("Port") }, int64(8080)},
		{"Float of double", func() (any, error) { return c.Float("Rate") }, 0.25},
		{"Float of money", func() (any, error) { return c.Float("Fee") }, 99.95},
		{"Float of int", func() (any, error) { return c.Float("Count") }, 3.0},
		{"Bool of [I:1]", func() (any, error) { return c.Bool("Enabled") }, true},
		{"Bool of [I:0]", func() (any, error) { return c.Bool("Disabled") }, false},
		{"Bool of TRUE", func() (any, error) { return c.Bool("Verbose") }, true},
		{"Bool of plain 0", func() (any, error) { return c.Bool("Quiet") }, false},
		{"Time of datetime", func() (any, error) { return c.Time("Since") }, time.Date(2022, 7, 15, 14, 52, 18, 5e8, time.UTC)},
		{"Time of date", func() (any, error) { return c.Time("Day") }, time.Date(2022, 7, 15, 0, 0, 0, 0, time.UTC)},
		{"Bytes", func() (any, error) { return c.Bytes("Key") }, "010203"},
		{"Ints", func() (any, error) { return c.Ints("Ids") }, "[3 4 5]"},
		{"String of plain text", func() (any, error) { return c.String("Name"), nil }, "ERP"},
		{"String of encoded value", func() (any, error) { return c.String("Port"), nil }, "8080"},
		{"String of missing key", func() (any, error) { return c.String("Nope"), nil }, ""},
		{"Has present", func() (any, error) { return c.Has("Name"), nil }, true},
		{"Has absent", func() (any, error) { return c.Has("name"), nil }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			switch g := got.(type) {
			case []byte:
				got = hex.EncodeToString(g)
			case []int64:
				got = fmt.Sprint(g)
			case time.Time:
				if g.Location() != time.UTC {
					t.Errorf("location %v, want UTC", g.Location())
				}
			}
			if got != tc.want {
				t.Errorf("got %v (%T), want %v (%T)", got, got, tc.want, tc.want)
			}
		})
	}
}

func TestConfigValueKinds(t *testing.T) {
	c := Config{"Opens": "[T:08:30]", "Timeout": "[TS:90]"}
	tests := []struct {
		name string
		key  string
		get  func(Value) (time.Duration, error)
		want time.Duration
	}{
		{"time of day", "Opens", Value.TimeOfDay, 8*time.Hour + 30*time.Minute},
		{"timespan", "Timeout", Value.Duration, 90 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := c.Value(tc.key)
			if err != nil {
				t.Fatalf("Value(%q): %v", tc.key, err)
			}
			got, err := tc.get(v)
			if err != nil || got != tc.want {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestConfigMissingKey(t *testing.T) {
	var c Config // a nil Config reads as empty
	tests := []struct {
		name string
		get  func(string) error
	}{
		{"Int", func(k string) error { _, err := c.Int(k); return err }},
		{"Float", func(k string) error { _, err := c.Float(k); return err }},
		{"Bool", func(k string) error { _, err := c.Bool(k); return err }},
		{"Time", func(k string) error { _, err := c.Time(k); return err }},
		{"Bytes", func(k string) error { _, err := c.Bytes(k); return err }},
		{"Ints", func(k string) error { _, err := c.Ints(k); return err }},
		{"Value", func(k string) error { _, err := c.Value(k); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.get("ApiKey")
			if !errors.Is(err, ErrMissingConfig) {
				t.Fatalf("error %v does not wrap ErrMissingConfig", err)
			}
			if errors.Is(err, ErrBadConfigValue) {
				t.Errorf("error %v also wraps ErrBadConfigValue", err)
			}
			if !strings.Contains(err.Error(), `"ApiKey"`) {
				t.Errorf("error %q does not name the key", err)
			}
		})
	}
}

func TestConfigErrorsHideValue(t *testing.T) {
	const secret = "hunter2-S3cr3t"
	tests := []struct {
		name     string
		value    string
		get      func(Config) error
		wantKind string
	}{
		{"Int of plain secret", secret, func(c Config) error { _, err := c.Int("Password"); return err }, "int"},
		{"Int of malformed payload", "[I:" + secret + "]", func(c Config) error { _, err := c.Int("Password"); return err }, "int"},
		{"Float of malformed payload", "[F:" + secret + "]", func(c Config) error { _, err := c.Float("Password"); return err }, "double"},
		{"Bool of plain secret", secret, func(c Config) error { _, err := c.Bool("Password"); return err }, "boolean"},
		{"Time of malformed payload", "[DT:" + secret + "]", func(c Config) error { _, err := c.Time("Password"); return err }, "datetime"},
		{"Bytes of malformed payload", "[B:" + secret + "!]", func(c Config) error { _, err := c.Bytes("Password"); return err }, "binary"},
		{"Ints of malformed element", "[A:1," + secret + "]", func(c Config) error { _, err := c.Ints("Password"); return err }, "int array"},
		{"Time of a valid int", "[I:424242]", func(c Config) error { _, err := c.Time("Password"); return err }, "datetime"},
		{"Value of malformed payload", "[TS:" + secret + "]", func(c Config) error { _, err := c.Value("Password"); return err }, "timespan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.get(Config{"Password": tc.value})
			if !errors.Is(err, ErrBadConfigValue) {
				t.Fatalf("error %v does not wrap ErrBadConfigValue", err)
			}
			msg := err.Error()
			if strings.Contains(msg, secret) || strings.Contains(msg, "424242") {
				t.Errorf("error %q reveals the value", msg)
			}
			if !strings.Contains(msg, `"Password"`) {
				t.Errorf("error %q does not name the key", msg)
			}
			if !strings.Contains(msg, "want "+tc.wantKind) {
				t.Errorf("error %q does not name the expected kind %q", msg, tc.wantKind)
			}
		})
	}
}

func TestEncoders(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"EncodeInt", EncodeInt(-7), "[I:-7]"},
		{"EncodeBool true", EncodeBool(true), "[I:1]"},
		{"EncodeBool false", EncodeBool(false), "[I:0]"},
		{"EncodeFloat plain", EncodeFloat(453.2), "[F:453.2]"},
		{"EncodeFloat whole", EncodeFloat(1e6), "[F:1000000]"},
		{"EncodeFloat 1e15", EncodeFloat(1e15), "[F:1E+15]"},
		{"EncodeFloat small", EncodeFloat(0.0001), "[F:0.0001]"},
		{"EncodeFloat tiny", EncodeFloat(0.00001), "[F:1E-05]"},
		{"EncodeFloat negative zero", EncodeFloat(math.Copysign(0, -1)), "[F:-0]"},
		{"EncodeFloat infinity", EncodeFloat(math.Inf(1)), "[F:Infinity]"},
		{"EncodeMoney", EncodeMoney(123.45), "[M:123.45]"},
		{"EncodeMoney large", EncodeMoney(1e20), "[M:100000000000000000000]"},
		{"EncodeDateTime", EncodeDateTime(time.Date(2022, 7, 15, 8, 5, 3, 123456789, time.UTC)), "[DT:07/15/2022 08:05:03.1234567]"},
		{"EncodeDateTime keeps wall clock", EncodeDateTime(time.Date(2022, 7, 15, 8, 0, 0, 0, time.FixedZone("", 7200))), "[DT:07/15/2022 08:00:00.0000000]"},
		{"EncodeDate", EncodeDate(time.Date(2022, 7, 5, 23, 0, 0, 0, time.UTC)), "[D:07/05/2022]"},
		{"EncodeTimeOfDay", EncodeTimeOfDay(14*time.Hour + 52*time.Minute), "[T:14:52]"},
		{"EncodeTimeOfDay with seconds", EncodeTimeOfDay(9*time.Hour + 7*time.Second + 900*time.Millisecond), "[T:09:00:07]"},
		{"EncodeTimeOfDay wraps", EncodeTimeOfDay(25 * time.Hour), "[T:01:00]"},
		{"EncodeTimeOfDay negative", EncodeTimeOfDay(-time.Minute), "[T:23:59]"},
		{"EncodeTimeSpan", EncodeTimeSpan(500 * time.Second), "[TS:500]"},
		{"EncodeTimeSpan fraction", EncodeTimeSpan(-1500 * time.Millisecond), "[TS:-1.5]"},
		{"EncodeTimeSpan minimum", EncodeTimeSpan(math.MinInt64), "[TS:-9223372036.854775808]"},
		{"EncodeBytes", EncodeBytes([]byte{1, 2, 3}), "[B:AQID]"},
		{"EncodeBytes nil", EncodeBytes(nil), "[B:]"},
		{"EncodeInts", EncodeInts([]int64{3, -4, 5}), "[A:3,-4,5]"},
		{"EncodeInts nil", EncodeInts(nil), "[A:]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
			if _, err := Decode(tc.got); err != nil {
				t.Errorf("Decode(%q): %v", tc.got, err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"[I:123]", "[I:0]", "[I:1]", "[F:453.2]", "[F:-1.5E-07]", "[F:NaN]",
		"[M:123.45]", "[DT:07/15/2022 00:00:00.0000000]", "[DT:07/15/2022 14:52:18]",
		"[D:07/15/2022]", "[T:14:52]", "[T:14:52:07]", "[TS:500]", "[TS:-1.5]",
		"[B:AQID]", "[B:]", "[A:3,4,5]", "[A:]", "plain", "", "[I:abc]",
		"[DT:13/45/2022 00:00:00]", "[B:!!]", "[F:1,5]", "[Q:x]", "[I:1]]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Decode(s)
		if err != nil {
			if !errors.Is(err, ErrBadConfigValue) {
				t.Fatalf("Decode(%q): error %v does not wrap ErrBadConfigValue", s, err)
			}
			return
		}
		enc, repr, err := roundTrip(v)
		if err != nil {
			t.Fatalf("Decode(%q) = %#v, but converting it fails: %v", s, v, err)
		}
		v2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-encoded %q as %q, which does not decode: %v", s, enc, err)
		}
		if v2.Kind != v.Kind {
			t.Fatalf("re-encoded %q as %q of kind %q, want kind %q", s, enc, v2.Kind, v.Kind)
		}
		_, repr2, err := roundTrip(v2)
		if err != nil || repr2 != repr {
			t.Fatalf("%q decodes to %s but its re-encoding %q decodes to %s (%v)", s, repr, enc, repr2, err)
		}
	})
}
