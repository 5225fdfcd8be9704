package demoerp

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
)

// quoteValidity is how long a new quote is valid unless the user sets another date.
const quoteValidity = 30 * 24 * time.Hour

// Quote states in the ERP.
const (
	quoteOpen    = "open"
	quoteSent    = "sent"
	quoteOrdered = "ordered"
)

// OnBeforeCreateQuote prepares a new quote: it gives it an ERP quote number (Q-10001,
// counted per tenant), and fills the payment and delivery terms the user left empty
// from the customer or, for a company that is no customer yet, from the ERP company's
// terms for new customers. It refuses (IsOk=false) a customer on credit stop.
func (e *ERP) OnBeforeCreateQuote(ctx context.Context, req *connector.OnBeforeCreateQuoteRequest) (*connector.QuoteResponseInfo, error) {
	if err := e.enter(ctx, "OnBeforeCreateQuote"); err != nil {
		return nil, err
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := req.Context
	if c == nil {
		c = &connector.QuoteAlternativeContextInfo{}
	}
	cust, err := e.findCustomer(ctx, c.ERPCompanyKey, c.CRMCompany)
	if err != nil {
		return nil, err
	}
	if cust != nil && cust.creditStop {
		return &connector.QuoteResponseInfo{
			IsOk: false, State: connector.ResponseStateError, ErrorCode: "CREDIT-STOP",
			TechExplanation: "customer " + cust.key + " is on credit stop",
			UserExplanation: msg("%s is on credit stop. Contact the accounts department before making a quote.",
				"%s har kredittstopp. Kontakt regnskapsavdelingen før du lager et tilbud.", cust.name),
		}, nil
	}
	res := &connector.QuoteResponseInfo{IsOk: true, State: connector.ResponseStateOk}
	var t terms
	if cust != nil {
		t = cust.terms
	} else {
		if t, err = e.newCustomerTerms(ctx, config(ctx, req.ConfigValues)); err != nil {
			return nil, err
		}
		res.State = connector.ResponseStateOkWithInfo
		res.UserExplanation = msg("The company is not a customer in the ERP yet: the quote has the terms for new customers.",
			"Firmaet er ikke kunde i ERP-systemet ennå: tilbudet har betingelsene for nye kunder.")
	}

	var number int64
	err = e.write(ctx, func(tx *sql.Tx) error {
		number, err = next(ctx, tx, tenantID, "quote")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("demoerp: quote number: %w", err)
	}
	q := connector.QuoteInfo{}
	if c.CRMQuote != nil {
		q = *c.CRMQuote
	}
	q.ERPQuoteKey = fmt.Sprintf("Q-%d", 10000+number)
	v := connector.QuoteVersionInfo{}
	if c.CRMQuoteVersion != nil {
		v = *c.CRMQuoteVersion
	}
	fill(&v.ERPPaymentTermsKey, t.PaymentTerms)
	fill(&v.ERPPaymentTypeKey, t.PaymentType)
	fill(&v.ERPDeliveryTermsKey, t.DeliveryTerms)
	fill(&v.ERPDeliveryTypeKey, t.DeliveryType)
	if v.ExpirationDate.IsZero() {
		y, m, d := e.now().Add(quoteValidity).Date()
		v.ExpirationDate = connector.NewDateTime(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	}
	res.CRMQuote, res.CRMQuoteVersion = &q, &v
	if c.CRMAlternativeWithLines != nil {
		res.CRMAlternativesWithLines = []connector.QuoteAlternativeWithLinesInfo{*c.CRMAlternativeWithLines}
	}
	return res, nil
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// newCustomerTerms returns the terms the configured ERP company (or, when none is
// configured, the first) offers a company that is no customer yet.
func (e *ERP) newCustomerTerms(ctx context.Context, c culture.Config) (terms, error) {
	number, err := configInt(c, ConfigCompany)
	if err != nil {
		number = 0
	}
	var t terms
	err = e.r.QueryRowContext(ctx, `SELECT payment_terms, payment_type, delivery_terms, delivery_type
		FROM companies ORDER BY number <> ?, number LIMIT 1`, number).
		Scan(&t.PaymentTerms, &t.PaymentType, &t.DeliveryTerms, &t.DeliveryType)
	if err != nil {
		return t, fmt.Errorf("demoerp: company terms: %w", err)
	}
	return t, nil
}

// OnBeforeCreateQuoteVersion gives a new version an ERP key: the quote's key and the
// version's number, as Q-10001-V2.
func (e *ERP) OnBeforeCreateQuoteVersion(ctx context.Context, req *connector.OnBeforeCreateQuoteVersionRequest) (*connector.QuoteVersionResponseInfo, error) {
	if err := e.enter(ctx, "OnBeforeCreateQuoteVersion"); err != nil {
		return nil, err
	}
	qc := req.QuoteContext
	if qc == nil {
		qc = &connector.QuoteVersionContextInfo{}
	}
	v := connector.QuoteVersionInfo{}
	if qc.CRMQuoteVersion != nil {
		v = *qc.CRMQuoteVersion
	}
	if v.ERPQuoteVersionKey == "" {
		key, err := e.childKey(ctx, quoteKey(qc.CRMQuote), "V")
		if err != nil {
			return nil, err
		}
		v.ERPQuoteVersionKey = key
	}
	return &connector.QuoteVersionResponseInfo{
		IsOk: true, State: connector.ResponseStateOk,
		CRMQuoteVersion: &v, CRMAlternativesWithLines: qc.CRMAlternativesWithLines,
	}, nil
}

// OnBeforeCreateQuoteAlternative gives a new alternative an ERP key: the quote's key and
// the alternative's number, as Q-10001-A3.
func (e *ERP) OnBeforeCreateQuoteAlternative(ctx context.Context, req *connector.OnBeforeCreateQuoteAlternativeRequest) (*connector.QuoteAlternativeResponseInfo, error) {
	if err := e.enter(ctx, "OnBeforeCreateQuoteAlternative"); err != nil {
		return nil, err
	}
	c := req.Context
	if c == nil {
		c = &connector.QuoteAlternativeContextInfo{}
	}
	alt := connector.QuoteAlternativeWithLinesInfo{}
	if c.CRMAlternativeWithLines != nil {
		alt = *c.CRMAlternativeWithLines
	}
	alt = cloneAlternative(alt)
	if alt.CRMAlternative.ERPQuoteAlternativeKey == "" {
		key, err := e.childKey(ctx, quoteKey(c.CRMQuote), "A")
		if err != nil {
			return nil, err
		}
		alt.CRMAlternative.ERPQuoteAlternativeKey = key
	}
	return &connector.QuoteAlternativeResponseInfo{
		IsOk: true, State: connector.ResponseStateOk,
		CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{alt},
	}, nil
}

// childKey draws the next number of a quote's versions (kind "V") or alternatives ("A").
func (e *ERP) childKey(ctx context.Context, quote, kind string) (string, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return "", err
	}
	var n int64
	err = e.write(ctx, func(tx *sql.Tx) error {
		n, err = next(ctx, tx, tenantID, kind+":"+quote)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("demoerp: %s number: %w", kind, err)
	}
	if quote == "" {
		return fmt.Sprintf("%s%d", kind, n), nil
	}
	return fmt.Sprintf("%s-%s%d", quote, kind, n), nil
}

// quoteKey is the ERP's key for a CRM quote: the one OnBeforeCreateQuote gave it or, for a
// quote made before the connection existed, one made from the CRM id.
func quoteKey(q *connector.QuoteInfo) string {
	switch {
	case q == nil:
		return ""
	case q.ERPQuoteKey != "":
		return q.ERPQuoteKey
	case q.QuoteId != 0:
		return fmt.Sprintf("CRM-%d", q.QuoteId)
	}
	return ""
}

// OnAfterSaveQuote keeps a copy of the saved alternative, with its lines, in the ERP. It
// is called once for each alternative; the quote is recorded with the first.
func (e *ERP) OnAfterSaveQuote(ctx context.Context, req *connector.OnAfterSaveQuoteRequest) error {
	if err := e.enter(ctx, "OnAfterSaveQuote"); err != nil {
		return err
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return err
	}
	c := req.Context
	key := ""
	if c != nil {
		key = quoteKey(c.CRMQuote)
	}
	if key == "" {
		return connector.Invalid("the context carries no quote")
	}
	cust, err := e.findCustomer(ctx, c.ERPCompanyKey, c.CRMCompany)
	if err != nil {
		return err
	}
	return e.write(ctx, func(tx *sql.Tx) error {
		if err := e.recordQuote(ctx, tx, tenantID, key, c.CRMQuote, cust, c.CRMSale, quoteOpen); err != nil {
			return err
		}
		a := c.CRMAlternativeWithLines
		if a == nil || a.CRMAlternative == nil {
			return nil
		}
		altKey := a.CRMAlternative.ERPQuoteAlternativeKey
		if altKey == "" {
			altKey = fmt.Sprintf("CRM-%d", a.CRMAlternative.QuoteAlternativeId)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO quote_alternatives (tenant, quote_key, key, name, total, vat) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, quote_key, key) DO UPDATE SET name = excluded.name, total = excluded.total, vat = excluded.vat`,
			tenantID, key, altKey, a.CRMAlternative.Name, a.CRMAlternative.TotalPrice, a.CRMAlternative.VAT); err != nil {
			return fmt.Errorf("demoerp: save alternative: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM quote_lines WHERE tenant = ? AND quote_key = ? AND alternative = ?`,
			tenantID, key, altKey); err != nil {
			return fmt.Errorf("demoerp: save alternative: %w", err)
		}
		for i, l := range a.CRMQuoteLines {
			if _, err := tx.ExecContext(ctx, `INSERT INTO quote_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				tenantID, key, altKey, i+1, l.ERPProductKey, l.Name, l.Quantity, unitPrice(&l), net(&l)); err != nil {
				return fmt.Errorf("demoerp: save quote line: %w", err)
			}
		}
		return nil
	})
}

// recordQuote creates or updates the ERP's record of a quote. The state only moves
// forward: saving a sent quote again leaves it sent.
func (e *ERP) recordQuote(ctx context.Context, tx *sql.Tx, tenantID, key string, q *connector.QuoteInfo, cust *customer, sale *connector.SaleInfo, state string) error {
	var crmID, saleID int32
	if q != nil {
		crmID, saleID = q.QuoteId, q.SaleId
	}
	customerKey, currency := "", ""
	if cust != nil {
		customerKey, currency = cust.key, cust.currency
	}
	if sale != nil && sale.Currency != "" {
		currency = strings.ToUpper(sale.Currency)
	}
	salesperson := ""
	if t, _ := connector.TenantFrom(ctx); t.User != nil {
		salesperson = t.User.ERPUser
	}
	now := stamp(e.now())
	sent := ""
	if state == quoteSent {
		sent = now
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO quotes (tenant, key, crm_quote_id, sale_id, customer, salesperson, currency, state, saved, sent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant, key) DO UPDATE SET
			crm_quote_id = excluded.crm_quote_id, sale_id = excluded.sale_id, customer = excluded.customer,
			salesperson = CASE excluded.salesperson WHEN '' THEN salesperson ELSE excluded.salesperson END,
			currency = excluded.currency, saved = excluded.saved,
			state = CASE WHEN state = 'ordered' OR (state = 'sent' AND excluded.state = 'open') THEN state ELSE excluded.state END,
			sent = CASE excluded.sent WHEN '' THEN sent ELSE excluded.sent END`,
		tenantID, key, crmID, saleID, customerKey, salesperson, currency, state, now, sent)
	if err != nil {
		return fmt.Errorf("demoerp: save quote %s: %w", key, err)
	}
	return nil
}

func unitPrice(l *connector.QuoteLineInfo) float64 {
	if l.Quantity == 0 {
		return 0
	}
	return round2(net(l) / l.Quantity)
}

// OnBeforeDeleteQuote removes the ERP's copy of the quote and the record of its
// approvals. Orders placed from it stay: deleting a sale in the CRM does not cancel a
// delivery.
func (e *ERP) OnBeforeDeleteQuote(ctx context.Context, req *connector.OnBeforeDeleteQuoteRequest) error {
	if err := e.enter(ctx, "OnBeforeDeleteQuote"); err != nil {
		return err
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return err
	}
	key := quoteKey(req.Quote)
	if key == "" {
		return nil // nothing the ERP could have recorded
	}
	return e.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM quotes WHERE tenant = ? AND key = ?`, tenantID, key)
		if err == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM quote_approvals WHERE tenant = ? AND quote_key = ?`, tenantID, key)
		}
		if err != nil {
			return fmt.Errorf("demoerp: delete quote %s: %w", key, err)
		}
		return nil
	})
}

// OnAfterSentQuoteVersion marks the quote as sent in the ERP and sends the user to the
// quote's page in the ERP. A context without a quote is refused in the VersionResponse,
// as a business answer (IsOk=false, State Error).
func (e *ERP) OnAfterSentQuoteVersion(ctx context.Context, req *connector.OnAfterSentQuoteVersionRequest) (*connector.QuoteSentResponseInfo, error) {
	if err := e.enter(ctx, "OnAfterSentQuoteVersion"); err != nil {
		return nil, err
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	qc := req.QuoteContext
	key := ""
	if qc != nil {
		key = quoteKey(qc.CRMQuote)
	}
	if key == "" {
		return &connector.QuoteSentResponseInfo{VersionResponse: versionRefused("NO-QUOTE", "the context carries no quote",
			msg("The ERP cannot find the quote.", "ERP-systemet finner ikke tilbudet."))}, nil
	}
	cust, err := e.findCustomer(ctx, qc.ERPCompanyKey, qc.CRMCompany)
	if err != nil {
		return nil, err
	}
	err = e.write(ctx, func(tx *sql.Tx) error {
		return e.recordQuote(ctx, tx, tenantID, key, qc.CRMQuote, cust, qc.CRMSale, quoteSent)
	})
	if err != nil {
		return nil, err
	}
	return &connector.QuoteSentResponseInfo{
		VersionResponse: &connector.QuoteVersionResponseInfo{
			IsOk: true, State: connector.ResponseStateOk,
			CRMQuoteVersion: qc.CRMQuoteVersion, CRMAlternativesWithLines: qc.CRMAlternativesWithLines,
		},
		Url: e.baseURL + "/quotes/" + url.PathEscape(key),
	}, nil
}
