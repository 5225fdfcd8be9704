package soap

import (
	"bytes"
	"errors"
	"math"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

func golden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func action(op string) string { return `"` + ActionPrefix + op + `"` }

// readCall reads body and fails unless it is a call of op.
func readCall(t *testing.T, body, soapAction, op string) *Call {
	t.Helper()
	m, err := Read([]byte(body), soapAction)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if m.Call == nil || m.Auth != nil || m.Call.Op.Name != op {
		t.Fatalf("Read: %+v; want a call of %s", m, op)
	}
	return m.Call
}

func TestReadFindProductGolden(t *testing.T) {
	validate := xmllint(t)
	doc := golden(t, "findproduct.xml")
	validate("golden findproduct", bodyChild(t, []byte(regexp.MustCompile(`>\s+<`).ReplaceAllString(doc, "><"))))
	want := sampleFindProduct(t)
	hdr := sampleHeader()
	for name, body := range findProductVariants(t, doc) {
		for _, act := range []string{action("FindProduct"), ActionPrefix + "FindProduct", "", ` "` + ActionPrefix + `FindProduct" `} {
			c := readCall(t, body, act, "FindProduct")
			if !reflect.DeepEqual(c.Request, want) {
				t.Fatalf("%s (action %q): %s", name, act, diff(want, c.Request))
			}
			if !reflect.DeepEqual(c.Header, hdr) {
				t.Fatalf("%s: header %s", name, diff(hdr, c.Header))
			}
		}
	}
	// A few values spelled out, so the test does not only compare the sample with itself.
	c := readCall(t, doc, "", "FindProduct")
	r := c.Request.(*connector.FindProductRequest)
	ctx := r.Context
	switch {
	case r.UserInput != "widget" || r.CurrencyCode != "NOK" || r.ConfigValues["ApiKey"] != "s3cr3t" || r.ConnectionInfo.CRMConnectionId != 3:
		t.Errorf("parts: %+v", r)
	case ctx.CRMQuote.QuoteId != 41 || ctx.CRMSale.Probability != 50 || ctx.CRMSale.Amount != 123456.78:
		t.Errorf("quote/sale: %+v %+v", ctx.CRMQuote, ctx.CRMSale)
	case ctx.CRMQuoteVersion.State != connector.QuoteVersionStateInfoDraftNeedsApproval || ctx.CRMQuoteVersion.Updated.String() != "2025-02-14T11:00:00.1234567+01:00":
		t.Errorf("version: %+v", ctx.CRMQuoteVersion)
	case ctx.CRMCompany.CustomFields["SuperOffice:2"] != "[F:1.5]" || ctx.CRMCompany.CustomFields["UserDefinedStringFromFieldNumber:17"] != "x":
		t.Errorf("custom fields: %v", ctx.CRMCompany.CustomFields)
	case ctx.CRMAlternativeWithLines.CRMQuoteLines[2].Description != "A widget\r\nwith two lines & more" || ctx.CRMAlternativeWithLines.CRMQuoteLines[0].ERPDiscountPercent != 1e-05:
		t.Errorf("line: %+v", ctx.CRMAlternativeWithLines.CRMQuoteLines[2])
	case ctx.DeliveryAddress != nil || ctx.CRMPerson.CustomFields == nil || len(ctx.CRMPerson.CustomFields) != 0:
		t.Errorf("nil and empty: %+v %v", ctx.DeliveryAddress, ctx.CRMPerson.CustomFields)
	}
}

// findProductVariants rewrites the golden FindProduct in ways WCF readers accept.
func findProductVariants(t *testing.T, doc string) map[string]string {
	compact := regexp.MustCompile(`>\s+<`).ReplaceAllString(doc, "><")
	prefixed := strings.NewReplacer(`xmlns:s=`, `xmlns:soapenv=`, `<s:`, `<soapenv:`, `</s:`, `</soapenv:`,
		`xmlns:h=`, `xmlns:hd=`, `<h:`, `<hd:`, `</h:`, `</hd:`, `xmlns:a=`, `xmlns:d4p1=`, `<a:`, `<d4p1:`, `</a:`, `</d4p1:`,
		`xmlns:i=`, `xmlns:xsi=`, `i:nil`, `xsi:nil`,
		`<FindProduct xmlns="`+NS+`"`, `<q:FindProduct xmlns:q="`+NS+`" xmlns="`+NS+`"`, `</FindProduct>`, `</q:FindProduct>`).Replace(doc)
	// Headers in reverse order.
	hs, he := strings.Index(doc, "<s:Header>")+len("<s:Header>"), strings.Index(doc, "</s:Header>")
	blocks := regexp.MustCompile(`(?s)<h:(\w+) .*?</h:(\w+)>`).FindAllString(doc[hs:he], -1)
	if len(blocks) != 6 {
		t.Fatalf("found %d header blocks", len(blocks))
	}
	var rev strings.Builder
	for i := len(blocks) - 1; i >= 0; i-- {
		rev.WriteString(blocks[i])
	}
	reordered := doc[:hs] + rev.String() + doc[he:]
	unknown := strings.NewReplacer(
		`<CRMAssociate>`, `<CRMAssociate foo="bar" i:type="UserInfo"><Unknown a="1"><Deep>1</Deep><!-- c --></Unknown><?pi x?>`,
		`<CRMQuote>`, `<CRMQuote i:type="QuoteInfo"><QuoteId xmlns="urn:other">99</QuoteId>`,
		`<s:Header>`, `<s:Header><h:Extra xmlns:h="urn:x" s:mustUnderstand="0">x</h:Extra>`,
		`</FindProduct>`, `</FindProduct><Trailing xmlns="urn:x"/>`,
		`<Userinput>widget</Userinput>`, `<Userinput><![CDATA[wid]]>g&#101;&#x74;</Userinput>`,
	).Replace(doc)
	// Parts out of order.
	swapped := strings.Replace(doc, "<CurrencyCode>NOK</CurrencyCode>", "", 1)
	swapped = strings.Replace(swapped, "<PriceListKey>PL-1</PriceListKey>", "<PriceListKey>PL-1</PriceListKey><CurrencyCode>NOK</CurrencyCode>", 1)
	var call bytes.Buffer
	if _, err := WriteCall(&call, connector.MustLookup("FindProduct"), sampleHeader(), sampleFindProduct(t)); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"pretty": doc, "compact": compact, "written": call.String(), "prefixes": prefixed, "bom+declaration": "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n" + doc + "\n<!-- end -->\n",
		"headers reordered": reordered, "unknown elements, attributes, i:type, CDATA, references": unknown, "parts reordered": swapped,
		"crlf": strings.ReplaceAll(doc, "\n", "\r\n"),
	}
}

