package schema_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lint "github.com/quotekit/quotekit/internal/xmllint"
	"github.com/quotekit/quotekit/soap/schema"
)

const (
	nsQuote1 = "http://www.superoffice.net/EIS/Quote/1.0"
	nsQuote2 = "http://www.superoffice.net/EIS/Quote/2.0"
	nsArrays = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
	nsAuth   = "http://tempuri.org/"
	nsXS     = "http://www.w3.org/2001/XMLSchema"
	nsWSDL   = "http://schemas.xmlsoap.org/wsdl/"
	nsSOAP   = "http://schemas.xmlsoap.org/wsdl/soap/"
)

// operations is IOnlineQuoteConnector's operation list in declaration order;
// the last three have their wrappers in the 2.0 namespace.
var operations = []string{
	"GetConfigurationFields", "TestConnection", "GetCapabilities", "CanProvideCapability",
	"OnBeforeCreateQuote", "OnBeforeCreateQuoteVersion", "OnBeforeCreateQuoteAlternative",
	"OnAfterSaveQuote", "OnBeforeDeleteQuote", "OnAfterSentQuoteVersion", "GetQuoteList",
	"GetNumberOfActivePriceLists", "GetActivePriceLists", "GetAllPriceLists", "FindProduct",
	"GetProduct", "GetProducts", "GetQuoteLinesFromProduct", "GetNumberOfProductImages",
	"GetProductImage", "GetSearchableFields", "GetSearchResults", "OnQuoteLineChanged",
	"RecalculateQuoteAlternative", "ValidateQuoteVersion", "UpdateQuoteVersionPrices",
	"PlaceOrder", "GetOrderState", "GetAddresses",
	"OnQuoteVersionRequestApproval", "OnQuoteVersionApproved", "OnQuoteVersionRejected",
}

var headers = []string{"ConnectionConfigFields", "ConnectionData", "ConnectionId", "ContextIdentifier", "SessionId", "UserInfo"}

func wrapperNamespace(op string) string {
	switch op {
	case "OnQuoteVersionRequestApproval", "OnQuoteVersionApproved", "OnQuoteVersionRejected":
		return nsQuote2
	}
	return nsQuote1
}

// node is a parsed XML element with the namespace declarations in scope,
// so that QName-valued attributes (type, base, element, message) resolve.
type node struct {
	name     xml.Name
	attrs    map[string]string
	scope    map[string]string
	children []*node
}

func (n *node) attr(name string) string { return n.attrs[name] }

// resolve turns a QName attribute value into an expanded name.
func (n *node) resolve(t *testing.T, qname string) xml.Name {
	t.Helper()
	prefix, local, ok := strings.Cut(qname, ":")
	if !ok {
		prefix, local = "", qname
	}
	ns, found := n.scope[prefix]
	if !found {
		t.Fatalf("<%s>: prefix %q of %q is not declared", n.name.Local, prefix, qname)
	}
	return xml.Name{Space: ns, Local: local}
}

