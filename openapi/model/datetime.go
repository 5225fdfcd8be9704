package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// ErrInvalidDateTime is wrapped by every error ParseDateTime, the
// unmarshalers and the marshalers of DateTime return.
var ErrInvalidDateTime = errors.New("invalid .NET DateTime")

// dtForm is quoted in error messages so a partner reading a log line
// learns what SuperOffice would have accepted.
const dtForm = "yyyy-MM-ddTHH:mm:ss[.fffffff][Z|±hh:mm]"

// dtMaxDigits is the number of fractional-second digits .NET keeps: its clock
// ticks every 100 ns.
const dtMaxDigits = 7

// dtMaxOffset is the largest offset .NET's DateTimeOffset allows, in seconds.
const dtMaxOffset = 14 * 60 * 60

// dtMaxEcho bounds how much of a rejected input an error message repeats, so a
// hostile or huge payload cannot flood the logs.
const dtMaxEcho = 40

// OffsetKind records how the text of a DateTime carried its offset, so a value
// read from .NET is written back in the same form.
type OffsetKind uint8

const (
	// OffsetNone is text without an offset, as .NET writes values of
	// DateTimeKind.Unspecified and DateTime.MinValue. It is the zero
	// OffsetKind so that DateTime{} is the .NET default value.
	OffsetNone OffsetKind = iota
	// OffsetUTC is text ending in "Z", as .NET writes DateTimeKind.Utc values.
	OffsetUTC
	// OffsetNumeric is text ending in "+hh:mm" or "-hh:mm", as .NET writes
	// DateTimeOffset and DateTimeKind.Local values.
	OffsetNumeric
)

// DateTime is a .NET System.DateTime or System.DateTimeOffset as it appears
// in JSON. It reads every form .NET writes and writes back exactly the text it
// read, which time.Time cannot do: time.Time rejects text without an offset
// and forgets how many fractional digits and which offset notation were used.
//
// Time holds the instant. For OffsetNone its wall clock is what the text said,
// in the location time.UTC after parsing; no zone is implied. For OffsetUTC it
// is written in UTC; for OffsetNumeric it is written with the offset of its own
// location. Digits is the minimum number of fractional-second digits written
// (clamped to 0–7); more are written when Time needs them, up to 7, and any
// nanoseconds beyond 100 ns precision are dropped.
//
// The zero DateTime is the .NET default value and is written as
// "0001-01-01T00:00:00". Because DateTime has an IsZero method, the
// `json:",omitzero"` option leaves it out.
type DateTime struct {
	Time   time.Time
	Offset OffsetKind
	Digits int
}

// NewDateTime returns t in the canonical form used for values that did not
// come from .NET: the round-trip ("o") form, with all 7 fractional digits,
// "Z" when t's location is time.UTC and a numeric offset otherwise. t is
// truncated to 100 ns, the precision .NET keeps. A location whose offset is
// not a whole number of minutes, or exceeds ±14:00, cannot be written in .NET
// form, so such a t is converted to UTC.
func NewDateTime(t time.Time) DateTime {
	t = t.Truncate(100 * time.Nanosecond)
	kind := OffsetNumeric
	if t.Location() == time.UTC {
		kind = OffsetUTC
	} else if _, off := t.Zone(); off%60 != 0 || off > dtMaxOffset || off < -dtMaxOffset {
		t = t.UTC()
		kind = OffsetUTC
	}
	return DateTime{Time: t, Offset: kind, Digits: dtMaxDigits}
}

// ParseDateTime parses one of the forms .NET writes:
// yyyy-MM-ddTHH:mm:ss, optionally followed by "." and 1 to 7 fractional
// digits, optionally followed by "Z" or an offset ±hh:mm of at most 14:00.
// It accepts exactly the text MarshalText writes, so every accepted input is
// written back byte for byte. It returns an error wrapping ErrInvalidDateTime
// for any other text, including the empty string, more than 7 fractional
// digits, fields out of range (year 0, month 13, February 30, hour 24, second
// 60) and "-00:00", which .NET never writes and which could not be written
// back unchanged.
func ParseDateTime(s string) (DateTime, error) {
	d, reason := dtParse(s)
	if reason != "" {
		return DateTime{}, fmt.Errorf("openapi: %w %s: %s; want %s", ErrInvalidDateTime, dtClip(s), reason, dtForm)
	}
	return d, nil
}