// TestReadKeepsNothingOfTheBody: the server reads envelopes into pooled buffers, so a
// message must hold copies; overwriting the body after Read changes nothing.
func TestReadKeepsNothingOfTheBody(t *testing.T) {
	doc := golden(t, "findproduct.xml")
	body := []byte(doc)
	m, err := Read(body, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] = 'x'
	}
	want := readCall(t, doc, "", "FindProduct")
	if !reflect.DeepEqual(m.Call.Request, want.Request) || !reflect.DeepEqual(m.Call.Header, want.Header) {
		t.Errorf("the message changed with the body: %s", diff(want.Request, m.Call.Request))
	}
	auth := []byte(`<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Body><AuthenticationRequest xmlns="` + NS + `"><SignedToken>tok</SignedToken></AuthenticationRequest></s:Body></s:Envelope>`)
	a, err := Read(auth, "")
	if err != nil || a.Auth == nil {
		t.Fatalf("handshake: %v", err)
	}
	ns := a.Auth.Namespace
	for i := range auth {
		auth[i] = 'x'
	}
	if a.Auth.SignedToken != "tok" || a.Auth.Namespace != ns || ns != NS {
		t.Errorf("the handshake changed with the body: %+v", a.Auth)
	}
}

func TestReadSmallGoldens(t *testing.T) {
	c := readCall(t, golden(t, "getcapabilities.xml"), action("GetCapabilities"), "GetCapabilities")
	h := c.Header
	if len(h.ConfigFields) != 4 || h.ConfigFields[0] != (KeyValue{"ApplicationId", "7c1a9e2b4d6f48a0b3c5d7e9f1a2b4c6"}) || h.ConfigFields[3].Value != "second-value-loses" {
		t.Errorf("config fields %v", h.ConfigFields)
	}
	r := c.Request.(*connector.GetCapabilitiesRequest)
	if len(r.ConfigValues) != 3 || r.ConfigValues["ApiKey"] != "s3cr3t-api-key" || r.ConnectionInfo != h.ConnectionData ||
		h.ConnectionData.DisplayName != "Example ERP (NOK)" || h.ConnectionData.DisplayDescription != "" {
		t.Errorf("request %+v", r)
	}
	if h.ConnectionID != 3 || h.ContextIdentifier != "Cust12345" || h.SessionID != "8d2f6c1e-3b7a-4e59-9a0c-5f1d2e3c4b6a" ||
		h.UserInfo.CountryId != 578 || !reflect.DeepEqual(h.UserInfo.FunctionRights, []string{"can-approve-quote"}) {
		t.Errorf("header %+v %+v", h, h.UserInfo)
	}

	c = readCall(t, golden(t, "onaftersavequote.xml"), "", "OnAfterSaveQuote")
	if r := c.Request.(*connector.OnAfterSaveQuoteRequest); r.Context != nil || r.ConfigValues["ErpBaseUrl"] != "https://erp.example.no/api" {
		t.Errorf("void op: %+v", r)
	}
}