// all returns every child element with the given expanded name.
func (n *node) all(space, local string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name.Space == space && c.name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// named returns the single child with the given expanded name and name attribute.
func (n *node) named(t *testing.T, space, local, name string) *node {
	t.Helper()
	var found []*node
	for _, c := range n.all(space, local) {
		if c.attr("name") == name {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one <%s name=%q>, found %d", local, name, len(found))
	}
	return found[0]
}

// walk calls f on n and every descendant.
func (n *node) walk(f func(*node)) {
	f(n)
	for _, c := range n.children {
		c.walk(f)
	}
}

func parse(t *testing.T, data []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name, attrs: map[string]string{}, scope: map[string]string{}}
			if len(stack) > 0 {
				for k, v := range stack[len(stack)-1].scope {
					n.scope[k] = v
				}
			}
			for _, a := range tok.Attr {
				switch {
				case a.Name.Space == "xmlns":
					n.scope[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					n.scope[""] = a.Value
				case a.Name.Space == "":
					n.attrs[a.Name.Local] = a.Value
				}
			}
			switch {
			case len(stack) > 0:
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			case root != nil:
				t.Fatal("more than one root element")
			default:
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		t.Fatal("no root element")
	}
	return root
}

func load(t *testing.T, name string) *node {
	t.Helper()
	data, err := fs.ReadFile(schema.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, data)
}

func TestFilesAreWellFormed(t *testing.T) {
	names, err := fs.Glob(schema.FS, "*")
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(schema.XSDFiles), schema.WSDL)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("embedded files %v, want %v", names, want)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(schema.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			d := xml.NewDecoder(bytes.NewReader(data))
			for {
				if _, err := d.Token(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatalf("%s is not well-formed: %v", name, err)
				}
			}
			root := parse(t, data)
			wantRoot := xml.Name{Space: nsXS, Local: "schema"}
			if name == schema.WSDL {
				wantRoot = xml.Name{Space: nsWSDL, Local: "definitions"}
			}
			if root.name != wantRoot {
				t.Fatalf("root is %v, want %v", root.name, wantRoot)
			}
		})
	}
}

// schemaSet is the global elements and named types of the four XSDs, by expanded name.
type schemaSet struct {
	elements map[xml.Name]*node
	types    map[xml.Name]*node
	byNS     map[string]string // target namespace -> file name
}

func loadSchemas(t *testing.T) schemaSet {
	t.Helper()
	s := schemaSet{elements: map[xml.Name]*node{}, types: map[xml.Name]*node{}, byNS: map[string]string{}}
	for _, file := range schema.XSDFiles {
		root := load(t, file)
		tns := root.attr("targetNamespace")
		if prev, dup := s.byNS[tns]; dup {
			t.Fatalf("%s and %s share target namespace %s", prev, file, tns)
		}
		s.byNS[tns] = file
		if root.attr("elementFormDefault") != "qualified" {
			t.Errorf("%s: elementFormDefault=%q, want qualified", file, root.attr("elementFormDefault"))
		}
		for _, c := range root.children {
			key := xml.Name{Space: tns, Local: c.attr("name")}
			switch c.name {
			case xml.Name{Space: nsXS, Local: "element"}:
				if s.elements[key] != nil {
					t.Errorf("%s: element %s declared twice", file, key.Local)
				}
				s.elements[key] = c
			case xml.Name{Space: nsXS, Local: "complexType"}, xml.Name{Space: nsXS, Local: "simpleType"}:
				if s.types[key] != nil {
					t.Errorf("%s: type %s declared twice", file, key.Local)
				}
				s.types[key] = c
			case xml.Name{Space: nsXS, Local: "import"}:
				loc := c.attr("schemaLocation")
				if !slices.Contains(schema.XSDFiles, loc) {
					t.Errorf("%s: import schemaLocation %q is not one of %v", file, loc, schema.XSDFiles)
				}
			}
		}
	}
	for _, ns := range []string{nsQuote1, nsQuote2, nsArrays, nsAuth} {
		if s.byNS[ns] == "" {
			t.Fatalf("no XSD has target namespace %s", ns)
		}
	}
	return s
}

func TestSchemaReferencesResolve(t *testing.T) {
	s := loadSchemas(t)
	for _, file := range schema.XSDFiles {
		root := load(t, file)
		root.walk(func(n *node) {
			if n.name.Space != nsXS {
				return
			}
			for _, a := range []string{"type", "base"} {
				v := n.attr(a)
				if v == "" {
					continue
				}
				q := n.resolve(t, v)
				if q.Space == nsXS {
					continue
				}
				if s.types[q] == nil {
					t.Errorf("%s: %s=%q names no declared type", file, a, v)
				}
			}
		})
	}
	// The counts of the contract: 31 data contracts, 10 arrays of contracts,
	// 9 dictionaries, the 2 approval wrapper types, 8 enums.
	var complexTypes, simpleTypes, arrays, dicts int
	for q, n := range s.types {
		if q.Space != nsQuote1 {
			continue
		}
		if n.name.Local == "simpleType" {
			simpleTypes++
			continue
		}
		complexTypes++
		if strings.HasPrefix(q.Local, "ArrayOf") {
			arrays++
		}
		n.walk(func(c *node) {
			if c.name.Local == "IsDictionary" {
				dicts++
			}
		})
	}
	if complexTypes != 31+10+9+2 || arrays != 10 || dicts != 9 || simpleTypes != 8 {
		t.Errorf("quote.xsd: %d complex types (%d arrays, %d dictionaries), %d enums; want 52 (10, 9), 8",
			complexTypes, arrays, dicts, simpleTypes)
	}
}

