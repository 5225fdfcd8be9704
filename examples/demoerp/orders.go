package demoerp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
)

// OrderState is where an order is in the ERP.
type OrderState string

// The states an order goes through, in order.
const (
	OrderRegistered OrderState = "registered"
	OrderPicking    OrderState = "picking"
	OrderShipped    OrderState = "shipped"
	OrderInvoiced   OrderState = "invoiced"
)

// The demo warehouse moves every order along on its own, by the ERP's clock: picking
// starts PickingAfter the order is placed, the goods leave ShippedAfter and the invoice
// goes out InvoicedAfter. Tests step through the states with WithClock.
const (
	PickingAfter  = 2 * time.Minute
	ShippedAfter  = 15 * time.Minute
	InvoicedAfter = time.Hour
)

// orderStateAt is the state of an order placed at created, at time now.
func orderStateAt(created, now time.Time) OrderState {
	switch age := now.Sub(created); {
	case age >= InvoicedAfter:
		return OrderInvoiced
	case age >= ShippedAfter:
		return OrderShipped
	case age >= PickingAfter:
		return OrderPicking
	}
	return OrderRegistered
}

// orderNews is what the user is told about an order in each state.
var orderNews = map[OrderState][2]string{
	OrderRegistered: {"Order %s is registered.", "Ordre %s er registrert."},
	OrderPicking:    {"Order %s is being picked in the warehouse.", "Ordre %s plukkes på lageret."},
	OrderShipped:    {"Order %s has been shipped.", "Ordre %s er sendt."},
	OrderInvoiced:   {"Order %s has been invoiced.", "Ordre %s er fakturert."},
}

