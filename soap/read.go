package soap

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
	"github.com/quotekit/quotekit/openapi/model"
)

// pathElem is one step of the path to the member being decoded.
type pathElem struct {
	name string
	idx  int // 1-based item number, 0 for a member
}

// decoder decodes envelopes with the plans. Strict decoders (ReadResult) keep WCF's rules:
// members out of order and unknown members are dropped and reported.
type decoder struct {
	r        xmlReader
	strict   bool
	op       string
	path     []pathElem
	problems []string
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

func getDecoder(body []byte, strict bool) *decoder {
	d := decoders.Get().(*decoder)
	d.r.reset(body)
	d.strict, d.op, d.path, d.problems = strict, "", d.path[:0], nil
	return d
}

func putDecoder(d *decoder) {
	d.r.b = nil
	if cap(d.r.scratch) > 64<<10 {
		d.r.scratch = nil
	}
	decoders.Put(d)
}

func (d *decoder) where() string {
	var b strings.Builder
	if d.op != "" {
		b.WriteString(d.op)
		b.WriteString(": ")
	}
	for i, p := range d.path {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p.name)
		if p.idx > 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p.idx))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// valueError reports a malformed value at the current path, without the value.
func (d *decoder) valueError(what string) error {
	return clientFault(d.where() + ": " + what)
}

func (d *decoder) problem(what string) {
	d.problems = append(d.problems, d.where()+": "+what)
}

func (d *decoder) push(name string, idx int) { d.path = append(d.path, pathElem{name, idx}) }
func (d *decoder) popPath()                  { d.path = d.path[:len(d.path)-1] }

// text reads the open element's content, turning XML errors into faults at the path.
func (d *decoder) text() ([]byte, error) {
	b, err := d.r.text()
	if errors.Is(err, errElementInValue) {
		return nil, d.valueError("element inside a value")
	}
	return b, err
}

// value decodes the element just started into v, the settable Go value of f.
func (d *decoder) value(f *field, v reflect.Value) error {
	if !f.carried {
		return d.r.skip()
	}
	if d.r.isNil {
		v.SetZero()
		return d.r.skip()
	}
	switch f.kind {
	case kString:
		b, err := d.text()
		if err != nil {
			return err
		}
		v.SetString(string(b))
	case kInt, kShort, kEnum:
		b, err := d.text()
		if err != nil {
			return err
		}
		var n int64
		switch f.kind {
		case kEnum:
			e, ok := f.enum.byName[string(bytes.TrimSpace(b))]
			if !ok {
				return d.valueError("not a name of " + f.enum.name)
			}
			n = int64(e)
		case kInt:
			i, ok := parseInt(b, 32)
			if !ok {
				return d.valueError("not an xs:int")
			}
			n = i
		default:
			i, ok := parseInt(b, 16)
			if !ok {
				return d.valueError("not an xs:short")
			}
			n = i
		}
		v.SetInt(n) // in range: parseInt checks the bits of the type, an int16 field is only bound to xs:short
	case kDouble:
		b, err := d.text()
		if err != nil {
			return err
		}
		x, ok := parseDouble(b)
		if !ok {
			return d.valueError("not an xs:double")
		}
		v.SetFloat(x)
	case kBool:
		b, err := d.text()
		if err != nil {
			return err
		}
		switch string(bytes.TrimSpace(b)) {
		case "true", "1":
			v.SetBool(true)
		case "false", "0":
			v.SetBool(false)
		default:
			return d.valueError("not an xs:boolean")
		}
	case kDateTime:
		b, err := d.text()
		if err != nil {
			return err
		}
		t, err := model.ParseDateTime(string(bytes.TrimSpace(b)))
		if err != nil {
			return d.valueError("not an xs:dateTime")
		}
		*v.Addr().Interface().(*model.DateTime) = t // through a pointer: no copy to the heap
	case kStruct:
		sv := v
		if f.ptr {
			np := reflect.New(f.elem.typ)
			v.Set(np)
			sv = np.Elem()
		}
		return d.structure(f.elem, sv)
	case kArray:
		return d.array(f, v)
	case kStringArray:
		list := []string{}
		for {
			ok, err := d.r.child()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if string(d.r.localName()) != f.item || d.r.space != f.itemNS {
				if d.strict {
					d.problem("unknown member " + string(d.r.localName()))
				}
				if err := d.r.skip(); err != nil {
					return err
				}
				continue
			}
			if d.r.isNil {
				list = append(list, "")
				if err := d.r.skip(); err != nil {
					return err
				}
				continue
			}
			d.push(f.item, len(list)+1)
			b, err := d.text()
			d.popPath()
			if err != nil {
				return err
			}
			list = append(list, string(b))
		}
		*v.Addr().Interface().(*[]string) = list
	case kConfig:
		list := []KeyValue{}
		err := d.items(f.dict, func(k, val reflect.Value) {
			list = append(list, KeyValue{k.String(), val.String()})
		})
		if err != nil {
			return err
		}
		*v.Addr().Interface().(*[]KeyValue) = list
	case kDict:
		v.Set(reflect.MakeMap(f.typ))
		kt := f.typ.Key()
		return d.items(f.dict, func(k, val reflect.Value) {
			key := k.Convert(kt)
			if !v.MapIndex(key).IsValid() {
				v.SetMapIndex(key, val)
			}
		})
	case kUDF:
		return d.udf(f, v)
	}
	return nil
}

