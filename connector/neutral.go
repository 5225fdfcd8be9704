package connector

import "slices"

// The neutral answers of the operation table (see Operation.Neutral), after SuperOffice's
// own samples: false, nothing, an empty list, or the quote echoed with State=Ok.

// nothing answers the zero result: nil, "", 0 or false.
func nothing[Req, Res any](*Req) Res {
	var zero Res
	return zero
}

// none answers an empty, non-nil list.
func none[Req, T any](*Req) []T { return []T{} }

func neutralFields(*GetConfigurationFieldsRequest) map[string]FieldMetadataInfo {
	return map[string]FieldMetadataInfo{}
}

func neutralConnection(*TestConnectionRequest) *PluginResponseInfo {
	return &PluginResponseInfo{IsOk: true, State: ResponseStateOk}
}

func neutralCreateQuote(r *OnBeforeCreateQuoteRequest) *QuoteResponseInfo {
	res := &QuoteResponseInfo{IsOk: true, State: ResponseStateOk}
	if c := r.Context; c != nil {
		res.CRMQuote, res.CRMQuoteVersion = c.CRMQuote, c.CRMQuoteVersion
		res.CRMAlternativesWithLines = alternativeEcho(c)
	}
	return res
}

func neutralCreateVersion(r *OnBeforeCreateQuoteVersionRequest) *QuoteVersionResponseInfo {
	return versionEcho(r.QuoteContext)
}

func neutralCreateAlternative(r *OnBeforeCreateQuoteAlternativeRequest) *QuoteAlternativeResponseInfo {
	res := &QuoteAlternativeResponseInfo{IsOk: true, State: ResponseStateOk}
	if r.Context != nil {
		res.CRMAlternativesWithLines = alternativeEcho(r.Context)
	}
	return res
}

func neutralSent(r *OnAfterSentQuoteVersionRequest) *QuoteSentResponseInfo {
	return &QuoteSentResponseInfo{VersionResponse: versionEcho(r.QuoteContext)}
}

// neutralLine answers a copy of the line, unchanged (nil when the request carries none).
func neutralLine(r *OnQuoteLineChangedRequest) *QuoteLineInfo {
	if r.QuoteLine == nil {
		return nil
	}
	l := *r.QuoteLine
	l.ExtraInfo = slices.Clone(l.ExtraInfo)
	return &l
}

// neutralRecalculation answers a copy of the alternative, unchanged (nil when the
// request carries none).
func neutralRecalculation(r *RecalculateQuoteAlternativeRequest) *QuoteAlternativeWithLinesInfo {
	if r.Context == nil || r.Context.CRMAlternativeWithLines == nil {
		return nil
	}
	a := *r.Context.CRMAlternativeWithLines
	a.CRMQuoteLines = slices.Clone(a.CRMQuoteLines)
	return &a
}

func neutralValidation(r *ValidateQuoteVersionRequest) *QuoteResponseInfo {
	res := &QuoteResponseInfo{IsOk: true, State: ResponseStateOk}
	if c := r.QuoteContext; c != nil {
		res.CRMQuote, res.CRMQuoteVersion = c.CRMQuote, c.CRMQuoteVersion
		res.CRMAlternativesWithLines = slices.Clone(c.CRMAlternativesWithLines)
	}
	return res
}

func neutralPrices(r *UpdateQuoteVersionPricesRequest) *QuoteVersionResponseInfo {
	return versionEcho(r.QuoteContext)
}

// neutralOrder refuses in band: a connector that does not place orders must not have
// SuperOffice believe one was placed, and a fault would read as a failure of the server.
func neutralOrder(r *PlaceOrderRequest) *PlaceOrderResponseInfo {
	res := &PlaceOrderResponseInfo{
		IsOk: false, State: ResponseStateError, ErrorCode: "not-supported",
		TechExplanation: "the connector does not implement PlaceOrder",
		UserExplanation: ML(
			"US", "This ERP connection does not place orders.",
			"NO", "Denne ERP-tilkoblingen legger ikke inn ordrer.",
			"GE", "Diese ERP-Verbindung legt keine Aufträge an.",
			"SW", "Den här ERP-kopplingen lägger inte order.",
			"DA", "Denne ERP-forbindelse opretter ikke ordrer.",
		),
	}
	if c := r.Context; c != nil {
		res.CRMQuote, res.CRMQuoteVersion, res.CRMAlternativeWithLines = c.CRMQuote, c.CRMQuoteVersion, c.CRMAlternativeWithLines
	}
	return res
}

func neutralApprovalRequest(r *OnQuoteVersionRequestApprovalRequest) *QuoteVersionResponseInfo {
	return versionEcho(r.QuoteContext)
}

func neutralApproved(r *OnQuoteVersionApprovedRequest) *QuoteVersionResponseInfo {
	return versionEcho(r.QuoteContext)
}

func neutralRejected(r *OnQuoteVersionRejectedRequest) *QuoteVersionResponseInfo {
	return versionEcho(r.QuoteContext)
}

// versionEcho answers a version context's version and alternatives with State=Ok.
func versionEcho(c *QuoteVersionContextInfo) *QuoteVersionResponseInfo {
	res := &QuoteVersionResponseInfo{IsOk: true, State: ResponseStateOk}
	if c != nil {
		res.CRMQuoteVersion = c.CRMQuoteVersion
		res.CRMAlternativesWithLines = slices.Clone(c.CRMAlternativesWithLines)
	}
	return res
}

// alternativeEcho is an alternative context's alternative as a list of one (nil when
// the context carries none).
func alternativeEcho(c *QuoteAlternativeContextInfo) []QuoteAlternativeWithLinesInfo {
	if c.CRMAlternativeWithLines == nil {
		return nil
	}
	return []QuoteAlternativeWithLinesInfo{*c.CRMAlternativeWithLines}
}
