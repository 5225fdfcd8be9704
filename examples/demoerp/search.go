package demoerp

import (
	"context"
	"slices"
	"strings"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
)

// fieldKind says how a searchable field compares and which operators it takes.
type fieldKind int

const (
	textField   fieldKind = iota // case-insensitive: = != begins contains in
	keyField                     // list keys, exact: = != in
	numberField                  // = != < > <= >= between in
	boolField                    // = !=
)

var operators = map[fieldKind][]string{
	textField:   {"=", "!=", "begins", "contains", "in"},
	keyField:    {"=", "!=", "in"},
	numberField: {"=", "!=", "<", ">", "<=", ">=", "between", "in"},
	boolField:   {"=", "!="},
}

// searchField is a field of the advanced search and the SQL expression it reads.
type searchField struct {
	connector.FieldMetadataInfo
	kind   fieldKind
	column string
}

// erpPricelistKey is the field through which SuperOffice may limit a search to the
// quote's price list.
const erpPricelistKey = "erpPricelistKey"

var searchFields = []searchField{
	{connector.FieldMetadataInfo{FieldKey: "code", FieldType: connector.FieldMetadataTypeInfoText,
		DisplayName: connector.ML("US", "Product code", "NO", "Produktkode")}, textField, "lower(i.code)"},
	{connector.FieldMetadataInfo{FieldKey: "name", FieldType: connector.FieldMetadataTypeInfoText,
		DisplayName: connector.ML("US", "Name", "NO", "Navn")}, textField, "i.name_fold"},
	{connector.FieldMetadataInfo{FieldKey: "description", FieldType: connector.FieldMetadataTypeInfoText,
		DisplayName: connector.ML("US", "Description", "NO", "Beskrivelse")}, textField, "i.description_fold"},
	{connector.FieldMetadataInfo{FieldKey: "category", FieldType: connector.FieldMetadataTypeInfoList, ListName: "ProductCategory",
		DisplayName: connector.ML("US", "Category", "NO", "Kategori")}, keyField, "i.category"},
	{connector.FieldMetadataInfo{FieldKey: "family", FieldType: connector.FieldMetadataTypeInfoList, ListName: "ProductFamily",
		DisplayName: connector.ML("US", "Product family", "NO", "Produktfamilie")}, keyField, "i.family"},
	{connector.FieldMetadataInfo{FieldKey: "type", FieldType: connector.FieldMetadataTypeInfoList, ListName: "ProductType",
		DisplayName: connector.ML("US", "Product type", "NO", "Produkttype")}, keyField, "i.type"},
	{connector.FieldMetadataInfo{FieldKey: "listPrice", FieldType: connector.FieldMetadataTypeInfoDouble,
		DisplayName: connector.ML("US", "List price", "NO", "Listepris")}, numberField, "p.list_price"},
	{connector.FieldMetadataInfo{FieldKey: "inStock", FieldType: connector.FieldMetadataTypeInfoDouble,
		DisplayName: connector.ML("US", "In stock", "NO", "På lager")}, numberField, "i.stock"},
	{connector.FieldMetadataInfo{FieldKey: "vat", FieldType: connector.FieldMetadataTypeInfoDouble,
		DisplayName: connector.ML("US", "VAT %", "NO", "MVA %")}, numberField, "i.vat"},
	{connector.FieldMetadataInfo{FieldKey: "inAssortment", FieldType: connector.FieldMetadataTypeInfoCheckbox,
		DisplayName: connector.ML("US", "In assortment", "NO", "I sortimentet")}, boolField, "i.in_assortment"},
	{connector.FieldMetadataInfo{FieldKey: erpPricelistKey, FieldType: connector.FieldMetadataTypeInfoList, ListName: priceListsList,
		DisplayName: connector.ML("US", "Price list", "NO", "Prisliste")}, keyField, "p.price_list"},
}

// GetSearchableFields returns the fields of the advanced product search.
func (e *ERP) GetSearchableFields(ctx context.Context, _ *connector.GetSearchableFieldsRequest) ([]connector.FieldMetadataInfo, error) {
	if err := e.enter(ctx, "GetSearchableFields"); err != nil {
		return nil, err
	}
	out := make([]connector.FieldMetadataInfo, len(searchFields))
	for i, f := range searchFields {
		out[i] = f.FieldMetadataInfo
		out[i].Rank = int32(i + 1)
	}
	return out, nil
}

