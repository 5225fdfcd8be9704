package soap

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/soap/schema"
)

// restOnly lists the Go fields of the carriers that the SOAP contract does not carry.
var restOnly = map[string][]string{
	"PluginResponseInfo":           {"IsOk"},
	"QuoteAlternativeResponseInfo": {"IsOk"},
	"QuoteVersionResponseInfo":     {"IsOk"},
	"QuoteResponseInfo":            {"IsOk"},
	"OrderResponseInfo":            {"IsOk"},
	"PlaceOrderResponseInfo":       {"IsOk"},
	"ContactInfo":                  {"SupportPersonId", "SupportPersonName"},
	"PersonInfo":                   {"PreferredLanguageId", "Retired", "ServiceContactId", "ServiceContactName", "ServicePriority"},
	"ProjectInfo":                  {"HasGuide", "InfoText", "NextMileStoneAppointmentId", "NextMilestoneDate", "ProjectEndDate"},
	"SaleInfo": {"AssociateId", "Cost", "CreatedAssociate", "Earning", "EarningPercent", "HasGuide", "HasStakeHolders",
		"PublishActiveDate", "Registered", "SaleText", "Source"},
	"SearchRestrictionInfo": {"ScalarValue"},
	"UserInfo":              {"CustomFields", "Ticket", "UserName"},
}

// TestBinding walks every wrapper, header and contract of the schema: every member must
// bind to a Go field of the right kind (newCodec fails otherwise), every wrapper must be an
// operation of the table, and every Go field of every carrier reachable from the table must
// bind or be listed in restOnly.
func TestBinding(t *testing.T) {
	c, err := newCodec(schema.FS, connector.Operations())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.wrappers) != 32 {
		t.Errorf("the schema has %d request wrappers; want 32", len(c.wrappers))
	}
	var missing []string
	for _, w := range c.wrappers {
		if c.ops[w.local] == nil {
			missing = append(missing, w.local)
		}
	}
	if len(missing) > 0 {
		t.Errorf("wrappers of the schema without a row in connector.Operations(): %s", strings.Join(missing, ", "))
	}
	if len(c.header.fields) != 6 || len(c.header.unbound) != 0 {
		t.Errorf("headers: %d bound, unbound Go fields %v", len(c.header.fields), c.header.unbound)
	}
	// Every plan reachable from the operations.
	seen := map[*plan]bool{}
	var walk func(p *plan)
	walkField := func(f *field) {
		if f.elem != nil {
			walk(f.elem)
		}
		if f.dict != nil && f.dict.val.elem != nil {
			walk(f.dict.val.elem)
		}
	}
	walk = func(p *plan) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, f := range p.fields {
			if !f.carried {
				t.Errorf("%s/%s: not carried", p.name, f.name)
			}
			walkField(f)
		}
	}
	for _, o := range c.ops {
		walk(o.parts)
		if len(o.parts.unbound) > 0 {
			t.Errorf("%s: request fields no part binds to: %v", o.op.Name, o.parts.unbound)
		}
		if o.result != nil {
			walkField(o.result)
		}
	}
	walk(c.header)
	byType := map[string][]string{}
	for p := range seen {
		if p != c.header && c.ops[p.name] == nil {
			byType[p.typ.Name()] = p.unbound
		}
	}
	for name, unbound := range byType {
		want := restOnly[name]
		got := slices.Clone(unbound)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: Go fields without a member are %v; the REST-only list says %v", name, got, want)
		}
	}
	for name := range restOnly {
		if _, ok := byType[name]; !ok {
			t.Errorf("REST-only list names %s, which no operation reaches", name)
		}
	}
	// Members in schema order: spot checks against the reference order.
	pi := c.plans[planKey{qn{NS, "ProductInfo"}, reflect.TypeFor[connector.ProductInfo]()}]
	if pi == nil || pi.fields[0].name != "ERPProductKey" || pi.fields[len(pi.fields)-1].name != "DefaultSubscriptionQuantity" || len(pi.fields) != 34 {
		t.Errorf("ProductInfo plan is not base members first, then own (34 members)")
	}
}

// TestBindingFailsLoudly checks that a member without a Go field stops the build.
func TestBindingFailsLoudly(t *testing.T) {
	s, err := loadSchema(schema.FS)
	if err != nil {
		t.Fatal(err)
	}
	qi := s.types[qn{NS, "QuoteInfo"}]
	qi.members = append(qi.members, xsdMember{name: qn{NS, "NoSuchMember"}, typ: qn{xsNS, "string"}, nillable: true})
	c := build(s, connector.Operations())
	if len(c.errs) == 0 || !strings.Contains(strings.Join(c.errs, "\n"), "QuoteInfo/NoSuchMember: no Go field") {
		t.Fatalf("errors %q; want one naming QuoteInfo/NoSuchMember", c.errs)
	}
}
