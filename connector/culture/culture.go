// Package culture reads and writes the values SuperOffice's CultureDataFormatter
// encodes, as in the ConfigValues of every Quote Connector request: "[I:0]",
// "[F:453.2]", "[DT:07/15/2022 00:00:00.0000000]", or plain text.
//
// A connector reads its configuration through Config:
//
//	t, _ := connector.TenantFrom(ctx)
//	url := t.Config.String("erp-url")
//	port, err := t.Config.Int("erp-port")
//
// or wraps a request's ConfigValues itself, culture.Config(req.ConfigValues). Decode
// reads a single value, and the Encode functions write values the way SuperOffice does.
// Errors name the key and the expected kind, never the value, which may be a password.
package culture

import (
	"encoding/base64"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrMissingConfig is wrapped by the errors Config returns when a key is
// absent.
var ErrMissingConfig = errors.New("missing config value")

// ErrBadConfigValue is wrapped by the errors returned for a config value of
// the wrong kind or with a malformed payload. Those errors name the key and
// the expected kind but never the value, because config values include
// passwords and API keys that must not reach logs.
var ErrBadConfigValue = errors.New("bad config value")

// Kind is the moniker SuperOffice's CultureDataFormatter puts before
// the colon of an encoded value, such as "I" in "[I:123]".
type Kind string

// The kinds SuperOffice encodes. Any other moniker is not something
// SuperOffice writes, so text such as "[X:1]" is read as plain text.
const (
	String    Kind = ""   // plain text, not encoded
	Int       Kind = "I"  // [I:123]; booleans are [I:0] and [I:1]
	Float     Kind = "F"  // [F:453.2], a double
	Money     Kind = "M"  // [M:123.45], a decimal
	DateTime  Kind = "DT" // [DT:07/15/2022 14:52:00.0000000]
	Date      Kind = "D"  // [D:07/15/2022]
	TimeOfDay Kind = "T"  // [T:14:52], a time of day
	TimeSpan  Kind = "TS" // [TS:500], a number of seconds
	Binary    Kind = "B"  // [B:AQID], standard base64
	Ints      Kind = "A"  // [A:3,4,5], an int array
)

// kindNames describes the kinds in error messages.
var kindNames = map[Kind]string{
	String:    "plain text",
	Int:       "int [I:…]",
	Float:     "double [F:…]",
	Money:     "money [M:…]",
	DateTime:  "datetime [DT:MM/dd/yyyy HH:mm:ss.fffffff]",
	Date:      "date [D:MM/dd/yyyy]",
	TimeOfDay: "time of day [T:HH:mm]",
	TimeSpan:  "timespan [TS:seconds]",
	Binary:    "binary [B:base64]",
	Ints:      "int array [A:n,n,…]",
}

// encoded is the shape of an encoded value; "." deliberately excludes
// newlines, so multi-line text is always plain.
var encoded = regexp.MustCompile(`^\[([A-Z]{1,2}):(.*)\]$`)

// valueError describes a bad config value by what was wanted and what was
// found, never by the value itself, so it is safe to log.
type valueError struct {
	key  string // empty when the caller had no key
	want string
	have string
}

func (e *valueError) Error() string {
	var b strings.Builder
	b.WriteString("culture: ")
	if e.key != "" {
		b.WriteString("config ")
		b.WriteString(strconv.Quote(e.key))
		b.WriteString(": ")
	}
	b.WriteString(ErrBadConfigValue.Error())
	b.WriteString(": want ")
	b.WriteString(e.want)
	b.WriteString(", have ")
	b.WriteString(e.have)
	return b.String()
}

func (e *valueError) Unwrap() error { return ErrBadConfigValue }

func wrongKind(want string, have Kind) error {
	return &valueError{want: want, have: kindNames[have]}
}

func malformed(k Kind) error {
	return &valueError{want: kindNames[k], have: "malformed payload"}
}

// Value is one decoded config value. Raw is the payload between the
// colon and the closing bracket, or the whole text for kind String.
type Value struct {
	Kind Kind
	Raw  string
}

// split separates an encoded value into kind and payload without
// validating the payload; ok is false for plain text.
func split(s string) (kind Kind, payload string, ok bool) {
	m := encoded.FindStringSubmatch(s)
	if m == nil {
		return String, s, false
	}
	kind = Kind(m[1])
	if _, known := kindNames[kind]; !known {
		return String, s, false
	}
	return kind, m[2], true
}

// Decode decodes one CultureDataFormatter value. Text that does
// not match ^\[[A-Z]{1,2}:.*\]$, or whose moniker is not one of the
// kinds, is plain text and decodes to kind String with Raw set to s. For an
// encoded value the payload is checked against its kind, so a Value
// returned without error always converts; a malformed payload yields an error
// wrapping ErrBadConfigValue that names the kind but not the value.
func Decode(s string) (Value, error) {
	kind, payload, ok := split(s)
	if !ok {
		return Value{Kind: String, Raw: s}, nil
	}
	v := Value{Kind: kind, Raw: payload}
	var err error
	switch kind {
	case Int:
		_, err = v.Int()
	case Float, Money:
		_, err = v.Float()
	case DateTime, Date:
		_, err = v.Time()
	case TimeOfDay:
		_, err = v.TimeOfDay()
	case TimeSpan:
		_, err = v.Duration()
	case Binary:
		_, err = v.Bytes()
	case Ints:
		_, err = v.Ints()
	}
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

// String returns v in encoded form, or Raw for plain text.
func (v Value) String() string {
	if v.Kind == String {
		return v.Raw
	}
	return "[" + string(v.Kind) + ":" + v.Raw + "]"
}

// Int returns the value of kind Int. Other kinds, and payloads that are
// not an optional "-" followed by decimal digits within int64, yield an
// error wrapping ErrBadConfigValue.
func (v Value) Int() (int64, error) {
	if v.Kind != Int {
		return 0, wrongKind(kindNames[Int], v.Kind)
	}
	n, ok := parseInt(v.Raw)
	if !ok {
		return 0, malformed(Int)
	}
	return n, nil
}

// Float returns the value of kind Float, Money or Int.
// Payloads use the invariant culture: an optional "-", digits, an optional
// "." with digits, and an optional exponent; a Float may also be
// "NaN", "Infinity" or "-Infinity", as .NET writes them. Other kinds,
// other payloads and values beyond float64 yield an error wrapping
// ErrBadConfigValue.
func (v Value) Float() (float64, error) {
	const want = "number [F:…], [M:…] or [I:…]"
	switch v.Kind {
	case Int:
		n, err := v.Int()
		return float64(n), err
	case Float:
		switch v.Raw {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	case Money:
	default:
		return 0, wrongKind(want, v.Kind)
	}
	if !isNumber(v.Raw) {
		return 0, malformed(v.Kind)
	}
	f, err := strconv.ParseFloat(v.Raw, 64)
	if err != nil {
		return 0, malformed(v.Kind)
	}
	return f, nil
}

// Bool returns the value of a boolean: [I:0] or [I:1], or plain text "0",
// "1", "true" or "false", the last two in any case, because partners'
// configuration pages store check boxes either way. Anything else yields an
// error wrapping ErrBadConfigValue.
func (v Value) Bool() (bool, error) {
	const want = "boolean [I:0], [I:1], true or false"
	switch v.Kind {
	case Int:
		switch v.Raw {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return false, &valueError{want: want, have: "int other than 0 or 1"}
	case String:
		switch {
		case v.Raw == "0" || strings.EqualFold(v.Raw, "false"):
			return false, nil
		case v.Raw == "1" || strings.EqualFold(v.Raw, "true"):
			return true, nil
		}
		return false, &valueError{want: want, have: "other plain text"}
	}
	return false, wrongKind(want, v.Kind)
}

// Time returns the value of kind DateTime (MM/dd/yyyy HH:mm:ss with an
// optional fraction of 1 to 7 digits) or Date (MM/dd/yyyy) as a
// wall-clock time in the location time.UTC, because SuperOffice sends no
// zone. Other kinds, other layouts and out-of-range fields yield an error
// wrapping ErrBadConfigValue.
func (v Value) Time() (time.Time, error) {
	var t time.Time
	var ok bool
	switch v.Kind {
	case DateTime:
		t, ok = parseDateTime(v.Raw)
	case Date:
		t, ok = parseDate(v.Raw)
	default:
		return time.Time{}, wrongKind("datetime [DT:…] or date [D:…]", v.Kind)
	}
	if !ok {
		return time.Time{}, malformed(v.Kind)
	}
	return t, nil
}

// TimeOfDay returns the value of kind TimeOfDay, HH:mm or HH:mm:ss, as the
// time since midnight. Other kinds, other layouts and out-of-range fields
// yield an error wrapping ErrBadConfigValue.
func (v Value) TimeOfDay() (time.Duration, error) {
	if v.Kind != TimeOfDay {
		return 0, wrongKind(kindNames[TimeOfDay], v.Kind)
	}
	s := v.Raw
	if (len(s) != len("HH:mm") && len(s) != len("HH:mm:ss")) || s[2] != ':' {
		return 0, malformed(TimeOfDay)
	}
	h, ok1 := digits(s[0:2])
	m, ok2 := digits(s[3:5])
	sec, ok3 := 0, true
	if len(s) == len("HH:mm:ss") {
		if s[5] != ':' {
			return 0, malformed(TimeOfDay)
		}
		sec, ok3 = digits(s[6:8])
	}
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, malformed(TimeOfDay)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second, nil
}

// Duration returns the value of kind TimeSpan. The payload is read as a
// number of seconds: an optional "-", digits and an optional "." with 1 to 9
// digits; SuperOffice's own examples are whole seconds such as [TS:500].
// Other kinds, other payloads and values beyond time.Duration yield an
// error wrapping ErrBadConfigValue.
func (v Value) Duration() (time.Duration, error) {
	if v.Kind != TimeSpan {
		return 0, wrongKind(kindNames[TimeSpan], v.Kind)
	}
	d, ok := parseSeconds(v.Raw)
	if !ok {
		return 0, malformed(TimeSpan)
	}
	return d, nil
}

// Bytes returns the value of kind Binary, decoded from standard base64
// with padding. [B:] is an empty, non-nil slice. Other kinds and invalid
// base64 yield an error wrapping ErrBadConfigValue.
func (v Value) Bytes() ([]byte, error) {
	if v.Kind != Binary {
		return nil, wrongKind(kindNames[Binary], v.Kind)
	}
	b, err := base64.StdEncoding.DecodeString(v.Raw)
	if err != nil {
		return nil, malformed(Binary)
	}
	return b, nil
}

// Ints returns the value of kind Ints: comma-separated integers without
// spaces. [A:] is an empty, non-nil slice. Other kinds and malformed
// elements, including empty ones, yield an error wrapping ErrBadConfigValue.
func (v Value) Ints() ([]int64, error) {
	if v.Kind != Ints {
		return nil, wrongKind(kindNames[Ints], v.Kind)
	}
	if v.Raw == "" {
		return []int64{}, nil
	}
	parts := strings.Split(v.Raw, ",")
	out := make([]int64, len(parts))
	for i, p := range parts {
		n, ok := parseInt(p)
		if !ok {
			return nil, malformed(Ints)
		}
		out[i] = n
	}
	return out, nil
}

// EncodeInt returns n as [I:n].
func EncodeInt(n int64) string {
	return "[I:" + strconv.FormatInt(n, 10) + "]"
}

// EncodeBool returns [I:1] for true and [I:0] for false, the way SuperOffice
// stores booleans.
func EncodeBool(b bool) string {
	if b {
		return "[I:1]"
	}
	return "[I:0]"
}

// EncodeFloat returns f as [F:…] in the shortest form that reads back as the
// same float64, switching to exponent notation ("1E+15", "1E-05") where .NET
// does. NaN and the infinities are written as .NET writes them.
func EncodeFloat(f float64) string {
	var s string
	switch a := math.Abs(f); {
	case math.IsNaN(f):
		s = "NaN"
	case math.IsInf(f, 1):
		s = "Infinity"
	case math.IsInf(f, -1):
		s = "-Infinity"
	case a >= 1e15 || (a != 0 && a < 1e-4):
		s = strconv.FormatFloat(f, 'E', -1, 64)
	default:
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return "[F:" + s + "]"
}

// EncodeMoney returns f as [M:…] in plain decimal notation, the shortest
// that reads back as the same float64. .NET's decimal has no NaN or
// infinity, so for those it returns text Decode rejects.
func EncodeMoney(f float64) string {
	return "[M:" + strconv.FormatFloat(f, 'f', -1, 64) + "]"
}

// EncodeDateTime returns the wall clock of t, in t's own location, as
// [DT:MM/dd/yyyy HH:mm:ss.fffffff]; SuperOffice's format has no zone, so
// convert t first if it should be read in another one. Nanoseconds are
// truncated to .NET's 100 ns. Years outside 1–9999 produce text
// Decode rejects.
func EncodeDateTime(t time.Time) string {
	return "[DT:" + t.Format("01/02/2006 15:04:05.0000000") + "]"
}

// EncodeDate returns the date of t, in t's own location, as [D:MM/dd/yyyy].
// Years outside 1–9999 produce text Decode rejects.
func EncodeDate(t time.Time) string {
	return "[D:" + t.Format("01/02/2006") + "]"
}

// EncodeTimeOfDay returns d, taken modulo 24 hours and truncated to whole
// seconds, as [T:HH:mm], or [T:HH:mm:ss] when the seconds are not zero.
func EncodeTimeOfDay(d time.Duration) string {
	d %= 24 * time.Hour
	if d < 0 {
		d += 24 * time.Hour
	}
	secs := int(d / time.Second)
	b := []byte("[T:")
	b = append2(b, secs/3600)
	b = append(b, ':')
	b = append2(b, secs/60%60)
	if s := secs % 60; s != 0 {
		b = append(b, ':')
		b = append2(b, s)
	}
	return string(append(b, ']'))
}

// EncodeTimeSpan returns d as [TS:seconds]: whole seconds when d is a whole
// number of seconds, otherwise with as many fractional digits as needed.
func EncodeTimeSpan(d time.Duration) string {
	// Dividing before negating keeps math.MinInt64 from overflowing.
	sec, frac := d/time.Second, d%time.Second
	var b strings.Builder
	b.WriteString("[TS:")
	if d < 0 {
		b.WriteByte('-')
		sec, frac = -sec, -frac
	}
	b.WriteString(strconv.FormatInt(int64(sec), 10))
	if frac != 0 {
		f := strconv.FormatInt(int64(frac)+int64(time.Second), 10)[1:]
		b.WriteByte('.')
		b.WriteString(strings.TrimRight(f, "0"))
	}
	b.WriteByte(']')
	return b.String()
}

// EncodeBytes returns b as [B:…] in standard base64 with padding.
func EncodeBytes(b []byte) string {
	return "[B:" + base64.StdEncoding.EncodeToString(b) + "]"
}

// EncodeInts returns ns as [A:n,n,…]; an empty or nil ns gives [A:].
func EncodeInts(ns []int64) string {
	var b strings.Builder
	b.WriteString("[A:")
	for i, n := range ns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(n, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// Config is a read-only view of the ConfigValues SuperOffice sends with each
// request, decoding CultureDataFormatter values on access. Keys match
// exactly. Every typed getter returns an error wrapping ErrMissingConfig for
// an absent key, and one wrapping ErrBadConfigValue, naming the key and the
// expected kind but never the value, for a value of another kind or with a
// malformed payload.
type Config map[string]string

// Has reports whether key is present, even with an empty value.
func (c Config) Has(key string) bool {
	_, ok := c[key]
	return ok
}

// String returns the value of key as text: plain text unchanged and, for an
// encoded value, its payload ("123" for [I:123]) without checking it. An
// absent key gives "".
func (c Config) String(key string) string {
	_, payload, _ := split(c[key])
	return payload
}

// Value returns the decoded value of key, for kinds the typed getters do not
// cover, such as kinds TimeOfDay and TimeSpan.
func (c Config) Value(key string) (Value, error) {
	s, ok := c[key]
	if !ok {
		return Value{}, &missingError{key: key}
	}
	v, err := Decode(s)
	return v, withKey(err, key)
}

// Int returns the value of key, which must be of kind Int.
func (c Config) Int(key string) (int64, error) {
	return configGet(c, key, Value.Int)
}

// Float returns the value of key, which must be of kind Float,
// Money or Int.
func (c Config) Float(key string) (float64, error) {
	return configGet(c, key, Value.Float)
}

// Bool returns the value of key, which must be [I:0], [I:1], or plain "0",
// "1", "true" or "false" in any case.
func (c Config) Bool(key string) (bool, error) {
	return configGet(c, key, Value.Bool)
}

// Time returns the value of key, which must be of kind DateTime
// or Date, as a wall-clock time in the location time.UTC.
func (c Config) Time(key string) (time.Time, error) {
	return configGet(c, key, Value.Time)
}

// Bytes returns the value of key, which must be of kind Binary.
func (c Config) Bytes(key string) ([]byte, error) {
	return configGet(c, key, Value.Bytes)
}

// Ints returns the value of key, which must be of kind Ints.
func (c Config) Ints(key string) ([]int64, error) {
	return configGet(c, key, Value.Ints)
}

// configGet holds what every typed getter of Config shares: the
// lookup, the decoding and the naming of the key in errors.
func configGet[T any](c Config, key string, get func(Value) (T, error)) (T, error) {
	var zero T
	v, err := c.Value(key)
	if err != nil {
		return zero, err
	}
	x, err := get(v)
	if err != nil {
		return zero, withKey(err, key)
	}
	return x, nil
}

type missingError struct{ key string }

func (e *missingError) Error() string {
	return "culture: config " + strconv.Quote(e.key) + ": " + ErrMissingConfig.Error()
}

func (e *missingError) Unwrap() error { return ErrMissingConfig }

// withKey names key in an error from a Value, which does not
// know its key; it copies so the error it was given stays as it was.
func withKey(err error, key string) error {
	var ce *valueError
	if errors.As(err, &ce) {
		keyed := *ce
		keyed.key = key
		return &keyed
	}
	return err
}

// parseInt accepts an optional "-" and decimal digits; strconv alone
// would also take "+" and, in some bases, underscores.
func parseInt(s string) (int64, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// isNumber reports whether s is -?d+(.d+)?([eE][+-]?d+)?, the
// invariant-culture form; strconv.ParseFloat alone would also take hex,
// underscores and "inf".
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	s, ok := skipDigits(s)
	if !ok {
		return false
	}
	if rest, found := strings.CutPrefix(s, "."); found {
		if s, ok = skipDigits(rest); !ok {
			return false
		}
	}
	if s == "" {
		return true
	}
	if s[0] != 'e' && s[0] != 'E' {
		return false
	}
	s = s[1:]
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	s, ok = skipDigits(s)
	return ok && s == ""
}

// skipDigits strips a non-empty run of leading digits.
func skipDigits(s string) (string, bool) {
	rest := strings.TrimLeft(s, "0123456789")
	return rest, len(rest) < len(s)
}

// parseDate reads MM/dd/yyyy.
func parseDate(s string) (time.Time, bool) {
	if len(s) != len("MM/dd/yyyy") || s[2] != '/' || s[5] != '/' {
		return time.Time{}, false
	}
	mo, ok1 := digits(s[0:2])
	d, ok2 := digits(s[3:5])
	y, ok3 := digits(s[6:10])
	if !ok1 || !ok2 || !ok3 || y < 1 || mo < 1 || mo > 12 || d < 1 ||
		d > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), true
}

// parseDateTime reads MM/dd/yyyy HH:mm:ss with an optional fraction
// of 1 to 7 digits.
func parseDateTime(s string) (time.Time, bool) {
	const base = len("MM/dd/yyyy HH:mm:ss")
	if len(s) < base || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	date, ok := parseDate(s[:10])
	h, ok1 := digits(s[11:13])
	m, ok2 := digits(s[14:16])
	sec, ok3 := digits(s[17:19])
	if !ok || !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return time.Time{}, false
	}
	ns := 0
	if frac := s[base:]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 8 {
			return time.Time{}, false
		}
		f, ok := digits(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 9 - (len(frac) - 1) {
			f *= 10
		}
		ns = f
	}
	y, mo, d := date.Date()
	return time.Date(y, mo, d, h, m, sec, ns, time.UTC), true
}

// parseSeconds reads -?d+(.d{1,9})? seconds exactly, without the
// rounding a float64 would bring.
func parseSeconds(s string) (time.Duration, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac && (frac == "" || len(frac) > 9) {
		return 0, false
	}
	if whole == "" || strings.TrimLeft(whole, "0123456789") != "" || strings.TrimLeft(frac, "0123456789") != "" {
		return 0, false
	}
	secs, err := strconv.ParseUint(whole, 10, 64)
	if err != nil || secs > math.MaxInt64/uint64(time.Second) {
		return 0, false
	}
	var ns uint64
	if frac != "" {
		ns, _ = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	total := secs*uint64(time.Second) + ns
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // time.Duration reaches one further below zero
	}
	if total > limit {
		return 0, false
	}
	if neg {
		// For total == 1<<63 the conversion gives math.MinInt64 and the
		// negation leaves it there, which is the intended value.
		return time.Duration(-int64(total)), true
	}
	return time.Duration(total), true
}

// digits parses a string of ASCII digits only.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}
