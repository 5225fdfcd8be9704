package soap

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
	"github.com/quotekit/quotekit/openapi/model"
)

// theCodec returns the plans, built from the schema on first use; a schema that does not
// bind to the carriers panics with every problem found.
var theCodec = sync.OnceValue(func() *codec {
	c, err := newCodec(schemaFS, connector.Operations())
	if err != nil {
		panic(err)
	}
	return c
})

func init() { theCodec() }

// newCodec parses the schema in fsys and binds it to the operations.
func newCodec(fsys fs.FS, ops []connector.Operation) (*codec, error) {
	s, err := loadSchema(fsys)
	if err != nil {
		return nil, err
	}
	c := build(s, ops)
	if len(c.errs) > 0 {
		return c, errors.New("soap: the schema does not bind to the carriers:\n\t" + strings.Join(c.errs, "\n\t"))
	}
	return c, nil
}

// encoder appends XML to a buffer. A call encoder writes as a WCF client does (INF and NaN
// included); a result encoder refuses values .NET would mangle.
type encoder struct {
	b    []byte
	call bool
	op   string
	path []pathElem
}

var encoders = sync.Pool{New: func() any { return &encoder{b: make([]byte, 0, 8<<10)} }}

func getEncoder(call bool, op string) *encoder {
	e := encoders.Get().(*encoder)
	e.b, e.call, e.op, e.path = e.b[:0], call, op, e.path[:0]
	return e
}

func putEncoder(e *encoder) {
	if cap(e.b) <= 1<<20 {
		encoders.Put(e)
	}
}

func (e *encoder) flush(w io.Writer) error {
	_, err := w.Write(e.b)
	return err
}

func (e *encoder) fail(what string) error {
	var b strings.Builder
	b.WriteString("soap: ")
	b.WriteString(e.op)
	b.WriteString(": ")
	for i, p := range e.path {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p.name)
		if p.idx > 0 {
			b.WriteString("[" + strconv.Itoa(p.idx) + "]")
		}
	}
	b.WriteString(": ")
	b.WriteString(what)
	return errors.New(b.String())
}

func (e *encoder) s(s string) { e.b = append(e.b, s...) }

func (e *encoder) open(name, attrs string) {
	e.b = append(e.b, '<')
	e.b = append(e.b, name...)
	e.b = append(e.b, attrs...)
	e.b = append(e.b, '>')
}

func (e *encoder) close(name string) {
	e.b = append(e.b, '<', '/')
	e.b = append(e.b, name...)
	e.b = append(e.b, '>')
}

func (e *encoder) null(name, attrs string) {
	e.b = append(e.b, '<')
	e.b = append(e.b, name...)
	e.b = append(e.b, attrs...)
	e.b = append(e.b, ` i:nil="true"/>`...)
}

func (e *encoder) empty(name, attrs string) {
	e.b = append(e.b, '<')
	e.b = append(e.b, name...)
	e.b = append(e.b, attrs...)
	e.b = append(e.b, '/', '>')
}

// text appends s escaped for element content: & < > escaped, \r as &#xD;, characters XML
// 1.0 does not allow (and invalid UTF-8) dropped.
func (e *encoder) text(s string) {
	e.b = appendEscaped(e.b, s, false)
}

func appendEscaped(b []byte, s string, attr bool) []byte {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '<' && c != '>' && c != '&' && !(attr && c == '"') {
			i++
			continue
		}
		break
	}
	if i == len(s) {
		return append(b, s...)
	}
	b = append(b, s[:i]...)
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '<':
				b = append(b, "&lt;"...)
			case c == '>':
				b = append(b, "&gt;"...)
			case c == '&':
				b = append(b, "&amp;"...)
			case c == '"' && attr:
				b = append(b, "&quot;"...)
			case c == '\r':
				b = append(b, "&#xD;"...)
			case c == '\n' && attr:
				b = append(b, "&#xA;"...)
			case c == '\t' && attr:
				b = append(b, "&#x9;"...)
			case c >= 0x20 || c == '\n' || c == '\t':
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && n == 1) && r != 0xFFFE && r != 0xFFFF {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return b
}

