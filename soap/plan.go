package soap

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
)

// kind is how a member travels.
type kind uint8

const (
	kString kind = iota
	kInt
	kShort
	kDouble
	kBool
	kDateTime
	kEnum
	kStruct      // a data contract: *T or T
	kArray       // an array of data contracts: []T or []*T
	kStringArray // ArrayOfstring: []string
	kDict        // a dictionary contract: map[string]V
	kUDF         // UserDefinedFieldCarrier: CustomFields
	kConfig      // the ConnectionConfigFields header: []KeyValue
)

var kindNames = [...]string{"xs:string", "xs:int", "xs:short", "xs:double", "xs:boolean", "xs:dateTime",
	"enumeration", "data contract", "array", "string array", "dictionary", "user-defined fields", "config fields"}

func (k kind) String() string { return kindNames[k] }

// field is one member of a plan: its element and the Go field it binds to.
type field struct {
	name, ns string
	kind     kind
	nillable bool
	carried  bool         // false: no Go field (written as null or zero, skipped on read)
	fi       int          // index of the Go field in its struct (-1: none, or the value itself)
	typ      reflect.Type // Go type of the field
	goName   string
	idx      int // position in the plan
	enum     *enumDef
	elem     *plan // kStruct, kArray: the contract of the value or the items
	ptr      bool  // kStruct: the field is *T; kArray: the items are *T
	item     string
	itemNS   string // kArray, kStringArray: the item element
	dict     *dictDef
	udf      []*dictDef // kUDF: the six dictionaries, in order
	xt       *xsdType   // kStruct: the contract
}

// dictDef is a dictionary contract: items of a key element and a value element.
type dictDef struct {
	member, item, ns string // member: the carrier member holding it (kUDF only)
	key, val         *field // bound to temporary Go values (fi -1)
	byRank           *field // value contracts with a Rank member are written by rank
}

// plan is a data contract (or wrapper, or the headers) bound to a Go struct.
type plan struct {
	name    string
	typ     reflect.Type
	fields  []*field
	byName  map[string]*field
	unbound []string // Go fields no member binds to
	isOk    *field   // IsOk, set from State on read
	state   *field
}

// member returns the field named local, or nil. WCF writes members in data-contract
// order, so the fields after the one at index last are tried first, by position, and the
// map only for a member out of order or unknown.
func (pl *plan) member(last int, local []byte) *field {
	for _, f := range pl.fields[last+1:] {
		if f.name == string(local) {
			return f
		}
	}
	return pl.byName[string(local)]
}

// opPlan is a quote operation: its wrappers and parts.
type opPlan struct {
	op               connector.Operation
	req, resp        qn
	parts            *plan  // the request wrapper bound to op.Request
	result           *field // nil for an empty response wrapper
	config, connInfo *field // ConfigValues and ConnectionInfo of the request
	connData         *field // ConnectionData of a TestConnection request, if any
}

// aliases binds members whose REST name differs: "Contract/Member" (or "*/Member") → Go
// field name.
var aliases = map[string]string{
	"*/UserDefinedFields":                "CustomFields",
	"Header/ConnectionConfigFields":      "ConfigFields",
	"OnBeforeCreateQuoteVersion/Context": "QuoteContext",
	"ValidateQuoteVersion/Context":       "QuoteContext",
	"UpdateQuoteVersionPrices/Context":   "QuoteContext",
}

// notCarried lists the members of the schema that no Go field carries, with the reason.
// They are written as null (or the zero value) and skipped on read.
var notCarried = map[string]string{}

// headerNames are the six request headers, in the order WCF writes them.
var headerNames = []string{"ConnectionConfigFields", "ConnectionData", "ConnectionId", "ContextIdentifier", "SessionId", "UserInfo"}

// codec is everything derived from the schema.
type codec struct {
	schema    *xsdSchema
	ops       map[string]*opPlan
	byWrapper map[qn]*opPlan
	wrappers  []qn // every request wrapper of the schema, in document order
	header    *plan
	authResp  []string // member names of AuthenticationResponse, in order
	plans     map[planKey]*plan
	errs      []string
}

type planKey struct {
	xsd qn
	typ reflect.Type
}

var (
	typeDateTime   = reflect.TypeFor[model.DateTime]()
	typeCustom     = reflect.TypeFor[model.CustomFields]()
	typeConfig     = reflect.TypeFor[[]KeyValue]()
	typeStringList = reflect.TypeFor[[]string]()
	typeHeader     = reflect.TypeFor[Header]()
	typeStringMap  = reflect.TypeFor[map[string]string]()
	typeConnInfo   = reflect.TypeFor[*model.QuoteConnectionInfo]()
)

