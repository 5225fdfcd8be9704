package model_test

import (
	"testing"
	"time"

	"github.com/quotekit/quotekit/openapi/model"
)

// FuzzNewDateTime goes the other way from FuzzDateTime: from a Go time (any instant of
// the years .NET can write, in UTC or at any fixed offset) to text and back. The text
// parses, names the same instant to .NET's 100 ns, and is written back unchanged.
func FuzzNewDateTime(f *testing.F) {
	for _, seed := range []struct {
		sec, nsec int64
		offset    int32
	}{
		{0, 0, 0}, {1655389272, 87788700, 120}, {-62135596800, 0, 0}, {253402300799, 999999999, 0},
		{1655389272, 1, -14 * 60}, {1655389272, 99, 14*60 + 1}, {1655389272, 0, -90}, {1, 0, 1 << 20},
	} {
		f.Add(seed.sec, seed.nsec, seed.offset, seed.offset == 0)
	}
	// Every instant from 0001-01-02 to 9999-12-30: a day's margin keeps the wall clock
	// within the years .NET writes at any offset.
	first := time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC).Unix() - first
	f.Fuzz(func(t *testing.T, sec, nsec int64, offsetSeconds int32, utc bool) {
		in := time.Unix(first+(sec%span+span)%span, nsec%1e9)
		if utc {
			in = in.UTC()
		} else {
			in = in.In(time.FixedZone("", int(offsetSeconds%(24*3600))))
		}
		d := model.NewDateTime(in)
		text, err := d.MarshalText()
		if err != nil {
			t.Fatalf("NewDateTime(%v) cannot be written: %v", in, err)
		}
		back, err := model.ParseDateTime(string(text))
		if err != nil {
			t.Fatalf("NewDateTime(%v) writes %q, which does not parse: %v", in, text, err)
		}
		if want := in.Truncate(100 * time.Nanosecond); !back.Time.Equal(want) {
			t.Fatalf("%v written as %q reads back as %v, want %v", in, text, back.Time, want)
		}
		again, err := back.MarshalText()
		if err != nil || string(again) != string(text) {
			t.Fatalf("%q reads back and is written as %q (%v)", text, again, err)
		}
	})
}