// TestReadSOAPOnlyGoldens reads the operations only SOAP has; they need their rows in
// connector.Operations().
func TestReadSOAPOnlyGoldens(t *testing.T) {
	for _, name := range []string{"CanProvideCapability", "OnQuoteVersionApproved"} {
		if _, ok := connector.Lookup(name); !ok {
			t.Errorf("connector.Operations() has no row %s", name)
			continue
		}
		c := readCall(t, golden(t, strings.ToLower(name)+".xml"), action(name), name)
		v := reflect.ValueOf(c.Request).Elem()
		switch name {
		case "CanProvideCapability":
			if got := v.FieldByName("CapabilityName").String(); got != connector.CapPlaceOrder {
				t.Errorf("CapabilityName %q", got)
			}
		case "OnQuoteVersionApproved":
			qc := v.FieldByName("QuoteContext").Interface().(*connector.QuoteVersionContextInfo)
			if qc.CRMQuote.QuoteId != 41 || qc.CRMQuote.PoNumber != "" || qc.UserLanguageCode != "nb-NO" || qc.CRMForeignKeys == nil ||
				len(qc.CRMAlternativesWithLines) != 1 || qc.CRMAlternativesWithLines[0].CRMQuoteLines == nil {
				t.Errorf("QuoteContext %+v", qc)
			}
		}
	}
}