func dtParse(s string) (DateTime, string) {
	const baseLen = len("yyyy-MM-ddTHH:mm:ss")
	if len(s) < baseLen {
		return DateTime{}, "too short"
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return DateTime{}, "misplaced separator"
	}
	year, ok1 := dtDigits(s[0:4])
	month, ok2 := dtDigits(s[5:7])
	day, ok3 := dtDigits(s[8:10])
	hour, ok4 := dtDigits(s[11:13])
	minute, ok5 := dtDigits(s[14:16])
	sec, ok6 := dtDigits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return DateTime{}, "non-digit in date or time"
	}
	switch {
	case year < 1:
		return DateTime{}, "year out of range"
	case month < 1 || month > 12:
		return DateTime{}, "month out of range"
	case day < 1 || day > dtDaysIn(year, month):
		return DateTime{}, "day out of range"
	case hour > 23:
		return DateTime{}, "hour out of range"
	case minute > 59:
		return DateTime{}, "minute out of range"
	case sec > 59:
		return DateTime{}, "second out of range"
	}

	rest := s[baseLen:]
	d := DateTime{}
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && dtIsDigit(rest[n]) {
			n++
		}
		d.Digits = n - 1
		switch {
		case d.Digits == 0:
			return DateTime{}, "no digits after the decimal point"
		case d.Digits > dtMaxDigits:
			return DateTime{}, "more than 7 fractional digits"
		}
		frac, _ := dtDigits(rest[1:n])
		for range 9 - d.Digits {
			frac *= 10
		}
		nsec = frac
		rest = rest[n:]
	}

	loc := time.UTC
	switch {
	case rest == "":
		d.Offset = OffsetNone
	case rest == "Z":
		d.Offset = OffsetUTC
	case len(rest) == len("+hh:mm") && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := dtDigits(rest[1:3])
		om, ok2 := dtDigits(rest[4:6])
		if !ok1 || !ok2 {
			return DateTime{}, "non-digit in offset"
		}
		off := oh*3600 + om*60
		if om > 59 || off > dtMaxOffset {
			return DateTime{}, "offset out of range"
		}
		if rest[0] == '-' {
			if off == 0 {
				return DateTime{}, `offset "-00:00"`
			}
			off = -off
		}
		d.Offset = OffsetNumeric
		loc = time.FixedZone("", off)
	default:
		return DateTime{}, "unexpected text after the seconds"
	}
	d.Time = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	return d, ""
}

// IsZero reports whether d holds the .NET default value: the wall clock
// 0001-01-01T00:00:00 exactly, with no offset or a zero offset. Both
// DateTime{} and the parsed text "0001-01-01T00:00:00" are zero, and so is
// "0001-01-01T00:00:00+00:00", which .NET writes for default(DateTimeOffset).
func (d DateTime) IsZero() bool {
	t := d.Time
	switch d.Offset {
	case OffsetUTC:
		t = t.UTC()
	case OffsetNumeric:
		if _, off := t.Zone(); off != 0 {
			return false
		}
	}
	y, mo, dd := t.Date()
	h, mi, s := t.Clock()
	return y == 1 && mo == time.January && dd == 1 && h == 0 && mi == 0 && s == 0 && t.Nanosecond() == 0
}

// MarshalText writes d in the form described on DateTime. It returns an error
// wrapping ErrInvalidDateTime when d cannot be written in a form .NET reads:
// a year outside 1–9999, an unknown Offset, or for OffsetNumeric an offset
// that is not a whole number of minutes or exceeds ±14:00.
func (d DateTime) MarshalText() ([]byte, error) {
	return d.appendText(make([]byte, 0, len("yyyy-MM-ddTHH:mm:ss.fffffff+hh:mm")))
}

// MarshalJSON writes d as a JSON string holding the MarshalText form. It
// returns the same errors as MarshalText.
func (d DateTime) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(`"yyyy-MM-ddTHH:mm:ss.fffffff+hh:mm"`))
	b = append(b, '"')
	b, err := d.appendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// UnmarshalText sets d from text in one of the forms ParseDateTime accepts
