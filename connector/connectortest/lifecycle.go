package connectortest

import (
	"context"
	"net/http"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
)

// lifecycle walks a quote from creation to order state with the product search found.
func (d *driver) lifecycle(t *testing.T) {
	if d.product == nil {
		t.Skip("no product to quote (see the search check)")
	}
	ctx := context.Background()
	cv := d.cfg.ConfigValues
	sale := &connector.SaleInfo{SaleId: 7001, Currency: d.cfg.Currency}
	quote := &connector.QuoteInfo{QuoteId: 301, SaleId: 7001, QuoteConnectionId: 1}
	version := &connector.QuoteVersionInfo{QuoteVersionId: 401, QuoteId: 301, State: connector.QuoteVersionStateInfoDraftNotCalculated, Rank: 1}
	altCtx := func(alt *connector.QuoteAlternativeWithLinesInfo) *connector.QuoteAlternativeContextInfo {
		return &connector.QuoteAlternativeContextInfo{CRMQuote: quote, CRMQuoteVersion: version, CRMSale: sale,
			UserLanguageCode: "en-US", CRMAlternativeWithLines: alt}
	}
	versionCtx := func(alt *connector.QuoteAlternativeWithLinesInfo) *connector.QuoteVersionContextInfo {
		return &connector.QuoteVersionContextInfo{CRMQuote: quote, CRMQuoteVersion: version, CRMSale: sale,
			UserLanguageCode: "en-US", CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alt}}
	}

	if d.implements("OnBeforeCreateQuote") {
		r, err := d.api.OnBeforeCreateQuoteWithResponse(ctx, openapi.OnBeforeCreateQuoteJSONRequestBody{ConfigValues: cv, Context: altCtx(nil)})
		if err != nil || r.JSON200 == nil {
			t.Fatalf("OnBeforeCreateQuote: %v (%d)", err, r.StatusCode())
		}
		explanations(t, "OnBeforeCreateQuote", r.JSON200)
		if !r.JSON200.IsOk {
			t.Fatalf("OnBeforeCreateQuote refused a plain quote: %s", r.JSON200.UserExplanation)
		}
		if r.JSON200.CRMQuote != nil {
			quote.ERPQuoteKey = r.JSON200.CRMQuote.ERPQuoteKey
		}
	}

	line := connector.QuoteLineInfo{ERPProductKey: d.product.ERPProductKey, Name: d.product.Name, Quantity: 1,
		UnitListPrice: d.product.UnitListPrice, UnitCost: d.product.UnitCost, UnitMinimumPrice: d.product.UnitMinimumPrice}
	if d.implements("GetQuoteLinesFromProduct") {
		r, err := d.api.GetQuoteLinesFromProductWithResponse(ctx, openapi.GetQuoteLinesFromProductJSONRequestBody{ConfigValues: cv, Context: altCtx(nil), ErpProductKey: d.product.ERPProductKey})
		if err != nil || r.JSON200 == nil || len(*r.JSON200) == 0 {
			t.Fatalf("GetQuoteLinesFromProduct(%s): %v (%d): the user could not add the product", d.product.ERPProductKey, err, r.StatusCode())
		}
		for i, l := range *r.JSON200 {
			if l.ERPProductKey == "" {
				t.Errorf("quote line %d has no ERPProductKey: SuperOffice cannot refresh or order it", i)
			}
		}
		line = (*r.JSON200)[0]
	}
	line.QuoteLineId, line.Quantity = 601, 2
	connector.CalculateLine(&line)

	if d.implements("OnQuoteLineChanged") {
		r, err := d.api.OnQuoteLineChangedWithResponse(ctx, openapi.OnQuoteLineChangedJSONRequestBody{ConfigValues: cv, Context: altCtx(nil), QuoteLine: &line, ChangedFields: []string{"Quantity"}})
		if err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("OnQuoteLineChanged: %v (%d)", err, r.StatusCode())
		}
		if r.JSON200 != nil && r.JSON200.ERPProductKey != "" {
			explanations(t, "OnQuoteLineChanged", r.JSON200)
			if r.JSON200.Quantity != 2 {
				t.Errorf("OnQuoteLineChanged changed the quantity the user typed (2 → %v)", r.JSON200.Quantity)
			}
			line = connector.QuoteLineInfo(*r.JSON200)
		}
	}

	alt := &connector.QuoteAlternativeWithLinesInfo{
		CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 501, QuoteVersionId: 401, Name: "Products"},
		CRMQuoteLines:  []connector.QuoteLineInfo{line},
	}
	if d.implements("RecalculateQuoteAlternative") {
		r, err := d.api.RecalculateQuoteAlternativeWithResponse(ctx, openapi.RecalculateQuoteAlternativeJSONRequestBody{ConfigValues: cv, Context: altCtx(alt)})
		if err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("RecalculateQuoteAlternative: %v (%d)", err, r.StatusCode())
		}
		if r.JSON200 != nil && r.JSON200.CRMAlternative != nil {
			explanations(t, "RecalculateQuoteAlternative", r.JSON200.CRMAlternative)
			alt = (*connector.QuoteAlternativeWithLinesInfo)(r.JSON200)
		}
	}

	validate := func(action connector.QuoteAction) {
		t.Helper()
		if !d.implements("ValidateQuoteVersion") {
			return
		}
		r, err := d.api.ValidateQuoteVersionWithResponse(ctx, openapi.ValidateQuoteVersionJSONRequestBody{ConfigValues: cv, QuoteContext: versionCtx(alt), Action: action})
		if err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("ValidateQuoteVersion(%d): %v (%d)", action, err, r.StatusCode())
		}
		if r.JSON200 == nil {
			return
		}
		explanations(t, "ValidateQuoteVersion", r.JSON200)
		if v := r.JSON200.CRMQuoteVersion; v != nil {
			if v.State == connector.QuoteVersionStateInfoDraftNotCalculated {
				t.Errorf("ValidateQuoteVersion left the version DraftNotCalculated: set it to Draft once calculated")
			}
			version = v
		}
	}
	validate(connector.QuoteActionSendQuote)

	if d.implements("OnAfterSentQuoteVersion") {
		version.State = connector.QuoteVersionStateInfoSent
		r, err := d.api.OnAfterSentQuoteVersionWithResponse(ctx, openapi.OnAfterSentQuoteVersionJSONRequestBody{ConfigValues: cv, QuoteContext: versionCtx(alt)})
		if err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("OnAfterSentQuoteVersion: %v (%d)", err, r.StatusCode())
		}
	}
	validate(connector.QuoteActionPlaceOrder)

	if !d.implements("PlaceOrder") {
		return
	}
	r, err := d.api.PlaceOrderWithResponse(ctx, openapi.PlaceOrderJSONRequestBody{ConfigValues: cv, Context: altCtx(alt)})
	if err != nil || r.JSON200 == nil {
		t.Fatalf("PlaceOrder: %v (%d)", err, r.StatusCode())
	}
	explanations(t, "PlaceOrder", r.JSON200)
	if !r.JSON200.IsOk {
		t.Fatalf("PlaceOrder refused a validated quote: %s", r.JSON200.UserExplanation)
	}
	if r.JSON200.CRMQuote == nil || r.JSON200.CRMQuote.ERPOrderKey == "" {
		t.Errorf("PlaceOrder set no CRMQuote.ERPOrderKey: SuperOffice cannot link the quote to the order")
	} else {
		quote.ERPOrderKey = r.JSON200.CRMQuote.ERPOrderKey
	}
	if d.implements("GetOrderState") {
		s, err := d.api.GetOrderStateWithResponse(ctx, openapi.GetOrderStateJSONRequestBody{ConfigValues: cv, Context: altCtx(alt)})
		if err != nil || s.StatusCode() != http.StatusOK {
			t.Errorf("GetOrderState: %v (%d)", err, s.StatusCode())
		}
	}
}