func TestReadValueForms(t *testing.T) {
	doc := golden(t, "findproduct.xml")
	r := strings.NewReplacer(
		"<QuoteId>41</QuoteId>", "<QuoteId>\n +41 </QuoteId>",
		"<Probability>50</Probability>", "<Probability>-32768</Probability>",
		"<Amount>123456.78</Amount>", "<Amount>-INF</Amount>",
		"<VAT>25</VAT>", "<VAT>2.5e1</VAT>",
		"<Nomailing>true</Nomailing>", "<Nomailing> 1 </Nomailing>",
		"<CRMForeignKeys>", `<CRMForeignKeys i:nil="1"><ForeignKeyInfo/>`,
	)
	c := readCall(t, r.Replace(doc), "", "FindProduct")
	ctx := c.Request.(*connector.FindProductRequest).Context
	if ctx.CRMQuote.QuoteId != 41 || ctx.CRMSale.Probability != -32768 || !math.IsInf(ctx.CRMSale.Amount, -1) ||
		ctx.CRMAlternativeWithLines.CRMQuoteLines[0].VAT != 25 || !ctx.CRMPerson.Nomailing || ctx.CRMForeignKeys != nil {
		t.Errorf("value forms: %+v %+v", ctx.CRMQuote, ctx.CRMSale)
	}
	c = readCall(t, regexp.MustCompile(`(?s)<CRMQuoteLines>.*</CRMQuoteLines>`).ReplaceAllString(doc, "<CRMQuoteLines/>"), "", "FindProduct")
	if l := c.Request.(*connector.FindProductRequest).Context.CRMAlternativeWithLines.CRMQuoteLines; l == nil || len(l) != 0 {
		t.Errorf("empty array: %#v", l)
	}
}

