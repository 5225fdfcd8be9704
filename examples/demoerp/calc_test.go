package demoerp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
	"github.com/quotekit/quotekit/examples/demoerp"
)

// A stainless pump: list price 24 900 NOK, minimum 19 920 (20 % off), 7 in stock.
const pump = "CP-32-SS@NOK-STD"

// Hex bolts, 209 NOK a box, plenty in stock.
const bolts = "HB-M8x40-ZN@NOK-STD"

// pickLine returns the quote line the ERP makes for the product, as the user starts from.
func pickLine(t *testing.T, erp *demoerp.ERP, key string) connector.QuoteLineInfo {
	t.Helper()
	lines, err := erp.GetQuoteLinesFromProduct(bg, &connector.GetQuoteLinesFromProductRequest{ErpProductKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return lines[0]
}

func TestOnQuoteLineChanged(t *testing.T) {
	erp, _ := open(t)
	tests := []struct {
		name       string
		key        string
		ctx        connector.Tenant
		edit       func(l *connector.QuoteLineInfo)
		company    string
		wantStatus connector.QuoteStatusInfo
		wantReason string // in the English text
		check      func(t *testing.T, l connector.QuoteLineInfo)
	}{
		{name: "unchanged", key: pump, edit: func(l *connector.QuoteLineInfo) {},
			check: func(t *testing.T, l connector.QuoteLineInfo) {
				if l.TotalPrice != 24900 || l.DiscountPercent != 0 || !near(l.EarningAmount, 24900-l.UnitCost) {
					t.Errorf("line %+v", l)
				}
			}},
		{name: "discount above the minimum price", key: pump, edit: func(l *connector.QuoteLineInfo) {
			l.UserValueOverride, l.DiscountPercent = connector.ValueOverrideInfoOverrideDiscountPercent, 15
		}, check: func(t *testing.T, l connector.QuoteLineInfo) {
			if !near(l.TotalPrice, 21165) || !near(l.DiscountAmount, 3735) {
				t.Errorf("15 %% off: total %v, discount %v", l.TotalPrice, l.DiscountAmount)
			}
		}},
		{name: "discount below the minimum price", key: pump, edit: func(l *connector.QuoteLineInfo) {
			l.UserValueOverride, l.DiscountPercent = connector.ValueOverrideInfoOverrideDiscountPercent, 25
		}, wantStatus: connector.QuoteStatusInfoWarning, wantReason: "minimum price"},
		{name: "total set by the user", key: pump, edit: func(l *connector.QuoteLineInfo) {
			l.UserValueOverride, l.TotalPrice = connector.ValueOverrideInfoOverrideTotal, 22410
		}, check: func(t *testing.T, l connector.QuoteLineInfo) {
			if l.TotalPrice != 22410 || !near(l.DiscountAmount, 2490) || !near(l.DiscountPercent, 10) {
				t.Errorf("total override: %+v", l)
			}
		}},
		{name: "more than in stock", key: pump, edit: func(l *connector.QuoteLineInfo) { l.Quantity = 8 },
			wantStatus: connector.QuoteStatusInfoWarning, wantReason: "Only 7 pcs in stock"},
		{name: "more than in stock, warnings off", key: pump, ctx: connector.Tenant{ID: "Cust1", Config: culture.Config{demoerp.ConfigWarnLowStock: "[I:0]"}},
			edit: func(l *connector.QuoteLineInfo) { l.Quantity = 8 }},
		{name: "volume discount on top of the agreed one", key: bolts, company: "C10002",
			edit: func(l *connector.QuoteLineInfo) { l.Quantity = 10 },
			check: func(t *testing.T, l connector.QuoteLineInfo) {
				if l.ERPDiscountPercent != 10 || l.DiscountPercent != 10 || !near(l.TotalPrice, 1881) {
					t.Errorf("8 %% agreed + 2 %% volume: %+v", l)
				}
			}},
		{name: "user discount kept over the suggestion", key: bolts, company: "C10002", edit: func(l *connector.QuoteLineInfo) {
			l.Quantity, l.UserValueOverride, l.DiscountAmount = 10, connector.ValueOverrideInfoOverrideDiscountAmount, 100
		}, check: func(t *testing.T, l connector.QuoteLineInfo) {
			if l.ERPDiscountPercent != 10 || l.DiscountAmount != 100 || l.TotalPrice != 1990 {
				t.Errorf("amount override: %+v", l)
			}
		}},
		{name: "VAT filled", key: pump, edit: func(l *connector.QuoteLineInfo) { l.VAT, l.VATInfo = 0, "" },
			check: func(t *testing.T, l connector.QuoteLineInfo) {
				if l.VAT != 25 || l.VATInfo != "25 %" {
					t.Errorf("VAT %v %q", l.VAT, l.VATInfo)
				}
			}},
		{name: "free-text line", key: pump, edit: func(l *connector.QuoteLineInfo) {
			*l = connector.QuoteLineInfo{Name: "Freight", Quantity: 1, UnitListPrice: 750}
		}, check: func(t *testing.T, l connector.QuoteLineInfo) {
			if l.TotalPrice != 750 {
				t.Errorf("free text: %+v", l)
			}
		}},
		{name: "product the ERP does not know", key: pump, edit: func(l *connector.QuoteLineInfo) { l.ERPProductKey = "GONE@NOK-STD" },
			wantStatus: connector.QuoteStatusInfoWarning, wantReason: "not in the ERP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := bg
			if tt.ctx.ID != "" {
				ctx = connector.WithTenant(bg, tt.ctx)
			}
			l := pickLine(t, erp, tt.key)
			tt.edit(&l)
			got, err := erp.OnQuoteLineChanged(ctx, &connector.OnQuoteLineChangedRequest{
				QuoteLine: &l, ChangedFields: []string{"Quantity"},
				Context: &connector.QuoteAlternativeContextInfo{ERPCompanyKey: tt.company},
			})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("status %v %q, want %v with %q", got.Status, got.Reason, tt.wantStatus, tt.wantReason)
			}
			if got.Reason != "" {
				wantML(t, "Reason", got.Reason)
			}
			if tt.check != nil {
				tt.check(t, *got)
			}
		})
	}

	got, err := erp.OnQuoteLineChanged(bg, &connector.OnQuoteLineChangedRequest{})
	if err != nil || got != nil {
		t.Errorf("without a line: %v, %v; want nil (the default calculation)", got, err)
	}
}