// member decodes the element just started into the Go field of f in base, a settable
// struct; a member no Go field carries is skipped.
func (d *decoder) member(f *field, base reflect.Value) error {
	if !f.carried {
		return d.r.skip()
	}
	return d.value(f, base.Field(f.fi))
}

// structure decodes the members of the open element into base, a settable struct.
func (d *decoder) structure(pl *plan, base reflect.Value) error {
	last := -1
	for {
		ok, err := d.r.child()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		f := pl.member(last, d.r.localName())
		if f == nil || d.r.space != f.ns {
			if err := d.skipUnknown(); err != nil {
				return err
			}
			continue
		}
		if d.strict && f.idx <= last {
			d.push(f.name, 0)
			d.problem("out of data-contract order (after " + pl.fields[last].name + ")")
			d.popPath()
			if err := d.r.skip(); err != nil {
				return err
			}
			continue
		}
		last = f.idx
		d.push(f.name, 0)
		err = d.member(f, base)
		d.popPath()
		if err != nil {
			return err
		}
	}
	if pl.isOk != nil {
		base.Field(pl.isOk.fi).SetBool(base.Field(pl.state.fi).Int() != int64(model.ResponseStateError))
	}
	return nil
}

// skipUnknown skips the open child element, a member no plan knows; a strict reader
// reports it, because WCF drops such a member silently.
func (d *decoder) skipUnknown() error {
	if d.strict {
		d.push(string(d.r.localName()), 0)
		d.problem("unknown member")
		d.popPath()
	}
	return d.r.skip()
}

// nextItem moves to the next child element named local in namespace ns, skipping (and
// reporting, see skipUnknown) the others; it is false at the end of the open element.
func (d *decoder) nextItem(local, ns string) (bool, error) {
	for {
		ok, err := d.r.child()
		if err != nil || !ok {
			return false, err
		}
		if string(d.r.localName()) == local && d.r.space == ns {
			return true, nil
		}
		if err := d.skipUnknown(); err != nil {
			return false, err
		}
	}
}

