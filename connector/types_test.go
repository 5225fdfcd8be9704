package connector_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// serverOnly are generated types partners never handle: the token endpoints' documents
// and the problem body. The admin API's types (Admin…) are not a connector's either.
var serverOnly = map[string]bool{
	"AccessTokenResponse": true, "AccessTokenResponseTokenType": true, "AuthenticateRequest": true,
	"ClientCredentialsRequest": true, "ClientCredentialsRequestGrantType": true,
	"Problem": true, "TokenError": true, "TokenErrorError": true, "RequestEnvelope": true,
}

// TestEveryCarrierHasAName guards the promise that partner code never needs the
// generated package: every carrier and enum the contract defines is surfaced in types.go.
func TestEveryCarrierHasAName(t *testing.T) {
	models := filepath.Join("..", "openapi", "model", "models.gen.go")
	defined := declaredTypes(t, models, false)
	defined["DateTime"] = true // hand-written in openapi/model, surfaced too
	surfaced := declaredTypes(t, "types.go", true)
	for name := range defined {
		if !serverOnly[name] && !strings.HasPrefix(name, "Admin") && !surfaced[name] {
			t.Errorf("model.%s has no alias in connector/types.go", name)
		}
	}
	generatedAliases := declaredTypes(t, models, true)
	for name := range surfaced {
		if !defined[name] && !generatedAliases[name] {
			t.Errorf("connector.%s aliases nothing the contract defines", name)
		}
	}
}

// declaredTypes lists the type names a file declares: aliases when aliases is true,
// defined (non-alias) types otherwise.
func declaredTypes(t *testing.T, path string, aliases bool) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.TYPE {
			continue
		}
		for _, spec := range gen.Specs {
			ts := spec.(*ast.TypeSpec)
			if ts.Name.IsExported() && ts.Assign.IsValid() == aliases {
				names[ts.Name.Name] = true
			}
		}
	}
	return names
}
