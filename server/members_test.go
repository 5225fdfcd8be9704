package server_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
)

// readGolden splits testdata/golden/responses/<op>.http into its Content-Type and body.
func readGolden(t *testing.T, op string) (contentType string, body []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "responses", op+".http"))
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := bytes.Cut(raw, []byte("\n\n"))
	if bytes.HasPrefix(raw, []byte("\n")) {
		head, body, ok = nil, raw[1:], true
	}
	if !ok {
		t.Fatalf("%s.http has no empty line after its header", op)
	}
	ct, _ := strings.CutPrefix(string(head), "Content-Type: ")
	return ct, body
}

// TestGoldenAnswersCarryEveryMember walks every golden answer against the contract: each
// object carries every member its schema defines, zero values and nulls written out, as
// .NET writes a data contract. Together the goldens must walk every carrier an answer
// can hold, so no carrier escapes the check by being null in all of them.
func TestGoldenAnswersCarryEveryMember(t *testing.T) {
	walked := map[string]int{}
	ops := 0
	for _, op := range connector.Operations() {
		if op.SOAPOnly {
			continue
		}
		ops++
		ct, body := readGolden(t, op.Name)
		report, err := openapi.CheckMembers("/"+op.Name, http.StatusOK, ct, body)
		if err != nil {
			t.Errorf("%s: %v", op.Name, err)
			continue
		}
		if len(report.Missing) > 0 {
			t.Errorf("%s leaves out %d member(s): %s", op.Name, len(report.Missing), strings.Join(report.Missing, ", "))
		}
		for name, n := range report.Schemas {
			walked[name] += n
		}
	}
	if ops != 27 {
		t.Fatalf("%d REST operations, want 27", ops)
	}
	var unwalked []string
	for _, name := range answerCarriers(t) {
		if walked[name] == 0 {
			unwalked = append(unwalked, name)
		}
	}
	if len(unwalked) > 0 {
		t.Errorf("no golden answer holds a %s: the member check never saw one", strings.Join(unwalked, ", "))
	}
}

// answerCarriers lists the object schemas with members that a 200 answer of a REST
// operation can hold, by component name.
func answerCarriers(t *testing.T) []string {
	t.Helper()
	doc, err := openapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*openapi3.Schema]bool{}
	names := map[string]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		seen[ref.Value] = true
		s := ref.Value
		if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok && hasMembers(s) {
			names[name] = true
		}
		for _, p := range s.Properties {
			visit(p)
		}
		for _, sub := range s.AllOf {
			visit(sub)
		}
		visit(s.Items)
		visit(s.AdditionalProperties.Schema)
	}
	for _, op := range connector.Operations() {
		if op.SOAPOnly {
			continue
		}
		resp := doc.Paths.Find("/" + op.Name).Post.Responses.Status(http.StatusOK)
		if media := resp.Value.Content.Get("application/json"); media != nil {
			visit(media.Schema)
		}
	}
	list := make([]string, 0, len(names))
	for name := range names {
		list = append(list, name)
	}
	sort.Strings(list)
	if len(list) < 15 {
		t.Fatalf("only %d answer carriers found in the contract: %v", len(list), list)
	}
	return list
}

// hasMembers tells whether s defines properties, itself or through allOf.
func hasMembers(s *openapi3.Schema) bool {
	if len(s.Properties) > 0 {
		return true
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil && hasMembers(sub.Value) {
			return true
		}
	}
	return false
}
