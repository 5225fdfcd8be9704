package demoerp

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/quotekit/quotekit/connector"
)

// MaxResults caps the products FindProduct and GetSearchResults return. SuperOffice
// shows the hits in a drop-down, so more would not help the user.
const MaxResults = 200

// An ERP item has one price in each price list that carries it, and SuperOffice wants a
// product to belong to exactly one price list. A product key is therefore the item code
// and the price list key joined by "@", e.g. "CP-50-SS@NOK-STD", as SuperOffice suggests
// for ERPs with several prices per item.
const keySeparator = "@"

func productKey(item, priceList string) string { return item + keySeparator + priceList }

// parseKey splits a product key; ok is false for a key this ERP cannot have made.
func parseKey(key string) (item, priceList string, ok bool) {
	item, priceList, ok = strings.Cut(key, keySeparator)
	return item, priceList, ok && item != "" && priceList != ""
}

// product is an item priced in one price list, in the list's currency.
type product struct {
	code, name, description string
	category, family, kind  string
	quantityUnit, priceUnit string
	vat                     float64
	stock                   sql.NullFloat64 // not valid: not kept in stock
	inAssortment            bool
	subscriptionUnit        string
	subscriptionQuantity    float64
	supplier, supplierCode  string
	itemNumber              string
	image                   sql.NullString
	weight                  float64
	warranty                int
	origin, ean             string
	priceList, currency     string
	listPrice, minimumPrice float64
	cost                    float64
}

func (p *product) key() string { return productKey(p.code, p.priceList) }

// stocked reports whether the item is kept in stock, so that stock can run short.
func (p *product) stocked() bool { return p.stock.Valid }

// productSelect reads products; its columns match (*product).scan. The cost is kept in
// NOK and converted into the price list's currency.
const productSelect = `
	SELECT i.code, i.name, i.description, i.category, i.family, i.type,
		i.quantity_unit, i.price_unit, i.vat, i.stock, i.in_assortment,
		i.subscription_unit, i.subscription_qty, i.supplier, i.supplier_code, i.item_number,
		i.image, i.weight_kg, i.warranty_months, i.origin, i.ean,
		p.price_list, l.currency, p.list_price, p.minimum_price, round(i.cost / c.rate, 2)
	FROM prices p
	JOIN items i ON i.code = p.item
	JOIN price_lists l ON l.key = p.price_list
	JOIN currencies c ON c.code = l.currency`

func (p *product) scan(rows *sql.Rows) error {
	return rows.Scan(&p.code, &p.name, &p.description, &p.category, &p.family, &p.kind,
		&p.quantityUnit, &p.priceUnit, &p.vat, &p.stock, &p.inAssortment,
		&p.subscriptionUnit, &p.subscriptionQuantity, &p.supplier, &p.supplierCode, &p.itemNumber,
		&p.image, &p.weight, &p.warranty, &p.origin, &p.ean,
		&p.priceList, &p.currency, &p.listPrice, &p.minimumPrice, &p.cost)
}

// filter collects the conditions of a WHERE clause and their arguments. Conditions
// compare with CAST(? AS TEXT), not a bare ?: in a join SQLite's planner looks at the
// values bound to compared parameters and marks the statement to be compiled again when
// they change, which with go-sqlite3 is every run; the CAST hides the value from the
// planner without changing the comparison or the index used (server/sqlite does the same,
// see "Parameters in joins" there).
type filter struct {
	conds []string
	args  []any
}

func (f *filter) add(cond string, args ...any) {
	f.conds = append(f.conds, cond)
	f.args = append(f.args, args...)
}

// products returns the products matching f, ordered by item code and price list, at
// most limit of them.
func (e *ERP) products(ctx context.Context, f filter, limit int) ([]product, error) {
	q := productSelect
	if len(f.conds) > 0 {
		q += "\n\tWHERE " + strings.Join(f.conds, "\n\tAND ")
	}
	// The limit is written into the text, not bound: a bound LIMIT makes SQLite compile
	// the statement again on every run, like the parameters the filter CASTs.
	q += "\n\tORDER BY i.code, p.price_list LIMIT " + strconv.Itoa(limit)
	rows, err := e.r.QueryContext(ctx, q, f.args...)
	if err != nil {
		return nil, fmt.Errorf("demoerp: products: %w", err)
	}
	defer rows.Close()
	var ps []product
	for rows.Next() {
		var p product
		if err := p.scan(rows); err != nil {
			return nil, fmt.Errorf("demoerp: products: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demoerp: products: %w", err)
	}
	return ps, nil
}

// product returns the product with the given key, or an Invalid error naming the key.
func (e *ERP) product(ctx context.Context, key string) (*product, error) {
	item, priceList, ok := parseKey(key)
	if !ok {
		return nil, connector.Invalid("unknown product %q: a product key is an item code and a price list, as in CP-50-SS@NOK-STD", key)
	}
	var f filter
	f.add("i.code = CAST(? AS TEXT)", item)
	f.add("p.price_list = CAST(? AS TEXT)", priceList)
	ps, err := e.products(ctx, f, 1)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, connector.Invalid("unknown product %q", key)
	}
	return &ps[0], nil
}