// alternative builds a calculated alternative from lines and an alternative discount.
func alternative(discountPercent float64, lines ...connector.QuoteLineInfo) *connector.QuoteAlternativeWithLinesInfo {
	a := &connector.QuoteAlternativeWithLinesInfo{
		CRMAlternative: &connector.QuoteAlternativeInfo{Name: "Products", ERPQuoteAlternativeKey: "Q-10001-A1"},
		CRMQuoteLines:  lines,
	}
	if discountPercent != 0 {
		a.CRMAlternative.UserValueOverride = connector.ValueOverrideInfoOverrideDiscountPercent
		a.CRMAlternative.DiscountPercent = discountPercent
	}
	connector.CalculateAlternative(a)
	return a
}

func discounted(l connector.QuoteLineInfo, pct float64) connector.QuoteLineInfo {
	l.UserValueOverride, l.DiscountPercent = connector.ValueOverrideInfoOverrideDiscountPercent, pct
	connector.CalculateLine(&l)
	return l
}

func quantity(l connector.QuoteLineInfo, q float64) connector.QuoteLineInfo {
	l.Quantity = q
	connector.CalculateLine(&l)
	return l
}

func TestRecalculateQuoteAlternative(t *testing.T) {
	erp, _ := open(t)
	recalc := func(a *connector.QuoteAlternativeWithLinesInfo) *connector.QuoteAlternativeWithLinesInfo {
		t.Helper()
		got, err := erp.RecalculateQuoteAlternative(bg, &connector.RecalculateQuoteAlternativeRequest{
			Context: &connector.QuoteAlternativeContextInfo{ERPCompanyKey: "C10002", CRMAlternativeWithLines: a},
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	in := alternative(5, pickLine(t, erp, pump), quantity(pickLine(t, erp, bolts), 10))
	got := recalc(in)
	a, ls := got.CRMAlternative, got.CRMQuoteLines
	// The customer (8 %) gets 8 % on the pump and 10 % on ten boxes of bolts.
	if ls[0].DiscountPercent != 8 || ls[1].DiscountPercent != 10 {
		t.Errorf("line discounts %v, %v; want 8 and 10", ls[0].DiscountPercent, ls[1].DiscountPercent)
	}
	sub := 24900*0.92 + 2090*0.9
	if !near(a.SubTotal, sub) || !near(a.TotalPrice, sub*0.95) || !near(a.VAT, sub*0.95*0.25) {
		t.Errorf("alternative %+v, want subtotal %v, total %v", a, sub, sub*0.95)
	}
	if a.Status != connector.QuoteStatusInfoOk || a.Reason != "" {
		t.Errorf("status %v %q, want Ok", a.Status, a.Reason)
	}
	if in.CRMQuoteLines[0].DiscountPercent != 0 {
		t.Error("the request was changed")
	}

	// 20 % more on the whole alternative takes the pump below its minimum price.
	got = recalc(alternative(20, pickLine(t, erp, pump), quantity(pickLine(t, erp, bolts), 10)))
	if got.CRMAlternative.Status != connector.QuoteStatusInfoWarning || got.CRMQuoteLines[0].Status != connector.QuoteStatusInfoWarning {
		t.Errorf("20 %% alternative discount: alternative %v, pump %v; want warnings", got.CRMAlternative.Status, got.CRMQuoteLines[0].Status)
	}
	wantML(t, "alternative Reason", got.CRMAlternative.Reason)

	if got, err := erp.RecalculateQuoteAlternative(bg, &connector.RecalculateQuoteAlternativeRequest{}); err != nil || got != nil {
		t.Errorf("without an alternative: %v, %v; want nil", got, err)
	}
}

func TestValidateQuoteVersion(t *testing.T) {
	erp, _ := open(t)
	p, b := pickLine(t, erp, pump), pickLine(t, erp, bolts)
	tests := []struct {
		name       string
		erpUser    string
		state      connector.QuoteVersionStateInfo
		alt        *connector.QuoteAlternativeWithLinesInfo
		wantState  connector.QuoteVersionStateInfo
		wantOK     bool
		wantStatus connector.QuoteStatusInfo
		untouched  bool
	}{
		{name: "a calculated draft", erpUser: "AHA", state: connector.QuoteVersionStateInfoDraftNotCalculated,
			alt: alternative(0, p, b), wantState: connector.QuoteVersionStateInfoDraft, wantOK: true},
		{name: "discount within the limit", erpUser: "AHA", state: connector.QuoteVersionStateInfoDraftNotCalculated,
			alt: alternative(0, discounted(p, 10), b), wantState: connector.QuoteVersionStateInfoDraft, wantOK: true},
		{name: "discount above the limit", erpUser: "AHA", state: connector.QuoteVersionStateInfoDraftNotCalculated,
			alt: alternative(0, discounted(p, 15), b), wantState: connector.QuoteVersionStateInfoDraftNeedsApproval, wantOK: true,
			wantStatus: connector.QuoteStatusInfoOkWithInfo},
		{name: "alternative discount above the limit", erpUser: "AHA", state: connector.QuoteVersionStateInfoDraftNotCalculated,
			alt: alternative(12, p, b), wantState: connector.QuoteVersionStateInfoDraftNeedsApproval, wantOK: true,
			wantStatus: connector.QuoteStatusInfoOkWithInfo},
		{name: "a sales manager may give more", erpUser: "KDA", state: connector.QuoteVersionStateInfoDraftNotCalculated,
			alt: alternative(0, discounted(p, 15), b), wantState: connector.QuoteVersionStateInfoDraft, wantOK: true},
		{name: "an unmapped user may give 5 %", erpUser: "", state: connector.QuoteVersionStateInfoDraftNotCalculated,
			alt: alternative(0, discounted(p, 8)), wantState: connector.QuoteVersionStateInfoDraftNeedsApproval, wantOK: true,
			wantStatus: connector.QuoteStatusInfoOkWithInfo},
		{name: "back to draft once the discount is lowered", erpUser: "AHA", state: connector.QuoteVersionStateInfoDraftNeedsApproval,
			alt: alternative(0, discounted(p, 5)), wantState: connector.QuoteVersionStateInfoDraft, wantOK: true},
		{name: "below the minimum price blocks", erpUser: "KDA", state: connector.QuoteVersionStateInfoDraftNotCalculated,
			alt: alternative(0, discounted(p, 25), b), wantState: connector.QuoteVersionStateInfoDraft, wantOK: false,
			wantStatus: connector.QuoteStatusInfoError},
		{name: "stock shortage warns", erpUser: "AHA", state: connector.QuoteVersionStateInfoDraftNotCalculated,
			alt: alternative(0, quantity(p, 9)), wantState: connector.QuoteVersionStateInfoDraft, wantOK: true,
			wantStatus: connector.QuoteStatusInfoWarning},
		{name: "approved stays approved", erpUser: "AHA", state: connector.QuoteVersionStateInfoDraftApproved,
			alt: alternative(0, discounted(p, 15)), wantState: connector.QuoteVersionStateInfoDraftApproved, wantOK: true, untouched: true},
		{name: "archived stays archived", erpUser: "AHA", state: connector.QuoteVersionStateInfoArchived,
			alt: alternative(0, discounted(p, 25)), wantState: connector.QuoteVersionStateInfoArchived, wantOK: true, untouched: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &connector.QuoteVersionInfo{State: tt.state, ERPQuoteVersionKey: "Q-10001-V1"}
			res, err := erp.ValidateQuoteVersion(as("Cust1", tt.erpUser), &connector.ValidateQuoteVersionRequest{
				Action: connector.QuoteActionSendQuote,
				QuoteContext: &connector.QuoteVersionContextInfo{
					CRMQuote: &connector.QuoteInfo{ERPQuoteKey: "Q-10001"}, CRMQuoteVersion: v,
					CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*tt.alt},
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := res.CRMQuoteVersion
			if got.State != tt.wantState || res.IsOk != tt.wantOK || got.Status != tt.wantStatus {
				t.Fatalf("state %v, IsOk %v, status %v (%s / %s); want %v, %v, %v",
					got.State, res.IsOk, got.Status, got.Reason, res.UserExplanation, tt.wantState, tt.wantOK, tt.wantStatus)
			}
			if len(res.CRMAlternativesWithLines) != 1 {
				t.Fatalf("%d alternatives in the answer, want 1", len(res.CRMAlternativesWithLines))
			}
			if tt.untouched {
				if !got.LastRecalculated.IsZero() || res.CRMAlternativesWithLines[0].CRMQuoteLines[0].Status != 0 {
					t.Errorf("a version in state %v was changed: %+v", tt.state, got)
				}
				return
			}
			if !got.LastRecalculated.Time.Equal(start) {
				t.Errorf("LastRecalculated = %v, want %v", got.LastRecalculated, start)
			}
			if (res.State == connector.ResponseStateError) == res.IsOk {
				t.Errorf("IsOk %v with State %v", res.IsOk, res.State)
			}
			if tt.wantStatus != connector.QuoteStatusInfoOk {
				wantML(t, "version Reason", got.Reason)
				wantML(t, "alternative Reason", res.CRMAlternativesWithLines[0].CRMAlternative.Reason)
			}
			if tt.wantState == connector.QuoteVersionStateInfoDraftNeedsApproval || !tt.wantOK {
				wantML(t, "UserExplanation", res.UserExplanation)
			}
			if !tt.wantOK && res.CRMAlternativesWithLines[0].CRMQuoteLines[0].Status != connector.QuoteStatusInfoError {
				t.Error("the line below its minimum price is not an Error")
			}
		})
	}
	if res, err := erp.ValidateQuoteVersion(bg, &connector.ValidateQuoteVersionRequest{}); err != nil || res != nil {
		t.Errorf("without a version: %v, %v; want nil", res, err)
	}
}

func TestUpdateQuoteVersionPrices(t *testing.T) {
	erp, _ := open(t)
	stale := pickLine(t, erp, pump)
	stale.UnitListPrice, stale.UnitMinimumPrice, stale.UnitCost = 22000, 0, 0
	free := connector.QuoteLineInfo{Name: "Freight", Quantity: 1, UnitListPrice: 750}
	update := func(fields ...string) *connector.QuoteVersionResponseInfo {
		t.Helper()
		res, err := erp.UpdateQuoteVersionPrices(bg, &connector.UpdateQuoteVersionPricesRequest{
			WriteableFields: fields,
			QuoteContext: &connector.QuoteVersionContextInfo{
				CRMQuoteVersion:          &connector.QuoteVersionInfo{State: connector.QuoteVersionStateInfoDraftNotCalculated},
				CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alternative(0, stale, free)},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !res.IsOk || len(res.CRMAlternativesWithLines) != 1 {
			t.Fatalf("UpdateQuoteVersionPrices = %+v", res)
		}
		wantML(t, "UserExplanation", res.UserExplanation)
		return res
	}

	res := update("unitlistprice", "unitcost")
	a := res.CRMAlternativesWithLines[0]
	l := a.CRMQuoteLines[0]
	if l.UnitListPrice != 24900 || l.UnitCost == 0 || l.UnitMinimumPrice != 0 {
		t.Errorf("list price %v, cost %v, minimum %v; want the list price and cost refreshed, the minimum left", l.UnitListPrice, l.UnitCost, l.UnitMinimumPrice)
	}
	if l.TotalPrice != 24900 || a.CRMAlternative.TotalPrice != 24900+750 {
		t.Errorf("line total %v, alternative total %v: not recalculated", l.TotalPrice, a.CRMAlternative.TotalPrice)
	}
	if !strings.Contains(res.UserExplanation, "new prices: 1 of 2") {
		t.Errorf("UserExplanation = %q", res.UserExplanation)
	}

	res = update()
	if l := res.CRMAlternativesWithLines[0].CRMQuoteLines[0]; l.UnitListPrice != 22000 {
		t.Errorf("no writable fields: list price %v, want 22000 kept", l.UnitListPrice)
	}
}

// TestValidateAgreedDiscountNeedsNoApproval: the customer's agreed discount is the ERP's
// suggestion; only what the salesperson gives on top counts against the limit.
func TestValidateAgreedDiscountNeedsNoApproval(t *testing.T) {
	erp, _ := open(t)
	validate := func(ctx context.Context, extra float64) connector.QuoteVersionStateInfo {
		t.Helper()
		lines, err := erp.GetQuoteLinesFromProduct(bg, &connector.GetQuoteLinesFromProductRequest{
			ErpProductKey: pump, Context: &connector.QuoteAlternativeContextInfo{ERPCompanyKey: "C10003"}, // 12 % agreed
		})
		if err != nil {
			t.Fatal(err)
		}
		l := lines[0]
		if extra != 0 {
			l = discounted(l, l.ERPDiscountPercent+extra)
		}
		res, err := erp.ValidateQuoteVersion(ctx, &connector.ValidateQuoteVersionRequest{QuoteContext: &connector.QuoteVersionContextInfo{
			ERPCompanyKey:            "C10003",
			CRMQuoteVersion:          &connector.QuoteVersionInfo{State: connector.QuoteVersionStateInfoDraftNotCalculated},
			CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alternative(0, l)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return res.CRMQuoteVersion.State
	}
	unmapped := as("Cust1", "")
	if got := validate(unmapped, 0); got != connector.QuoteVersionStateInfoDraft {
		t.Errorf("12 %% agreed, above the 5 %% limit: state %v, want Draft", got)
	}
	if got := validate(unmapped, 4); got != connector.QuoteVersionStateInfoDraft {
		t.Errorf("4 %% on top: state %v, want Draft", got)
	}
	if got := validate(unmapped, 6); got != connector.QuoteVersionStateInfoDraftNeedsApproval {
		t.Errorf("6 %% on top: state %v, want DraftNeedsApproval", got)
	}
}