func TestWSDLOperations(t *testing.T) {
	s := loadSchemas(t)
	defs := load(t, schema.WSDL)
	tns := defs.attr("targetNamespace")

	// Every wrapper the WSDL names must be a global element of the XSD of its namespace.
	usedElements := map[xml.Name]bool{}
	messagePart := func(msgName, partName string) xml.Name {
		t.Helper()
		msg := defs.named(t, nsWSDL, "message", msgName)
		part := msg.named(t, nsWSDL, "part", partName)
		q := part.resolve(t, part.attr("element"))
		if s.elements[q] == nil {
			t.Errorf("message %s part %s: element %v is not declared in the XSDs", msgName, partName, q)
		}
		usedElements[q] = true
		return q
	}

	pt := defs.named(t, nsWSDL, "portType", "IOnlineQuoteConnector")
	var got []string
	for _, op := range pt.all(nsWSDL, "operation") {
		got = append(got, op.attr("name"))
	}
	if !slices.Equal(got, operations) {
		t.Fatalf("portType operations:\n got %v\nwant %v", got, operations)
	}
	binding := defs.named(t, nsWSDL, "binding", "BasicHttpBinding_IOnlineQuoteConnector")
	if q := binding.resolve(t, binding.attr("type")); q != (xml.Name{Space: tns, Local: "IOnlineQuoteConnector"}) {
		t.Errorf("binding type %v", q)
	}
	checkSOAPBinding(t, binding)
	if n := len(binding.all(nsWSDL, "operation")); n != len(operations) {
		t.Errorf("binding has %d operations, want %d", n, len(operations))
	}

	for _, opName := range operations {
		t.Run(opName, func(t *testing.T) {
			op := pt.named(t, nsWSDL, "operation", opName)
			in, out := op.all(nsWSDL, "input"), op.all(nsWSDL, "output")
			if len(in) != 1 || len(out) != 1 {
				t.Fatalf("%d inputs, %d outputs", len(in), len(out))
			}
			if in[0].attr("name") != opName+"Request" || in[0].resolve(t, in[0].attr("message")) != (xml.Name{Space: tns, Local: opName + "Request"}) {
				t.Errorf("input %v", in[0].attrs)
			}
			if out[0].attr("name") != opName+"Response" || out[0].resolve(t, out[0].attr("message")) != (xml.Name{Space: tns, Local: opName + "Response"}) {
				t.Errorf("output %v", out[0].attrs)
			}

			ns := wrapperNamespace(opName)
			if q := messagePart(opName+"Request", "parameters"); q != (xml.Name{Space: ns, Local: opName}) {
				t.Errorf("request wrapper %v, want {%s}%s", q, ns, opName)
			}
			if q := messagePart(opName+"Response", "parameters"); q != (xml.Name{Space: ns, Local: opName + "Response"}) {
				t.Errorf("response wrapper %v, want {%s}%sResponse", q, ns, opName)
			}
			hdr := defs.named(t, nsWSDL, "message", opName+"Request_Headers")
			var parts []string
			for _, p := range hdr.all(nsWSDL, "part") {
				parts = append(parts, p.attr("name"))
				if q := messagePart(opName+"Request_Headers", p.attr("name")); q != (xml.Name{Space: nsQuote1, Local: p.attr("name")}) {
					t.Errorf("header part %s is element %v", p.attr("name"), q)
				}
			}
			if !slices.Equal(parts, headers) {
				t.Errorf("header parts %v, want %v", parts, headers)
			}

			bop := binding.named(t, nsWSDL, "operation", opName)
			so := bop.all(nsSOAP, "operation")
			wantAction := nsQuote1 + "/IOnlineQuoteConnector/" + opName
			if len(so) != 1 || so[0].attr("soapAction") != wantAction || so[0].attr("style") != "document" {
				t.Errorf("soap:operation %v, want soapAction %s style document", attrsOf(so), wantAction)
			}
			bin := bop.named(t, nsWSDL, "input", opName+"Request")
			var hparts []string
			for _, h := range bin.all(nsSOAP, "header") {
				if h.resolve(t, h.attr("message")) != (xml.Name{Space: tns, Local: opName + "Request_Headers"}) || h.attr("use") != "literal" {
					t.Errorf("soap:header %v", h.attrs)
				}
				hparts = append(hparts, h.attr("part"))
			}
			if !slices.Equal(hparts, headers) {
				t.Errorf("soap:header parts %v, want %v", hparts, headers)
			}
			checkLiteralBody(t, bin)
			checkLiteralBody(t, bop.named(t, nsWSDL, "output", opName+"Response"))
		})
	}

	// Authenticate.
	apt := defs.named(t, nsWSDL, "portType", "IIntegrationServiceConnectorAuth")
	aop := apt.named(t, nsWSDL, "operation", "Authenticate")
	if len(apt.all(nsWSDL, "operation")) != 1 || len(aop.all(nsWSDL, "input")) != 1 || len(aop.all(nsWSDL, "output")) != 1 {
		t.Fatal("IIntegrationServiceConnectorAuth must have exactly Authenticate with one input and one output")
	}
	if q := messagePart(strings.TrimPrefix(aop.all(nsWSDL, "input")[0].attr("message"), "tns:"), "parameters"); q != (xml.Name{Space: nsAuth, Local: "AuthenticationRequest"}) {
		t.Errorf("Authenticate request element %v", q)
	}
	if q := messagePart(strings.TrimPrefix(aop.all(nsWSDL, "output")[0].attr("message"), "tns:"), "parameters"); q != (xml.Name{Space: nsAuth, Local: "AuthenticationResponse"}) {
		t.Errorf("Authenticate response element %v", q)
	}
	ab := defs.named(t, nsWSDL, "binding", "BasicHttpBinding_IIntegrationServiceConnectorAuth")
	checkSOAPBinding(t, ab)
	abop := ab.named(t, nsWSDL, "operation", "Authenticate")
	if so := abop.all(nsSOAP, "operation"); len(so) != 1 || so[0].attr("soapAction") != nsAuth+"IIntegrationServiceConnectorAuth/Authenticate" {
		t.Errorf("Authenticate soap:operation %v", attrsOf(so))
	}

	// No wrapper or header element in the XSDs is left without an operation.
	for q := range s.elements {
		if !usedElements[q] {
			t.Errorf("global element %v is used by no WSDL message", q)
		}
	}
	if n := len(s.elements); n != 6+2*len(operations)+2 {
		t.Errorf("%d global elements, want %d", n, 6+2*len(operations)+2)
	}

	// The service exposes both bindings at the placeholder address.
	svc := defs.named(t, nsWSDL, "service", "QuoteConnector")
	var bindings []string
	for _, p := range svc.all(nsWSDL, "port") {
		bindings = append(bindings, p.resolve(t, p.attr("binding")).Local)
		addr := p.all(nsSOAP, "address")
		if len(addr) != 1 || addr[0].attr("location") != schema.PlaceholderAddress {
			t.Errorf("port %s address %v, want %s", p.attr("name"), attrsOf(addr), schema.PlaceholderAddress)
		}
	}
	if !slices.Equal(bindings, []string{"BasicHttpBinding_IOnlineQuoteConnector", "BasicHttpBinding_IIntegrationServiceConnectorAuth"}) {
		t.Errorf("service ports bind %v", bindings)
	}

	// The types section imports each XSD by namespace at ?xsd=NAME.
	imports := map[string]string{}
	for _, ts := range defs.all(nsWSDL, "types") {
		ts.walk(func(n *node) {
			if n.name == (xml.Name{Space: nsXS, Local: "import"}) {
				imports[n.attr("namespace")] = n.attr("schemaLocation")
			}
		})
	}
	for ns, file := range s.byNS {
		if want := "?xsd=" + strings.TrimSuffix(file, ".xsd"); imports[ns] != want {
			t.Errorf("types import of %s: schemaLocation %q, want %q", ns, imports[ns], want)
		}
	}
	if len(imports) != len(schema.XSDFiles) {
		t.Errorf("types imports %v", imports)
	}
}

