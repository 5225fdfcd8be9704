package soap

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
)

// filler fills carriers with distinct non-zero values in every member the wire carries,
// including text that needs escaping, every date form and null items in pointer arrays.
type filler struct{ n int }

var fillDates = []string{"2025-02-14T00:00:00", "2025-02-14T10:00:00Z", "2025-02-14T11:00:00.1234567+01:00", "0001-01-01T00:00:00", "1760-01-01T00:00:00"}

func (fl *filler) next() int { fl.n++; return fl.n }

// value fills v, the settable Go value of f.
func (fl *filler) value(t *testing.T, f *field, v reflect.Value) {
	n := fl.next()
	switch f.kind {
	case kString:
		s := fmt.Sprintf("%s %d", f.name, n)
		if n%5 == 0 {
			s += " <&> \"q\" 'a'\r\n\ttab é ✓ 𝄞"
		}
		v.SetString(s)
	case kInt:
		v.SetInt(int64(n * (1 - 2*(n%2))))
	case kShort:
		v.SetInt(int64(n % 30000))
	case kDouble:
		v.SetFloat([]float64{float64(n) + 0.25, -float64(n) * 1e-7, 1.5e22 + float64(n)*1e7, 2698.2}[n%4])
	case kBool:
		v.SetBool(true)
	case kDateTime:
		d, err := model.ParseDateTime(fillDates[n%len(fillDates)])
		if err != nil {
			t.Fatal(err)
		}
		v.Set(reflect.ValueOf(d))
	case kEnum:
		v.SetInt(int64(f.enum.values[n%len(f.enum.values)]))
	case kStruct:
		sv := v
		if f.ptr {
			np := reflect.New(f.elem.typ)
			v.Set(np)
			sv = np.Elem()
		}
		fl.structure(t, f.elem, sv)
	case kArray:
		v.Set(reflect.MakeSlice(f.typ, 3, 3))
		for i := range 3 {
			ev := v.Index(i)
			if f.ptr {
				if i == 1 {
					continue // a null item
				}
				np := reflect.New(f.elem.typ)
				ev.Set(np)
				ev = np.Elem()
			}
			fl.structure(t, f.elem, ev)
		}
	case kStringArray:
		v.Set(reflect.ValueOf([]string{fmt.Sprintf("%s-a%d", f.name, n), "", fmt.Sprintf("b&<%d>", n)}))
	case kDict:
		m := reflect.MakeMap(f.typ)
		keys := []string{"b-key", "a-key", "c-key"}
		if f.dict.val.kind == kBool {
			keys = []string{connector.CapPlaceOrder, "zz-new-capability", connector.CapProvideCost}
		}
		for _, k := range keys {
			val := reflect.New(f.dict.val.typ).Elem()
			fl.value(t, f.dict.val, val)
			m.SetMapIndex(reflect.ValueOf(k).Convert(f.typ.Key()), val)
		}
		v.Set(m)
	case kUDF:
		v.Set(reflect.ValueOf(model.CustomFields{
			"SuperOffice:1":                        fmt.Sprintf("text %d", n),
			"SuperOffice:2":                        "[F:1.5]",
			"SuperOffice:3":                        "[I:42]",
			"SuperOffice:4":                        "[F:1E-05]",
			"x_plain":                              "[DT:07/15/2022 00:00:00.0000000]",
			"UserDefinedStringFromFieldNumber:7":   "seven",
			"UserDefinedDecimalFromFieldNumber:12": "1,5",
			"UserDefinedIntFromFieldNumber:3":      "12",
		}))
	default:
		t.Fatalf("fill: %s: unexpected kind %s", f.name, f.kind)
	}
}

// structure fills the members of pl in base, a settable struct.
func (fl *filler) structure(t *testing.T, pl *plan, base reflect.Value) {
	for _, f := range pl.fields {
		if f.carried {
			fl.value(t, f, base.Field(f.fi))
		}
	}
	if pl.isOk != nil {
		base.Field(pl.isOk.fi).SetBool(base.Field(pl.state.fi).Int() != int64(model.ResponseStateError))
	}
}

// fullRequest returns a pointer to a request of op with every part, ConfigValues and
// ConnectionInfo filled.
func fullRequest(t *testing.T, op connector.Operation) any {
	t.Helper()
	o := theCodec().ops[op.Name]
	v := reflect.New(op.Request)
	fl := &filler{}
	fl.structure(t, o.parts, v.Elem())
	ci := &model.QuoteConnectionInfo{CRMConnectionId: 3, ERPClientName: "Example ERP", ERPClientKey: "EX-01", DisplayName: "Example & co"}
	e := v.Elem()
	e.FieldByName("ConfigValues").Set(reflect.ValueOf(map[string]string{"ApplicationId": "7c1a", "ApiKey": "s3cr3t", "Port": "[I:443]"}))
	e.FieldByName("ConnectionInfo").Set(reflect.ValueOf(ci))
	if f := e.FieldByName("ConnectionData"); f.IsValid() {
		f.Set(reflect.ValueOf(ci))
	}
	return v.Interface()
}

// fullResult returns a pointer to a filled result of op.
func fullResult(t *testing.T, op connector.Operation) reflect.Value {
	t.Helper()
	o := theCodec().ops[op.Name]
	v := reflect.New(op.Result)
	(&filler{}).value(t, o.result, v.Elem())
	return v
}

// diff describes where two values differ, through their JSON forms.
func diff(a, b any) string {
	ja, _ := json.MarshalIndent(a, "", " ")
	jb, _ := json.MarshalIndent(b, "", " ")
	i := 0
	for i < len(ja) && i < len(jb) && ja[i] == jb[i] {
		i++
	}
	lo := max(0, i-200)
	return fmt.Sprintf("differ at JSON byte %d:\nwant …%s\n got …%s", i, ja[lo:min(len(ja), i+100)], jb[lo:min(len(jb), i+100)])
}

func nan() float64 { z := 0.0; return z / z }
