package connector_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
)

// contractOperations returns the contract's quote operations (every POST path but the
// token endpoints and the admin API) by name.
func contractOperations(t *testing.T) map[string]*openapi3.Operation {
	t.Helper()
	doc, err := openapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		if item.Post == nil || path == "/Authenticate" || path == "/oauth/access_token" || strings.HasPrefix(path, "/admin/") {
			continue
		}
		ops[strings.TrimPrefix(path, "/")] = item.Post
	}
	return ops
}

// TestTableMatchesContract holds the REST rows of the operation table (all but the
// SOAP-only ones) against the contract in both directions: the same operations, the same
// request carriers, the same optional bodies, an answer body exactly where the row has a
// result, and null allowed exactly where the row lets a nil result through.
func TestTableMatchesContract(t *testing.T) {
	contract := contractOperations(t)
	var table []connector.Operation
	for _, op := range connector.Operations() {
		if op.SOAPOnly {
			if _, ok := contract[op.Name]; ok {
				t.Errorf("%s is SOAP-only but has a path in the contract", op.Name)
			}
			continue
		}
		table = append(table, op)
	}
	if len(table) != 27 {
		t.Errorf("%d REST rows, want 27", len(table))
	}
	for _, op := range table {
		post, ok := contract[op.Name]
		if !ok {
			t.Errorf("%s is in the table but not in the contract", op.Name)
			continue
		}
		t.Run(op.Name, func(t *testing.T) {
			body := post.RequestBody.Value
			schema := body.Content.Get("application/json").Schema
			if name := carrierName(schema); name != op.Request.Name() {
				t.Errorf("request carrier: contract %s, table %s", name, op.Request.Name())
			}
			if body.Required == op.OptionalBody {
				t.Errorf("contract says body required %v, table says optional %v", body.Required, op.OptionalBody)
			}
			ok := post.Responses.Status(200).Value
			media := ok.Content.Get("application/json")
			if (media == nil) != (op.Result == nil) {
				t.Fatalf("contract answers a body %v, table has a result type %v", media != nil, op.Result)
			}
			if media == nil {
				return
			}
			if nullable := media.Schema.Value.Nullable; nullable != (op.Nil != connector.NilRefused) {
				t.Errorf("contract nullable %v, table says a nil result means %d", nullable, op.Nil)
			}
		})
	}
	for name := range contract {
		if op, ok := connector.Lookup(name); !ok || op.SOAPOnly {
			t.Errorf("%s is in the contract but not among the table's REST rows", name)
		}
	}
	if len(table) != len(contract) {
		t.Errorf("table %d operations, contract %d", len(table), len(contract))
	}
}

// carrierName names the Go type generated for a schema reference: the referenced
// schema's own name, or for a schema that is only allOf one other (an alias) that one's.
func carrierName(s *openapi3.SchemaRef) string {
	if v := s.Value; len(v.AllOf) == 1 && len(v.Properties) == 0 {
		return carrierName(v.AllOf[0])
	}
	return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
}

// TestTableMatchesInterface: every method of Connector has a row and every row a method,
// with the row's request and result types.
func TestTableMatchesInterface(t *testing.T) {
	iface := reflect.TypeFor[connector.Connector]()
	var methods []string
	for m := range iface.Methods() {
		if !m.IsExported() {
			continue
		}
		methods = append(methods, m.Name)
		op, ok := connector.Lookup(m.Name)
		if !ok {
			t.Errorf("Connector.%s has no row in the operation table", m.Name)
			continue
		}
		if in := m.Type.In(1); in != reflect.PointerTo(op.Request) {
			t.Errorf("%s takes %v, the row says *%v", m.Name, in, op.Request)
		}
		if m.Type.NumOut() == 2 && m.Type.Out(0) != op.Result {
			t.Errorf("%s answers %v, the row says %v", m.Name, m.Type.Out(0), op.Result)
		}
		if m.Type.NumOut() == 1 && op.Result != nil {
			t.Errorf("%s answers nothing, the row says %v", m.Name, op.Result)
		}
	}
	for _, op := range connector.Operations() {
		if !slices.Contains(methods, op.Name) {
			t.Errorf("row %s has no method on Connector", op.Name)
		}
	}
}

// TestUnsupportedAnswersEveryOperation: every row called on Unsupported answers
// ErrUnsupported, naming the operation, but for the three rows with a default
// (GetCapabilities: the all-false map; CanProvideCapability: false;
// GetNumberOfActivePriceLists: 0).
func TestUnsupportedAnswersEveryOperation(t *testing.T) {
	for _, op := range connector.Operations() {
		res, err := op.Call(context.Background(), connector.Unsupported{}, op.NewRequest())
		switch op.Name {
		case "GetCapabilities":
			if err != nil || len(res.(map[string]bool)) == 0 {
				t.Errorf("GetCapabilities: %v, %v", res, err)
			}
			continue
		case "CanProvideCapability":
			if b, ok := res.(bool); err != nil || !ok || b {
				t.Errorf("CanProvideCapability: %#v, %v", res, err)
			}
			continue
		case "GetNumberOfActivePriceLists":
			if err != nil || res != int32(0) {
				t.Errorf("GetNumberOfActivePriceLists: %#v, %v", res, err)
			}
			continue
		}
		if !errors.Is(err, connector.ErrUnsupported) || !strings.HasPrefix(err.Error(), op.Name+":") {
			t.Errorf("%s: %v", op.Name, err)
		}
	}
}

func TestIsNil(t *testing.T) {
	tests := []struct {
		op   string
		res  any
		want bool
	}{
		{"GetProduct", (*connector.ProductInfo)(nil), true},
		{"GetProduct", &connector.ProductInfo{}, false},
		{"FindProduct", []connector.ProductInfo(nil), true},
		{"FindProduct", []connector.ProductInfo{}, false},
		{"GetConfigurationFields", map[string]connector.FieldMetadataInfo(nil), true},
		{"GetProductImage", "", true},
		{"GetProductImage", "https://erp.example.com/p.png", false},
		{"GetNumberOfProductImages", int32(0), false},
	}
	for _, tt := range tests {
		if got := connector.MustLookup(tt.op).IsNil(tt.res); got != tt.want {
			t.Errorf("%s: IsNil(%#v) = %v, want %v", tt.op, tt.res, got, tt.want)
		}
	}
}
