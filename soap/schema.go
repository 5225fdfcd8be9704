package soap

import (
	"encoding/xml"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// qn is an expanded XML name.
type qn struct{ ns, local string }

func (q qn) String() string { return "{" + q.ns + "}" + q.local }

// xsdType is a named or anonymous type of the schema.
type xsdType struct {
	name    qn
	simple  bool
	enum    *enumDef // simple types: the enumeration
	base    qn       // complex types: the extension base, if any
	members []xsdMember
	dict    bool // IsDictionary annotation
}

// xsdMember is an element declaration: a member of a sequence or a global element.
type xsdMember struct {
	name     qn
	typ      qn
	anon     *xsdType
	nillable bool
	many     bool
}

// enumDef maps the names of an enumeration to its numbers and back.
type enumDef struct {
	name   string
	names  []string
	values []int32
	byName map[string]int32
	byVal  map[int32]string
}

// xsdSchema is every type and global element of a set of schema files.
type xsdSchema struct {
	types    map[qn]*xsdType
	elements map[qn]*xsdMember
	order    []qn // global elements in document order
}

// The encoding/xml shapes of the parts of XSD the contract uses.
type (
	rawSchema struct {
		Attrs        []xml.Attr       `xml:",any,attr"`
		Target       string           `xml:"targetNamespace,attr"`
		Qualified    string           `xml:"elementFormDefault,attr"`
		Imports      []rawImport      `xml:"import"`
		ComplexTypes []rawComplexType `xml:"complexType"`
		SimpleTypes  []rawSimpleType  `xml:"simpleType"`
		Elements     []rawElement     `xml:"element"`
	}
	rawImport struct {
		Namespace string `xml:"namespace,attr"`
		Location  string `xml:"schemaLocation,attr"`
	}
	rawAnnotation struct {
		IsDictionary     string `xml:"appinfo>IsDictionary"`
		EnumerationValue string `xml:"appinfo>EnumerationValue"`
	}
	rawSequence struct {
		Elements []rawElement `xml:"element"`
	}
	rawComplexType struct {
		Name       string         `xml:"name,attr"`
		Annotation *rawAnnotation `xml:"annotation"`
		Sequence   *rawSequence   `xml:"sequence"`
		Extension  *struct {
			Base     string       `xml:"base,attr"`
			Sequence *rawSequence `xml:"sequence"`
		} `xml:"complexContent>extension"`
	}
	rawSimpleType struct {
		Name        string `xml:"name,attr"`
		Restriction struct {
			Base         string `xml:"base,attr"`
			Enumerations []struct {
				Value      string         `xml:"value,attr"`
				Annotation *rawAnnotation `xml:"annotation"`
			} `xml:"enumeration"`
		} `xml:"restriction"`
	}
	rawElement struct {
		Name        string          `xml:"name,attr"`
		Type        string          `xml:"type,attr"`
		Nillable    string          `xml:"nillable,attr"`
		MaxOccurs   string          `xml:"maxOccurs,attr"`
		ComplexType *rawComplexType `xml:"complexType"`
	}
)

// loadSchema parses every *.xsd file of fsys (at its root).
func loadSchema(fsys fs.FS) (*xsdSchema, error) {
	files, err := fs.Glob(fsys, "*.xsd")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("soap: no *.xsd files in the schema")
	}
	s := &xsdSchema{types: map[qn]*xsdType{}, elements: map[qn]*xsdMember{}}
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var raw rawSchema
		if err := xml.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("soap: %s: %w", path.Base(name), err)
		}
		if err := s.add(name, &raw); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *xsdSchema) add(file string, raw *rawSchema) error {
	prefixes := map[string]string{}
	for _, a := range raw.Attrs {
		if a.Name.Space == "xmlns" {
			prefixes[a.Name.Local] = a.Value
		} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
			prefixes[""] = a.Value
		}
	}
	if raw.Qualified != "qualified" {
		return fmt.Errorf("soap: %s: elementFormDefault must be qualified", file)
	}
	tns := raw.Target
	var firstErr error
	resolve := func(ref string) qn {
		p, local, ok := strings.Cut(ref, ":")
		if !ok {
			p, local = "", ref
		}
		ns, known := prefixes[p]
		if !known && firstErr == nil {
			firstErr = fmt.Errorf("soap: %s: undeclared prefix in %q", file, ref)
		}
		return qn{ns, local}
	}
	var complexType func(name qn, ct *rawComplexType) *xsdType
	element := func(e *rawElement, anonName qn) *xsdMember {
		m := &xsdMember{name: qn{tns, e.Name}, nillable: e.Nillable == "true", many: e.MaxOccurs == "unbounded"}
		if e.ComplexType != nil {
			m.anon = complexType(anonName, e.ComplexType)
		} else {
			if e.Type == "" && firstErr == nil {
				firstErr = fmt.Errorf("soap: %s: element %s has no type", file, e.Name)
			}
			m.typ = resolve(e.Type)
		}
		return m
	}
	complexType = func(name qn, ct *rawComplexType) *xsdType {
		t := &xsdType{name: name}
		if ct.Annotation != nil && strings.TrimSpace(ct.Annotation.IsDictionary) == "true" {
			t.dict = true
		}
		seq := ct.Sequence
		if ct.Extension != nil {
			t.base = resolve(ct.Extension.Base)
			seq = ct.Extension.Sequence
		}
		if seq != nil {
			for i := range seq.Elements {
				e := &seq.Elements[i]
				t.members = append(t.members, *element(e, qn{name.ns, name.local + "/" + e.Name}))
			}
		}
		return t
	}
	for i := range raw.ComplexTypes {
		ct := &raw.ComplexTypes[i]
		name := qn{tns, ct.Name}
		s.types[name] = complexType(name, ct)
	}
	for _, st := range raw.SimpleTypes {
		name := qn{tns, st.Name}
		if resolve(st.Restriction.Base) != (qn{xsNS, "string"}) || len(st.Restriction.Enumerations) == 0 {
			return fmt.Errorf("soap: %s: simple type %s is not a string enumeration", file, st.Name)
		}
		e := &enumDef{name: st.Name, byName: map[string]int32{}, byVal: map[int32]string{}}
		for i, en := range st.Restriction.Enumerations {
			v := int32(i)
			if en.Annotation != nil && en.Annotation.EnumerationValue != "" {
				n, err := strconv.ParseInt(strings.TrimSpace(en.Annotation.EnumerationValue), 10, 32)
				if err != nil {
					return fmt.Errorf("soap: %s: %s.%s: bad EnumerationValue", file, st.Name, en.Value)
				}
				v = int32(n)
			}
			e.names = append(e.names, en.Value)
			e.values = append(e.values, v)
			e.byName[en.Value] = v
			if _, dup := e.byVal[v]; !dup {
				e.byVal[v] = en.Value
			}
		}
		s.types[name] = &xsdType{name: name, simple: true, enum: e}
	}
	for i := range raw.Elements {
		e := &raw.Elements[i]
		name := qn{tns, e.Name}
		s.elements[name] = element(e, qn{tns, e.Name + "#"})
		s.order = append(s.order, name)
	}
	return firstErr
}

// flatten returns the members of t in wire order: those of its base types first.
func (s *xsdSchema) flatten(t *xsdType) ([]xsdMember, error) {
	if t.base == (qn{}) {
		return t.members, nil
	}
	b, ok := s.types[t.base]
	if !ok {
		return nil, fmt.Errorf("soap: %s: unknown base type %s", t.name.local, t.base)
	}
	bm, err := s.flatten(b)
	if err != nil {
		return nil, err
	}
	return append(append([]xsdMember(nil), bm...), t.members...), nil
}

// memberType returns the type of m: its anonymous type or the named one.
func (s *xsdSchema) memberType(m *xsdMember) (*xsdType, error) {
	if m.anon != nil {
		return m.anon, nil
	}
	t, ok := s.types[m.typ]
	if !ok {
		return nil, fmt.Errorf("soap: element %s: unknown type %s", m.name.local, m.typ)
	}
	return t, nil
}
