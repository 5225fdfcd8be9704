package demoerp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
)

// createQuote runs the creation hooks as NetServer does for a new quote for the company,
// and returns the quote, version and alternative as the hooks left them.
func createQuote(t *testing.T, ctx context.Context, erp *demoerp.ERP, company *connector.ContactInfo) (connector.QuoteInfo, connector.QuoteVersionInfo, connector.QuoteAlternativeWithLinesInfo) {
	t.Helper()
	res, err := erp.OnBeforeCreateQuote(ctx, &connector.OnBeforeCreateQuoteRequest{Context: &connector.QuoteAlternativeContextInfo{
		CRMCompany:              company,
		CRMQuote:                &connector.QuoteInfo{},
		CRMQuoteVersion:         &connector.QuoteVersionInfo{State: connector.QuoteVersionStateInfoDraft},
		CRMAlternativeWithLines: &connector.QuoteAlternativeWithLinesInfo{CRMAlternative: &connector.QuoteAlternativeInfo{Name: "Products"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsOk {
		t.Fatalf("OnBeforeCreateQuote refused: %s", res.UserExplanation)
	}
	q, v := *res.CRMQuote, *res.CRMQuoteVersion
	vres, err := erp.OnBeforeCreateQuoteVersion(ctx, &connector.OnBeforeCreateQuoteVersionRequest{QuoteContext: &connector.QuoteVersionContextInfo{
		CRMQuote: &q, CRMQuoteVersion: &v,
	}})
	if err != nil || !vres.IsOk {
		t.Fatalf("OnBeforeCreateQuoteVersion = %+v, %v", vres, err)
	}
	v = *vres.CRMQuoteVersion
	ares, err := erp.OnBeforeCreateQuoteAlternative(ctx, &connector.OnBeforeCreateQuoteAlternativeRequest{Context: &connector.QuoteAlternativeContextInfo{
		CRMQuote: &q, CRMQuoteVersion: &v,
		CRMAlternativeWithLines: &connector.QuoteAlternativeWithLinesInfo{CRMAlternative: &connector.QuoteAlternativeInfo{Name: "Products"}},
	}})
	if err != nil || !ares.IsOk || len(ares.CRMAlternativesWithLines) != 1 {
		t.Fatalf("OnBeforeCreateQuoteAlternative = %+v, %v", ares, err)
	}
	// NetServer saves and gives out its ids.
	q.QuoteId, q.SaleId = 301, 88
	return q, v, ares.CRMAlternativesWithLines[0]
}

func TestQuoteLifecycle(t *testing.T) {
	erp, clk := open(t, demoerp.WithBaseURL("https://erp.brattli.example/"))
	fjordbris := &connector.ContactInfo{Name: "Fjordbris Havbruk AS", OrganisationNumber: "952 601 814"}
	q, v, alt := createQuote(t, bg, erp, fjordbris)

	if q.ERPQuoteKey != "Q-10001" || v.ERPQuoteVersionKey != "Q-10001-V1" || alt.CRMAlternative.ERPQuoteAlternativeKey != "Q-10001-A1" {
		t.Errorf("keys %q %q %q", q.ERPQuoteKey, v.ERPQuoteVersionKey, alt.CRMAlternative.ERPQuoteAlternativeKey)
	}
	if v.ERPPaymentTermsKey != "NET30" || v.ERPPaymentTypeKey != "EHF" || v.ERPDeliveryTermsKey != "DAP" || v.ERPDeliveryTypeKey != "ROAD" {
		t.Errorf("terms %+v, want the customer's", v)
	}
	if want := start.Add(30 * 24 * time.Hour).Truncate(24 * time.Hour); !v.ExpirationDate.Time.Equal(want) {
		t.Errorf("expires %v, want %v", v.ExpirationDate, want)
	}

	alt.CRMQuoteLines = []connector.QuoteLineInfo{quantity(pickLine(t, erp, bolts), 4), pickLine(t, erp, pump)}
	connector.CalculateAlternative(&alt)
	save := func(a connector.QuoteAlternativeWithLinesInfo) {
		t.Helper()
		err := erp.OnAfterSaveQuote(bg, &connector.OnAfterSaveQuoteRequest{Context: &connector.QuoteAlternativeContextInfo{
			CRMCompany: fjordbris, CRMQuote: &q, CRMQuoteVersion: &v, CRMAlternativeWithLines: &a,
			CRMSale: &connector.SaleInfo{SaleId: 88, Currency: "NOK"},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	save(alt)
	second := connector.QuoteAlternativeWithLinesInfo{
		CRMAlternative: &connector.QuoteAlternativeInfo{Name: "Budget", ERPQuoteAlternativeKey: "Q-10001-A2"},
		CRMQuoteLines:  []connector.QuoteLineInfo{pickLine(t, erp, "CP-32-GG@NOK-STD")},
	}
	connector.CalculateAlternative(&second)
	save(second)
	save(alt) // saved again when the dialog closes: no duplicates

	got, err := erp.Quote(bg, "Cust1", "Q-10001")
	if err != nil {
		t.Fatal(err)
	}
	if got.CRMQuoteID != 301 || got.Customer != "C10001" || got.Salesperson != "AHA" || got.Currency != "NOK" || got.State != "open" ||
		len(got.Alternatives) != 2 || len(got.Alternatives[0].Lines) != 2 || got.Alternatives[0].Lines[0].Quantity != 4 {
		t.Fatalf("Quote = %+v", got)
	}
	if a := got.Alternatives[0]; !near(a.Total, alt.CRMAlternative.TotalPrice) {
		t.Errorf("alternative total %v, want %v", a.Total, alt.CRMAlternative.TotalPrice)
	}

	clk.Advance(time.Hour)
	sent, err := erp.OnAfterSentQuoteVersion(bg, &connector.OnAfterSentQuoteVersionRequest{QuoteContext: &connector.QuoteVersionContextInfo{
		CRMCompany: fjordbris, CRMQuote: &q, CRMQuoteVersion: &v,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Url != "https://erp.brattli.example/quotes/Q-10001" || sent.VersionResponse == nil || !sent.VersionResponse.IsOk {
		t.Errorf("OnAfterSentQuoteVersion = %+v", sent)
	}
	save(alt) // saving a sent quote keeps it sent
	if got, _ := erp.Quote(bg, "Cust1", "Q-10001"); got.State != "sent" || !got.Sent.Equal(start.Add(time.Hour)) {
		t.Errorf("after sending: state %q, sent %v", got.State, got.Sent)
	}

	if err := erp.OnBeforeDeleteQuote(bg, &connector.OnBeforeDeleteQuoteRequest{Quote: &q}); err != nil {
		t.Fatal(err)
	}
	if _, err := erp.Quote(bg, "Cust1", "Q-10001"); !errors.Is(err, demoerp.ErrNotFound) {
		t.Errorf("after deleting: %v, want ErrNotFound", err)
	}
	if err := erp.OnBeforeDeleteQuote(bg, &connector.OnBeforeDeleteQuoteRequest{Quote: &q}); err != nil {
		t.Errorf("deleting again: %v", err)
	}

	// The next quote gets the next number, and its version and alternative count anew.
	q2, v2, alt2 := createQuote(t, bg, erp, fjordbris)
	if q2.ERPQuoteKey != "Q-10002" || v2.ERPQuoteVersionKey != "Q-10002-V1" || alt2.CRMAlternative.ERPQuoteAlternativeKey != "Q-10002-A1" {
		t.Errorf("second quote keys %q %q %q", q2.ERPQuoteKey, v2.ERPQuoteVersionKey, alt2.CRMAlternative.ERPQuoteAlternativeKey)
	}
}

func TestOnBeforeCreateQuote(t *testing.T) {
	erp, _ := open(t)
	create := func(c *connector.QuoteAlternativeContextInfo) *connector.QuoteResponseInfo {
		t.Helper()
		res, err := erp.OnBeforeCreateQuote(bg, &connector.OnBeforeCreateQuoteRequest{Context: c})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	res := create(&connector.QuoteAlternativeContextInfo{ERPCompanyKey: "C10005"})
	if res.IsOk || res.State != connector.ResponseStateError || res.ErrorCode != "CREDIT-STOP" {
		t.Errorf("a customer on credit stop: %+v", res)
	}
	wantML(t, "UserExplanation", res.UserExplanation)

	res = create(&connector.QuoteAlternativeContextInfo{CRMCompany: &connector.ContactInfo{Name: "Ny Kunde AS"}})
	if !res.IsOk || res.State != connector.ResponseStateOkWithInfo || res.CRMQuoteVersion.ERPPaymentTermsKey != "PREPAID" {
		t.Errorf("a new company: %+v", res)
	}

	// Terms the user chose are kept.
	res = create(&connector.QuoteAlternativeContextInfo{ERPCompanyKey: "C10003",
		CRMQuoteVersion: &connector.QuoteVersionInfo{ERPDeliveryTypeKey: "EXPRESS"}})
	if v := res.CRMQuoteVersion; v.ERPDeliveryTypeKey != "EXPRESS" || v.ERPPaymentTermsKey != "NET10" {
		t.Errorf("terms %+v", v)
	}

	res = create(nil)
	if !res.IsOk || res.CRMQuote.ERPQuoteKey == "" {
		t.Errorf("without a context: %+v", res)
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	erp, _ := open(t)
	a, b := as("Cust1", "AHA"), as("Cust2", "ELU")
	qa, _, _ := createQuote(t, a, erp, nil)
	qb, _, _ := createQuote(t, b, erp, nil)
	if qa.ERPQuoteKey != "Q-10001" || qb.ERPQuoteKey != "Q-10001" {
		t.Errorf("each tenant numbers its own quotes: %s, %s", qa.ERPQuoteKey, qb.ERPQuoteKey)
	}
	save := func(ctx context.Context, q connector.QuoteInfo) {
		t.Helper()
		if err := erp.OnAfterSaveQuote(ctx, &connector.OnAfterSaveQuoteRequest{Context: &connector.QuoteAlternativeContextInfo{CRMQuote: &q}}); err != nil {
			t.Fatal(err)
		}
	}
	save(a, qa)
	if _, err := erp.Quote(bg, "Cust2", "Q-10001"); !errors.Is(err, demoerp.ErrNotFound) {
		t.Errorf("Cust2 sees Cust1's quote: %v", err)
	}
	save(b, qb)
	if err := erp.OnBeforeDeleteQuote(b, &connector.OnBeforeDeleteQuoteRequest{Quote: &qb}); err != nil {
		t.Fatal(err)
	}
	if _, err := erp.Quote(bg, "Cust1", "Q-10001"); err != nil {
		t.Errorf("Cust2 deleted Cust1's quote: %v", err)
	}

	order, err := erp.PlaceOrder(a, &connector.PlaceOrderRequest{Context: &connector.QuoteAlternativeContextInfo{
		CRMQuote:                &qa,
		CRMAlternativeWithLines: alternative(0, pickLine(t, erp, bolts)),
	}})
	if err != nil || !order.IsOk {
		t.Fatalf("PlaceOrder = %+v, %v", order, err)
	}
	state, err := erp.GetOrderState(b, &connector.GetOrderStateRequest{Context: &connector.QuoteAlternativeContextInfo{CRMQuote: order.CRMQuote}})
	if state == nil {
		wantRefused(t, err, nil)
	} else {
		wantRefused(t, err, &connector.PluginResponseInfo{IsOk: state.IsOk, State: state.State, UserExplanation: state.UserExplanation})
	}
	if _, err := erp.Order(bg, "Cust2", order.CRMQuote.ERPOrderKey); !errors.Is(err, demoerp.ErrNotFound) {
		t.Errorf("Cust2 sees Cust1's order: %v", err)
	}
}

func TestTenantRequired(t *testing.T) {
	erp, _ := open(t)
	_, err := erp.OnBeforeCreateQuote(context.Background(), &connector.OnBeforeCreateQuoteRequest{})
	if err == nil || errors.Is(err, connector.ErrInvalid) || errors.Is(err, connector.ErrUnsupported) {
		t.Errorf("without a tenant: %v, want a fault", err)
	}
}

// TestSentWithoutQuote: OnAfterSentQuoteVersion for a context without a quote says no in
// its VersionResponse, as a business answer.
func TestSentWithoutQuote(t *testing.T) {
	erp, _ := open(t)
	for name, qc := range map[string]*connector.QuoteVersionContextInfo{
		"no context": nil,
		"no quote":   {CRMQuoteVersion: &connector.QuoteVersionInfo{ERPQuoteVersionKey: "Q-1-V1"}},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := erp.OnAfterSentQuoteVersion(bg, &connector.OnAfterSentQuoteVersionRequest{QuoteContext: qc})
			if res == nil {
				wantRefused(t, err, nil)
				return
			}
			v := res.VersionResponse
			if v == nil {
				t.Fatalf("answer %+v without a VersionResponse", res)
			}
			wantRefused(t, err, &connector.PluginResponseInfo{IsOk: v.IsOk, State: v.State, UserExplanation: v.UserExplanation})
			if res.Url != "" {
				t.Errorf("a refusal sends the user to %q", res.Url)
			}
		})
	}
}
