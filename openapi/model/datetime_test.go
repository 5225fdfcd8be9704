package model

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// dotNetForms are the forms .NET writes; each must survive a round trip
// unchanged.
var dotNetForms = []struct {
	name string
	text string
}{
	{"default sentinel", "0001-01-01T00:00:00"},
	{"offset, no fraction", "2022-06-16T00:00:00+02:00"},
	{"offset, 7 digits", "2022-06-16T16:21:12.0877887+02:00"},
	{"offset, 1 digit", "2022-06-16T16:21:12.5+02:00"},
	{"negative offset", "2022-06-16T16:21:12.25-05:30"},
	{"zero offset", "2022-06-16T16:21:12+00:00"},
	{"maximum offset", "2022-06-16T16:21:12-14:00"},
	{"UTC, 3 digits", "2022-06-16T16:21:12.087Z"},
	{"UTC, trailing zeros", "2022-06-16T16:21:12.1000000Z"},
	{"UTC, all zero digits", "2022-06-16T16:21:12.000Z"},
	{"MaxValue", "9999-12-31T23:59:59.9999999"},
	{"unspecified", "2022-07-15T08:30:00"},
	{"leap day", "2024-02-29T12:00:00"},
	{"default DateTimeOffset", "0001-01-01T00:00:00+00:00"},
}

func TestDateTimeJSONRoundTrip(t *testing.T) {
	type envelope struct {
		At DateTime `json:"at"`
	}
	for _, tc := range dotNetForms {
		t.Run(tc.name, func(t *testing.T) {
			in := `{"at":"` + tc.text + `"}`
			var e envelope
			if err := json.Unmarshal([]byte(in), &e); err != nil {
				t.Fatalf("Unmarshal(%s): %v", in, err)
			}
			out, err := json.Marshal(e)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(out) != in {
				t.Errorf("round trip = %s, want %s", out, in)
			}
			if got := e.At.String(); got != tc.text {
				t.Errorf("String() = %q, want %q", got, tc.text)
			}
		})
	}
}

func TestDateTimeTextRoundTrip(t *testing.T) {
	for _, tc := range dotNetForms {
		t.Run(tc.name, func(t *testing.T) {
			var d DateTime
			if err := d.UnmarshalText([]byte(tc.text)); err != nil {
				t.Fatalf("UnmarshalText: %v", err)
			}
			out, err := d.MarshalText()
			if err != nil {
				t.Fatalf("MarshalText: %v", err)
			}
			if string(out) != tc.text {
				t.Errorf("MarshalText = %q, want %q", out, tc.text)
			}
		})
	}
}

func TestParseDateTimeFields(t *testing.T) {
	plus2 := time.FixedZone("", 2*60*60)
	tests := []struct {
		name   string
		text   string
		want   time.Time
		offset OffsetKind
		digits int
	}{
		{"unspecified wall clock in UTC", "2022-07-15T08:30:00", time.Date(2022, 7, 15, 8, 30, 0, 0, time.UTC), OffsetNone, 0},
		{"7 digits keep 100 ns ticks", "2022-06-16T16:21:12.0877887+02:00", time.Date(2022, 6, 16, 16, 21, 12, 87788700, plus2), OffsetNumeric, 7},
		{"Z", "2022-06-16T16:21:12.087Z", time.Date(2022, 6, 16, 16, 21, 12, 87000000, time.UTC), OffsetUTC, 3},
		{"MaxValue", "9999-12-31T23:59:59.9999999", time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC), OffsetNone, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDateTime(tc.text)
			if err != nil {
				t.Fatalf("ParseDateTime: %v", err)
			}
			if !d.Time.Equal(tc.want) {
				t.Errorf("Time = %v, want %v", d.Time, tc.want)
			}
			_, gotOff := d.Time.Zone()
			_, wantOff := tc.want.Zone()
			if gotOff != wantOff {
				t.Errorf("zone offset = %d s, want %d s", gotOff, wantOff)
			}
			if d.Offset != tc.offset || d.Digits != tc.digits {
				t.Errorf("Offset, Digits = %d, %d, want %d, %d", d.Offset, d.Digits, tc.offset, tc.digits)
			}
		})
	}
}

func TestDateTimeUnmarshalJSONNull(t *testing.T) {
	stale := DateTime{Time: time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC), Offset: OffsetUTC}
	tests := []struct {
		name   string
		decode func() (DateTime, error)
	}{
		{"top-level null", func() (DateTime, error) {
			d := stale
			err := json.Unmarshal([]byte(`null`), &d)
			return d, err
		}},
		{"field null", func() (DateTime, error) {
			e := struct {
				At DateTime `json:"at"`
			}{stale}
			err := json.Unmarshal([]byte(`{"at":null}`), &e)
			return e.At, err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.decode()
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if got != (DateTime{}) {
				t.Errorf("after null: %#v, want zero DateTime", got)
			}
		})
	}
}