// info turns a product into SuperOffice's carrier.
func (e *ERP) info(p *product) connector.ProductInfo {
	info := connector.ProductInfo{
		ERPProductKey:      p.key(),
		ERPPriceListKey:    p.priceList,
		Code:               p.code,
		Name:               p.name,
		Description:        p.description,
		ItemNumber:         p.itemNumber,
		ProductCategoryKey: p.category,
		ProductFamilyKey:   p.family,
		ProductTypeKey:     p.kind,
		QuantityUnit:       p.quantityUnit,
		PriceUnit:          p.priceUnit,
		Supplier:           p.supplier,
		SupplierCode:       p.supplierCode,
		VAT:                p.vat,
		VATInfo:            vatInfo(p.vat),
		UnitCost:           p.cost,
		UnitMinimumPrice:   p.minimumPrice,
		UnitListPrice:      p.listPrice,
		InStock:            p.stock.Float64,
		InAssortment:       p.inAssortment,
		ExtraField1:        p.ean,
		ExtraField2:        countries[p.origin],
		ExtraInfo:          extraInfo(p),
	}
	if p.subscriptionUnit != "" {
		info.IsSubscription = true
		info.SubscriptionUnit = p.subscriptionUnit
		info.DefaultSubscriptionQuantity = p.subscriptionQuantity
	}
	if p.image.Valid {
		info.Thumbnail = e.thumbs[p.image.String]
	}
	return info
}

func vatInfo(vat float64) string { return number(vat) + " %" }

// extraInfo lists the item's attributes SuperOffice shows under "more information".
func extraInfo(p *product) []connector.ProductExtraDataFieldInfo {
	var x []connector.ProductExtraDataFieldInfo
	add := func(name, value string) {
		x = append(x, connector.ProductExtraDataFieldInfo{Name: name, Type: connector.ExtraDataFieldTypeInfoString, Value: value})
	}
	if p.weight > 0 {
		add("Weight", number(p.weight)+" kg")
	}
	if p.warranty > 0 {
		add("Warranty", strconv.Itoa(p.warranty)+" months")
	}
	if c := countries[p.origin]; c != "" {
		add("Country of origin", c)
	}
	add("EAN", p.ean)
	return x
}

var countries = map[string]string{
	"CN": "China", "DE": "Germany", "GB": "United Kingdom", "IT": "Italy", "JP": "Japan",
	"NO": "Norway", "PK": "Pakistan", "PT": "Portugal", "SE": "Sweden", "TW": "Taiwan",
}

