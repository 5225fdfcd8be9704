package server_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
	"github.com/quotekit/quotekit/server"
)

// restOperations lists the operations that have a REST route, from the operation table:
// the request carriers the binder decodes.
func restOperations(t testing.TB) []connector.Operation {
	t.Helper()
	var ops []connector.Operation
	for _, op := range connector.Operations() {
		if !op.SOAPOnly {
			ops = append(ops, op)
		}
	}
	if len(ops) != 27 {
		t.Fatalf("%d REST operations, want 27", len(ops))
	}
	return ops
}

// fastEdgeCases are bodies where a decoder other than encoding/json is most likely to
// decide differently: member names matched without regard to case (Unicode's simple
// folding included), duplicate members, invalid UTF-8 and lone surrogates, numbers at
// the edges of int32 and float64, null in every kind of position, deep nesting, .NET
// dates written with escapes, and what is not one JSON object.
var fastEdgeCases = []string{
	// Member names.
	`{"erpproductkey":"a"}`, `{"ERPPRODUCTKEY":"a","ErpProductKey":"b"}`, `{"ErpProductKey":"b","erpProductKey":"a"}`,
	`{"Erp_Product_Key":"a"}`, `{"Erp-Product-Key":"a"}`, `{"ErpProduct\u212aey":"a"}`, "{\"ErpProduct\u212aey\":\"a\"}",
	`{"ConfigValue\u017f":{"a":"b"}}`, "{\"ConfigValue\u017f\":{\"a\":\"b\"}}", `{"context":{"crmquote":{"quoteid":7}}}`,
	`{"\u0045rpProductKey":"a"}`, `{"ErpProductKey\u0000":"a"}`, `{"":1,"ErpProductKey":"a"}`,
	`{"quotecontext":{"crmalternativeswithlines":[{"crmquotelines":[{"quantity":2}]}]}}`,
	// Duplicate members: the last wins, objects merge into what is there.
	`{"ErpProductKey":"a","ErpProductKey":"b"}`, `{"ErpProductKey":"a","ErpProductKey":null}`,
	`{"Context":{"CRMQuote":{"QuoteId":1}},"Context":{"CRMSale":{"SaleId":2}}}`,
	`{"Context":{"CRMQuote":{"QuoteId":1}},"Context":null}`, `{"Context":null,"Context":{"CRMQuote":{"QuoteId":1}}}`,
	`{"ConfigValues":{"a":"1","a":"2","b":"3"},"ConfigValues":{"c":"4"}}`, `{"ConfigValues":{"a":"1"},"ConfigValues":null}`,
	`{"ErpProductKeys":["a","b"],"ErpProductKeys":["c"]}`, `{"ChangedFields":["a"],"ChangedFields":null}`,
	`{"Context":{"CRMAlternativeWithLines":{"CRMQuoteLines":[{"Rank":1},{"Rank":2}]},"CRMAlternativeWithLines":{"CRMQuoteLines":[{"Name":"x"}]}}}`,
	// Strings: invalid UTF-8, surrogates, escapes, control characters.
	"{\"ErpProductKey\":\"\xff\xfe\"}", "{\"ErpProductKey\":\"a\xc3\"}", "{\"ConfigValues\":{\"\xff\":\"\xed\xa0\x80\"}}",
	`{"ErpProductKey":"\ud800"}`, `{"ErpProductKey":"\udc00\ud800x"}`, `{"ErpProductKey":"\ud83d\ude00"}`,
	`{"ErpProductKey":"\u0000\n\t\/\\\""}`, "{\"ErpProductKey\":\"a\x01\"}", `{"ErpProductKey":"\x"}`,
	"{\"UserInput\":\"\u2028\u2029\"}", "{\"Erp\xffProductKey\":\"a\"}",
	// Numbers.
	`{"Rank":2147483647}`, `{"Rank":2147483648}`, `{"Rank":-2147483648}`, `{"Rank":-2147483649}`,
	`{"Rank":1.0}`, `{"Rank":1e2}`, `{"Rank":-0}`, `{"Rank":0.5}`, `{"Rank":1e400}`, `{"Rank":"1"}`, `{"Rank":01}`,
	`{"Rank":99999999999999999999}`, `{"Rank":-}`, `{"Rank":1.}`, `{"Rank":.5}`, `{"Rank":+1}`,
	`{"QuoteLine":{"Quantity":1e400}}`, `{"QuoteLine":{"Quantity":-1e400}}`, `{"QuoteLine":{"Quantity":-0}}`,
	`{"QuoteLine":{"Quantity":-0.0}}`, `{"QuoteLine":{"Quantity":4.9e-324}}`, `{"QuoteLine":{"Quantity":1e-400}}`,
	`{"QuoteLine":{"Quantity":1.7976931348623157e308}}`, `{"QuoteLine":{"Quantity":1.7976931348623159e308}}`,
	`{"QuoteLine":{"Quantity":0.1000000000000000055511151231257827}}`, `{"QuoteLine":{"Quantity":"1"}}`,
	`{"Action":2147483647}`, `{"Action":-2147483649}`, `{"Action":2.0}`,
	`{"Context":{"EISConnectionId":1e9,"CRMQuote":{"QuoteId":-2147483648}}}`,
	// null in every kind of position.
	`null`, `{"ConfigValues":null,"ConnectionInfo":null,"Context":null,"ErpProductKey":null}`,
	`{"Context":{"CRMQuote":null,"CRMForeignKeys":null,"EISConnectionId":null,"ERPCompanyKey":null}}`,
	`{"ErpProductKeys":[null,"a",null]}`, `{"ConfigValues":{"a":null}}`, `{"Context":{"CRMAssociate":{"CustomFields":{"x":null}}}}`,
	`{"Context":{"CRMSale":{"PublishActiveDate":null,"Amount":null,"HasGuide":null}}}`, `{"Rank":null}`,
	`{"Context":{"CRMAlternativeWithLines":{"CRMQuoteLines":[null,{"ExtraInfo":[null]}]}}}`,
	`{"Restrictions":[{"Values":[null],"ScalarValue":null}]}`, `{"Context":{"CRMForeignKeys":[null]}}`,
	// Kinds that do not fit.
	`{"ErpProductKey":1}`, `{"ErpProductKey":true}`, `{"ErpProductKey":[]}`, `{"ErpProductKey":{}}`,
	`{"Context":[]}`, `{"Context":"x"}`, `{"ConfigValues":[]}`, `{"ConfigValues":{"a":1}}`, `{"ErpProductKeys":"a"}`,
	`{"ErpProductKeys":{"0":"a"}}`, `{"Context":{"CRMPerson":{"Retired":"true"}}}`, `{"Context":{"CRMPerson":{"Retired":1}}}`,
	// .NET dates.
	`{"Context":{"CRMSale":{"PublishActiveDate":"2026-11-20T14:03:51.0877887+01:00"}}}`,
	`{"Context":{"CRMSale":{"PublishActiveDate":"\u0032026-11-20T14:03:51Z"}}}`,
	`{"Context":{"CRMSale":{"PublishActiveDate":"2026-13-45T00:00:00"}}}`, `{"Context":{"CRMSale":{"PublishActiveDate":1}}}`,
	"{\"Context\":{\"CRMSale\":{\"PublishActiveDate\":\"2026-11-20T14:03:51\xff\"}}}",
	`{"Context":{"CRMSale":{"PublishActiveDate":"2026-11-20T14:03:51","PublishActiveDate":"0001-01-01T00:00:00"}}}`,
	// Unknown members, nesting and what is not one object.
	`{"Unknown":{"a":[1,{"b":null}],"c":"\ud800"},"ErpProductKey":"a"}`, `{"Unknown":1e400}`, `{"Unknown":-}`,
	`{}`, ` {} `, `{} {}`, `{}x`, `{},`, `[]`, `"x"`, `1`, `true`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`,
	"\ufeff{}", "{}\x00", "\t\r\n{}\t\r\n", `{"a":1}}`, `{"ErpProductKey":"a"`,
	`{"Unknown":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}`,
	`{"Unknown":` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `}`,
	`{"Unknown":` + strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001) + `}`,
}

// fastSeeds adds the fuzz seeds: every operation's NetServer-shaped request (the bodies
// TestEveryOperation sends, built on testdata/requests/context.json), every file of
// testdata/requests as the body of every operation, and the edge cases for every
// operation.
func fastSeeds(f *testing.F, ops []connector.Operation) {
	bodies := requests(f)
	files, err := filepath.Glob(filepath.Join("..", "testdata", "requests", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no requests in testdata/requests: %v", err)
	}
	for i, op := range ops {
		body := encode(f, bodies[op.Name])
		f.Add(uint8(i), body)
		f.Add(uint8(i), bytes.ToLower(body))
		for _, file := range files {
			raw, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(i), raw)
		}
		for _, s := range fastEdgeCases {
			f.Add(uint8(i), []byte(s))
		}
	}
}

// checkFastUnmarshal decodes body into op's request carrier with the binder's fast path
// and with encoding/json, and fails t when the fast path succeeds where encoding/json
// does not, or with a different value. It reports whether the fast path succeeded.
func checkFastUnmarshal(t testing.TB, op connector.Operation, body []byte) bool {
	t.Helper()
	fast, std := op.NewRequest(), op.NewRequest()
	fastErr := server.FastUnmarshal(body, fast)
	stdErr := json.Unmarshal(body, std)
	if fastErr != nil {
		return false
	}
	if stdErr != nil {
		t.Fatalf("%s %q: the fast path decodes what encoding/json refuses (%v)", op.Name, body, stdErr)
	}
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("%s %q: the fast path decodes\n%s\nencoding/json decodes\n%s", op.Name, body, encode(t, fast), encode(t, std))
	}
	return true
}

// FuzzFastUnmarshal holds the binder's fast decoder to encoding/json over the request
// carrier of every REST operation (from the operation table), the operation picked by
// the first input: whenever the fast path decodes a body, encoding/json decodes it too,
// into a value reflect.DeepEqual to the fast path's; whenever encoding/json refuses a
// body, the fast path refuses it too (the binder then answers encoding/json's error).
func FuzzFastUnmarshal(f *testing.F) {
	ops := restOperations(f)
	fastSeeds(f, ops)
	f.Fuzz(func(t *testing.T, pick uint8, body []byte) {
		checkFastUnmarshal(t, ops[int(pick)%len(ops)], body)
	})
}

// TestFastUnmarshal runs the fuzz target's property over its seeds without fuzzing, and
// requires the fast path to decode what NetServer sends: every operation's request, the
// 10.7 kB GetProduct request of testdata/requests, and the well-formed edge cases
// encoding/json decodes, so that the fast path is the one taken.
func TestFastUnmarshal(t *testing.T) {
	ops := restOperations(t)
	bodies := requests(t)
	for _, op := range ops {
		if !checkFastUnmarshal(t, op, encode(t, bodies[op.Name])) {
			t.Errorf("%s: the fast path refuses NetServer's request", op.Name)
		}
		for _, s := range fastEdgeCases {
			checkFastUnmarshal(t, op, []byte(s))
		}
	}
	full, err := os.ReadFile(filepath.Join("..", "testdata", "requests", "getproduct-full.json"))
	if err != nil {
		t.Fatal(err)
	}
	getProduct := connector.MustLookup("GetProduct")
	if !checkFastUnmarshal(t, getProduct, full) {
		t.Errorf("the fast path refuses testdata/requests/getproduct-full.json")
	}
	for _, s := range []string{
		`{"erpproductkey":"a"}`, `{"ErpProductKey":"a","ErpProductKey":"b"}`, "{\"ErpProductKey\":\"\xff\"}",
		`{"ErpProductKey":"\ud800"}`, `{"Context":{"CRMQuote":{"QuoteId":-2147483648}}}`, `{"ConfigValues":{"a":null}}`,
		`{"Context":{"CRMQuote":{"QuoteId":1}},"Context":{"CRMSale":{"SaleId":2}}}`, `{"Context":null}`,
	} {
		if !checkFastUnmarshal(t, getProduct, []byte(s)) {
			t.Errorf("GetProduct %q: the fast path refuses a body encoding/json decodes", s)
		}
	}
}

// TestFullGetProductMatchesTheContract validates the 10.7 kB GetProduct request of
// testdata/requests (the load benchmark's larger body) against the contract, and checks
// that it carries what it is meant to: about twenty ConfigValues, CultureDataFormatter
// values among them, and a context with every party and five quote lines.
func TestFullGetProductMatchesTheContract(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "testdata", "requests", "getproduct-full.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	if err := validateRequest(t, doc, "GetProduct", body); err != nil {
		t.Errorf("the request does not match the contract:\n%v", err)
	}
	var req connector.GetProductRequest
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	encoded := 0
	for _, v := range req.ConfigValues {
		if strings.HasPrefix(v, "[") {
			encoded++
		}
	}
	c := req.Context
	switch {
	case len(body) < 9000 || len(body) > 12000:
		t.Errorf("%d bytes, want about 10 kB", len(body))
	case len(req.ConfigValues) < 18 || encoded < 8:
		t.Errorf("%d ConfigValues, %d CultureDataFormatter-encoded; want about 20 and several", len(req.ConfigValues), encoded)
	case c == nil || c.CRMAssociate == nil || c.CRMCompany == nil || c.CRMPerson == nil || c.CRMProject == nil || c.CRMSale == nil:
		t.Errorf("the context lacks a party: %+v", c)
	case c.CRMAlternativeWithLines == nil || len(c.CRMAlternativeWithLines.CRMQuoteLines) != 5:
		t.Errorf("the context has no alternative with five lines")
	case req.ErpProductKey == "":
		t.Errorf("no product key")
	}
}