// attrsOf lists the attributes of nodes, for failure messages.
func attrsOf(nodes []*node) []map[string]string {
	out := make([]map[string]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, n.attrs)
	}
	return out
}

func checkSOAPBinding(t *testing.T, binding *node) {
	t.Helper()
	sb := binding.all(nsSOAP, "binding")
	if len(sb) != 1 || sb[0].attr("transport") != "http://schemas.xmlsoap.org/soap/http" || sb[0].attr("style") != "document" {
		t.Errorf("%s: soap:binding %v", binding.attr("name"), attrsOf(sb))
	}
}

func checkLiteralBody(t *testing.T, n *node) {
	t.Helper()
	body := n.all(nsSOAP, "body")
	if len(body) != 1 || body[0].attr("use") != "literal" {
		t.Errorf("<%s name=%q>: want one soap:body use=literal", n.name.Local, n.attr("name"))
	}
}

// xmllint returns the path of xmllint; without it the test skips, or fails in CI.
func xmllint(t *testing.T) string {
	t.Helper()
	return lint.Path(t)
}

const driverXSD = `<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.superoffice.net/EIS/Quote/1.0" schemaLocation="quote.xsd"/>
  <xs:import namespace="http://www.superoffice.net/EIS/Quote/2.0" schemaLocation="quote2.xsd"/>
  <xs:import namespace="http://schemas.microsoft.com/2003/10/Serialization/Arrays" schemaLocation="arrays.xsd"/>
  <xs:import namespace="http://tempuri.org/" schemaLocation="auth.xsd"/>
</xs:schema>
`