func (c *codec) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// build derives every plan from the schema and the operation table.
func build(s *xsdSchema, ops []connector.Operation) *codec {
	c := &codec{schema: s, ops: map[string]*opPlan{}, byWrapper: map[qn]*opPlan{}, plans: map[planKey]*plan{}}
	// The headers, bound to Header.
	var hdr []xsdMember
	for _, n := range headerNames {
		m, ok := s.elements[qn{NS, n}]
		if !ok {
			c.fail("schema: no header element %s", n)
			continue
		}
		hdr = append(hdr, *m)
	}
	c.header = c.bindStruct("Header", hdr, typeHeader)
	// The auth response member order.
	for _, name := range s.order {
		if name.local == "AuthenticationResponse" {
			if t, err := s.memberType(s.elements[name]); err == nil {
				for _, m := range t.members {
					c.authResp = append(c.authResp, m.name.local)
				}
			}
		}
	}
	if len(c.authResp) == 0 {
		c.fail("schema: no AuthenticationResponse element")
	}
	// The wrappers.
	byName := map[string]connector.Operation{}
	for _, op := range ops {
		byName[op.Name] = op
	}
	for _, name := range s.order {
		if (name.ns != NS && name.ns != NS2) || slices.Contains(headerNames, name.local) || strings.HasSuffix(name.local, "Response") {
			continue
		}
		c.wrappers = append(c.wrappers, name)
		resp := qn{name.ns, name.local + "Response"}
		if _, ok := s.elements[resp]; !ok {
			c.fail("schema: wrapper %s has no %s", name.local, resp.local)
			continue
		}
		op, ok := byName[name.local]
		if !ok {
			continue // an operation the table does not have (yet); Read answers "unknown action"
		}
		c.bindOp(op, name, resp)
	}
	for _, op := range ops {
		if _, ok := c.ops[op.Name]; !ok {
			c.fail("schema: no wrapper for operation %s", op.Name)
		}
	}
	return c
}

func (c *codec) bindOp(op connector.Operation, req, resp qn) {
	s := c.schema
	o := &opPlan{op: op, req: req, resp: resp}
	rt, err := s.memberType(s.elements[req])
	if err != nil {
		c.fail("%s: %v", op.Name, err)
		return
	}
	parts, _ := s.flatten(rt)
	o.parts = c.bindStruct(op.Name, parts, op.Request)
	// The header-bound fields of the request.
	for _, g := range []struct {
		name string
		dst  **field
		typ  reflect.Type
		need bool
	}{{"ConfigValues", &o.config, typeStringMap, true}, {"ConnectionInfo", &o.connInfo, typeConnInfo, true}, {"ConnectionData", &o.connData, typeConnInfo, false}} {
		sf, ok := op.Request.FieldByName(g.name)
		if !ok || sf.Type != g.typ || len(sf.Index) != 1 {
			if g.need {
				c.fail("%s: request %s has no field %s of type %s", op.Name, op.Request, g.name, g.typ)
			}
			continue
		}
		*g.dst = &field{name: g.name, fi: sf.Index[0], typ: sf.Type, goName: g.name, carried: true}
		o.parts.unbound = slices.DeleteFunc(o.parts.unbound, func(n string) bool { return n == g.name })
	}
	respT, err := s.memberType(s.elements[resp])
	if err != nil {
		c.fail("%s: %v", op.Name, err)
		return
	}
	rm, _ := s.flatten(respT)
	switch {
	case len(rm) == 0 && op.Result == nil:
	case len(rm) == 1 && op.Result != nil && rm[0].name.local == "Result":
		o.result = c.bindField(op.Name, &rm[0], op.Result, -1, "Result")
	default:
		c.fail("%s: response wrapper %s does not match the result type %v", op.Name, resp.local, op.Result)
	}
	c.ops[op.Name] = o
	c.byWrapper[req] = o
}

// goFields indexes the fields of a struct by json name (or Go name when untagged).
func goFields(t reflect.Type) (names []string, byName map[string]reflect.StructField) {
	byName = map[string]reflect.StructField{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := sf.Name
		if tag, ok := sf.Tag.Lookup("json"); ok {
			if n, _, _ := strings.Cut(tag, ","); n != "" && n != "-" {
				name = n
			}
		}
		names = append(names, name)
		byName[name] = sf
	}
	return names, byName
}