func TestDateTimeInvalid(t *testing.T) {
	long := `"2022-06-16T16:21:12.0877887+02:00` + strings.Repeat("x", 200) + `"`
	tests := []struct {
		name string
		json string
	}{
		{"empty string", `""`},
		{"garbage", `"not a date"`},
		{"8 fractional digits", `"2022-06-16T16:21:12.08778870+02:00"`},
		{"point without digits", `"2022-06-16T16:21:12.+02:00"`},
		{"year 0", `"0000-01-01T00:00:00"`},
		{"month 13", `"2022-13-01T00:00:00"`},
		{"February 30", `"2022-02-30T00:00:00"`},
		{"February 29 in a common year", `"2023-02-29T00:00:00"`},
		{"hour 24", `"2022-06-16T24:00:00"`},
		{"minute 60", `"2022-06-16T23:60:00"`},
		{"leap second", `"2022-06-16T23:59:60"`},
		{"offset over 14 hours", `"2022-06-16T00:00:00+14:01"`},
		{"offset minutes 60", `"2022-06-16T00:00:00+01:60"`},
		{"offset without colon", `"2022-06-16T00:00:00+0200"`},
		{"negative zero offset", `"2022-06-16T00:00:00-00:00"`},
		{"lower-case z", `"2022-06-16T00:00:00z"`},
		{"space separator", `"2022-06-16 00:00:00"`},
		{"date only", `"2022-06-16"`},
		{"no seconds", `"2022-06-16T00:00"`},
		{"trailing junk", `"2022-06-16T00:00:00Zjunk"`},
		{"signed field", `"2022-+6-16T00:00:00"`},
		{"five-digit year", `"10000-01-01T00:00:00"`},
		{"number", `1655389272`},
		{"object", `{}`},
		{"bool", `true`},
		{"broken string", `"2022-06-16T00:00:00`},
		{"long input", long},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := DateTime{Offset: OffsetUTC}
			err := d.UnmarshalJSON([]byte(tc.json))
			if err == nil {
				t.Fatalf("UnmarshalJSON(%s) = nil error, value %v", tc.json, d)
			}
			if !errors.Is(err, ErrInvalidDateTime) {
				t.Errorf("error %v does not wrap ErrInvalidDateTime", err)
			}
			if d != (DateTime{Offset: OffsetUTC}) {
				t.Errorf("failed UnmarshalJSON changed the value to %#v", d)
			}
			if !strings.Contains(err.Error(), "yyyy-MM-ddTHH:mm:ss") {
				t.Errorf("error %q does not name the expected form", err)
			}
			if strings.Contains(err.Error(), "xxxxxxxxxx") {
				t.Errorf("error %q echoes too much input", err)
			}
		})
	}
}

func TestDateTimeZero(t *testing.T) {
	tests := []struct {
		name     string
		d        DateTime
		wantText string
		wantZero bool
	}{
		{"zero value", DateTime{}, "0001-01-01T00:00:00", true},
		{"NewDateTime of zero time", NewDateTime(time.Time{}), "0001-01-01T00:00:00.0000000Z", true},
		{"one tick later", DateTime{Time: time.Date(1, 1, 1, 0, 0, 0, 100, time.UTC)}, "0001-01-01T00:00:00.0000001", false},
		{"MinValue wall clock at +02:00", DateTime{Time: time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 7200)), Offset: OffsetNumeric}, "0001-01-01T00:00:00+02:00", false},
		{"ordinary date", NewDateTime(time.Date(2022, 7, 15, 0, 0, 0, 0, time.UTC)), "2022-07-15T00:00:00.0000000Z", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := json.Marshal(tc.d)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if want := `"` + tc.wantText + `"`; string(out) != want {
				t.Errorf("Marshal = %s, want %s", out, want)
			}
			if got := tc.d.IsZero(); got != tc.wantZero {
				t.Errorf("IsZero() = %v, want %v", got, tc.wantZero)
			}
		})
	}
}

func TestDateTimeOmitZero(t *testing.T) {
	type envelope struct {
		At DateTime `json:"at,omitzero"`
	}
	out, err := json.Marshal(envelope{})
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if string(out) != `{}` {
		t.Errorf("Marshal = %s, want {}", out)
	}
}

func TestNewDateTime(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"UTC", time.Date(2022, 6, 16, 16, 21, 12, 87788700, time.UTC), "2022-06-16T16:21:12.0877887Z"},
		{"fixed offset", time.Date(2022, 6, 16, 16, 21, 12, 0, time.FixedZone("CEST", 7200)), "2022-06-16T16:21:12.0000000+02:00"},
		{"negative offset", time.Date(2022, 6, 16, 16, 21, 12, 0, time.FixedZone("", -(9*3600+30*60))), "2022-06-16T16:21:12.0000000-09:30"},
		{"zero offset that is not UTC", time.Date(2022, 6, 16, 16, 21, 12, 0, time.FixedZone("GMT", 0)), "2022-06-16T16:21:12.0000000+00:00"},
		{"nanoseconds truncated to ticks", time.Date(2022, 6, 16, 16, 21, 12, 123456789, time.UTC), "2022-06-16T16:21:12.1234567Z"},
		{"seconds offset falls back to UTC", time.Date(2022, 6, 16, 12, 0, 0, 0, time.FixedZone("LMT", 3600+30)), "2022-06-16T10:59:30.0000000Z"},
		{"MaxValue", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), "9999-12-31T23:59:59.9999999Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDateTime(tc.in)
			out, err := d.MarshalText()
			if err != nil {
				t.Fatalf("MarshalText: %v", err)
			}
			if string(out) != tc.want {
				t.Errorf("MarshalText = %q, want %q", out, tc.want)
			}
			back, err := ParseDateTime(string(out))
			if err != nil {
				t.Fatalf("ParseDateTime(%q): %v", out, err)
			}
			if !back.Time.Equal(d.Time) {
				t.Errorf("parsed back %v, want instant %v", back.Time, d.Time)
			}
			if !back.Time.Equal(tc.in.Truncate(100 * time.Nanosecond)) {
				t.Errorf("parsed back %v, want instant %v", back.Time, tc.in)
			}
		})
	}
}