// element writes member f with its Go value v (ignored when no Go field carries f); attrs
// are extra attributes of its tag.
func (e *encoder) element(f *field, v reflect.Value, attrs string) error {
	if !f.carried {
		if f.nillable {
			e.null(f.name, attrs)
			return nil
		}
		v = zeroes[f.kind]
	}
	name := f.name
	switch f.kind {
	case kString:
		s := v.String()
		if s == "" && f.nillable {
			e.null(name, attrs)
			return nil
		}
		e.open(name, attrs)
		e.text(s)
	case kInt:
		e.open(name, attrs)
		e.b = strconv.AppendInt(e.b, v.Int(), 10)
	case kShort:
		n := v.Int()
		if n < math.MinInt16 || n > math.MaxInt16 {
			e.push(name, 0)
			return e.fail("out of the range of xs:short")
		}
		e.open(name, attrs)
		e.b = strconv.AppendInt(e.b, n, 10)
	case kDouble:
		x := v.Float()
		if math.IsNaN(x) || math.IsInf(x, 0) {
			if !e.call {
				e.push(name, 0)
				return e.fail("NaN or infinity, which .NET reads as a number no ERP sends")
			}
		}
		e.open(name, attrs)
		e.b = appendDouble(e.b, x)
	case kBool:
		e.open(name, attrs)
		e.b = strconv.AppendBool(e.b, v.Bool())
	case kDateTime:
		t, err := v.Addr().Interface().(*model.DateTime).MarshalText()
		if err != nil {
			e.push(name, 0)
			return e.fail("not a .NET DateTime")
		}
		e.open(name, attrs)
		e.b = append(e.b, t...)
	case kEnum:
		n := v.Int()
		var (
			s  string
			ok bool
		)
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			s, ok = f.enum.byVal[int32(n)]
		}
		if !ok {
			e.push(name, 0)
			return e.fail(strconv.FormatInt(n, 10) + " is not a value of " + f.enum.name)
		}
		e.open(name, attrs)
		e.s(s)
	case kStruct:
		sv := v
		if f.ptr {
			if v.IsNil() {
				e.null(name, attrs)
				return nil
			}
			sv = v.Elem()
		}
		e.open(name, attrs)
		e.push(name, 0)
		if err := e.structure(f.elem, sv); err != nil {
			return err
		}
		e.pop()
	case kArray:
		sv := v
		if sv.IsNil() {
			e.null(name, attrs)
			return nil
		}
		if sv.Len() == 0 {
			e.empty(name, attrs)
			return nil
		}
		e.open(name, attrs)
		e.push(name, 0)
		for i := range sv.Len() {
			ev := sv.Index(i)
			if f.ptr {
				if ev.IsNil() {
					e.null(f.item, "")
					continue
				}
				ev = ev.Elem()
			}
			e.open(f.item, "")
			e.push(f.item, i+1)
			if err := e.structure(f.elem, ev); err != nil {
				return err
			}
			e.pop()
			e.close(f.item)
		}
		e.pop()
	case kStringArray:
		if v.IsNil() {
			e.null(name, attrs)
			return nil
		}
		if v.Len() == 0 {
			e.empty(name, attrs)
			return nil
		}
		e.open(name, attrs+` xmlns:a="`+f.itemNS+`"`)
		for i := range v.Len() {
			s := v.Index(i).String()
			if s == "" {
				e.empty("a:"+f.item, "")
				continue
			}
			e.open("a:"+f.item, "")
			e.text(s)
			e.close("a:" + f.item)
		}
	case kConfig:
		if v.IsNil() {
			e.null(name, attrs)
			return nil
		}
		e.open(name, attrs)
		e.push(name, 0)
		for i := range v.Len() {
			kv := v.Index(i) // a KeyValue
			if err := e.pair(f.dict, kv.Field(0), kv.Field(1)); err != nil {
				return err
			}
		}
		e.pop()
	case kDict:
		if v.IsNil() {
			e.null(name, attrs)
			return nil
		}
		e.open(name, attrs)
		e.push(name, 0)
		kt := f.typ.Key()
		kv := reflect.New(f.dict.key.typ).Elem()
		val := reflect.New(f.dict.val.typ).Elem() // addressable, as element needs
		for _, k := range sortedKeys(v, f.dict) {
			kv.SetString(k)
			val.Set(v.MapIndex(kv.Convert(kt)))
			if err := e.pair(f.dict, kv, val); err != nil {
				return err
			}
		}
		e.pop()
	case kUDF:
		if v.IsNil() {
			e.null(name, attrs)
			return nil
		}
		e.open(name, attrs)
		e.push(name, 0)
		if err := e.udf(f, *v.Addr().Interface().(*model.CustomFields)); err != nil {
			return err
		}
		e.pop()
	}
	e.close(name)
	return nil
}

