package soap

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	lint "github.com/quotekit/quotekit/internal/xmllint"
	"github.com/quotekit/quotekit/soap/schema"
)

// xmllint returns a function validating a document against the schema files, or skips.
func xmllint(t *testing.T) func(name string, doc []byte) {
	t.Helper()
	bin := lint.Path(t)
	dir := t.TempDir()
	files, _ := fs.Glob(schema.FS, "*.xsd")
	for _, f := range files {
		b, _ := fs.ReadFile(schema.FS, f)
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	driver := `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">` +
		`<xs:import namespace="` + NS + `" schemaLocation="quote.xsd"/>` +
		`<xs:import namespace="` + NS2 + `" schemaLocation="quote2.xsd"/>` +
		`<xs:import namespace="` + ArraysNS + `" schemaLocation="arrays.xsd"/>` +
		`<xs:import namespace="http://tempuri.org/" schemaLocation="auth.xsd"/></xs:schema>`
	drv := filepath.Join(dir, "driver.xsd")
	if err := os.WriteFile(drv, []byte(driver), 0o600); err != nil {
		t.Fatal(err)
	}
	n := 0
	return func(name string, doc []byte) {
		t.Helper()
		n++
		p := filepath.Join(dir, "doc"+strings.Repeat("x", n%3)+".xml")
		if err := os.WriteFile(p, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "--noout", "--nonet", "--schema", drv, p).CombinedOutput()
		if err != nil {
			t.Errorf("%s: xmllint: %v\n%s\ndocument: %.3000s", name, err, out, doc)
		}
	}
}

// bodyChild returns the element inside s:Body as its own document.
func bodyChild(t *testing.T, env []byte) []byte {
	t.Helper()
	s := string(env)
	i := strings.Index(s, "<s:Body>")
	j := strings.LastIndex(s, "</s:Body>")
	if i < 0 || j < 0 {
		t.Fatalf("no s:Body in %s", s)
	}
	return []byte(s[i+len("<s:Body>") : j])
}

func TestWriteResultValidates(t *testing.T) {
	validate := xmllint(t)
	for _, op := range connector.Operations() {
		var full bytes.Buffer
		var res any
		if op.Result != nil {
			res = fullResult(t, op).Elem().Interface()
		}
		if err := WriteResult(&full, op, res); err != nil {
			t.Fatalf("%s: %v", op.Name, err)
		}
		validate(op.Name+" full", bodyChild(t, full.Bytes()))
		var null bytes.Buffer
		if err := WriteResult(&null, op, nil); err != nil {
			t.Fatalf("%s nil: %v", op.Name, err)
		}
		validate(op.Name+" nil", bodyChild(t, null.Bytes()))
		if op.Result != nil && op.Result.Kind() != reflect.Int32 && op.Result.Kind() != reflect.Bool &&
			!strings.Contains(null.String(), `xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>`) {
			t.Errorf("%s nil: %s", op.Name, null.String())
		}
		if bytes.Contains(full.Bytes(), []byte("<?xml")) || bytes.Contains(full.Bytes(), []byte(">\n<")) {
			t.Errorf("%s: declaration or white space between elements", op.Name)
		}
	}
}

func TestWriteResultRoundTrip(t *testing.T) {
	for _, op := range connector.Operations() {
		if op.Result == nil {
			continue
		}
		want := fullResult(t, op)
		var b bytes.Buffer
		if err := WriteResult(&b, op, want.Elem().Interface()); err != nil {
			t.Fatalf("%s: %v", op.Name, err)
		}
		got := reflect.New(op.Result)
		problems, err := ReadResult(b.Bytes(), op, got.Interface())
		if err != nil || len(problems) > 0 {
			t.Fatalf("%s: %v %v", op.Name, err, problems)
		}
		if !reflect.DeepEqual(want.Interface(), got.Interface()) {
			t.Errorf("%s: %s", op.Name, diff(want.Interface(), got.Interface()))
		}
	}
}

func TestWriteCallRoundTrip(t *testing.T) {
	validate := xmllint(t)
	for _, op := range connector.Operations() {
		req := fullRequest(t, op)
		h := Header{ConnectionID: 3, ContextIdentifier: "Cust12345", SessionID: "sess-1",
			UserInfo: &connector.UserInfo{AssociateId: 5, FullName: "Ola", Licenses: []string{"q"}}}
		var b bytes.Buffer
		action, err := WriteCall(&b, op, h, req)
		if err != nil {
			t.Fatalf("%s: %v", op.Name, err)
		}
		if action != `"`+ActionPrefix+op.Name+`"` {
			t.Errorf("%s: action %s", op.Name, action)
		}
		validate(op.Name+" request", bodyChild(t, b.Bytes()))
		msg, err := Read(b.Bytes(), action)
		if err != nil {
			t.Fatalf("%s: %v", op.Name, err)
		}
		if msg.Call == nil || msg.Call.Op.Name != op.Name {
			t.Fatalf("%s: %+v", op.Name, msg)
		}
		if !reflect.DeepEqual(req, msg.Call.Request) {
			t.Errorf("%s: %s", op.Name, diff(req, msg.Call.Request))
		}
		gh := msg.Call.Header
		if gh.ConnectionID != 3 || gh.ContextIdentifier != "Cust12345" || gh.SessionID != "sess-1" ||
			!reflect.DeepEqual(gh.UserInfo, h.UserInfo) || len(gh.ConfigFields) != 3 || gh.ConfigFields[0].Key != "ApiKey" {
			t.Errorf("%s: header %+v", op.Name, gh)
		}
	}
}

func TestWriteResultErrors(t *testing.T) {
	op := connector.MustLookup("TestConnection")
	for name, res := range map[string]any{
		"enum":  &connector.PluginResponseInfo{State: 7},
		"wrong": "text",
	} {
		var b bytes.Buffer
		if err := WriteResult(&b, op, res); err == nil || b.Len() != 0 {
			t.Errorf("%s: err %v, wrote %d bytes", name, err, b.Len())
		}
	}
	var b bytes.Buffer
	err := WriteResult(&b, connector.MustLookup("GetProduct"), &connector.ProductInfo{VAT: nan()})
	if err == nil || !strings.Contains(err.Error(), "GetProduct: Result/VAT: NaN") {
		t.Errorf("NaN: %v", err)
	}
	err = WriteResult(&b, connector.MustLookup("FindProduct"), []connector.ProductInfo{{}, {ExtraInfo: []connector.ProductExtraDataFieldInfo{{Type: 9}}}})
	if err == nil || !strings.Contains(err.Error(), "Result/ProductInfo[2]/ExtraInfo/ProductExtraDataFieldInfo[1]/Type: 9 is not a value of ExtraDataFieldTypeInfo") {
		t.Errorf("enum path: %v", err)
	}
}

func TestWriteResultForms(t *testing.T) {
	var b bytes.Buffer
	op := connector.MustLookup("GetOrderState")
	if err := WriteResult(&b, op, (*connector.OrderResponseInfo)(nil)); err != nil {
		t.Fatal(err)
	}
	want := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetOrderStateResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"><Result xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/></GetOrderStateResponse></s:Body></s:Envelope>`
	if b.String() != want {
		t.Errorf("nil result:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteResult(&b, connector.MustLookup("OnAfterSaveQuote"), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<OnAfterSaveQuoteResponse xmlns="http://www.superoffice.net/EIS/Quote/1.0"/>`) {
		t.Errorf("void: %s", b.String())
	}
	b.Reset()
	pi := &connector.ProductInfo{Name: "a\rb\x01c<&>", UnitCost: 1e-7, UnitListPrice: 2698.2, InStock: 1.5e22}
	if err := WriteResult(&b, connector.MustLookup("GetProduct"), pi); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`<Name>a&#xD;bc&lt;&amp;&gt;</Name>`, `<Description i:nil="true"/>`, `<UnitCost>1E-07</UnitCost>`,
		`<UnitListPrice>2698.2</UnitListPrice>`, `<InStock>1.5E+22</InStock>`, `<IsSubscription>false</IsSubscription>`, `<ExtraInfo i:nil="true"/>`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("missing %s in %s", s, b.String())
		}
	}
	b.Reset()
	caps := map[string]bool{"zz": true, connector.CapProvideAddresses: false, connector.CapProvideCost: true, "aa": false}
	if err := WriteResult(&b, connector.MustLookup("GetCapabilities"), caps); err != nil {
		t.Fatal(err)
	}
	order := []string{connector.CapProvideCost, connector.CapProvideAddresses, ">aa<", ">zz<"}
	last := -1
	for _, k := range order {
		i := strings.Index(b.String(), k)
		if i < last {
			t.Errorf("capability %s out of order in %s", k, b.String())
		}
		last = i
	}
	b.Reset()
	fields := map[string]connector.FieldMetadataInfo{"b": {FieldKey: "b", Rank: 1}, "a": {FieldKey: "a", Rank: 2}, "c": {FieldKey: "c", Rank: 1}}
	if err := WriteResult(&b, connector.MustLookup("GetConfigurationFields"), fields); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if !(strings.Index(s, "<Key>b</Key>") < strings.Index(s, "<Key>c</Key>") && strings.Index(s, "<Key>c</Key>") < strings.Index(s, "<Key>a</Key>")) {
		t.Errorf("config fields not by rank then key: %s", s)
	}
	b.Reset()
	addrs := []*connector.AddressInfo{{City: "Oslo"}, nil}
	if err := WriteResult(&b, connector.MustLookup("GetAddresses"), addrs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `</AddressInfo><AddressInfo i:nil="true"/></Result>`) {
		t.Errorf("nil address: %s", b.String())
	}
}

func TestWriteFault(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFault(&b, &Fault{Code: "s:Server", Message: "ERP <down> & out"}); err != nil {
		t.Fatal(err)
	}
	want := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring xml:lang="en-US">ERP &lt;down&gt; &amp; out</faultstring></s:Fault></s:Body></s:Envelope>`
	if b.String() != want {
		t.Errorf("got %s", b.String())
	}
	_, err := ReadResult(b.Bytes(), connector.MustLookup("GetProduct"), new(*connector.ProductInfo))
	f, ok := faultOf(err)
	if !ok || f.Code != "s:Server" || f.Message != "ERP <down> & out" {
		t.Errorf("ReadResult of a fault: %v", err)
	}
}