// A small QuoteAlternativeContextInfo: base members of QuoteContextInfo first,
// some omitted (all are optional), a nil carrier, a string array in the Arrays
// namespace, a dictionary, and a quote line with base then own members.
const findProduct = `<FindProduct xmlns="http://www.superoffice.net/EIS/Quote/1.0" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <Context>
    <CRMAssociate>
      <AssociateId>5</AssociateId>
      <AssociateName>ON</AssociateName>
      <FunctionRights xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><a:string>can-approve-quote</a:string><a:string i:nil="true"/></FunctionRights>
      <Licenses/>
    </CRMAssociate>
    <CRMCompany>
      <ContactId>12</ContactId>
      <Name>Example AS</Name>
      <UserDefinedFields>
        <UserDefinedStringFromProgId><ProgIdValuePair><ProgId>SuperOffice:1</ProgId><Value>x</Value></ProgIdValuePair></UserDefinedStringFromProgId>
        <UserDefinedIntFromFieldNumber><FieldNumberValuePair><FieldNumber>3</FieldNumber><Value>[I:1]</Value></FieldNumberValuePair></UserDefinedIntFromFieldNumber>
      </UserDefinedFields>
    </CRMCompany>
    <CRMPerson i:nil="true"/>
    <CRMForeignKeys><ForeignKeyInfo><Key>k</Key><RecordId>1</RecordId><TableName>quote</TableName><Value>v</Value></ForeignKeyInfo></CRMForeignKeys>
    <CRMQuoteVersion><QuoteVersionId>7</QuoteVersionId><State>DraftNeedsApproval</State><SentDate>0001-01-01T00:00:00</SentDate></CRMQuoteVersion>
    <EISConnectionId>3</EISConnectionId>
    <UserLanguageCode>nb-NO</UserLanguageCode>
    <CRMAlternativeWithLines>
      <CRMAlternative><QuoteAlternativeId>9</QuoteAlternativeId><Status>Ok</Status><UserValueOverride>None</UserValueOverride></CRMAlternative>
      <CRMQuoteLines>
        <QuoteLineInfo><ERPProductKey>P-1</ERPProductKey><Name>Widget</Name><VAT>25</VAT><UnitListPrice>1.5E+2</UnitListPrice><QuoteLineId>1</QuoteLineId><Status>Warning</Status><Quantity>2</Quantity><SubscriptionStart>2025-02-14T10:00:00Z</SubscriptionStart></QuoteLineInfo>
      </CRMQuoteLines>
    </CRMAlternativeWithLines>
  </Context>
  <CurrencyCode>NOK</CurrencyCode>
  <Userinput>widget</Userinput>
  <PriceListKey i:nil="true"/>
</FindProduct>`