// array decodes the items of an array of contracts into sv, a settable slice.
func (d *decoder) array(f *field, sv reflect.Value) error {
	sv.Set(reflect.MakeSlice(f.typ, 0, 0))
	n := 0
	for {
		ok, err := d.nextItem(f.item, f.itemNS)
		if err != nil || !ok {
			return err
		}
		if n == sv.Cap() {
			sv.Grow(max(4, n))
		}
		sv.SetLen(n + 1)
		ev := sv.Index(n)
		n++
		if d.r.isNil {
			if err := d.r.skip(); err != nil { // a null item: nil, or the zero value
				return err
			}
			continue
		}
		if f.ptr {
			np := reflect.New(f.elem.typ)
			ev.Set(np)
			ev = np.Elem()
		}
		d.push(f.item, n)
		err = d.structure(f.elem, ev)
		d.popPath()
		if err != nil {
			return err
		}
	}
}

// items decodes the items of a dictionary, calling add with each key and value (new
// values, each of its own item).
func (d *decoder) items(dd *dictDef, add func(k, v reflect.Value)) error {
	n := 0
	for {
		ok, err := d.nextItem(dd.item, dd.ns)
		if err != nil || !ok {
			return err
		}
		n++
		d.push(dd.item, n)
		k := reflect.New(dd.key.typ).Elem()
		v := reflect.New(dd.val.typ).Elem()
		last := -1
		for {
			ok, err := d.r.child()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			var f *field
			var dst reflect.Value
			idx := -1
			switch {
			case string(d.r.localName()) == dd.key.name && d.r.space == dd.key.ns:
				f, dst, idx = dd.key, k, 0
			case string(d.r.localName()) == dd.val.name && d.r.space == dd.val.ns:
				f, dst, idx = dd.val, v, 1
			}
			if f == nil || d.strict && idx <= last {
				if d.strict {
					d.push(string(d.r.localName()), 0)
					d.problem(map[bool]string{true: "unknown member", false: "out of data-contract order"}[f == nil])
					d.popPath()
				}
				if err := d.r.skip(); err != nil {
					return err
				}
				continue
			}
			last = idx
			d.push(f.name, 0)
			err = d.value(f, dst)
			d.popPath()
			if err != nil {
				return err
			}
		}
		d.popPath()
		add(k, v)
	}
}

// udf decodes a UserDefinedFieldCarrier into v, a settable CustomFields (see the package
// documentation).
func (d *decoder) udf(f *field, v reflect.Value) error {
	m := map[string]string{}
	*v.Addr().Interface().(*model.CustomFields) = m
	// The dictionaries are read in document order but entered in carrier order, so that
	// the first dictionary wins whatever order they came in.
	got := make([][]KeyValue, len(f.udf))
	for {
		ok, err := d.r.child()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		i := -1
		for j, dd := range f.udf {
			if string(d.r.localName()) == dd.member && d.r.space == f.ns {
				i = j
			}
		}
		if i < 0 {
			if err := d.skipUnknown(); err != nil {
				return err
			}
			continue
		}
		if d.r.isNil {
			if err := d.r.skip(); err != nil {
				return err
			}
			continue
		}
		dd := f.udf[i]
		d.push(dd.member, 0)
		err = d.items(dd, func(k, v reflect.Value) {
			var key, val string
			if dd.key.kind == kString {
				key = k.String()
			} else {
				key = dd.member + ":" + strconv.FormatInt(k.Int(), 10)
			}
			switch dd.val.kind {
			case kString:
				val = v.String()
			case kDouble:
				val = culture.EncodeFloat(v.Float())
			case kInt, kShort:
				val = culture.EncodeInt(v.Int())
			case kBool:
				val = culture.EncodeBool(v.Bool())
			}
			got[i] = append(got[i], KeyValue{key, val})
		})
		d.popPath()
		if err != nil {
			return err
		}
	}
	for _, kvs := range got {
		for _, kv := range kvs {
			if _, dup := m[kv.Key]; !dup {
				m[kv.Key] = kv.Value
			}
		}
	}
	return nil
}