// zeroes holds, for members that no Go field carries, the zero value of each kind they
// can be (addressable, never set).
var zeroes = func() [kConfig + 1]reflect.Value {
	var z [kConfig + 1]reflect.Value
	for k, t := range map[kind]reflect.Type{kString: reflect.TypeFor[string](), kInt: reflect.TypeFor[int32](),
		kShort: reflect.TypeFor[int32](), kDouble: reflect.TypeFor[float64](), kBool: reflect.TypeFor[bool](),
		kDateTime: typeDateTime, kEnum: reflect.TypeFor[int32](), kStringArray: typeStringList,
		kUDF: typeCustom, kConfig: typeConfig} {
		z[k] = reflect.New(t).Elem()
	}
	return z
}()

func (e *encoder) push(name string, idx int) { e.path = append(e.path, pathElem{name, idx}) }
func (e *encoder) pop()                      { e.path = e.path[:len(e.path)-1] }

// structure writes the members of plan pl with the Go fields of base, a struct value.
func (e *encoder) structure(pl *plan, base reflect.Value) error {
	for _, f := range pl.fields {
		if err := e.element(f, fieldOf(f, base), ""); err != nil {
			return err
		}
	}
	return nil
}

// fieldOf returns the Go field of f in the struct value base, or the invalid Value when no
// Go field carries f.
func fieldOf(f *field, base reflect.Value) reflect.Value {
	if !f.carried {
		return reflect.Value{}
	}
	return base.Field(f.fi)
}

// pair writes one dictionary item. Keys are never written as null: a .NET dictionary
// cannot hold a null key.
func (e *encoder) pair(d *dictDef, k, v reflect.Value) error {
	e.open(d.item, "")
	if d.key.kind == kString && k.String() == "" {
		e.empty(d.key.name, "")
	} else if err := e.element(d.key, k, ""); err != nil {
		return err
	}
	if err := e.element(d.val, v, ""); err != nil {
		return err
	}
	e.close(d.item)
	return nil
}

// udf writes CustomFields as a UserDefinedFieldCarrier (see the package documentation).
func (e *encoder) udf(f *field, m model.CustomFields) error {
	type entry struct {
		key string
		num int32
		val string
		f   float64
		n   int32
	}
	lists := make([][]entry, len(f.udf))
	index := func(keyInt bool, k kind) int {
		for i, d := range f.udf {
			if (d.key.kind == kInt) == keyInt && d.val.kind == k {
				return i
			}
		}
		return -1
	}
	for k, v := range m {
		if name, num, ok := strings.Cut(k, ":"); ok {
			if i := slices.IndexFunc(f.udf, func(d *dictDef) bool { return d.member == name && d.key.kind == kInt }); i >= 0 {
				if n, err := strconv.ParseInt(num, 10, 32); err == nil && strconv.FormatInt(n, 10) == num {
					lists[i] = append(lists[i], entry{key: k, num: int32(n), val: v})
					continue
				}
			}
		}
		i := index(false, kString)
		ent := entry{key: k, val: v}
		if cv, err := culture.Decode(v); err == nil {
			switch cv.Kind {
			case culture.Float:
				if x, err := strconv.ParseFloat(cv.Raw, 64); err == nil && !math.IsNaN(x) && !math.IsInf(x, 0) && culture.EncodeFloat(x) == v {
					if j := index(false, kDouble); j >= 0 {
						i, ent.f = j, x
					}
				}
			case culture.Int:
				if x, err := strconv.ParseInt(cv.Raw, 10, 32); err == nil && culture.EncodeInt(x) == v {
					if j := index(false, kInt); j >= 0 {
						i, ent.n = j, int32(x)
					}
				}
			}
		}
		if i >= 0 {
			lists[i] = append(lists[i], ent)
		}
	}
	// The keys and values are written through these: keys of each Go type, values of each.
	var (
		strKey = reflect.New(reflect.TypeFor[string]()).Elem()
		numKey = reflect.New(reflect.TypeFor[int32]()).Elem()
		strVal = reflect.New(reflect.TypeFor[string]()).Elem()
		numVal = reflect.New(reflect.TypeFor[int32]()).Elem()
		dblVal = reflect.New(reflect.TypeFor[float64]()).Elem()
	)
	for i, d := range f.udf {
		list := lists[i]
		sort.Slice(list, func(a, b int) bool {
			if list[a].num != list[b].num {
				return list[a].num < list[b].num
			}
			return list[a].key < list[b].key
		})
		if len(list) == 0 {
			e.empty(d.member, "")
			continue
		}
		e.open(d.member, "")
		for _, ent := range list {
			k, v := strKey, strVal
			if d.key.kind == kInt {
				k = numKey
				k.SetInt(int64(ent.num))
			} else {
				k.SetString(ent.key)
			}
			switch d.val.kind {
			case kDouble:
				v = dblVal
				v.SetFloat(ent.f)
			case kInt:
				v = numVal
				v.SetInt(int64(ent.n))
			default:
				v.SetString(ent.val)
			}
			if err := e.pair(d, k, v); err != nil {
				return err
			}
		}
		e.close(d.member)
	}
	return nil
}