func TestReadFaults(t *testing.T) {
	doc := golden(t, "findproduct.xml")
	env := func(body string) string {
		return `<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Body>` + body + `</s:Body></s:Envelope>`
	}
	deep := strings.Repeat("<a>", 70) + strings.Repeat("</a>", 70)
	cases := []struct{ name, body, action, want string }{
		{"not XML", "hello", "", "malformed XML"},
		{"empty", "", "", "malformed XML"},
		{"truncated", doc[:len(doc)/2], "", "malformed XML"},
		{"mismatched", `<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Body></s:Envelope>`, "", "malformed XML: end tag does not match"},
		{"SOAP 1.2", `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`, "", "SOAP 1.2 is not supported; use SOAP 1.1 (text/xml)"},
		{"not SOAP", `<Envelope><Body/></Envelope>`, "", "not a SOAP 1.1 envelope"},
		{"no Body", `<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Header/></s:Envelope>`, "", "the envelope has no Body"},
		{"empty Body", env(""), action("GetProduct"), "the Body holds no operation element"},
		{"unknown action", doc, action("Nope"), `unknown action "` + ActionPrefix + `Nope"`},
		{"foreign action", doc, "urn:x/Other", `unknown action "urn:x/Other"`},
		{"unknown element", env(`<Nope xmlns="` + NS + `"/>`), "", `unknown operation element "Nope"`},
		{"wrong wrapper", doc, action("GetProduct"), "GetProduct: the body element is not GetProduct in namespace " + NS},
		{"wrong wrapper namespace", strings.Replace(doc, `<FindProduct xmlns="`+NS+`"`, `<FindProduct xmlns="`+NS2+`"`, 1), action("FindProduct"), "FindProduct: the body element is not FindProduct"},
		{"int", strings.Replace(doc, "<QuoteId>41</QuoteId>", "<QuoteId>4x1</QuoteId>", 1), "", "FindProduct: Context/CRMQuote/QuoteId: not an xs:int"},
		{"int range", strings.Replace(doc, "<QuoteId>41</QuoteId>", "<QuoteId>2147483648</QuoteId>", 1), "", "FindProduct: Context/CRMQuote/QuoteId: not an xs:int"},
		{"short range", strings.Replace(doc, "<Probability>50</Probability>", "<Probability>40000</Probability>", 1), "", "FindProduct: Context/CRMSale/Probability: not an xs:short"},
		{"double", strings.Replace(doc, "<Amount>123456.78</Amount>", "<Amount>1,5</Amount>", 1), "", "FindProduct: Context/CRMSale/Amount: not an xs:double"},
		{"boolean", strings.Replace(doc, "<Nomailing>true</Nomailing>", "<Nomailing>yes</Nomailing>", 1), "", "FindProduct: Context/CRMPerson/Nomailing: not an xs:boolean"},
		{"dateTime", strings.Replace(doc, "<ExpirationDate>2025-03-16T00:00:00</ExpirationDate>", "<ExpirationDate>16.03.2025</ExpirationDate>", 1), "", "FindProduct: Context/CRMQuoteVersion/ExpirationDate: not an xs:dateTime"},
		{"enum name", strings.Replace(doc, "<State>DraftNeedsApproval</State>", "<State>Bogus</State>", 1), "", "FindProduct: Context/CRMQuoteVersion/State: not a name of QuoteVersionStateInfo"},
		{"enum number", strings.Replace(doc, "<State>DraftNeedsApproval</State>", "<State>3</State>", 1), "", "FindProduct: Context/CRMQuoteVersion/State: not a name of QuoteVersionStateInfo"},
		{"element in value", strings.Replace(doc, "<CurrencyCode>NOK</CurrencyCode>", "<CurrencyCode><b>NOK</b></CurrencyCode>", 1), "", "FindProduct: CurrencyCode: element inside a value"},
		{"deep", env(`<GetProduct xmlns="` + NS + `"><Context>` + deep + `</Context></GetProduct>`), "", "malformed XML: elements nested too deeply"},
		{"DOCTYPE", `<!DOCTYPE s [<!ENTITY x "y">]>` + env(""), "", "malformed XML: DTD or declaration not allowed"},
		{"entity", strings.Replace(doc, "<CurrencyCode>NOK", "<CurrencyCode>&x;NOK", 1), "", "malformed XML: undefined entity"},
		{"control character", strings.Replace(doc, "NOK", "N\x01K", 1), "", "malformed XML: control character"},
		{"bad UTF-8", strings.Replace(doc, "NOK", "N\xffK", 1), "", "malformed XML: invalid UTF-8"},
		{"UTF-16", `<?xml version="1.0" encoding="utf-16"?>` + doc, "", "malformed XML: only UTF-8 is supported"},
		{"undeclared prefix", strings.Replace(doc, "<CurrencyCode>", "<x:CurrencyCode>", 1), "", "malformed XML: undeclared namespace prefix"},
		{"after root", doc + "<x/>", "", "malformed XML: content after the root element"},
		{"duplicate attribute", strings.Replace(doc, `<CurrencyCode>`, `<CurrencyCode a="1" a="2">`, 1), "", "malformed XML: duplicate attribute"},
		{"bad char reference", strings.Replace(doc, "NOK", "&#0;", 1), "", "malformed XML: character reference"},
	}
	for _, c := range cases {
		m, err := Read([]byte(c.body), c.action)
		f, ok := faultOf(err)
		if m != nil || !ok || f.Code != "s:Client" || !strings.HasPrefix(f.Message, c.want) {
			t.Errorf("%s: got %v, %v; want s:Client fault %q", c.name, m, err, c.want)
			continue
		}
		for _, secret := range []string{"4x1", "1,5", "Bogus", "yes", "16.03.2025", "2147483648"} {
			if strings.Contains(f.Message, secret) {
				t.Errorf("%s: the fault echoes the value: %s", c.name, f.Message)
			}
		}
	}
}