func TestDateTimeMarshalDigits(t *testing.T) {
	at := time.Date(2022, 6, 16, 16, 21, 12, 0, time.UTC)
	tests := []struct {
		name string
		d    DateTime
		want string
	}{
		{"no digits requested", DateTime{Time: at, Offset: OffsetUTC}, "2022-06-16T16:21:12Z"},
		{"digits requested", DateTime{Time: at, Offset: OffsetUTC, Digits: 3}, "2022-06-16T16:21:12.000Z"},
		{"more needed than requested", DateTime{Time: at.Add(123400 * time.Nanosecond), Offset: OffsetUTC, Digits: 2}, "2022-06-16T16:21:12.0001234Z"},
		{"sub-tick nanoseconds dropped", DateTime{Time: at.Add(99 * time.Nanosecond), Offset: OffsetUTC}, "2022-06-16T16:21:12Z"},
		{"digits clamped high", DateTime{Time: at, Digits: 12}, "2022-06-16T16:21:12.0000000"},
		{"digits clamped low", DateTime{Time: at, Digits: -3}, "2022-06-16T16:21:12"},
		{"UTC form converts the location", DateTime{Time: at.In(time.FixedZone("", 3600)), Offset: OffsetUTC}, "2022-06-16T16:21:12Z"},
		{"unspecified form writes the wall clock", DateTime{Time: at.In(time.FixedZone("", 3600))}, "2022-06-16T17:21:12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.d.MarshalText()
			if err != nil {
				t.Fatalf("MarshalText: %v", err)
			}
			if string(out) != tc.want {
				t.Errorf("MarshalText = %q, want %q", out, tc.want)
			}
		})
	}
}

func TestDateTimeMarshalUnrepresentable(t *testing.T) {
	tests := []struct {
		name string
		d    DateTime
	}{
		{"year 10000", DateTime{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"year 0", DateTime{Time: time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)}},
		{"seconds in offset", DateTime{Time: time.Date(2022, 1, 1, 0, 0, 0, 0, time.FixedZone("", 30)), Offset: OffsetNumeric}},
		{"offset over 14 hours", DateTime{Time: time.Date(2022, 1, 1, 0, 0, 0, 0, time.FixedZone("", 15*3600)), Offset: OffsetNumeric}},
		{"unknown offset kind", DateTime{Offset: OffsetKind(9)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := json.Marshal(tc.d); !errors.Is(err, ErrInvalidDateTime) {
				t.Errorf("Marshal error = %v, want one wrapping ErrInvalidDateTime", err)
			}
			if s := tc.d.String(); !strings.HasPrefix(s, "%!DateTime(") {
				t.Errorf("String() = %q, want the %%!DateTime( form", s)
			}
		})
	}
}

func FuzzDateTime(f *testing.F) {
	for _, tc := range dotNetForms {
		f.Add(tc.text)
	}
	f.Add("2022-06-16T16:21:12.08778870+02:00")
	f.Add("2022-06-16T00:00:00-00:00")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		var d DateTime
		if err := d.UnmarshalText([]byte(s)); err == nil {
			out, err := d.MarshalText()
			if err != nil {
				t.Fatalf("MarshalText after parsing %q: %v", s, err)
			}
			if string(out) != s {
				t.Fatalf("MarshalText = %q, want %q", out, s)
			}
			j, err := d.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON after parsing %q: %v", s, err)
			}
			var back DateTime
			if err := json.Unmarshal(j, &back); err != nil {
				t.Fatalf("Unmarshal(%s): %v", j, err)
			}
			if again, err := back.MarshalText(); err != nil || string(again) != s {
				t.Fatalf("JSON round trip = %q, %v; want %q", again, err, s)
			}
		}

		// Whatever arrives as raw JSON must not panic, and anything
		// accepted must be written in a form that is accepted again.
		var j DateTime
		if err := j.UnmarshalJSON([]byte(s)); err == nil {
			out, err := j.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON after UnmarshalJSON(%q): %v", s, err)
			}
			var back DateTime
			if err := back.UnmarshalJSON(out); err != nil {
				t.Fatalf("UnmarshalJSON(%s): %v", out, err)
			}
			if again, _ := back.MarshalJSON(); string(again) != string(out) {
				t.Fatalf("second round trip = %s, want %s", again, out)
			}
		}
	})
}