// parseInt parses an xs:int or xs:short: optional white space and sign, decimal digits.
func parseInt(b []byte, bits int) (int64, bool) {
	b = bytes.TrimSpace(b)
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
		if v > 1<<40 {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	lim := int64(1) << (bits - 1)
	if v < -lim || v >= lim {
		return 0, false
	}
	return v, true
}

// parseDouble parses every lexical form of xs:double.
func parseDouble(b []byte) (float64, bool) {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "INF", "+INF":
		return math.Inf(1), true
	case "-INF":
		return math.Inf(-1), true
	case "NaN":
		return math.NaN(), true
	case "":
		return 0, false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, false // rejects Go-only forms: hex, underscores, "Inf"
		}
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return v, true // out of range reads as ±INF or 0, as in .NET Core
		}
		return 0, false
	}
	return v, true
}

// Read decodes a request envelope as tolerantly as WCF. soapAction is the raw SOAPAction
// header (quoted, unquoted or empty). An action ActionPrefix+Op selects that operation; an
// action whose last segment is "Authenticate" (under any other prefix) selects the
// handshake; an empty action selects by the body element: a quote wrapper in NS or NS2, or
// AuthenticationRequest, Authenticate or AuthenticateRequest in any namespace.
//
// Every error is a *Fault with Code "s:Client" and a message that names what is wrong and
// where, never an input value: input that is not well-formed XML (or holds a DTD, or nests
// elements deeper than 64), not a SOAP 1.1 envelope, an envelope without a Body or body
// element, an unknown action, a body element that is not the action's wrapper, a value
// that is not of its member's type, and an enumeration name the schema does not list (an
// unknown name is refused rather than mapped to a default, as WCF itself does).
//
// Nothing Read returns aliases body: the caller may reuse it at once.
func Read(body []byte, soapAction string) (*Message, error) {
	c := theCodec()
	d := getDecoder(body, false)
	defer putDecoder(d)
	msg, err := d.read(c, trimAction(soapAction))
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			return nil, f
		}
		return nil, clientFault(err.Error())
	}
	return msg, nil
}

func (d *decoder) envelope() error {
	if err := d.r.prolog(); err != nil {
		return err
	}
	if d.r.p >= len(d.r.b) {
		return malformedXML("no root element")
	}
	ok, err := d.r.child()
	if err != nil {
		return err
	}
	if !ok {
		return malformedXML("no root element")
	}
	if string(d.r.localName()) != "Envelope" || d.r.space != EnvelopeNS {
		if d.r.space == soap12NS {
			return clientFault("SOAP 1.2 is not supported; use SOAP 1.1 (text/xml)")
		}
		return clientFault("not a SOAP 1.1 envelope")
	}
	return nil
}