// bindStruct binds members to the fields of the struct type gt (a pointer is looked through).
func (c *codec) bindStruct(ctx string, members []xsdMember, gt reflect.Type) *plan {
	for gt.Kind() == reflect.Pointer {
		gt = gt.Elem()
	}
	p := &plan{name: ctx, typ: gt, byName: map[string]*field{}}
	if gt.Kind() != reflect.Struct {
		c.fail("%s: Go type %s is not a struct", ctx, gt)
		return p
	}
	names, byName := goFields(gt)
	used := map[string]bool{}
	for i := range members {
		m := &members[i]
		sf, ok := byName[m.name.local]
		if !ok {
			for _, n := range names {
				if strings.EqualFold(n, m.name.local) {
					sf, ok = byName[n], true
					break
				}
			}
		}
		if !ok {
			alias, has := aliases[ctx+"/"+m.name.local]
			if !has {
				alias, has = aliases["*/"+m.name.local]
			}
			if has {
				sf, ok = gt.FieldByName(alias)
				if ok {
					for _, n := range names {
						if byName[n].Name == alias {
							sf = byName[n]
						}
					}
				}
			}
		}
		var f *field
		if !ok {
			if _, listed := notCarried[ctx+"/"+m.name.local]; !listed {
				c.fail("%s/%s: no Go field of %s binds to this member", ctx, m.name.local, gt)
			}
			f = c.bindField(ctx, m, nil, -1, "")
		} else {
			if len(sf.Index) != 1 {
				c.fail("%s/%s: Go field %s is promoted from an embedded struct", ctx, m.name.local, sf.Name)
			}
			used[sf.Name] = true
			f = c.bindField(ctx, m, sf.Type, sf.Index[0], sf.Name)
		}
		f.idx = len(p.fields)
		p.fields = append(p.fields, f)
		if _, dup := p.byName[f.name]; dup {
			c.fail("%s/%s: member declared twice", ctx, f.name)
		}
		p.byName[f.name] = f
		if f.name == "State" && f.kind == kEnum && f.enum.name == "ResponseState" {
			p.state = f
		}
	}
	for _, n := range names {
		if sf := byName[n]; !used[sf.Name] {
			p.unbound = append(p.unbound, sf.Name)
		}
	}
	if sf, ok := gt.FieldByName("IsOk"); ok && p.state != nil && sf.Type.Kind() == reflect.Bool && !used["IsOk"] {
		p.isOk = &field{name: "IsOk", fi: sf.Index[0], typ: sf.Type, carried: true}
	}
	return p
}

// structPlan returns the plan of the contract xt bound to the struct type gt.
func (c *codec) structPlan(xt *xsdType, gt reflect.Type) *plan {
	key := planKey{xt.name, gt}
	if p, ok := c.plans[key]; ok {
		return p
	}
	if gt.Name() != xt.name.local {
		c.fail("%s: bound to Go type %s, which has another name", xt.name.local, gt)
	}
	members, err := c.schema.flatten(xt)
	if err != nil {
		c.fail("%v", err)
	}
	p := &plan{}
	c.plans[key] = p
	*p = *c.bindStruct(xt.name.local, members, gt)
	return p
}

