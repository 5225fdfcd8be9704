package demoerp_test

import (
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

func TestGetSearchableFields(t *testing.T) {
	erp, _ := open(t)
	fields, err := erp.GetSearchableFields(bg, &connector.GetSearchableFieldsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, f := range fields {
		keys[f.FieldKey] = true
		wantML(t, f.FieldKey+" DisplayName", f.DisplayName)
		if f.FieldType == connector.FieldMetadataTypeInfoList {
			items, err := erp.GetQuoteList(bg, &connector.GetQuoteListRequest{QuoteListType: f.ListName})
			if err != nil || len(items) == 0 {
				t.Errorf("field %s: list %q = %v, %v", f.FieldKey, f.ListName, items, err)
			}
		}
	}
	for _, k := range []string{"code", "name", "listPrice", "category", "erpPricelistKey"} {
		if !keys[k] {
			t.Errorf("no searchable field %s", k)
		}
	}
}

func r(field, op string, values ...string) connector.SearchRestrictionInfo {
	return connector.SearchRestrictionInfo{FieldKey: field, Operator: op, Values: values}
}

func TestGetSearchResults(t *testing.T) {
	erp, _ := open(t)
	nok := r("erpPricelistKey", "=", "NOK-STD")
	tests := []struct {
		name  string
		rs    []connector.SearchRestrictionInfo
		want  int // -1: at least one
		check func(connector.ProductInfo) bool
	}{
		{"code begins", []connector.SearchRestrictionInfo{nok, r("code", "begins", "cp-")}, 12,
			func(p connector.ProductInfo) bool { return strings.HasPrefix(p.Code, "CP-") }},
		{"name contains, with a wildcard", []connector.SearchRestrictionInfo{nok, r("name", "contains", "hex%zinc")}, 42,
			func(p connector.ProductInfo) bool {
				return strings.Contains(p.Name, "Hex") && strings.Contains(p.Name, "zinc")
			}},
		{"name equals, any case", []connector.SearchRestrictionInfo{nok, r("name", "=", "SAFETY HELMET SH YELLOW")}, 1,
			func(p connector.ProductInfo) bool { return p.Code == "SH-YE" }},
		{"underscore is not a wildcard", []connector.SearchRestrictionInfo{nok, r("code", "contains", "m_x")}, 0, nil},
		{"category in", []connector.SearchRestrictionInfo{nok, r("category", "in", "PUMP", "COMP")}, -1,
			func(p connector.ProductInfo) bool {
				return p.ProductCategoryKey == "PUMP" || p.ProductCategoryKey == "COMP"
			}},
		{"category not", []connector.SearchRestrictionInfo{nok, r("category", "!=", "FAST"), r("category", "!=", "PPE")}, -1,
			func(p connector.ProductInfo) bool {
				return p.ProductCategoryKey != "FAST" && p.ProductCategoryKey != "PPE"
			}},
		{"price between, encoded", []connector.SearchRestrictionInfo{nok, r("listPrice", "between", "[F:1000]", "[M:2000]")}, -1,
			func(p connector.ProductInfo) bool { return p.UnitListPrice >= 1000 && p.UnitListPrice <= 2000 }},
		{"price below, plain", []connector.SearchRestrictionInfo{nok, r("listPrice", "<", "50")}, -1,
			func(p connector.ProductInfo) bool { return p.UnitListPrice < 50 }},
		{"price at least, scalar value", []connector.SearchRestrictionInfo{nok,
			{FieldKey: "listPrice", Operator: ">=", ScalarValue: "[I:100000]"}}, -1,
			func(p connector.ProductInfo) bool { return p.UnitListPrice >= 100000 }},
		{"sold out", []connector.SearchRestrictionInfo{nok, r("inStock", "<", "[I:0]")}, -1,
			func(p connector.ProductInfo) bool { return p.InStock < 0 }},
		{"plenty in stock, VAT 15", []connector.SearchRestrictionInfo{nok, r("inStock", ">", "10"), r("vat", "=", "[F:15]")}, -1,
			func(p connector.ProductInfo) bool { return p.InStock > 10 && p.VAT == 15 }},
		{"family and type", []connector.SearchRestrictionInfo{nok, r("family", "=", "CP"), r("type", "=", "SPARE")}, 6,
			func(p connector.ProductInfo) bool { return strings.HasPrefix(p.Code, "SK-CP") }},
		{"discontinued on request", []connector.SearchRestrictionInfo{nok, r("inAssortment", "=", "[I:0]")}, 5,
			func(p connector.ProductInfo) bool { return !p.InAssortment }},
		{"discontinued hidden by default", []connector.SearchRestrictionInfo{nok, r("code", "begins", "SC1")}, 0, nil},
		{"another price list", []connector.SearchRestrictionInfo{r("erpPricelistKey", "=", "USD-EXPORT"), r("code", "begins", "SD")}, 5,
			func(p connector.ProductInfo) bool { return p.ERPPriceListKey == "USD-EXPORT" }},
		{"no price list: the active ones", []connector.SearchRestrictionInfo{r("code", "=", "cp-32-gg")}, 4,
			func(p connector.ProductInfo) bool { return p.ERPPriceListKey != "NOK-2024" }},
		{"operators in any case", []connector.SearchRestrictionInfo{nok, r("code", "BEGINS", "wsc")}, 12, nil},
		{"no restriction: capped", nil, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := erp.GetSearchResults(bg, &connector.GetSearchResultsRequest{Restrictions: tt.rs})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want >= 0 && len(hits) != tt.want || tt.want < 0 && len(hits) == 0 {
				t.Fatalf("got %d hits, want %d", len(hits), tt.want)
			}
			for _, h := range hits {
				if h.ERPProductKey == "" {
					t.Errorf("%s has no key", h.Code)
				}
				if tt.check != nil && !tt.check(h) {
					t.Errorf("%s (%s, %v) does not match", h.Code, h.Name, h.UnitListPrice)
				}
			}
		})
	}
}

func TestGetSearchResultsInvalid(t *testing.T) {
	erp, _ := open(t)
	for name, rs := range map[string][]connector.SearchRestrictionInfo{
		"unknown field":                    {r("colour", "=", "red")},
		"unknown operator":                 {r("code", "~", "CP")},
		"operator the field does not take": {r("code", "<", "CP")},
		"between with one value":           {r("listPrice", "between", "10")},
		"between with three values":        {r("listPrice", "between", "1", "2", "3")},
		"no value":                         {r("code", "=")},
		"not a number":                     {r("listPrice", ">", "cheap")},
		"not a check box":                  {r("inAssortment", "=", "perhaps")},
	} {
		_, err := erp.GetSearchResults(bg, &connector.GetSearchResultsRequest{Restrictions: rs})
		t.Run(name, func(t *testing.T) { wantInvalid(t, err) })
	}
}
