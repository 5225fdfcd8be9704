package demoerp

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/quotekit/quotekit/connector"
)

// problem is one thing wrong with a quote line, in English and Norwegian.
type problem struct {
	status connector.QuoteStatusInfo
	us, no string
}

// lineRules say how strictly checkLine judges a line.
type lineRules struct {
	stock        bool // warn when the quantity exceeds the stock (ConfigWarnLowStock)
	minimumError bool // a price below the minimum is an Error (validation), not a Warning (editing)
}

// checkLine sets the line's Status and Reason from scratch. p is the line's product, nil
// for a line without one (free text) or with a product the ERP does not know.
func checkLine(l *connector.QuoteLineInfo, p *product, rules lineRules) []problem {
	var ps []problem
	switch {
	case p == nil && l.ERPProductKey != "":
		ps = append(ps, problem{connector.QuoteStatusInfoWarning,
			"The product is not in the ERP's price list.", "Produktet finnes ikke i ERP-prislisten."})
	case p != nil && !p.inAssortment:
		ps = append(ps, problem{connector.QuoteStatusInfoWarning,
			"Discontinued: can be ordered while stock lasts.", "Utgått: kan bestilles så lenge lageret rekker."})
	}
	if minimum := l.UnitMinimumPrice; minimum > 0 && l.Quantity > 0 && net(l) < minimum*l.Quantity-0.005 {
		status := connector.QuoteStatusInfoWarning
		if rules.minimumError {
			status = connector.QuoteStatusInfoError
		}
		unit, floor := number(round2(net(l)/l.Quantity)), number(minimum)
		ps = append(ps, problem{status,
			"Below the minimum price: " + unit + " per unit, the minimum is " + floor + ".",
			"Under minsteprisen: " + unit + " per enhet, minsteprisen er " + floor + "."})
	}
	if rules.stock && p != nil && p.stocked() && l.Quantity > p.stock.Float64 {
		if p.stock.Float64 <= 0 {
			ps = append(ps, problem{connector.QuoteStatusInfoWarning,
				"Out of stock: delivery time on request.", "Ikke på lager: leveringstid på forespørsel."})
		} else {
			n := number(p.stock.Float64) + " " + p.quantityUnit
			ps = append(ps, problem{connector.QuoteStatusInfoWarning,
				"Only " + n + " in stock.", "Bare " + n + " på lager."})
		}
	}
	report(&l.Status, &l.Reason, ps)
	return ps
}

// report sets a Status to the worst of the problems and Reason to all of them.
func report(status *connector.QuoteStatusInfo, reason *string, ps []problem) {
	*status, *reason = connector.QuoteStatusInfoOk, ""
	if len(ps) == 0 {
		return
	}
	var us, no []string
	for _, p := range ps {
		*status = max(*status, p.status)
		us, no = append(us, p.us), append(no, p.no)
	}
	*reason = connector.ML("US", strings.Join(us, " "), "NO", strings.Join(no, " "))
}

// net is what the customer pays for the line: after the line's discount and its share
// of the alternative's.
func net(l *connector.QuoteLineInfo) float64 {
	if l.TotalPriceWithAlternativeDiscount != 0 {
		return l.TotalPriceWithAlternativeDiscount
	}
	return l.TotalPrice
}