// bindField classifies member m and checks it against the Go type gt (nil: not carried),
// the Go field with index fi of its struct (-1: a value that is no field).
func (c *codec) bindField(ctx string, m *xsdMember, gt reflect.Type, fi int, goName string) *field {
	f := &field{name: m.name.local, ns: m.name.ns, nillable: m.nillable, carried: gt != nil, fi: fi, typ: gt, goName: goName}
	where := ctx + "/" + m.name.local
	bad := func(want string) {
		c.fail("%s: %s member bound to Go field %s of type %s; want %s", where, f.kind, goName, gt, want)
	}
	s := c.schema
	if m.anon == nil && m.typ.ns == xsNS {
		var want reflect.Kind
		switch m.typ.local {
		case "string":
			f.kind, want = kString, reflect.String
		case "int":
			f.kind, want = kInt, reflect.Int32
		case "short":
			f.kind, want = kShort, reflect.Int32
		case "double":
			f.kind, want = kDouble, reflect.Float64
		case "boolean":
			f.kind, want = kBool, reflect.Bool
		case "dateTime":
			f.kind = kDateTime
			if gt != nil && gt != typeDateTime {
				bad("model.DateTime")
			}
			return f
		default:
			c.fail("%s: unsupported type xs:%s", where, m.typ.local)
			return f
		}
		if gt != nil && gt.Kind() != want && !(f.kind == kShort && gt.Kind() == reflect.Int16) {
			bad(want.String())
		}
		return f
	}
	if m.many {
		c.fail("%s: a repeated member outside an array contract", where)
	}
	t, err := s.memberType(m)
	if err != nil {
		c.fail("%s: %v", where, err)
		return f
	}
	switch {
	case t.simple:
		f.kind, f.enum = kEnum, t.enum
		if gt == nil {
			return f
		}
		if gt.Kind() != reflect.Int32 || gt.Name() != t.name.local {
			bad("an int32 enumeration named " + t.name.local)
			return f
		}
		for i, v := range t.enum.values {
			val, ok := reflect.ValueOf(v).Convert(gt).Interface().(interface{ Valid() bool })
			if ok && !val.Valid() {
				c.fail("%s: %s.%s = %d is not a value of Go type %s", where, t.name.local, t.enum.names[i], v, gt)
			}
		}
	case t.dict:
		d := c.dictOf(where, t)
		f.dict = d
		if gt == typeConfig {
			f.kind = kConfig
			if d != nil && (d.key.kind != kString || d.val.kind != kString) {
				c.fail("%s: config fields must map strings to strings", where)
			}
			return f
		}
		f.kind = kDict
		if gt == nil || d == nil {
			return f
		}
		if gt.Kind() != reflect.Map || gt.Key().Kind() != reflect.String || d.key.kind != kString {
			bad("a map with string keys")
			return f
		}
		d.val = c.bindValue(where+"/"+d.val.name, d.val, gt.Elem())
		if d.val.kind == kStruct && d.val.elem != nil {
			if r, ok := d.val.elem.byName["Rank"]; ok && r.kind == kInt {
				d.byRank = r
			}
		}
	case t.name == qn{ArraysNS, "ArrayOfstring"}:
		f.kind = kStringArray
		if len(t.members) != 1 || !t.members[0].many || t.members[0].typ != (qn{xsNS, "string"}) {
			c.fail("%s: ArrayOfstring is not a sequence of xs:string", where)
			return f
		}
		f.item, f.itemNS = t.members[0].name.local, t.members[0].name.ns
		if gt != nil && gt != typeStringList {
			bad("[]string")
		}
	case t.base == (qn{}) && len(t.members) == 1 && t.members[0].many:
		f.kind = kArray
		it := &t.members[0]
		f.item, f.itemNS = it.name.local, it.name.ns
		if gt == nil {
			return f
		}
		if gt.Kind() != reflect.Slice {
			bad("a slice")
			return f
		}
		et := gt.Elem()
		if et.Kind() == reflect.Pointer {
			f.ptr, et = true, et.Elem()
		}
		itT, err := s.memberType(it)
		if err != nil || itT.simple || itT.dict || et.Kind() != reflect.Struct {
			c.fail("%s: array items %s must be data contracts bound to structs", where, it.name.local)
			return f
		}
		f.elem = c.structPlan(itT, et)
	default:
		if gt == typeCustom {
			f.kind = kUDF
			members, _ := s.flatten(t)
			for i := range members {
				dm := &members[i]
				dt, err := s.memberType(dm)
				if err != nil || !dt.dict {
					c.fail("%s/%s: a user-defined field carrier member must be a dictionary", where, dm.name.local)
					continue
				}
				d := c.dictOf(where+"/"+dm.name.local, dt)
				if d == nil {
					continue
				}
				d.member = dm.name.local
				if d.key.kind != kString && d.key.kind != kInt || d.val.kind > kBool {
					c.fail("%s/%s: unsupported key or value type", where, dm.name.local)
				}
				f.udf = append(f.udf, d)
			}
			return f
		}
		f.kind, f.xt = kStruct, t
		if gt == nil {
			return f
		}
		et := gt
		if et.Kind() == reflect.Pointer {
			f.ptr, et = true, et.Elem()
		}
		if et.Kind() != reflect.Struct {
			bad("a struct or a pointer to one")
			return f
		}
		f.elem = c.structPlan(t, et)
	}
	return f
}