func TestReadResultProblems(t *testing.T) {
	op := connector.MustLookup("FindProduct")
	in := []connector.ProductInfo{{Name: "One", Code: "C1"}, {Name: "Two", Code: "C2", ExtraInfo: []connector.ProductExtraDataFieldInfo{{Name: "x"}}}}
	var b bytes.Buffer
	if err := WriteResult(&b, op, in); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	// Name of the second product after Code; an unknown member in the first.
	moved := strings.Replace(doc, "<Name>Two</Name>", "", 1)
	moved = strings.Replace(moved, "<Code>C2</Code>", "<Code>C2</Code><Name>Two</Name>", 1)
	moved = strings.Replace(moved, "<Name>One</Name>", "<Name>One</Name><Bogus>1</Bogus>", 1)
	var got []connector.ProductInfo
	problems, err := ReadResult([]byte(moved), op, &got)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"FindProduct: Result/ProductInfo[1]/Bogus: unknown member", "FindProduct: Result/ProductInfo[2]/Name: out of data-contract order (after Code)"}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems %q; want %q", problems, want)
	}
	if len(got) != 2 || got[0].Name != "One" || got[1].Name != "" || got[1].Code != "C2" {
		t.Errorf("values: %+v", got)
	}
	for name, body := range map[string]string{
		"enum as number": strings.Replace(doc, "<Type>String</Type>", "<Type>0</Type>", 1),
		"unknown enum":   strings.Replace(doc, "<Type>String</Type>", "<Type>Video</Type>", 1),
		"wrong wrapper":  strings.ReplaceAll(doc, "FindProductResponse", "GetProductsResponse"),
		"wrong ns":       strings.Replace(doc, `<FindProductResponse xmlns="`+NS+`"`, `<FindProductResponse xmlns="`+NS2+`"`, 1),
	} {
		if _, err := ReadResult([]byte(body), op, &got); err == nil {
			t.Errorf("%s: no error", name)
		} else if errors.As(err, new(*Fault)) {
			t.Errorf("%s: a decoding error reported as a fault: %v", name, err)
		}
	}
	// IsOk is derived from State.
	var pr *connector.PluginResponseInfo
	b.Reset()
	if err := WriteResult(&b, connector.MustLookup("TestConnection"), &connector.PluginResponseInfo{State: connector.ResponseStateWarning}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResult(b.Bytes(), connector.MustLookup("TestConnection"), &pr); err != nil || !pr.IsOk {
		t.Errorf("IsOk: %v %+v", err, pr)
	}
}

