package demoerp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The methods in this file let a sample's tests (and a curious developer) look into the
// ERP after SuperOffice has called the connector. A real ERP has its own screens for this.

// Quote is the ERP's copy of a CRM quote.
type Quote struct {
	Tenant, Key  string
	CRMQuoteID   int32
	SaleID       int32
	Customer     string // the ERP customer key; "" when the company is no customer
	Salesperson  string // the ERP user who saved it last; "" when unmapped
	Currency     string
	State        string // "open", "sent" or "ordered"
	Saved, Sent  time.Time
	Alternatives []QuoteAlternative
}

// QuoteAlternative is one alternative of a quote, as last saved.
type QuoteAlternative struct {
	Key, Name  string
	Total, VAT float64
	Lines      []QuoteLine
}

// QuoteLine is a line of a quote alternative, with the unit price and total the customer
// pays (after all discounts).
type QuoteLine struct {
	ProductKey, Name           string
	Quantity, UnitPrice, Total float64
}

// Quote returns the tenant's quote with the ERP key (Q-10001, or CRM-<id> for a quote
// the connector did not number), or an error wrapping ErrNotFound.
func (e *ERP) Quote(ctx context.Context, tenant, key string) (Quote, error) {
	q := Quote{Tenant: tenant, Key: key}
	var saved, sent string
	err := e.r.QueryRowContext(ctx, `SELECT crm_quote_id, sale_id, customer, salesperson, currency, state, saved, sent
		FROM quotes WHERE tenant = ? AND key = ?`, tenant, key).
		Scan(&q.CRMQuoteID, &q.SaleID, &q.Customer, &q.Salesperson, &q.Currency, &q.State, &saved, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return q, fmt.Errorf("quote %s of %s: %w", key, tenant, ErrNotFound)
	}
	if err != nil {
		return q, fmt.Errorf("demoerp: quote %s: %w", key, err)
	}
	q.Saved, q.Sent = parseStamp(saved), parseStamp(sent)

	rows, err := e.r.QueryContext(ctx, `
		SELECT a.key, a.name, a.total, a.vat, l.product, l.name, l.quantity, l.unit_price, l.total
		FROM quote_alternatives a LEFT JOIN quote_lines l
			ON l.tenant = a.tenant AND l.quote_key = a.quote_key AND l.alternative = a.key
		WHERE a.tenant = ? AND a.quote_key = ?
		ORDER BY a.key, l.line`, tenant, key)
	if err != nil {
		return q, fmt.Errorf("demoerp: quote %s: %w", key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a QuoteAlternative
		var product, name sql.NullString
		var qty, unit, total sql.NullFloat64
		if err := rows.Scan(&a.Key, &a.Name, &a.Total, &a.VAT, &product, &name, &qty, &unit, &total); err != nil {
			return q, fmt.Errorf("demoerp: quote %s: %w", key, err)
		}
		if n := len(q.Alternatives); n == 0 || q.Alternatives[n-1].Key != a.Key {
			q.Alternatives = append(q.Alternatives, a)
		}
		if product.Valid {
			last := &q.Alternatives[len(q.Alternatives)-1]
			last.Lines = append(last.Lines, QuoteLine{product.String, name.String, qty.Float64, unit.Float64, total.Float64})
		}
	}
	return q, rows.Err()
}

// Order is an order in the ERP.
type Order struct {
	Tenant, Key string
	QuoteKey    string
	CRMQuoteID  int32
	Company     int64  // the ERP company that delivers; 0 when not configured
	Customer    string // the ERP customer key; "" for a company that is no customer
	Currency    string
	Total       float64
	Created     time.Time
	State       OrderState // now, by the ERP's clock
	Reported    OrderState // as GetOrderState last told SuperOffice
	Lines       []OrderLine
}

// OrderLine is a line of an order. Item is "" for a line without an ERP item.
type OrderLine struct {
	ProductKey, Item, Name     string
	Quantity, UnitPrice, Total float64
}

// Order returns the tenant's order with the key (SO-50001), or an error wrapping
// ErrNotFound.
func (e *ERP) Order(ctx context.Context, tenant, key string) (Order, error) {
	o := Order{Tenant: tenant, Key: key}
	var created string
	err := e.r.QueryRowContext(ctx, `SELECT quote_key, crm_quote_id, company, customer, currency, total, created, reported
		FROM orders WHERE tenant = ? AND key = ?`, tenant, key).
		Scan(&o.QuoteKey, &o.CRMQuoteID, &o.Company, &o.Customer, &o.Currency, &o.Total, &created, &o.Reported)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("order %s of %s: %w", key, tenant, ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("demoerp: order %s: %w", key, err)
	}
	o.Created = parseStamp(created)
	o.State = orderStateAt(o.Created, e.now())

	rows, err := e.r.QueryContext(ctx, `SELECT product, item, name, quantity, unit_price, total
		FROM order_lines WHERE tenant = ? AND order_key = ? ORDER BY line`, tenant, key)
	if err != nil {
		return o, fmt.Errorf("demoerp: order %s: %w", key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l OrderLine
		if err := rows.Scan(&l.ProductKey, &l.Item, &l.Name, &l.Quantity, &l.UnitPrice, &l.Total); err != nil {
			return o, fmt.Errorf("demoerp: order %s: %w", key, err)
		}
		o.Lines = append(o.Lines, l)
	}
	return o, rows.Err()
}

// Stock returns the stock of an item, given its code or a product key: negative when
// more is ordered than the warehouse holds, 0 for an item not kept in stock (a service).
// An unknown item is an error wrapping ErrNotFound.
func (e *ERP) Stock(ctx context.Context, productKey string) (float64, error) {
	item, _, _ := strings.Cut(productKey, keySeparator)
	var stock sql.NullFloat64
	err := e.r.QueryRowContext(ctx, `SELECT stock FROM items WHERE code = ?`, item).Scan(&stock)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("item %s: %w", item, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("demoerp: stock of %s: %w", item, err)
	}
	return stock.Float64, nil
}

// Approval is the ERP's record of a quote version's approval: the last step taken.
type Approval struct {
	Tenant, QuoteKey, VersionKey string
	State                        string // "requested", "approved" or "rejected"
	RequestedBy                  int32  // the CRM associate who asked; 0 when unknown
	Comment                      string // the request's comment
	DecidedBy                    int32  // the CRM associate who approved or rejected; 0 until then
	Decision                     string // the approver's text
	Updated                      time.Time
}

// Approval returns the record of the approval of the tenant's quote version (keys as
// Q-10001 and Q-10001-V1, or CRM-<id> for ones the connector did not number), or an
// error wrapping ErrNotFound when the version never went to approval.
func (e *ERP) Approval(ctx context.Context, tenant, quoteKey, versionKey string) (Approval, error) {
	a := Approval{Tenant: tenant, QuoteKey: quoteKey, VersionKey: versionKey}
	var updated string
	err := e.r.QueryRowContext(ctx, `SELECT state, requested_by, comment, decided_by, decision, updated
		FROM quote_approvals WHERE tenant = ? AND quote_key = ? AND version_key = ?`, tenant, quoteKey, versionKey).
		Scan(&a.State, &a.RequestedBy, &a.Comment, &a.DecidedBy, &a.Decision, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("approval of %s %s of %s: %w", quoteKey, versionKey, tenant, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("demoerp: approval of %s %s: %w", quoteKey, versionKey, err)
	}
	a.Updated = parseStamp(updated)
	return a, nil
}

func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s) // "" (never) gives the zero time
	return t
}
