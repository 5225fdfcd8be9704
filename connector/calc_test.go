package connector_test

import (
	"math"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCalculateLine(t *testing.T) {
	// SuperOffice's worked example: cost 10, list 13, quantity 10, 10 % discount →
	// subtotal 130, discount 13, total 117, earning 17 (14.53 %).
	base := func() connector.QuoteLineInfo {
		return connector.QuoteLineInfo{UnitCost: 10, UnitListPrice: 13, Quantity: 10}
	}
	tests := []struct {
		name string
		set  func(*connector.QuoteLineInfo)
	}{
		{"ERP percentage copied while not overridden", func(l *connector.QuoteLineInfo) { l.ERPDiscountPercent = 10 }},
		{"ERP amount copied while not overridden", func(l *connector.QuoteLineInfo) { l.ERPDiscountAmount = 13 }},
		{"user percentage", func(l *connector.QuoteLineInfo) {
			l.UserValueOverride, l.DiscountPercent, l.ERPDiscountPercent = connector.ValueOverrideInfoOverrideDiscountPercent, 10, 50
		}},
		{"user amount", func(l *connector.QuoteLineInfo) {
			l.UserValueOverride, l.DiscountAmount = connector.ValueOverrideInfoOverrideDiscountAmount, 13
		}},
		{"user total", func(l *connector.QuoteLineInfo) {
			l.UserValueOverride, l.TotalPrice = connector.ValueOverrideInfoOverrideTotal, 117
		}},
		{"user earning amount", func(l *connector.QuoteLineInfo) {
			l.UserValueOverride, l.EarningAmount = connector.ValueOverrideInfoOverrideEarningAmount, 17
		}},
		{"user earning percent", func(l *connector.QuoteLineInfo) {
			l.UserValueOverride, l.EarningPercent = connector.ValueOverrideInfoOverrideEarningPercent, 17.0/117*100
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base()
			tt.set(&l)
			connector.CalculateLine(&l)
			got := []float64{l.SubTotal, l.DiscountAmount, l.DiscountPercent, l.TotalPrice, l.EarningAmount, l.EarningPercent, l.TotalPriceWithAlternativeDiscount}
			want := []float64{130, 13, 10, 117, 17, 17.0 / 117 * 100, 117}
			for i := range want {
				if !near(got[i], want[i]) {
					t.Fatalf("subtotal, discount, %%, total, earning, earning %%, total with alt. discount = %v, want %v", got, want)
				}
			}
			if math.Round(l.EarningPercent*100)/100 != 14.53 {
				t.Errorf("earning percent %.4f, want 14.53 when rounded", l.EarningPercent)
			}
		})
	}
	t.Run("zero quantity divides by nothing", func(t *testing.T) {
		l := connector.QuoteLineInfo{UnitListPrice: 13, UnitCost: 10, ERPDiscountPercent: 10}
		connector.CalculateLine(&l)
		if l.SubTotal != 0 || l.DiscountPercent != 0 || l.EarningPercent != 0 || math.IsNaN(l.TotalPrice) {
			t.Errorf("zero quantity: %+v", l)
		}
	})
	t.Run("earning percent of 100 keeps the list price", func(t *testing.T) {
		l := base()
		l.UserValueOverride, l.EarningPercent = connector.ValueOverrideInfoOverrideEarningPercent, 100
		connector.CalculateLine(&l)
		if l.TotalPrice != 130 || math.IsInf(l.TotalPrice, 0) {
			t.Errorf("total %v, want 130", l.TotalPrice)
		}
	})
}

func TestCalculateAlternative(t *testing.T) {
	a := connector.QuoteAlternativeWithLinesInfo{
		CRMAlternative: &connector.QuoteAlternativeInfo{
			UserValueOverride: connector.ValueOverrideInfoOverrideDiscountPercent,
			DiscountPercent:   10,
		},
		CRMQuoteLines: []connector.QuoteLineInfo{
			{UnitCost: 10, UnitListPrice: 13, Quantity: 10, ERPDiscountPercent: 10, VAT: 25}, // total 117
			{UnitCost: 50, UnitListPrice: 100, Quantity: 3, VAT: 10},                         // total 300
		},
	}
	connector.CalculateAlternative(&a)
	alt := a.CRMAlternative
	// The alternative's subtotal sums the lines' totals: 117 + 300 = 417.
	checks := []struct {
		name      string
		got, want float64
	}{
		{"SubTotal", alt.SubTotal, 417},
		{"DiscountAmount", alt.DiscountAmount, 41.7},
		{"TotalPrice", alt.TotalPrice, 375.3},
		{"EarningAmount", alt.EarningAmount, 375.3 - 250},
		{"line 1 with alternative discount", a.CRMQuoteLines[0].TotalPriceWithAlternativeDiscount, 117 * 0.9},
		{"line 2 with alternative discount", a.CRMQuoteLines[1].TotalPriceWithAlternativeDiscount, 270},
		{"VAT", alt.VAT, 117*0.9*0.25 + 270*0.10},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	t.Run("no lines, no alternative", func(t *testing.T) {
		var empty connector.QuoteAlternativeWithLinesInfo
		connector.CalculateAlternative(&empty)
		if empty.CRMAlternative == nil || empty.CRMAlternative.TotalPrice != 0 {
			t.Errorf("empty alternative: %+v", empty.CRMAlternative)
		}
	})
}