func TestAuthenticateShapes(t *testing.T) {
	validate := xmllint(t)
	const m = "http://schemas.datacontract.org/2004/07/SuperOffice.SuperID.Contracts.V1"
	xsi := ` xmlns:i="` + xsiNS + `"`
	cases := []struct {
		name, body, action string
		want               AuthRequest
		response           string
	}{
		{"A", `<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Body><AuthenticationRequest xmlns="http://tempuri.org/"><SignedToken>eyJ.a.b</SignedToken></AuthenticationRequest></s:Body></s:Envelope>`,
			`"http://tempuri.org/IIntegrationServiceConnectorAuth/Authenticate"`,
			AuthRequest{ShapeA, "http://tempuri.org/", "http://tempuri.org/", "eyJ.a.b"},
			`<AuthenticationResponse xmlns="http://tempuri.org/"` + xsi + `><Reason i:nil="true"/><SignedApplicationToken>nonce.202501151040.sig</SignedApplicationToken><Succeeded>true</Succeeded></AuthenticationResponse>`},
		{"B", `<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Body><Authenticate xmlns="urn:n"><request xmlns:a="` + m + `"` + xsi + `><a:SignedToken>eyJ.a.b</a:SignedToken></request></Authenticate></s:Body></s:Envelope>`,
			"",
			AuthRequest{ShapeB, "urn:n", m, "eyJ.a.b"},
			`<AuthenticateResponse xmlns="urn:n"><AuthenticateResult xmlns:a="` + m + `"` + xsi + `><a:Reason i:nil="true"/><a:SignedApplicationToken>nonce.202501151040.sig</a:SignedApplicationToken><a:Succeeded>true</a:Succeeded></AuthenticateResult></AuthenticateResponse>`},
		{"C", `<s:Envelope xmlns:s="` + EnvelopeNS + `"><s:Header><h:SignedToken s:mustUnderstand="1" xmlns:h="urn:h">eyJ.a.b</h:SignedToken></s:Header><s:Body><AuthenticateRequest xmlns="urn:n"/></s:Body></s:Envelope>`,
			"urn:n/IAuth/Authenticate",
			AuthRequest{ShapeC, "urn:n", "urn:h", "eyJ.a.b"},
			`<AuthenticateResponse xmlns="urn:n"` + xsi + `><Reason i:nil="true"/><SignedApplicationToken>nonce.202501151040.sig</SignedApplicationToken><Succeeded>true</Succeeded></AuthenticateResponse>`},
	}
	for _, c := range cases {
		msg, err := Read([]byte(c.body), c.action)
		if err != nil || msg.Auth == nil || msg.Call != nil {
			t.Fatalf("%s: %+v %v", c.name, msg, err)
		}
		if *msg.Auth != c.want {
			t.Errorf("%s: %+v; want %+v", c.name, *msg.Auth, c.want)
		}
		var b bytes.Buffer
		if err := WriteAuthenticate(&b, msg.Auth, AuthResponse{Succeeded: true, SignedApplicationToken: "nonce.202501151040.sig"}); err != nil {
			t.Fatal(err)
		}
		if got := string(bodyChild(t, b.Bytes())); got != c.response {
			t.Errorf("%s: answer\n%s\nwant\n%s", c.name, got, c.response)
		}
		if c.name == "A" {
			validate("auth A", bodyChild(t, b.Bytes()))
			b.Reset()
			_ = WriteAuthenticate(&b, msg.Auth, AuthResponse{Reason: "Wrong audience"})
			validate("auth A failure", bodyChild(t, b.Bytes()))
			if !strings.Contains(b.String(), `<Reason>Wrong audience</Reason><SignedApplicationToken i:nil="true"/><Succeeded>false</Succeeded>`) {
				t.Errorf("failure answer %s", b.String())
			}
		}
	}
	// The action decides: a quote wrapper under an Authenticate action is refused.
	if _, err := Read([]byte(golden(t, "getcapabilities.xml")), "urn:n/IAuth/Authenticate"); err == nil {
		t.Error("quote wrapper read as a handshake")
	}
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"findproduct.xml", "getcapabilities.xml", "onaftersavequote.xml", "canprovidecapability.xml", "onquoteversionapproved.xml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
		f.Add(b[:len(b)/3], "")
	}
	f.Add([]byte(`<s:Envelope xmlns:s="`+EnvelopeNS+`"><s:Body><Authenticate xmlns="urn:n"><request><SignedToken>t</SignedToken></request></Authenticate></s:Body></s:Envelope>`), "urn:x/Authenticate")
	f.Fuzz(func(t *testing.T, body []byte, soapAction string) {
		msg, err := Read(body, soapAction)
		if err != nil {
			if _, ok := faultOf(err); !ok {
				t.Fatalf("error %T is not a *Fault", err)
			}
			return
		}
		var b bytes.Buffer
		if msg.Auth != nil {
			if err := WriteAuthenticate(&b, msg.Auth, AuthResponse{Reason: "r"}); err != nil {
				t.Fatalf("WriteAuthenticate: %v", err)
			}
			return
		}
		act, err := WriteCall(&b, msg.Call.Op, msg.Call.Header, msg.Call.Request)
		if err != nil {
			t.Fatalf("WriteCall of a request Read accepted: %v", err)
		}
		again, err := Read(b.Bytes(), act)
		if err != nil {
			t.Fatalf("Read of the re-encoded request: %v", err)
		}
		if msg.Call.Header.ConfigFields == nil && again.Call.Header.ConfigFields != nil {
			t.Fatalf("config fields appeared")
		}
	})
}

// faultOf returns err as a *Fault when it is one itself: Read and ReadResult return faults
// unwrapped, so a wrapped fault is a defect the tests must catch.
func faultOf(err error) (*Fault, bool) {
	f, ok := err.(*Fault) //nolint:errorlint // the exact type is the contract under test; errors.As would accept a wrapped fault
	return f, ok
}
