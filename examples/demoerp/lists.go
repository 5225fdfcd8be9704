package demoerp

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/quotekit/quotekit/connector"
)

// priceListsList is the name of the list of price lists, which the connection dialog's
// default price list field (ConfigPriceList) offers. It is an ERP list like the others,
// only read from the price lists themselves.
const priceListsList = "PriceLists"

// GetActivePriceLists returns the price lists that are active and valid now, in the
// currency req.IsoCurrencyCode (any case; all currencies when empty). The configured
// default price list comes first.
func (e *ERP) GetActivePriceLists(ctx context.Context, req *connector.GetActivePriceListsRequest) ([]connector.PriceListInfo, error) {
	if err := e.enter(ctx, "GetActivePriceLists"); err != nil {
		return nil, err
	}
	now := validityStamp(e.now())
	var f filter
	f.add("l.active = 1 AND l.valid_from <= ? AND l.valid_to >= ?", now, now)
	return e.priceLists(ctx, f, req.IsoCurrencyCode, config(ctx, req.ConfigValues).String(ConfigPriceList))
}

// GetAllPriceLists returns every price list in the currency req.IsoCurrencyCode (all
// currencies when empty), inactive and expired ones included.
func (e *ERP) GetAllPriceLists(ctx context.Context, req *connector.GetAllPriceListsRequest) ([]connector.PriceListInfo, error) {
	if err := e.enter(ctx, "GetAllPriceLists"); err != nil {
		return nil, err
	}
	return e.priceLists(ctx, filter{}, req.IsoCurrencyCode, config(ctx, req.ConfigValues).String(ConfigPriceList))
}

func (e *ERP) priceLists(ctx context.Context, f filter, currency, first string) ([]connector.PriceListInfo, error) {
	if currency != "" {
		f.add("l.currency = ?", strings.ToUpper(currency))
	}
	q := `SELECT l.key, l.name, l.description, l.currency, c.name, l.valid_from, l.valid_to, l.active
		FROM price_lists l JOIN currencies c ON c.code = l.currency`
	if len(f.conds) > 0 {
		q += " WHERE " + strings.Join(f.conds, " AND ")
	}
	q += " ORDER BY l.key <> ?, l.key"
	rows, err := e.r.QueryContext(ctx, q, append(f.args, first)...)
	if err != nil {
		return nil, fmt.Errorf("demoerp: price lists: %w", err)
	}
	defer rows.Close()
	lists := []connector.PriceListInfo{}
	for rows.Next() {
		var pl connector.PriceListInfo
		var from, to string
		if err := rows.Scan(&pl.ERPPriceListKey, &pl.Name, &pl.Description, &pl.Currency, &pl.CurrencyName, &from, &to, &pl.IsActive); err != nil {
			return nil, fmt.Errorf("demoerp: price lists: %w", err)
		}
		if pl.ValidFrom, err = connector.ParseDateTime(from); err != nil {
			return nil, fmt.Errorf("demoerp: price list %s: %w", pl.ERPPriceListKey, err)
		}
		if pl.ValidTo, err = connector.ParseDateTime(to); err != nil {
			return nil, fmt.Errorf("demoerp: price list %s: %w", pl.ERPPriceListKey, err)
		}
		lists = append(lists, pl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demoerp: price lists: %w", err)
	}
	return lists, nil
}

// GetQuoteList returns the list named req.QuoteListType, matched case-insensitively:
// ProductCategory, ProductFamily, ProductType, PaymentTerms, PaymentType, DeliveryTerms,
// DeliveryType, and PriceLists for the connection dialog. It returns nil for any other
// name, so that SuperOffice lets the user type free text.
func (e *ERP) GetQuoteList(ctx context.Context, req *connector.GetQuoteListRequest) ([]connector.ListItemInfo, error) {
	if err := e.enter(ctx, "GetQuoteList"); err != nil {
		return nil, err
	}
	var rows *sql.Rows
	var err error
	if strings.EqualFold(req.QuoteListType, priceListsList) {
		rows, err = e.r.QueryContext(ctx, `SELECT key, name, currency || ': ' || description FROM price_lists ORDER BY key`)
	} else {
		rows, err = e.r.QueryContext(ctx, `SELECT key, value, description FROM list_items WHERE list = ? ORDER BY rank`,
			strings.ToLower(req.QuoteListType))
	}
	if err != nil {
		return nil, fmt.Errorf("demoerp: list %s: %w", req.QuoteListType, err)
	}
	defer rows.Close()
	var items []connector.ListItemInfo
	for rows.Next() {
		var it connector.ListItemInfo
		if err := rows.Scan(&it.ERPQuoteListItemKey, &it.DisplayValue, &it.DisplayDescription); err != nil {
			return nil, fmt.Errorf("demoerp: list %s: %w", req.QuoteListType, err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demoerp: list %s: %w", req.QuoteListType, err)
	}
	return items, nil // nil when the list is unknown
}