// appendDouble writes f as xs:double: plain decimals for ordinary magnitudes, an exponent
// for very large and very small ones, INF, -INF and NaN as such.
func appendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "INF"...)
	case math.IsInf(f, -1):
		return append(b, "-INF"...)
	}
	if a := math.Abs(f); a == 0 || a >= 1e-6 && a < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'E', -1, 64)
}

const (
	envelopeOpen  = `<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Body>`
	envelopeClose = `</s:Body></s:Envelope>`
	xmlnsI        = ` xmlns:i="` + xsiNS + `"`
)

// WriteResult writes the response envelope of op to w: <s:Envelope><s:Body><{Op}Response
// xmlns=NS or NS2><Result …>. res is the connector's result, of type op.Result. A nil res
// (or nil pointer, slice or map, or "" for a string) writes <Result i:nil="true"/>, except
// for a result of a value type (int, bool), which is written as its zero value since WCF
// cannot read null there; for an operation without result res is ignored and the empty
// wrapper is written. Every member is written in schema order; see the package
// documentation for strings and custom fields. Map results are written in a fixed order:
// capabilities in the order of connector's capability names, then the others sorted;
// configuration fields by Rank, then key.
//
// WriteResult returns an error, and writes nothing, when res is not of type op.Result, when
// an enumeration holds a number the schema has no name for, a double is NaN or infinite, a
// DateTime cannot be written in .NET form, or an int does not fit an xs:short. The error
// names the member's path.
func WriteResult(w io.Writer, op connector.Operation, res any) error {
	c := theCodec()
	o := c.ops[op.Name]
	if o == nil {
		return errors.New("soap: unknown operation " + op.Name)
	}
	e := getEncoder(false, op.Name)
	defer putEncoder(e)
	e.s(envelopeOpen)
	attr := ` xmlns="` + o.resp.ns + `"`
	if o.result == nil {
		e.empty(o.resp.local, attr)
	} else {
		e.open(o.resp.local, attr)
		rattr := xmlnsI
		if o.resp.ns != o.result.ns {
			rattr = ` xmlns="` + o.result.ns + `"` + xmlnsI
		}
		v := reflect.New(op.Result)
		if res != nil {
			rv := reflect.ValueOf(res)
			if rv.Type() != op.Result {
				return fmt.Errorf("soap: %s: result of type %s; want %s", op.Name, rv.Type(), op.Result)
			}
			v.Elem().Set(rv)
		}
		if err := e.element(o.result, v.Elem(), rattr); err != nil {
			return err
		}
		e.close(o.resp.local)
	}
	e.s(envelopeClose)
	return e.flush(w)
}

// WriteFault writes a SOAP 1.1 fault envelope; the caller sets HTTP status 500. A Code
// other than "s:Client" is written as "s:Server".
func WriteFault(w io.Writer, f *Fault) error {
	e := getEncoder(false, "")
	defer putEncoder(e)
	code := "s:Server"
	if f.Code == "s:Client" {
		code = f.Code
	}
	e.s(envelopeOpen + `<s:Fault><faultcode>` + code + `</faultcode><faultstring xml:lang="en-US">`)
	e.text(f.Message)
	e.s(`</faultstring></s:Fault>` + envelopeClose)
	return e.flush(w)
}

// dataContractNS is the namespace shape B answers in when the request gave none.
const dataContractNS = "http://schemas.datacontract.org/2004/07/SuperOffice.SuperID.Contracts.V1"