// number formats a quantity or price for a message: 12.5, 1490, 0.75.
func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// FindProduct searches the assortment: every word of the input must occur in the code,
// name or description (case-insensitively), and "%" alone lists everything. It searches
// the price list req.PriceListKey, or all active price lists in req.CurrencyCode (all
// currencies when empty), hides discontinued items, and returns at most MaxResults hits.
// Empty input returns nil. An unknown price list key is an Invalid error.
func (e *ERP) FindProduct(ctx context.Context, req *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	if err := e.enter(ctx, "FindProduct"); err != nil {
		return nil, err
	}
	input := strings.TrimSpace(req.UserInput)
	if input == "" {
		return nil, nil
	}
	var f filter
	f.add("i.in_assortment = 1")
	if err := e.priceListFilter(ctx, &f, req.PriceListKey, req.CurrencyCode); err != nil {
		return nil, err
	}
	if input != "%" {
		// A "%" or "_" inside the input is a character to find, not a wildcard: people
		// search for "40%" or a code with an underscore.
		for _, word := range strings.Fields(fold(input)) {
			f.add(`i.search LIKE CAST(? AS TEXT) ESCAPE '\'`, "%"+escapeLike(word)+"%")
		}
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

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string { return likeEscaper.Replace(s) }

// priceListFilter limits f to the price list key or, when it is empty, to the price
// lists active now in the currency (any currency when that is empty too).
func (e *ERP) priceListFilter(ctx context.Context, f *filter, key, currency string) error {
	if key != "" {
		var one int
		err := e.r.QueryRowContext(ctx, `SELECT 1 FROM price_lists WHERE key = ?`, key).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return connector.Invalid("unknown price list %q", key)
		}
		if err != nil {
			return fmt.Errorf("demoerp: price list: %w", err)
		}
		f.add("p.price_list = CAST(? AS TEXT)", key)
		return nil
	}
	now := validityStamp(e.now())
	f.add("l.active = 1 AND l.valid_from <= CAST(? AS TEXT) AND l.valid_to >= CAST(? AS TEXT)", now, now)
	if currency != "" {
		f.add("l.currency = CAST(? AS TEXT)", strings.ToUpper(currency))
	}
	return nil
}

// GetProduct returns the product with key req.ErpProductKey, discontinued or not. An
// unknown key is an Invalid error.
func (e *ERP) GetProduct(ctx context.Context, req *connector.GetProductRequest) (*connector.ProductInfo, error) {
	if err := e.enter(ctx, "GetProduct"); err != nil {
		return nil, err
	}
	p, err := e.product(ctx, req.ErpProductKey)
	if err != nil {
		return nil, err
	}
	info := e.info(p)
	return &info, nil
}

// GetProducts returns the products with the keys in req.ErpProductKeys, in that order.
// Any unknown key makes the whole call an Invalid error.
func (e *ERP) GetProducts(ctx context.Context, req *connector.GetProductsRequest) ([]connector.ProductInfo, error) {
	if err := e.enter(ctx, "GetProducts"); err != nil {
		return nil, err
	}
	out := make([]connector.ProductInfo, 0, len(req.ErpProductKeys))
	for _, key := range req.ErpProductKeys {
		p, err := e.product(ctx, key)
		if err != nil {
			return nil, err
		}
		out = append(out, e.info(p))
	}
	return out, nil
}

// GetQuoteLinesFromProduct returns one quote line for the product: quantity 1, the price
// list's prices, the customer's agreed discount as the ERP's suggestion, calculated as
// SuperOffice would, and checked against minimum price and stock. An unknown key is an
// Invalid error.
func (e *ERP) GetQuoteLinesFromProduct(ctx context.Context, req *connector.GetQuoteLinesFromProductRequest) ([]connector.QuoteLineInfo, error) {
	if err := e.enter(ctx, "GetQuoteLinesFromProduct"); err != nil {
		return nil, err
	}
	p, err := e.product(ctx, req.ErpProductKey)
	if err != nil {
		return nil, err
	}
	var cust *customer
	if c := req.Context; c != nil {
		if cust, err = e.findCustomer(ctx, c.ERPCompanyKey, c.CRMCompany); err != nil {
			return nil, err
		}
	}
	info := e.info(p)
	line := connector.QuoteLineInfo{
		ERPProductKey:      info.ERPProductKey,
		Code:               info.Code,
		Name:               info.Name,
		Description:        info.Description,
		ItemNumber:         info.ItemNumber,
		ProductCategoryKey: info.ProductCategoryKey,
		ProductFamilyKey:   info.ProductFamilyKey,
		ProductTypeKey:     info.ProductTypeKey,
		QuantityUnit:       info.QuantityUnit,
		PriceUnit:          info.PriceUnit,
		Supplier:           info.Supplier,
		SupplierCode:       info.SupplierCode,
		Thumbnail:          info.Thumbnail,
		ExtraField1:        info.ExtraField1,
		ExtraField2:        info.ExtraField2,
		ExtraInfo:          info.ExtraInfo,
		IsSubscription:     info.IsSubscription,
		SubscriptionUnit:   info.SubscriptionUnit,
		VAT:                info.VAT,
		VATInfo:            info.VATInfo,
		UnitCost:           info.UnitCost,
		UnitMinimumPrice:   info.UnitMinimumPrice,
		UnitListPrice:      info.UnitListPrice,
		Quantity:           1,
	}
	if line.IsSubscription {
		line.SubscriptionQuantity = p.subscriptionQuantity
	}
	line.ERPDiscountPercent = suggestedDiscount(cust, p, line.Quantity)
	connector.CalculateLine(&line)
	checkLine(&line, p, lineRules{stock: warnLowStock(config(ctx, req.ConfigValues))})
	return []connector.QuoteLineInfo{line}, nil
}

// GetNumberOfProductImages returns 1 for a product with a picture and 0 for one without.
// An unknown key is an Invalid error.
func (e *ERP) GetNumberOfProductImages(ctx context.Context, req *connector.GetNumberOfProductImagesRequest) (int32, error) {
	if err := e.enter(ctx, "GetNumberOfProductImages"); err != nil {
		return 0, err
	}
	p, err := e.product(ctx, req.ErpProductKey)
	if err != nil {
		return 0, err
	}
	if p.image.Valid {
		return 1, nil
	}
	return 0, nil
}

// GetProductImage returns the product's picture as base64 PNG for rank 1, and "" (no
// image) for other ranks and for products without a picture. An unknown key is an
// Invalid error.
func (e *ERP) GetProductImage(ctx context.Context, req *connector.GetProductImageRequest) (string, error) {
	if err := e.enter(ctx, "GetProductImage"); err != nil {
		return "", err
	}
	p, err := e.product(ctx, req.ErpProductKey)
	if err != nil {
		return "", err
	}
	if req.Rank != 1 || !p.image.Valid {
		return "", nil // no such image
	}
	var png []byte
	if err := e.r.QueryRowContext(ctx, `SELECT picture FROM images WHERE name = ?`, p.image.String).Scan(&png); err != nil {
		return "", fmt.Errorf("demoerp: picture %s: %w", p.image.String, err)
	}
	return base64.StdEncoding.EncodeToString(png), nil
}
