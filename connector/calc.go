package connector

// The standard quote maths, as SuperOffice documents it and applies when a connector
// leaves calculation to it. Each line and each alternative has an ERP-suggested discount
// (ERPDiscountPercent/Amount) and the user's discount (DiscountPercent/Amount). While
// UserValueOverride is None the ERP's suggestion is copied into the user's fields; once the
// user edits one of the linked fields, UserValueOverride names it and the others are
// derived from it. Percentages are numbers (12 means 12 %). Amounts are not rounded.

// CalculateLine recomputes a quote line in place:
//
//	SubTotal       = UnitListPrice × Quantity
//	TotalPrice     = SubTotal − DiscountAmount
//	EarningAmount  = TotalPrice − UnitCost × Quantity
//	EarningPercent = EarningAmount / TotalPrice × 100
//	DiscountPercent = DiscountAmount / SubTotal × 100
//
// with the field named by UserValueOverride as the one the others follow.
// TotalPriceWithAlternativeDiscount is set to TotalPrice; CalculateAlternative spreads an
// alternative discount over it.
func CalculateLine(l *QuoteLineInfo) {
	l.SubTotal = l.UnitListPrice * l.Quantity
	d := discount{
		override: l.UserValueOverride,
		erpPct:   l.ERPDiscountPercent, erpAmt: l.ERPDiscountAmount,
		pct: l.DiscountPercent, amt: l.DiscountAmount,
		total: l.TotalPrice, earnAmt: l.EarningAmount, earnPct: l.EarningPercent,
	}
	d.apply(l.SubTotal, l.UnitCost*l.Quantity)
	l.DiscountPercent, l.DiscountAmount = d.pct, d.amt
	l.TotalPrice, l.EarningAmount, l.EarningPercent = d.total, d.earnAmt, d.earnPct
	l.TotalPriceWithAlternativeDiscount = l.TotalPrice
}

// CalculateAlternative recomputes every line with CalculateLine and then the alternative:
// its SubTotal is the sum of the lines' TotalPrice (not of their SubTotal), its discount
// follows its own UserValueOverride as for a line, its cost is the lines' total cost, and
// its VAT is the sum of each line's share after the alternative discount times the line's
// VAT percentage. Each line's TotalPriceWithAlternativeDiscount carries its share of the
// alternative discount. A nil CRMAlternative is created.
func CalculateAlternative(a *QuoteAlternativeWithLinesInfo) {
	if a.CRMAlternative == nil {
		a.CRMAlternative = &QuoteAlternativeInfo{}
	}
	alt := a.CRMAlternative
	var subTotal, cost float64
	for i := range a.CRMQuoteLines {
		l := &a.CRMQuoteLines[i]
		CalculateLine(l)
		subTotal += l.TotalPrice
		cost += l.UnitCost * l.Quantity
	}
	alt.SubTotal = subTotal
	d := discount{
		override: alt.UserValueOverride,
		erpPct:   alt.ERPDiscountPercent, erpAmt: alt.ERPDiscountAmount,
		pct: alt.DiscountPercent, amt: alt.DiscountAmount,
		total: alt.TotalPrice, earnAmt: alt.EarningAmount, earnPct: alt.EarningPercent,
	}
	d.apply(subTotal, cost)
	alt.DiscountPercent, alt.DiscountAmount = d.pct, d.amt
	alt.TotalPrice, alt.EarningAmount, alt.EarningPercent = d.total, d.earnAmt, d.earnPct

	share := 1.0
	if subTotal != 0 {
		share = alt.TotalPrice / subTotal
	}
	alt.VAT = 0
	for i := range a.CRMQuoteLines {
		l := &a.CRMQuoteLines[i]
		l.TotalPriceWithAlternativeDiscount = l.TotalPrice * share
		alt.VAT += l.TotalPriceWithAlternativeDiscount * l.VAT / 100
	}
}

// discount holds the five linked fields of a line or an alternative.
type discount struct {
	override       ValueOverrideInfo
	erpPct, erpAmt float64
	pct, amt       float64
	total          float64
	earnAmt        float64
	earnPct        float64
}

// apply derives the linked fields from the one the user set last (or from the ERP's
// suggestion), given the undiscounted subTotal and the total cost.
func (d *discount) apply(subTotal, cost float64) {
	switch d.override {
	case ValueOverrideInfoOverrideDiscountPercent:
		d.amt = subTotal * d.pct / 100
		d.total = subTotal - d.amt
	case ValueOverrideInfoOverrideDiscountAmount:
		d.total = subTotal - d.amt
	case ValueOverrideInfoOverrideTotal:
		d.amt = subTotal - d.total
	case ValueOverrideInfoOverrideEarningAmount:
		d.total = cost + d.earnAmt
		d.amt = subTotal - d.total
	case ValueOverrideInfoOverrideEarningPercent:
		// EarningPercent = (total − cost) / total, so total = cost / (1 − p). At 100 % or
		// more no price yields that earning; keep the list price.
		if d.earnPct < 100 {
			d.total = cost / (1 - d.earnPct/100)
		} else {
			d.total = subTotal
		}
		d.amt = subTotal - d.total
	default: // None: the ERP's suggestion, by percentage when it gives one.
		if d.erpPct != 0 {
			d.amt = subTotal * d.erpPct / 100
		} else {
			d.amt = d.erpAmt
		}
		d.total = subTotal - d.amt
	}
	d.pct = percent(d.amt, subTotal)
	d.earnAmt = d.total - cost
	d.earnPct = percent(d.earnAmt, d.total)
}

func percent(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	return part / whole * 100
}