func (d *decoder) read(c *codec, action string) (*Message, error) {
	if err := d.envelope(); err != nil {
		return nil, err
	}
	var (
		op       *opPlan
		auth     bool
		call     = &Call{}
		req      reflect.Value
		token    *string
		tokenNS  string
		sawBody  bool
		authRoot qn
	)
	switch {
	case action == "":
	case strings.HasPrefix(action, ActionPrefix):
		name := action[len(ActionPrefix):]
		op = c.ops[name]
		if op == nil {
			return nil, clientFault("unknown action " + strconvQuote(action))
		}
	case action[strings.LastIndexByte(action, '/')+1:] == "Authenticate":
		auth = true
	default:
		return nil, clientFault("unknown action " + strconvQuote(action))
	}
	for {
		ok, err := d.r.child()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		switch {
		case d.r.space == EnvelopeNS && string(d.r.localName()) == "Header":
			if err := d.header(c, &call.Header, &token, &tokenNS); err != nil {
				return nil, err
			}
		case d.r.space == EnvelopeNS && string(d.r.localName()) == "Body" && !sawBody:
			sawBody = true
			ok, err := d.r.child()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, clientFault("the Body holds no operation element")
			}
			name := qn{d.r.space, string(d.r.localName())}
			authName := name.local == "AuthenticationRequest" || name.local == "Authenticate" || name.local == "AuthenticateRequest"
			switch {
			case op != nil:
				if name != op.req {
					return nil, clientFault(op.op.Name + ": the body element is not " + op.req.local + " in namespace " + op.req.ns)
				}
			case auth:
				if !authName {
					return nil, clientFault("Authenticate: the body element is not an authentication request")
				}
			case c.byWrapper[name] != nil:
				op = c.byWrapper[name]
			case authName:
				auth = true
			default:
				return nil, clientFault("unknown operation element " + strconvQuote(name.local))
			}
			if auth {
				authRoot = name
				if err := d.findToken(&token, &tokenNS); err != nil {
					return nil, err
				}
			} else {
				d.op = op.op.Name
				req = reflect.New(op.op.Request)
				if err := d.structure(op.parts, req.Elem()); err != nil {
					return nil, err
				}
				d.op = ""
			}
			if err := d.r.skip(); err != nil { // anything after the operation element
				return nil, err
			}
		default:
			if err := d.r.skip(); err != nil {
				return nil, err
			}
		}
	}
	if err := d.r.epilog(); err != nil {
		return nil, err
	}
	if !sawBody {
		return nil, clientFault("the envelope has no Body")
	}
	if auth {
		a := &AuthRequest{Namespace: authRoot.ns, MemberNamespace: tokenNS}
		switch authRoot.local {
		case "AuthenticationRequest":
			a.Shape = ShapeA
		case "Authenticate":
			a.Shape = ShapeB
		default:
			a.Shape = ShapeC
		}
		if token != nil {
			a.SignedToken = *token
		}
		return &Message{Auth: a}, nil
	}
	call.Op = op.op
	h := &call.Header
	rv := req.Elem()
	if h.ConfigFields != nil {
		m := make(map[string]string, len(h.ConfigFields))
		for _, kv := range h.ConfigFields {
			if _, dup := m[kv.Key]; !dup {
				m[kv.Key] = kv.Value
			}
		}
		rv.Field(op.config.fi).Set(reflect.ValueOf(m))
	}
	cd := reflect.ValueOf(h.ConnectionData)
	rv.Field(op.connInfo.fi).Set(cd)
	if op.connData != nil {
		rv.Field(op.connData.fi).Set(cd)
	}
	call.Request = req.Interface()
	return &Message{Call: call}, nil
}

func strconvQuote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strconv.Quote(s)
}

// header decodes the s:Header element into h; a SignedToken header is kept for the
// handshake.
func (d *decoder) header(c *codec, h *Header, token **string, tokenNS *string) error {
	hv := reflect.ValueOf(h).Elem()
	for {
		ok, err := d.r.child()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		f := c.header.byName[string(d.r.localName())]
		if f == nil || f.ns != d.r.space {
			if string(d.r.localName()) == "SignedToken" && *token == nil {
				ns := d.r.space
				if err := d.tokenText(token); err != nil {
					return err
				}
				*tokenNS = ns
				continue
			}
			if err := d.findToken(token, tokenNS); err != nil {
				return err
			}
			continue
		}
		d.push(f.name, 0)
		err = d.member(f, hv)
		d.popPath()
		if err != nil {
			return err
		}
	}
}

// findToken searches the rest of the open element for the first SignedToken element.
func (d *decoder) findToken(token **string, tokenNS *string) error {
	for {
		ok, err := d.r.child()
		if err != nil || !ok {
			return err
		}
		if string(d.r.localName()) == "SignedToken" && *token == nil {
			*tokenNS = d.r.space
			if err := d.tokenText(token); err != nil {
				return err
			}
			continue
		}
		if err := d.findToken(token, tokenNS); err != nil {
			return err
		}
	}
}

func (d *decoder) tokenText(token **string) error {
	s := ""
	*token = &s
	if d.r.isNil {
		return d.r.skip()
	}
	d.push("SignedToken", 0)
	b, err := d.text()
	d.popPath()
	s = string(b)
	return err
}