// GetSearchResults returns the products that match every restriction, at most
// MaxResults. Operators are =, !=, <, >, <=, >=, between (two values), in (one or more),
// begins and contains, as each field allows; "%" in the value of begins and contains is
// a wildcard. Numbers and check boxes may come CultureDataFormatter-encoded ([F:12.5],
// [I:1]) or plain. Without a restriction on erpPricelistKey the search covers the price
// lists active now; without one on inAssortment it leaves discontinued items out. An
// unknown field, an operator the field does not take or a value that does not fit is an
// Invalid error.
func (e *ERP) GetSearchResults(ctx context.Context, req *connector.GetSearchResultsRequest) ([]connector.ProductInfo, error) {
	if err := e.enter(ctx, "GetSearchResults"); err != nil {
		return nil, err
	}
	var f filter
	var priceList, assortment bool
	for _, r := range req.Restrictions {
		field, ok := lookupField(r.FieldKey)
		if !ok {
			return nil, connector.Invalid("unknown search field %q", r.FieldKey)
		}
		if err := field.restrict(&f, r); err != nil {
			return nil, err
		}
		priceList = priceList || field.FieldKey == erpPricelistKey
		assortment = assortment || field.FieldKey == "inAssortment"
	}
	if !priceList {
		now := validityStamp(e.now())
		f.add("l.active = 1 AND l.valid_from <= ? AND l.valid_to >= ?", now, now)
	}
	if !assortment {
		f.add("i.in_assortment = 1")
	}
	ps, err := e.products(ctx, f, MaxResults)
	if err != nil {
		return nil, err
	}
	hits := make([]connector.ProductInfo, len(ps))
	for i := range ps {
		hits[i] = e.info(&ps[i])
	}
	return hits, nil
}

func lookupField(key string) (searchField, bool) {
	for _, f := range searchFields {
		if strings.EqualFold(f.FieldKey, key) {
			return f, true
		}
	}
	return searchField{}, false
}

// restrict adds the condition of r to f.
func (sf searchField) restrict(f *filter, r connector.SearchRestrictionInfo) error {
	op := strings.ToLower(strings.TrimSpace(r.Operator))
	if !slices.Contains(operators[sf.kind], op) {
		return connector.Invalid("search field %s does not take the operator %q", sf.FieldKey, r.Operator)
	}
	raw := r.Values
	if len(raw) == 0 && r.ScalarValue != "" {
		raw = []string{r.ScalarValue}
	}
	want := 1
	if op == "between" {
		want = 2
	}
	if len(raw) < want || (op == "between" && len(raw) != 2) {
		return connector.Invalid("search on %s with %q needs %d value(s), not %d", sf.FieldKey, r.Operator, want, len(raw))
	}
	values := make([]any, len(raw))
	for i, s := range raw {
		v, err := sf.value(s, op)
		if err != nil {
			return err
		}
		values[i] = v
	}
	switch op {
	case "between":
		f.add(sf.column+" BETWEEN ? AND ?", values...)
	case "in":
		f.add(sf.column+" IN (?"+strings.Repeat(", ?", len(values)-1)+")", values...)
	case "begins", "contains":
		f.add(sf.column+` LIKE ? ESCAPE '\'`, values[0])
	default:
		f.add(sf.column+" "+op+" ?", values[0])
	}
	return nil
}

// value converts one restriction value for the field's column.
func (sf searchField) value(s, op string) (any, error) {
	switch sf.kind {
	case textField:
		s = fold(s)
		switch op {
		case "begins":
			return likeWildcards(s) + "%", nil
		case "contains":
			return "%" + likeWildcards(s) + "%", nil
		}
		return s, nil
	case numberField:
		v, err := culture.Decode(s)
		if err == nil && v.Kind == culture.String {
			v = culture.Value{Kind: culture.Float, Raw: strings.TrimSpace(s)}
		}
		if err == nil {
			var n float64
			if n, err = v.Float(); err == nil {
				return n, nil
			}
		}
		return nil, connector.Invalid("search on %s: %q is not a number", sf.FieldKey, s)
	case boolField:
		v, err := culture.Decode(s)
		if err == nil {
			var b bool
			if b, err = v.Bool(); err == nil {
				return b, nil
			}
		}
		return nil, connector.Invalid("search on %s: %q is not a check box value", sf.FieldKey, s)
	}
	return s, nil
}

// likeWildcards keeps "%" as the wildcard it is in SuperOffice's begins and contains
// values and makes every other LIKE character literal.
func likeWildcards(s string) string {
	return strings.NewReplacer(`\`, `\\`, `_`, `\_`).Replace(s)
}
