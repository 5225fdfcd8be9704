package demoerp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/quotekit/quotekit/connector"
)

// customer is an ERP customer: the company a quote is for.
type customer struct {
	key, name, currency string
	terms
	discount   float64 // agreed discount, percent
	creditStop bool
}

// findCustomer finds the ERP customer for the CRM company of a quote: by the ERP key an
// ERP sync put on the company, else by organisation number, else by exact name (case
// ignored). It returns nil, without error, for a company that is no customer of ours.
func (e *ERP) findCustomer(ctx context.Context, erpKey string, company *connector.ContactInfo) (*customer, error) {
	const q = `SELECT key, name, currency, payment_terms, payment_type, delivery_terms, delivery_type,
		discount_percent, credit_stop FROM customers WHERE `
	type match struct{ where, arg string }
	var tries []match
	if erpKey != "" {
		tries = append(tries, match{"key = ?", erpKey})
	}
	if company != nil {
		if org := digits(company.OrganisationNumber); org != "" {
			tries = append(tries, match{"org_number = ?", org})
		}
		if company.Name != "" {
			tries = append(tries, match{"name_fold = ?", fold(company.Name)})
		}
	}
	for _, m := range tries {
		var c customer
		err := e.r.QueryRowContext(ctx, q+m.where, m.arg).Scan(&c.key, &c.name, &c.currency,
			&c.PaymentTerms, &c.PaymentType, &c.DeliveryTerms, &c.DeliveryType, &c.discount, &c.creditStop)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("demoerp: customer: %w", err)
		}
		return &c, nil
	}
	return nil, nil
}

// GetAddresses returns the customer's invoice address at [0] and delivery address at
// [1]. A customer without a separate delivery address has nil at [1], and a company that
// is no customer of ours gets nil: SuperOffice then uses the CRM company's addresses.
func (e *ERP) GetAddresses(ctx context.Context, req *connector.GetAddressesRequest) ([]*connector.AddressInfo, error) {
	if err := e.enter(ctx, "GetAddresses"); err != nil {
		return nil, err
	}
	if req.Context == nil {
		return nil, nil
	}
	c, err := e.findCustomer(ctx, req.Context.ERPCompanyKey, req.Context.CRMCompany)
	if err != nil || c == nil {
		return nil, err
	}
	rows, err := e.r.QueryContext(ctx, `SELECT kind, line1, line2, line3, zip, city, country_code, country
		FROM addresses WHERE customer = ?`, c.key)
	if err != nil {
		return nil, fmt.Errorf("demoerp: addresses: %w", err)
	}
	defer rows.Close()
	addrs := make([]*connector.AddressInfo, 2)
	for rows.Next() {
		var kind string
		var a connector.AddressInfo
		if err := rows.Scan(&kind, &a.AddressLine1, &a.AddressLine2, &a.AddressLine3, &a.ZipCode, &a.City, &a.CountryCode, &a.Country); err != nil {
			return nil, fmt.Errorf("demoerp: addresses: %w", err)
		}
		if kind == "invoice" {
			addrs[0] = &a
		} else {
			addrs[1] = &a
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demoerp: addresses: %w", err)
	}
	return addrs, nil
}

// Volume discounts the ERP adds to the customer's agreed discount.
var volumeDiscounts = []struct{ quantity, percent float64 }{
	{50, 5},
	{10, 2},
}

// suggestedDiscount is the discount the ERP suggests for quantity of p to the customer
// (nil for none): the agreed discount plus a volume discount, but never so much that the
// price falls below the minimum price. Services and subscriptions get no volume discount.
func suggestedDiscount(c *customer, p *product, quantity float64) float64 {
	var pct float64
	if c != nil {
		pct = c.discount
	}
	if p.stocked() {
		for _, v := range volumeDiscounts {
			if quantity >= v.quantity {
				pct += v.percent
				break
			}
		}
	}
	if p.listPrice > 0 {
		pct = math.Min(pct, math.Max(0, (1-p.minimumPrice/p.listPrice)*100))
	}
	return math.Round(pct*100) / 100
}

// salesperson is the ERP user behind the CRM user of a call.
type salesperson struct {
	key, name   string
	maxDiscount float64
}

// unmappedMaxDiscount is the discount limit of a CRM user the tenant has not mapped to
// an ERP salesperson: small, so that larger discounts go through approval.
const unmappedMaxDiscount = 5

// salesperson returns the ERP salesperson the tenant's user mapping gives the calling
// user, or a nameless one with the unmapped limit.
func (e *ERP) salesperson(ctx context.Context) (salesperson, error) {
	t, _ := connector.TenantFrom(ctx)
	sp := salesperson{maxDiscount: unmappedMaxDiscount}
	if t.User == nil || t.User.ERPUser == "" {
		return sp, nil
	}
	err := e.r.QueryRowContext(ctx, `SELECT key, name, max_discount_percent FROM salespeople WHERE key = ?`,
		t.User.ERPUser).Scan(&sp.key, &sp.name, &sp.maxDiscount)
	if errors.Is(err, sql.ErrNoRows) {
		return salesperson{maxDiscount: unmappedMaxDiscount}, nil
	}
	if err != nil {
		return sp, fmt.Errorf("demoerp: salesperson: %w", err)
	}
	return sp, nil
}