func TestXmllintValidates(t *testing.T) {
	bin := xmllint(t)
	dir := t.TempDir()
	for _, name := range schema.XSDFiles {
		data, err := fs.ReadFile(schema.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	driver := filepath.Join(dir, "driver.xsd")
	if err := os.WriteFile(driver, []byte(driverXSD), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		doc  string
		// wantErr is empty for a valid document, else a fragment of xmllint's report.
		wantErr string
	}{
		{"GetCapabilitiesResponse", `<GetCapabilitiesResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><CapabilitiesKeyValuePair><Key>iorderconsumer_place_order</Key><Value>true</Value></CapabilitiesKeyValuePair><CapabilitiesKeyValuePair><Key>iproductprovider_provide_picture</Key><Value>false</Value></CapabilitiesKeyValuePair></Result></GetCapabilitiesResponse>`, ""},
		{"GetCapabilitiesRequest", `<GetCapabilities xmlns="http://www.superoffice.net/EIS/Quote/1.0"/>`, ""},
		{"FindProduct", findProduct, ""},
		{"ConfigurationFieldsLabel", `<GetConfigurationFieldsResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result><FieldMetadataInfoDictionaryKeyValuePair><Key>ApiKey</Key><Value><FieldKey>ApiKey</FieldKey><FieldType>Label</FieldType><Rank>1</Rank><Access>Mandatory</Access></Value></FieldMetadataInfoDictionaryKeyValuePair></Result></GetConfigurationFieldsResponse>`, ""},
		{"ConnectionConfigFieldsHeader", `<ConnectionConfigFields xmlns="http://www.superoffice.net/EIS/Quote/1.0"><ConnectionConfigFieldsKeyValuePair><Key>ApplicationId</Key><Value>abc</Value></ConnectionConfigFieldsKeyValuePair></ConnectionConfigFields>`, ""},
		{"VoidResponse", `<OnAfterSaveQuoteResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"/>`, ""},
		{"NilResult", `<GetOrderStateResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/></GetOrderStateResponse>`, ""},
		{"ApprovalResponseNS2", `<OnQuoteVersionApprovedResponse xmlns="http://www.superoffice.net/EIS/Quote/2.0"><Result xmlns="http://www.superoffice.net/EIS/Quote/1.0" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><State>Ok</State><UserExplanation i:nil="true"/><TechExplanation i:nil="true"/><ErrorCode i:nil="true"/><CRMAlternativesWithLines i:nil="true"/><CRMQuoteVersion i:nil="true"/></Result></OnQuoteVersionApprovedResponse>`, ""},
		{"ApprovalRequestNS2", `<OnQuoteVersionRequestApproval xmlns="http://www.superoffice.net/EIS/Quote/2.0"><QuoteContext xmlns="http://www.superoffice.net/EIS/Quote/1.0"><EISConnectionId>3</EISConnectionId><CRMAlternativesWithLines/></QuoteContext></OnQuoteVersionRequestApproval>`, ""},
		{"ValidateQuoteVersion", `<ValidateQuoteVersion xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Context/><Action>SendQuote</Action></ValidateQuoteVersion>`, ""},
		{"AuthenticationResponse", `<AuthenticationResponse xmlns="http://tempuri.org/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><Reason i:nil="true"/><SignedApplicationToken>n.202501151040.sig</SignedApplicationToken><Succeeded>true</Succeeded></AuthenticationResponse>`, ""},

		{"MembersOutOfOrder", `<TestConnectionResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result><UserExplanation>x</UserExplanation><State>Ok</State></Result></TestConnectionResponse>`, "This element is not expected"},
		{"DerivedOwnMemberBeforeBase", `<OnQuoteLineChangedResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result><QuoteLineId>1</QuoteLineId><ERPProductKey>P-1</ERPProductKey></Result></OnQuoteLineChangedResponse>`, "This element is not expected"},
		{"EnumAsNumber", `<TestConnectionResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result><State>0</State></Result></TestConnectionResponse>`, "is not an element of the set"},
		{"EnumLabelAsNumber", `<GetSearchableFieldsResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result><FieldMetadataInfo><FieldType>99</FieldType></FieldMetadataInfo></Result></GetSearchableFieldsResponse>`, "is not an element of the set"},
		{"ApprovalWrapperIn1_0", `<OnQuoteVersionApproved xmlns="http://www.superoffice.net/EIS/Quote/1.0"/>`, "No matching global declaration"},
		{"ApprovalResultIn2_0", `<OnQuoteVersionApprovedResponse xmlns="http://www.superoffice.net/EIS/Quote/2.0"><Result><State>Ok</State></Result></OnQuoteVersionApprovedResponse>`, "This element is not expected"},
		{"UserinputSpelling", `<FindProduct xmlns="http://www.superoffice.net/EIS/Quote/1.0"><CurrencyCode>NOK</CurrencyCode><UserInput>x</UserInput></FindProduct>`, "This element is not expected"},
		{"StringArrayItemIn1_0", `<GetProducts xmlns="http://www.superoffice.net/EIS/Quote/1.0"><ErpProductKeys><string>P-1</string></ErpProductKeys></GetProducts>`, "This element is not expected"},
		{"NilValueType", `<CanProvideCapabilityResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/></CanProvideCapabilityResponse>`, "The element is not 'nillable'"},
		{"IntHeaderNotNumber", `<ConnectionId xmlns="http://www.superoffice.net/EIS/Quote/1.0">three</ConnectionId>`, "is not a valid value of the atomic type 'xs:int'"},
		{"DictionaryValueBeforeKey", `<GetCapabilitiesResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result><CapabilitiesKeyValuePair><Value>true</Value><Key>k</Key></CapabilitiesKeyValuePair></Result></GetCapabilitiesResponse>`, "This element is not expected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := filepath.Join(dir, tc.name+".xml")
			if err := os.WriteFile(doc, []byte(tc.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "--noout", "--schema", driver, doc)
			out, err := cmd.CombinedOutput()
			code := 0
			if exitErr, ok := errors.AsType[*exec.ExitError](err); ok {
				code = exitErr.ExitCode()
			} else if err != nil {
				t.Fatalf("running xmllint: %v", err)
			}
			switch {
			case code == 5:
				t.Fatalf("the schema set does not compile:\n%s", out)
			case tc.wantErr == "" && code != 0:
				t.Fatalf("want valid, xmllint exit %d:\n%s", code, out)
			case tc.wantErr != "" && code != 3:
				t.Fatalf("want a validation failure (exit 3), got exit %d:\n%s", code, out)
			case tc.wantErr != "" && !strings.Contains(string(out), tc.wantErr):
				t.Fatalf("validation failed for another reason than %q:\n%s", tc.wantErr, out)
			}
		})
	}
}