// and returns ParseDateTime's error otherwise, leaving d unchanged.
func (d *DateTime) UnmarshalText(text []byte) error {
	v, err := ParseDateTime(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalJSON sets d from a JSON string in one of the forms ParseDateTime
// accepts. JSON null sets d to the zero DateTime, rather than leaving it as
// it was, because .NET writes null for "no value" and a reused struct must not
// keep a stale date. Any other JSON value, or a string ParseDateTime rejects,
// yields an error wrapping ErrInvalidDateTime and leaves d unchanged.
func (d *DateTime) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*d = DateTime{}
		return nil
	}
	if len(data) == 0 || data[0] != '"' {
		return fmt.Errorf("openapi: %w %s: not a JSON string; want %s", ErrInvalidDateTime, dtClip(string(data)), dtForm)
	}
	if text, ok := dtPlainString(data); ok {
		return d.UnmarshalText(text)
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("openapi: %w %s: malformed JSON string; want %s", ErrInvalidDateTime, dtClip(string(data)), dtForm)
	}
	return d.UnmarshalText([]byte(s))
}

// dtPlainString returns the content of the JSON string data when it needs no decoding:
// quoted, and inside only ASCII without control characters, quotes or backslashes (as
// every date .NET writes). json.Unmarshal would give exactly these bytes; for anything
// else it reports false and the decoder is asked.
func dtPlainString(data []byte) ([]byte, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return nil, false
	}
	text := data[1 : len(data)-1]
	for _, c := range text {
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return nil, false // leave escapes, and any non-ASCII, to the decoder
		}
	}
	return text, true
}

// String returns the MarshalText form of d. For a value MarshalText rejects it
// returns "%!DateTime(" followed by the RFC 3339 form of d.Time and ")", in
// the manner of fmt's error strings, so printing never fails.
func (d DateTime) String() string {
	b, err := d.MarshalText()
	if err != nil {
		return "%!DateTime(" + d.Time.Format(time.RFC3339Nano) + ")"
	}
	return string(b)
}

func (d DateTime) appendText(b []byte) ([]byte, error) {
	t := d.Time
	if d.Offset == OffsetUTC {
		t = t.UTC()
	}
	year, month, day := t.Date()
	if year < 1 || year > 9999 {
		return nil, fmt.Errorf("openapi: %w: year %d outside 1–9999", ErrInvalidDateTime, year)
	}
	hour, minute, sec := t.Clock()
	b = dtAppendPadded(b, year, 4)
	b = append(b, '-')
	b = dtAppendPadded(b, int(month), 2)
	b = append(b, '-')
	b = dtAppendPadded(b, day, 2)
	b = append(b, 'T')
	b = dtAppendPadded(b, hour, 2)
	b = append(b, ':')
	b = dtAppendPadded(b, minute, 2)
	b = append(b, ':')
	b = dtAppendPadded(b, sec, 2)

	ticks := t.Nanosecond() / 100
	n := min(max(d.Digits, 0), dtMaxDigits)
	if ticks != 0 {
		need := dtMaxDigits
		for v := ticks; v%10 == 0; v /= 10 {
			need--
		}
		n = max(n, need)
	}
	if n > 0 {
		b = append(b, '.')
		b = dtAppendPadded(b, ticks, dtMaxDigits)
		b = b[:len(b)-(dtMaxDigits-n)]
	}

	switch d.Offset {
	case OffsetNone:
	case OffsetUTC:
		b = append(b, 'Z')
	case OffsetNumeric:
		_, off := t.Zone()
		if off%60 != 0 || off > dtMaxOffset || off < -dtMaxOffset {
			return nil, fmt.Errorf("openapi: %w: offset of %d seconds is not a whole minute within ±14:00", ErrInvalidDateTime, off)
		}
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		b = append(b, sign)
		b = dtAppendPadded(b, off/3600, 2)
		b = append(b, ':')
		b = dtAppendPadded(b, off/60%60, 2)
	default:
		return nil, fmt.Errorf("openapi: %w: unknown OffsetKind %d", ErrInvalidDateTime, d.Offset)
	}
	return b, nil
}

// dtAppendPadded appends v, which must fit, as exactly width decimal digits.
func dtAppendPadded(b []byte, v, width int) []byte {
	var buf [8]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:width]...)
}

// dtDigits parses s, which must consist of ASCII digits only; strconv.Atoi
// would also take a sign.
func dtDigits(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		if !dtIsDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

func dtIsDigit(c byte) bool { return '0' <= c && c <= '9' }

func dtDaysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dtClip quotes at most dtMaxEcho bytes of s, cut on a rune boundary.
func dtClip(s string) string {
	if len(s) <= dtMaxEcho {
		return strconv.Quote(s)
	}
	n := dtMaxEcho
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "…"
}