// dictOf reads the item layout of a dictionary contract; key and value are bound to the
// natural Go types of their kinds (a contract value is bound later by bindValue).
func (c *codec) dictOf(where string, t *xsdType) *dictDef {
	if len(t.members) != 1 || !t.members[0].many {
		c.fail("%s: dictionary %s is not a sequence of items", where, t.name.local)
		return nil
	}
	it := &t.members[0]
	itT, err := c.schema.memberType(it)
	if err != nil || len(itT.members) != 2 {
		c.fail("%s: dictionary %s items are not key and value", where, t.name.local)
		return nil
	}
	d := &dictDef{item: it.name.local, ns: it.name.ns}
	d.key = c.bindValue(where+"/"+itT.members[0].name.local, c.bindField(where, &itT.members[0], nil, -1, ""), nil)
	d.val = c.bindValue(where+"/"+itT.members[1].name.local, c.bindField(where, &itT.members[1], nil, -1, ""), nil)
	return d
}

// bindValue binds a dictionary key or value field to Go type gt, or (nil) to the natural
// type of its kind.
func (c *codec) bindValue(where string, f *field, gt reflect.Type) *field {
	natural := map[kind]reflect.Type{kString: reflect.TypeFor[string](), kInt: reflect.TypeFor[int32](),
		kShort: reflect.TypeFor[int32](), kDouble: reflect.TypeFor[float64](), kBool: reflect.TypeFor[bool](),
		kDateTime: typeDateTime}
	if gt == nil {
		gt = natural[f.kind]
		if gt == nil {
			return f // a contract: bound when the Go type is known
		}
	}
	m := &xsdMember{name: qn{f.ns, f.name}, nillable: f.nillable}
	switch f.kind {
	case kString, kInt, kShort, kDouble, kBool, kDateTime:
		m.typ = qn{xsNS, map[kind]string{kString: "string", kInt: "int", kShort: "short", kDouble: "double", kBool: "boolean", kDateTime: "dateTime"}[f.kind]}
		nf := c.bindField(where, m, gt, -1, "value")
		return nf
	case kStruct:
		if gt.Kind() != reflect.Struct {
			c.fail("%s: dictionary value bound to %s; want a struct", where, gt)
			return f
		}
		nf := *f
		nf.carried, nf.typ, nf.goName = true, gt, "value"
		nf.elem = c.structPlan(f.xt, gt)
		return &nf
	}
	c.fail("%s: unsupported dictionary value %s", where, f.kind)
	return f
}

// sortedKeys returns the keys of a string-keyed map in writing order: capabilities in the
// order connector knows them, then the rest sorted; contracts with a Rank by rank, then key;
// anything else sorted.
func sortedKeys(m reflect.Value, d *dictDef) []string {
	keys := make([]string, 0, m.Len())
	it := m.MapRange()
	for it.Next() {
		keys = append(keys, it.Key().String())
	}
	switch {
	case d.byRank != nil:
		rank := func(k string) int64 {
			v := m.MapIndex(reflect.ValueOf(k).Convert(m.Type().Key()))
			return v.Field(d.byRank.fi).Int()
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, rj := rank(keys[i]), rank(keys[j])
			if ri != rj {
				return ri < rj
			}
			return keys[i] < keys[j]
		})
	case d.val.kind == kBool:
		pos := func(k string) int {
			if i := slices.Index(capabilityOrder, k); i >= 0 {
				return i
			}
			return len(capabilityOrder)
		}
		sort.Slice(keys, func(i, j int) bool {
			pi, pj := pos(keys[i]), pos(keys[j])
			if pi != pj {
				return pi < pj
			}
			return keys[i] < keys[j]
		})
	default:
		sort.Strings(keys)
	}
	return keys
}

// capabilityOrder is the order GetCapabilities answers are written in: connector's
// capability names as it lists them.
var capabilityOrder = []string{
	connector.CapProvideCost, connector.CapProvideMinimumPrice, connector.CapProvideStockData,
	connector.CapProvideExtraData, connector.CapProvideThumbnails, connector.CapProvidePicture,
	connector.CapComputePrice, connector.CapPlaceOrder, connector.CapProvideOrderState,
	connector.CapSendOrderConfirmation, connector.CapProductCategoryList, connector.CapProductFamilyList,
	connector.CapProductTypeList, connector.CapPaymentTermsList, connector.CapPaymentTypeList,
	connector.CapDeliveryTermsList, connector.CapDeliveryTypeList, connector.CapPerformComplexSearch,
	connector.CapProvideAddresses, connector.CapCachePriceLists, connector.CapNoCacheQuoteLists,
}