// ReadResult decodes a response envelope of op into res, a pointer to a value of
// op.Result's type (nil for an operation without result), as strictly as WCF: a wrong
// wrapper name or namespace, a malformed value, an unknown enumeration name or a number in
// its place is an error. A member out of data-contract order, and an unknown member, are
// not errors: WCF drops them silently, and so does ReadResult, listing each in problems as
// "Op: Result/ProductInfo[2]/Name: out of data-contract order (after Code)" (item numbers
// count from 1). A fault envelope is returned as a *Fault error.
func ReadResult(body []byte, op connector.Operation, res any) (problems []string, err error) {
	c := theCodec()
	o := c.ops[op.Name]
	if o == nil {
		return nil, errors.New("soap: unknown operation " + op.Name)
	}
	var base reflect.Value
	if o.result != nil {
		rv := reflect.ValueOf(res)
		if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Type().Elem() != op.Result {
			return nil, errors.New("soap: ReadResult needs a non-nil *" + op.Result.String())
		}
		base = rv.Elem()
	}
	d := getDecoder(body, true)
	defer putDecoder(d)
	d.op = op.Name
	err = d.readResult(o, base)
	var f *Fault
	if errors.As(err, &f) && f.Code == "s:Client" {
		err = errors.New(f.Message) // a decoding error, not a fault the server sent
	}
	if err != nil {
		var sf *serverFault
		if errors.As(err, &sf) {
			return d.problems, sf.f
		}
		return d.problems, err
	}
	return d.problems, nil
}

// serverFault carries a fault envelope's fault out of readResult.
type serverFault struct{ f *Fault }

func (s *serverFault) Error() string { return s.f.Error() }

func (d *decoder) readResult(o *opPlan, base reflect.Value) error {
	if err := d.envelope(); err != nil {
		return err
	}
	sawBody := false
	for {
		ok, err := d.r.child()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if d.r.space != EnvelopeNS || string(d.r.localName()) != "Body" || sawBody {
			if err := d.r.skip(); err != nil {
				return err
			}
			continue
		}
		sawBody = true
		ok, err = d.r.child()
		if err != nil {
			return err
		}
		if !ok {
			return errors.New(o.op.Name + ": empty Body")
		}
		if d.r.space == EnvelopeNS && string(d.r.localName()) == "Fault" {
			f, err := d.fault()
			if err != nil {
				return err
			}
			return &serverFault{f}
		}
		if d.r.space != o.resp.ns || string(d.r.localName()) != o.resp.local {
			return errors.New(o.op.Name + ": the body element is not " + o.resp.local + " in namespace " + o.resp.ns)
		}
		seen := false
		for {
			ok, err := d.r.child()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if o.result == nil || seen || string(d.r.localName()) != o.result.name || d.r.space != o.result.ns {
				if err := d.skipUnknown(); err != nil { // a ReadResult decoder is strict
					return err
				}
				continue
			}
			seen = true
			d.push(o.result.name, 0)
			err = d.value(o.result, base)
			d.popPath()
			if err != nil {
				return err
			}
		}
		if err := d.r.skip(); err != nil {
			return err
		}
	}
	if err := d.r.epilog(); err != nil {
		return err
	}
	if !sawBody {
		return errors.New(o.op.Name + ": the envelope has no Body")
	}
	return nil
}

// fault reads the faultcode and faultstring of an s:Fault element.
func (d *decoder) fault() (*Fault, error) {
	f := &Fault{}
	for {
		ok, err := d.r.child()
		if err != nil {
			return nil, err
		}
		if !ok {
			return f, nil
		}
		switch string(d.r.localName()) {
		case "faultcode", "faultstring":
			name := string(d.r.localName())
			b, err := d.r.text()
			if err != nil {
				return nil, err
			}
			if name == "faultcode" {
				f.Code = string(bytes.TrimSpace(b))
			} else {
				f.Message = string(b)
			}
		default:
			if err := d.r.skip(); err != nil {
				return nil, err
			}
		}
	}
}
