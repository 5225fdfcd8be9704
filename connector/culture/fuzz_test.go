package culture_test

import (
	"bytes"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector/culture"
)

// FuzzEncoders checks every CultureDataFormatter encoder against the decoder
// (FuzzDecode goes the other way): whatever a connector writes with Encode…
// reads back, through Decode and the typed getter, as the value it wrote, to
// the precision the format documents.
func FuzzEncoders(f *testing.F) {
	f.Add(int64(0), 0.0, []byte{}, int64(0), int64(0))
	f.Add(int64(-1), 453.2, []byte("secret"), int64(1500*time.Millisecond), int64(1657843200))
	f.Add(int64(math.MinInt64), math.Inf(-1), []byte{0}, int64(math.MinInt64), int64(-62135596800))
	f.Add(int64(math.MaxInt64), math.NaN(), []byte{0xff, 0xfe}, int64(math.MaxInt64), int64(253402300799))
	f.Add(int64(1), 1e15, []byte(nil), int64(-1), int64(1))
	f.Add(int64(2), -1.5e-7, []byte("ab"), int64(100), int64(-1))
	f.Fuzz(func(t *testing.T, n int64, x float64, b []byte, d int64, unix int64) {
		decode := func(s string) culture.Value {
			t.Helper()
			v, err := culture.Decode(s)
			if err != nil {
				t.Fatalf("Decode(%q): %v", s, err)
			}
			return v
		}
		if got, err := decode(culture.EncodeInt(n)).Int(); err != nil || got != n {
			t.Errorf("EncodeInt(%d) reads back as %d, %v", n, got, err)
		}
		if got, err := decode(culture.EncodeBool(n%2 != 0)).Bool(); err != nil || got != (n%2 != 0) {
			t.Errorf("EncodeBool(%v) reads back as %v, %v", n%2 != 0, got, err)
		}
		if got, err := decode(culture.EncodeFloat(x)).Float(); err != nil || !(got == x || math.IsNaN(got) && math.IsNaN(x)) {
			t.Errorf("EncodeFloat(%v) = %s reads back as %v, %v", x, culture.EncodeFloat(x), got, err)
		}
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			if got, err := decode(culture.EncodeMoney(x)).Float(); err != nil || got != x {
				t.Errorf("EncodeMoney(%v) reads back as %v, %v", x, got, err)
			}
		}
		if got, err := decode(culture.EncodeBytes(b)).Bytes(); err != nil || !bytes.Equal(got, b) {
			t.Errorf("EncodeBytes(%x) reads back as %x, %v", b, got, err)
		}
		ints := []int64{n, d, unix}
		if got, err := decode(culture.EncodeInts(ints)).Ints(); err != nil || !slices.Equal(got, ints) {
			t.Errorf("EncodeInts(%v) reads back as %v, %v", ints, got, err)
		}
		if got, err := decode(culture.EncodeTimeSpan(time.Duration(d))).Duration(); err != nil || got != time.Duration(d) {
			t.Errorf("EncodeTimeSpan(%d) = %s reads back as %d, %v", d, culture.EncodeTimeSpan(time.Duration(d)), got, err)
		}
		day := 24 * time.Hour
		want := ((time.Duration(d)%day + day) % day).Truncate(time.Second)
		if got, err := decode(culture.EncodeTimeOfDay(time.Duration(d))).TimeOfDay(); err != nil || got != want {
			t.Errorf("EncodeTimeOfDay(%v) reads back as %v, %v; want %v", time.Duration(d), got, err, want)
		}

		// Dates, any instant of the years 1 to 9999: SuperOffice's format has no zone; the
		// wall clock comes back in UTC.
		first := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		span := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - first
		wall := time.Unix(first+(unix%span+span)%span, (n%1e9+1e9)%1e9).UTC()
		if got, err := decode(culture.EncodeDateTime(wall)).Time(); err != nil || !got.Equal(wall.Truncate(100*time.Nanosecond)) {
			t.Errorf("EncodeDateTime(%v) reads back as %v, %v", wall, got, err)
		}
		y, m, dd := wall.Date()
		if got, err := decode(culture.EncodeDate(wall)).Time(); err != nil || !got.Equal(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("EncodeDate(%v) reads back as %v, %v", wall, got, err)
		}
	})
}