// PlaceOrder turns the chosen alternative into an ERP order (SO-50001, counted per
// tenant) and reserves its items: their stock goes down, below zero when the order
// must wait for goods. The answer carries the order's key in CRMQuote.ERPOrderKey. An
// alternative without lines, or a customer on credit stop, is refused with IsOk=false.
// Placing the same CRM quote again returns the order placed the first time, so a
// retried call does not reserve twice.
func (e *ERP) PlaceOrder(ctx context.Context, req *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	if err := e.enter(ctx, "PlaceOrder"); err != nil {
		return nil, err
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := req.Context
	if c == nil || c.CRMAlternativeWithLines == nil || len(c.CRMAlternativeWithLines.CRMQuoteLines) == 0 {
		return &connector.PlaceOrderResponseInfo{
			IsOk: false, State: connector.ResponseStateError, ErrorCode: "NO-LINES",
			TechExplanation: "the alternative has no quote lines",
			UserExplanation: msg("The quote has no lines to order.", "Tilbudet har ingen linjer å bestille."),
		}, nil
	}
	cust, err := e.findCustomer(ctx, c.ERPCompanyKey, c.CRMCompany)
	if err != nil {
		return nil, err
	}
	if cust != nil && cust.creditStop {
		return &connector.PlaceOrderResponseInfo{
			IsOk: false, State: connector.ResponseStateError, ErrorCode: "CREDIT-STOP",
			TechExplanation: "customer " + cust.key + " is on credit stop",
			UserExplanation: msg("%s is on credit stop: the order cannot be placed.",
				"%s har kredittstopp: ordren kan ikke legges inn.", cust.name),
		}, nil
	}
	company, _ := configInt(config(ctx, req.ConfigValues), ConfigCompany)
	q := connector.QuoteInfo{}
	if c.CRMQuote != nil {
		q = *c.CRMQuote
	}
	lines := c.CRMAlternativeWithLines.CRMQuoteLines
	currency := e.orderCurrency(ctx, c, cust)

	var key string
	again := false
	err = e.write(ctx, func(tx *sql.Tx) error {
		if q.QuoteId != 0 {
			err := tx.QueryRowContext(ctx, `SELECT key FROM orders WHERE tenant = ? AND crm_quote_id = ?`,
				tenantID, q.QuoteId).Scan(&key)
			if err == nil {
				again = true
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		n, err := next(ctx, tx, tenantID, "order")
		if err != nil {
			return err
		}
		key = fmt.Sprintf("SO-%d", 50000+n)
		var total float64
		for _, l := range lines {
			total += net(&l)
		}
		customerKey := ""
		if cust != nil {
			customerKey = cust.key
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenantID, key, quoteKey(&q), q.QuoteId, company, customerKey, currency, round2(total),
			stamp(e.now()), OrderRegistered); err != nil {
			return err
		}
		for i, l := range lines {
			item, _, _ := parseKey(l.ERPProductKey)
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				tenantID, key, i+1, l.ERPProductKey, item, l.Name, l.Quantity, unitPrice(&l), round2(net(&l))); err != nil {
				return err
			}
			if item != "" {
				// Reserve: stock may go below zero, which means the item is on order.
				if _, err := tx.ExecContext(ctx, `UPDATE items SET stock = stock - ? WHERE code = ? AND stock IS NOT NULL`,
					l.Quantity, item); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE quotes SET state = ? WHERE tenant = ? AND key = ?`,
			quoteOrdered, tenantID, quoteKey(&q))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("demoerp: place order: %w", err)
	}
	q.ERPOrderKey = key
	res := &connector.PlaceOrderResponseInfo{
		IsOk: true, State: connector.ResponseStateOkWithInfo, CRMQuote: &q,
		UserExplanation: msg(orderNews[OrderRegistered][0], orderNews[OrderRegistered][1], key),
	}
	if again {
		res.UserExplanation = msg("The quote was ordered before, as order %s.", "Tilbudet er bestilt før, som ordre %s.", key)
	}
	return res, nil
}

// orderCurrency is the currency of the sale, else of the first line's price list, else
// of the customer.
func (e *ERP) orderCurrency(ctx context.Context, c *connector.QuoteAlternativeContextInfo, cust *customer) string {
	if c.CRMSale != nil && c.CRMSale.Currency != "" {
		return strings.ToUpper(c.CRMSale.Currency)
	}
	for _, l := range c.CRMAlternativeWithLines.CRMQuoteLines {
		if _, list, ok := parseKey(l.ERPProductKey); ok {
			var currency string
			if e.r.QueryRowContext(ctx, `SELECT currency FROM price_lists WHERE key = ?`, list).Scan(&currency) == nil {
				return currency
			}
		}
	}
	if cust != nil {
		return cust.currency
	}
	return ""
}

// GetOrderState tells SuperOffice where the quote's order (CRMQuote.ERPOrderKey) is now,
// or returns nil when nothing changed since it last asked. A quote without an order key,
// and an order key the ERP does not know (or one of another tenant), are business
// answers: IsOk=false, State Error and an explanation for the user, never an error.
func (e *ERP) GetOrderState(ctx context.Context, req *connector.GetOrderStateRequest) (*connector.OrderResponseInfo, error) {
	if err := e.enter(ctx, "GetOrderState"); err != nil {
		return nil, err
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := req.Context
	if c == nil || c.CRMQuote == nil || c.CRMQuote.ERPOrderKey == "" {
		return orderRefused("NO-ORDER", "the quote has no ERP order key",
			msg("The quote has no order in the ERP.", "Tilbudet har ingen ordre i ERP-systemet.")), nil
	}
	key := c.CRMQuote.ERPOrderKey
	var state OrderState
	changed := false
	err = e.write(ctx, func(tx *sql.Tx) error {
		var created string
		var reported OrderState
		err := tx.QueryRowContext(ctx, `SELECT created, reported FROM orders WHERE tenant = ? AND key = ?`,
			tenantID, key).Scan(&created, &reported)
		if errors.Is(err, sql.ErrNoRows) {
			return errUnknownOrder
		}
		if err != nil {
			return err
		}
		at, err := time.Parse(time.RFC3339Nano, created)
		if err != nil {
			return err
		}
		if state = orderStateAt(at, e.now()); state == reported {
			return nil
		}
		changed = true
		_, err = tx.ExecContext(ctx, `UPDATE orders SET reported = ? WHERE tenant = ? AND key = ?`, state, tenantID, key)
		return err
	})
	switch {
	case errors.Is(err, errUnknownOrder):
		return orderRefused("UNKNOWN-ORDER", fmt.Sprintf("no order %q for this tenant", key),
			msg("Order %s is not known in the ERP.", "Ordre %s finnes ikke i ERP-systemet.", key)), nil
	case err != nil:
		return nil, fmt.Errorf("demoerp: order state: %w", err)
	case !changed:
		return nil, nil // nothing changed since SuperOffice last asked
	}
	q := *c.CRMQuote
	news := orderNews[state]
	return &connector.OrderResponseInfo{
		IsOk: true, State: connector.ResponseStateOkWithInfo, CRMQuote: &q,
		UserExplanation: msg(news[0], news[1], key),
	}, nil
}

// errUnknownOrder is an order key the ERP does not have for the tenant.
var errUnknownOrder = errors.New("demoerp: unknown order")

// orderRefused is GetOrderState's business answer when it cannot tell an order's state:
// IsOk=false and State Error with the code, the technical and the user's explanation.
func orderRefused(code, tech, user string) *connector.OrderResponseInfo {
	return &connector.OrderResponseInfo{
		IsOk: false, State: connector.ResponseStateError, ErrorCode: code,
		TechExplanation: tech, UserExplanation: user,
	}
}