// extraDiscount is the discount the salesperson gives on the line beyond what the ERP
// suggests (the customer's agreed and volume discounts), in percent of the list price,
// the line's share of the alternative's discount included.
func extraDiscount(l *connector.QuoteLineInfo) float64 {
	if l.SubTotal <= 0 {
		return 0
	}
	return (l.SubTotal-net(l))/l.SubTotal*100 - l.ERPDiscountPercent
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// lookup finds the products of quote lines, each once per call. A line whose key the ERP
// does not know gets nil, which checkLine reports; other errors end the call.
type lookup struct {
	e    *ERP
	seen map[string]*product
}

func (e *ERP) lookup() *lookup { return &lookup{e: e, seen: map[string]*product{}} }

func (lk *lookup) product(ctx context.Context, key string) (*product, error) {
	if key == "" {
		return nil, nil
	}
	if p, ok := lk.seen[key]; ok {
		return p, nil
	}
	p, err := lk.e.product(ctx, key)
	if errors.Is(err, connector.ErrInvalid) {
		p, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	lk.seen[key] = p
	return p, nil
}

// refresh sets what the ERP decides on a line, as far as may allows: VAT and the
// discount it suggests for the quantity and, with prices, the price list's list price,
// minimum price and cost. It reports whether a price changed.
func refresh(l *connector.QuoteLineInfo, p *product, c *customer, may func(field string) bool, prices bool) bool {
	if p == nil {
		return false
	}
	set := func(field string, dst *float64, v float64) bool {
		if !may(field) || *dst == v {
			return false
		}
		*dst = v
		return true
	}
	changed := false
	if prices {
		changed = set("unitlistprice", &l.UnitListPrice, p.listPrice)
		changed = set("unitminimumprice", &l.UnitMinimumPrice, p.minimumPrice) || changed
		changed = set("unitcost", &l.UnitCost, p.cost) || changed
	}
	set("vat", &l.VAT, p.vat)
	if may("vatinfo") {
		l.VATInfo = vatInfo(p.vat)
	}
	set("erpdiscountpercent", &l.ERPDiscountPercent, suggestedDiscount(c, p, l.Quantity))
	set("erpdiscountamount", &l.ERPDiscountAmount, 0)
	return changed
}

// anyField lets refresh write every field.
func anyField(string) bool { return true }

// OnQuoteLineChanged recalculates the line the user is editing with SuperOffice's maths,
// honouring the field the user set last (UserValueOverride), after setting VAT and the
// ERP's suggested discount for the new quantity. A price below the minimum and a quantity
// beyond the stock are warnings on the line. A request without a line gets nil: the
// default calculation.
func (e *ERP) OnQuoteLineChanged(ctx context.Context, req *connector.OnQuoteLineChangedRequest) (*connector.QuoteLineInfo, error) {
	if err := e.enter(ctx, "OnQuoteLineChanged"); err != nil {
		return nil, err
	}
	if req.QuoteLine == nil {
		return nil, nil
	}
	line := *req.QuoteLine
	p, err := e.lookup().product(ctx, line.ERPProductKey)
	if err != nil {
		return nil, err
	}
	var c *customer
	if req.Context != nil {
		if c, err = e.findCustomer(ctx, req.Context.ERPCompanyKey, req.Context.CRMCompany); err != nil {
			return nil, err
		}
	}
	refresh(&line, p, c, anyField, false)
	connector.CalculateLine(&line)
	checkLine(&line, p, lineRules{stock: warnLowStock(config(ctx, req.ConfigValues))})
	return &line, nil
}

// RecalculateQuoteAlternative recalculates every line and the alternative with
// SuperOffice's maths, after refreshing VAT and the suggested discounts, and checks each
// line as OnQuoteLineChanged does. The alternative's Status is the worst of its lines'.
// A request without an alternative gets nil: the default calculation.
func (e *ERP) RecalculateQuoteAlternative(ctx context.Context, req *connector.RecalculateQuoteAlternativeRequest) (*connector.QuoteAlternativeWithLinesInfo, error) {
	if err := e.enter(ctx, "RecalculateQuoteAlternative"); err != nil {
		return nil, err
	}
	if req.Context == nil || req.Context.CRMAlternativeWithLines == nil {
		return nil, nil
	}
	c, err := e.findCustomer(ctx, req.Context.ERPCompanyKey, req.Context.CRMCompany)
	if err != nil {
		return nil, err
	}
	alt := cloneAlternative(*req.Context.CRMAlternativeWithLines)
	lk := e.lookup()
	if _, err := e.recalculate(ctx, lk, &alt, c, anyField, false); err != nil {
		return nil, err
	}
	e.checkAlternative(&alt, lk, lineRules{stock: warnLowStock(config(ctx, req.ConfigValues))})
	return &alt, nil
}

// recalculate refreshes each line of alt (see refresh) and then runs SuperOffice's
// alternative maths. It returns how many lines got new prices.
func (e *ERP) recalculate(ctx context.Context, lk *lookup, alt *connector.QuoteAlternativeWithLinesInfo, c *customer, may func(string) bool, prices bool) (int, error) {
	changed := 0
	for i := range alt.CRMQuoteLines {
		l := &alt.CRMQuoteLines[i]
		p, err := lk.product(ctx, l.ERPProductKey)
		if err != nil {
			return 0, err
		}
		if refresh(l, p, c, may, prices) {
			changed++
		}
	}
	connector.CalculateAlternative(alt)
	return changed, nil
}

// checkAlternative checks every line (the products are in lk already) and sums the
// result up on the alternative.
func (e *ERP) checkAlternative(alt *connector.QuoteAlternativeWithLinesInfo, lk *lookup, rules lineRules) {
	var worst connector.QuoteStatusInfo
	bad := 0
	for i := range alt.CRMQuoteLines {
		l := &alt.CRMQuoteLines[i]
		if ps := checkLine(l, lk.seen[l.ERPProductKey], rules); len(ps) > 0 {
			bad++
			worst = max(worst, l.Status)
		}
	}
	a := alt.CRMAlternative
	a.Status, a.Reason = worst, ""
	if bad > 0 {
		a.Reason = needAttention(bad, len(alt.CRMQuoteLines))
	}
}

func needAttention(n, of int) string {
	return msg("Lines that need attention: %d of %d.", "Linjer som trenger oppmerksomhet: %d av %d.", n, of)
}

func cloneAlternative(a connector.QuoteAlternativeWithLinesInfo) connector.QuoteAlternativeWithLinesInfo {
	if a.CRMAlternative != nil {
		alt := *a.CRMAlternative
		a.CRMAlternative = &alt
	} else {
		a.CRMAlternative = &connector.QuoteAlternativeInfo{}
	}
	a.CRMQuoteLines = slices.Clone(a.CRMQuoteLines)
	return a
}

func cloneAlternatives(as []connector.QuoteAlternativeWithLinesInfo) []connector.QuoteAlternativeWithLinesInfo {
	out := make([]connector.QuoteAlternativeWithLinesInfo, len(as))
	for i, a := range as {
		out[i] = cloneAlternative(a)
	}
	return out
}

// ValidateQuoteVersion enforces the ERP's rules before the quote is sent or ordered and
// sets the version's state. It judges every line of every alternative:
//
//   - a price below the minimum is an Error on the line, the alternative and the version,
//     which stops sending and ordering; the answer is then IsOk=false with an explanation;
//   - a discount beyond the ERP's suggestion that is above the calling salesperson's
//     limit (see the package documentation) puts the version into DraftNeedsApproval,
//     with the reason;
//   - stock and assortment problems are warnings.
//
// Otherwise a draft becomes Draft (calculated). LastRecalculated is set to now. A version
// that is approved, rejected, sent, archived, lost or sold is left as it is, and a
// request without a version gets nil: the default behaviour.
func (e *ERP) ValidateQuoteVersion(ctx context.Context, req *connector.ValidateQuoteVersionRequest) (*connector.QuoteResponseInfo, error) {
	if err := e.enter(ctx, "ValidateQuoteVersion"); err != nil {
		return nil, err
	}
	qc := req.QuoteContext
	if qc == nil || qc.CRMQuoteVersion == nil {
		return nil, nil
	}
	v := *qc.CRMQuoteVersion
	res := &connector.QuoteResponseInfo{IsOk: true, State: connector.ResponseStateOk, CRMQuote: qc.CRMQuote, CRMQuoteVersion: &v}
	switch v.State {
	case connector.QuoteVersionStateInfoUnknown, connector.QuoteVersionStateInfoDraft,
		connector.QuoteVersionStateInfoDraftNotCalculated, connector.QuoteVersionStateInfoDraftNeedsApproval:
	default:
		res.CRMAlternativesWithLines = qc.CRMAlternativesWithLines
		return res, nil
	}
	sp, err := e.salesperson(ctx)
	if err != nil {
		return nil, err
	}
	rules := lineRules{stock: warnLowStock(config(ctx, req.ConfigValues)), minimumError: true}
	lk := e.lookup()
	alts := cloneAlternatives(qc.CRMAlternativesWithLines)
	var belowMinimum, overLimit, attention int
	var maxGiven float64
	var worst connector.QuoteStatusInfo
	for ai := range alts {
		alt := &alts[ai]
		var altWorst connector.QuoteStatusInfo
		bad := 0
		for li := range alt.CRMQuoteLines {
			l := &alt.CRMQuoteLines[li]
			p, err := lk.product(ctx, l.ERPProductKey)
			if err != nil {
				return nil, err
			}
			ps := checkLine(l, p, rules)
			if l.Status == connector.QuoteStatusInfoError {
				belowMinimum++
			}
			if given := extraDiscount(l); given > sp.maxDiscount+0.005 {
				overLimit++
				maxGiven = max(maxGiven, given)
				limit := number(sp.maxDiscount)
				ps = append(ps, problem{connector.QuoteStatusInfoOkWithInfo,
					"Discount above your limit of " + limit + " %: needs approval.",
					"Rabatt over grensen din på " + limit + " %: må godkjennes."})
				report(&l.Status, &l.Reason, ps)
			}
			if len(ps) > 0 {
				bad++
				altWorst = max(altWorst, l.Status)
			}
		}
		attention += bad
		alt.CRMAlternative.Status, alt.CRMAlternative.Reason = altWorst, ""
		if bad > 0 {
			alt.CRMAlternative.Reason = needAttention(bad, len(alt.CRMQuoteLines))
		}
		worst = max(worst, altWorst)
	}
	res.CRMAlternativesWithLines = alts
	v.Status, v.Reason = worst, ""
	v.LastRecalculated = connector.NewDateTime(e.now())
	switch {
	case belowMinimum > 0:
		v.State = connector.QuoteVersionStateInfoDraft
		v.Reason = msg("Lines below their minimum price: %d.", "Linjer under minsteprisen: %d.", belowMinimum)
		res.IsOk, res.State = false, connector.ResponseStateError
		res.UserExplanation = msg("Lines below their minimum price: %d. Raise the price or lower the discount before the quote is sent or ordered.",
			"Linjer under minsteprisen: %d. Øk prisen eller reduser rabatten før tilbudet sendes eller bestilles.", belowMinimum)
		res.TechExplanation = "lines below minimum price"
		res.ErrorCode = "BELOW-MINIMUM"
	case overLimit > 0:
		v.State = connector.QuoteVersionStateInfoDraftNeedsApproval
		given, limit := number(round2(maxGiven)), number(sp.maxDiscount)
		v.Reason = msg("A discount of %s %% is above the salesperson's limit of %s %%.", "En rabatt på %s %% er over selgerens grense på %s %%.", given, limit)
		res.State = connector.ResponseStateOkWithInfo
		res.UserExplanation = msg("The quote gives up to %s %% discount, above your limit of %s %%: it must be approved before it is sent.",
			"Tilbudet gir opptil %s %% rabatt, over grensen din på %s %%: det må godkjennes før det sendes.", given, limit)
	default:
		v.State = connector.QuoteVersionStateInfoDraft
		if attention > 0 {
			v.Reason = msg("Lines that need attention: %d.", "Linjer som trenger oppmerksomhet: %d.", attention)
			res.State = connector.ResponseStateWarning
			res.UserExplanation = v.Reason
		}
	}
	return res, nil
}

// UpdateQuoteVersionPrices refreshes every line of every alternative from its product's
// price list: list price, minimum price, cost, VAT and the ERP's suggested discount, each
// only when req.WriteableFields (lower-case line field names) allows it. Then it
// recalculates and checks the lines as RecalculateQuoteAlternative does. A request
// without a version gets nil: the default, which changes nothing.
func (e *ERP) UpdateQuoteVersionPrices(ctx context.Context, req *connector.UpdateQuoteVersionPricesRequest) (*connector.QuoteVersionResponseInfo, error) {
	if err := e.enter(ctx, "UpdateQuoteVersionPrices"); err != nil {
		return nil, err
	}
	qc := req.QuoteContext
	if qc == nil || qc.CRMQuoteVersion == nil {
		return nil, nil
	}
	writable := map[string]bool{}
	for _, f := range req.WriteableFields {
		writable[strings.ToLower(f)] = true
	}
	may := func(field string) bool { return writable[field] }
	c, err := e.findCustomer(ctx, qc.ERPCompanyKey, qc.CRMCompany)
	if err != nil {
		return nil, err
	}
	rules := lineRules{stock: warnLowStock(config(ctx, req.ConfigValues))}
	lk := e.lookup()
	alts := cloneAlternatives(qc.CRMAlternativesWithLines)
	changed, lines := 0, 0
	for i := range alts {
		n, err := e.recalculate(ctx, lk, &alts[i], c, may, true)
		if err != nil {
			return nil, err
		}
		e.checkAlternative(&alts[i], lk, rules)
		changed += n
		lines += len(alts[i].CRMQuoteLines)
	}
	v := *qc.CRMQuoteVersion
	return &connector.QuoteVersionResponseInfo{
		IsOk:                     true,
		State:                    connector.ResponseStateOkWithInfo,
		UserExplanation:          msg("Lines with new prices: %d of %d.", "Linjer med nye priser: %d av %d.", changed, lines),
		CRMQuoteVersion:          &v,
		CRMAlternativesWithLines: alts,
	}, nil
}