// WriteAuthenticate answers a handshake in the shape the request used: shape A
// <AuthenticationResponse xmlns=N>, shape B <AuthenticateResponse xmlns=N>
// <AuthenticateResult> with the members in the request's member namespace, shape C
// <AuthenticateResponse xmlns=N>. The members are Reason, SignedApplicationToken and
// Succeeded, in the order of the schema's AuthenticationResponse; an empty string is
// written as null.
func WriteAuthenticate(w io.Writer, req *AuthRequest, res AuthResponse) error {
	c := theCodec()
	e := getEncoder(false, "Authenticate")
	defer putEncoder(e)
	ns := appendEscaped(nil, req.Namespace, true)
	e.s(envelopeOpen)
	prefix := ""
	switch req.Shape {
	case ShapeA:
		e.open("AuthenticationResponse", ` xmlns="`+string(ns)+`"`+xmlnsI)
	case ShapeB:
		m := req.MemberNamespace
		if m == "" {
			m = dataContractNS
		}
		e.open("AuthenticateResponse", ` xmlns="`+string(ns)+`"`)
		e.open("AuthenticateResult", ` xmlns:a="`+string(appendEscaped(nil, m, true))+`"`+xmlnsI)
		prefix = "a:"
	case ShapeC:
		e.open("AuthenticateResponse", ` xmlns="`+string(ns)+`"`+xmlnsI)
	default:
		return errors.New("soap: unknown handshake shape")
	}
	for _, m := range c.authResp {
		switch m {
		case "Reason", "SignedApplicationToken":
			v := res.Reason
			if m == "SignedApplicationToken" {
				v = res.SignedApplicationToken
			}
			if v == "" {
				e.null(prefix+m, "")
				continue
			}
			e.open(prefix+m, "")
			e.text(v)
			e.close(prefix + m)
		case "Succeeded":
			e.open(prefix+m, "")
			e.b = strconv.AppendBool(e.b, res.Succeeded)
			e.close(prefix + m)
		}
	}
	switch req.Shape {
	case ShapeA:
		e.close("AuthenticationResponse")
	case ShapeB:
		e.close("AuthenticateResult")
		e.close("AuthenticateResponse")
	default:
		e.close("AuthenticateResponse")
	}
	e.s(envelopeClose)
	return e.flush(w)
}

// WriteCall writes a request envelope of op as a WCF client does: the six headers in
// order, each declaring its own xmlns:h, then the body wrapper with every part in schema
// order. ConnectionConfigFields is h.ConfigFields in its order, or when that is nil the
// request's ConfigValues sorted by key; ConnectionData is h.ConnectionData, or when that is
// nil the request's ConnectionInfo. req is a pointer to a value of op.Request. It returns
// the SOAPAction header value to send, quoted. Doubles that are NaN or infinite are written
// as NaN, INF and -INF, as WCF does; the other errors are those of WriteResult.
func WriteCall(w io.Writer, op connector.Operation, h Header, req any) (soapAction string, err error) {
	c := theCodec()
	o := c.ops[op.Name]
	if o == nil {
		return "", errors.New("soap: unknown operation " + op.Name)
	}
	rv := reflect.ValueOf(req)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Type().Elem() != op.Request {
		return "", fmt.Errorf("soap: %s: WriteCall needs a non-nil *%s", op.Name, op.Request)
	}
	base := rv.Elem()
	if h.ConfigFields == nil {
		if m := base.Field(o.config.fi).Interface().(map[string]string); m != nil {
			h.ConfigFields = make([]KeyValue, 0, len(m))
			for k, v := range m {
				h.ConfigFields = append(h.ConfigFields, KeyValue{k, v})
			}
			sort.Slice(h.ConfigFields, func(i, j int) bool { return h.ConfigFields[i].Key < h.ConfigFields[j].Key })
		}
	}
	if h.ConnectionData == nil {
		h.ConnectionData = base.Field(o.connInfo.fi).Interface().(*model.QuoteConnectionInfo)
		if h.ConnectionData == nil && o.connData != nil {
			h.ConnectionData = base.Field(o.connData.fi).Interface().(*model.QuoteConnectionInfo)
		}
	}
	e := getEncoder(true, op.Name)
	defer putEncoder(e)
	e.s(`<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Header>`)
	hv := reflect.ValueOf(&h).Elem()
	for _, f := range c.header.fields {
		attrs := ` xmlns:h="` + f.ns + `"`
		switch f.kind {
		case kStruct, kConfig:
			attrs += ` xmlns="` + f.ns + `"` + xmlnsI
		default:
			attrs += xmlnsI
		}
		hf := *f
		hf.name = "h:" + f.name
		if err := e.element(&hf, fieldOf(f, hv), attrs); err != nil {
			return "", err
		}
	}
	e.s(`</s:Header><s:Body>`)
	e.open(o.req.local, ` xmlns="`+o.req.ns+`"`+xmlnsI)
	partAttrs := ""
	if o.req.ns != NS {
		partAttrs = ` xmlns="` + NS + `"`
	}
	for _, f := range o.parts.fields {
		attrs := partAttrs
		if f.ns != o.req.ns && partAttrs == "" {
			attrs = ` xmlns="` + f.ns + `"`
		}
		if err := e.element(f, fieldOf(f, base), attrs); err != nil {
			return "", err
		}
	}
	e.close(o.req.local)
	e.s(`</s:Body></s:Envelope>`)
	if err := e.flush(w); err != nil {
		return "", err
	}
	return `"` + ActionPrefix + op.Name + `"`, nil
}
