package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/netserver"
	"github.com/quotekit/quotekit/openapi"
	"github.com/quotekit/quotekit/openapi/model"
)

// listCapabilities are the quote lists NetServer shows in the quote dialog, by the
// QuoteListType it asks for.
var listCapabilities = []struct{ capability, list string }{
	{connector.CapProductCategoryList, "ProductCategory"},
	{connector.CapProductFamilyList, "ProductFamily"},
	{connector.CapProductTypeList, "ProductType"},
	{connector.CapPaymentTermsList, "PaymentTerms"},
	{connector.CapPaymentTypeList, "PaymentType"},
	{connector.CapDeliveryTermsList, "DeliveryTerms"},
	{connector.CapDeliveryTypeList, "DeliveryType"},
}

// unknownProductKey is a product key no ERP has.
const unknownProductKey = "quotekit-check-no-such-product"

// lifecycle walks the configuration dialog once, then opts.Quotes quotes from creation
// to deletion, as a sales user would with NetServer in between.
func (r *runner) lifecycle() {
	cv := r.opts.ConfigValues
	var fields map[string]connector.FieldMetadataInfo
	r.step("op.GetConfigurationFields", "the connection dialog's fields", "GetConfigurationFields",
		&connector.GetConfigurationFieldsRequest{}, &fields, func() (problems []string) {
			for _, key := range sortedKeys(fields) {
				if f := fields[key]; f.FieldKey != key {
					problems = append(problems, fmt.Sprintf("field %q has FieldKey %q: SuperOffice stores the value under the key", key, f.FieldKey))
				}
			}
			return problems
		})
	var tested connector.PluginResponseInfo
	r.step("op.TestConnection", "the connection dialog's Test button", "TestConnection",
		&connector.TestConnectionRequest{ConfigValues: cv}, &tested, func() []string {
			if !tested.IsOk {
				return []string{fmt.Sprintf("TestConnection answered IsOk false (%s): pass the connection's values with --config key=value", tested.UserExplanation)}
			}
			return nil
		})
	r.capabilities()
	if r.opts.SOAP {
		r.canProvideCapability()
	}
	for i := int32(0); i < r.opts.Quotes; i++ {
		if !r.quote(i) {
			return
		}
	}
}

// capabilities fetches the capabilities, as NetServer does whenever it decides what to
// show; the client answers from its cache after the first time.
func (r *runner) capabilities() map[string]bool {
	caps, err := r.ns.Capabilities(r.ctx, r.opts.User)
	if r.caps != nil {
		return r.caps
	}
	c := Check{ID: "op.GetCapabilities", Name: "the capabilities", Required: true}
	r.noteStatus("GetCapabilities")
	switch {
	case errors.Is(err, netserver.ErrNotImplemented):
		c.Result, c.Why = Warn, "GetCapabilities is not implemented: NetServer assumes no capability and hides products' pictures, lists and ordering"
		caps = map[string]bool{}
	case err != nil:
		c.Result, c.Why, c.Fix = Fail, err.Error(), fixFor(err)
		caps = map[string]bool{}
	default:
		c.Result = Pass
		on := 0
		for _, claimed := range caps {
			if claimed {
				on++
			}
		}
		c.Why = fmt.Sprintf("%d of %d claimed", on, len(caps))
	}
	if v := r.rec.takeViolations("GetCapabilities"); len(v) > 0 {
		c.Result, c.Why, c.Fix = Fail, outsideContract(v), fixContract
	}
	r.add(c)
	r.caps = caps
	r.report.Capabilities = caps
	return caps
}

// quote walks quote number i; it reports false when the walk cannot go on.
func (r *runner) quote(i int32) bool {
	cv := r.opts.ConfigValues
	caps := r.capabilities()
	id := 301 + i
	sale := &connector.SaleInfo{SaleId: 7001 + id, Currency: r.opts.Currency}
	quote := &connector.QuoteInfo{QuoteId: id, SaleId: sale.SaleId, QuoteConnectionId: 1}
	version := &connector.QuoteVersionInfo{QuoteVersionId: 100 + id, QuoteId: id, State: connector.QuoteVersionStateInfoDraftNotCalculated, Rank: 1}
	alt := &connector.QuoteAlternativeWithLinesInfo{
		CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 200 + id, QuoteVersionId: version.QuoteVersionId, Name: "Products"},
	}
	altCtx := func() *connector.QuoteAlternativeContextInfo {
		return &connector.QuoteAlternativeContextInfo{CRMQuote: quote, CRMQuoteVersion: version, CRMSale: sale,
			UserLanguageCode: "en-US", CRMAlternativeWithLines: alt}
	}
	versionCtx := func() *connector.QuoteVersionContextInfo {
		return &connector.QuoteVersionContextInfo{CRMQuote: quote, CRMQuoteVersion: version, CRMSale: sale,
			UserLanguageCode: "en-US", CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{*alt}}
	}

	// The quote dialog opens: price lists and the lists of its drop-downs.
	var priceLists []connector.PriceListInfo
	r.step("op.GetActivePriceLists", "the active price lists", "GetActivePriceLists",
		&connector.GetActivePriceListsRequest{ConfigValues: cv, IsoCurrencyCode: r.opts.Currency}, &priceLists, nil)
	var allPriceLists []connector.PriceListInfo
	r.step("op.GetAllPriceLists", "all price lists", "GetAllPriceLists",
		&connector.GetAllPriceListsRequest{ConfigValues: cv, IsoCurrencyCode: r.opts.Currency}, &allPriceLists, nil)
	if r.opts.SOAP {
		var n int32
		r.step("op.GetNumberOfActivePriceLists", "the number of active price lists", "GetNumberOfActivePriceLists",
			&connector.GetNumberOfActivePriceListsRequest{ConfigValues: cv, IsoCurrencyCode: r.opts.Currency}, &n, func() []string {
				if int(n) != len(priceLists) {
					return []string{fmt.Sprintf("GetNumberOfActivePriceLists answered %d but GetActivePriceLists %d price lists: NetServer decides from the number whether to show the price list choice", n, len(priceLists))}
				}
				return nil
			})
	}
	for _, l := range listCapabilities {
		if caps[l.capability] {
			var items []connector.ListItemInfo
			r.step("op.GetQuoteList."+l.list, "the "+l.list+" list", "GetQuoteList",
				&connector.GetQuoteListRequest{ConfigValues: cv, QuoteListType: l.list}, &items, nil)
		}
	}

	if !r.opts.ReadOnly {
		r.createQuote(quote, altCtx, versionCtx)
	}

	// The user adds a product.
	if caps[connector.CapPerformComplexSearch] {
		var searchable []connector.FieldMetadataInfo
		r.step("op.GetSearchableFields", "the searchable fields", "GetSearchableFields",
			&connector.GetSearchableFieldsRequest{ConfigValues: cv}, &searchable, nil)
	}
	if !r.search(i) {
		return false
	}
	key := r.product.ERPProductKey
	if i == 0 {
		r.products()
	}
	if caps[connector.CapProvidePicture] {
		var n int32
		r.step("op.GetNumberOfProductImages", "the number of product pictures", "GetNumberOfProductImages",
			&connector.GetNumberOfProductImagesRequest{ConfigValues: cv, ErpProductKey: key}, &n, nil)
		var image string
		r.step("op.GetProductImage", "a product picture", "GetProductImage",
			&connector.GetProductImageRequest{ConfigValues: cv, ErpProductKey: key, Rank: 1}, &image, nil)
	}

	line := connector.QuoteLineInfo{ERPProductKey: key, Name: r.product.Name, Quantity: 1,
		UnitListPrice: r.product.UnitListPrice, UnitCost: r.product.UnitCost, UnitMinimumPrice: r.product.UnitMinimumPrice}
	var lines []connector.QuoteLineInfo
	if ok, _ := r.step("op.GetQuoteLinesFromProduct", "the quote lines of a product", "GetQuoteLinesFromProduct",
		&connector.GetQuoteLinesFromProductRequest{ConfigValues: cv, Context: altCtx(), ErpProductKey: key}, &lines, func() []string {
			if len(lines) == 0 {
				return []string{fmt.Sprintf("no quote line for product %s: the user cannot add the product it found", key)}
			}
			return lineKeys(lines)
		}); ok && len(lines) > 0 {
		line = lines[0]
	}
	if r.opts.ReadOnly {
		r.add(Check{ID: "read-only", Name: "creating, calculating, saving, sending, approving, ordering and deleting a quote", Result: Skip,
			Why: "a read-only run calls only the operations that read, so that nothing changes at the ERP"})
		return true
	}
	r.quoteChanges(i, line, sale, quote, version, alt, altCtx, versionCtx)
	return true
}

// createQuote walks the creation of a quote, its version and its alternative.
func (r *runner) createQuote(quote *connector.QuoteInfo, altCtx func() *connector.QuoteAlternativeContextInfo,
	versionCtx func() *connector.QuoteVersionContextInfo) {
	cv := r.opts.ConfigValues
	var created connector.QuoteResponseInfo
	if ok, _ := r.step("op.OnBeforeCreateQuote", "creating a quote", "OnBeforeCreateQuote",
		&connector.OnBeforeCreateQuoteRequest{ConfigValues: cv, Context: altCtx()}, &created, func() []string {
			return notOK(created.IsOk, created.UserExplanation, "a plain quote")
		}); ok && created.CRMQuote != nil {
		quote.ERPQuoteKey = created.CRMQuote.ERPQuoteKey
	}
	var newVersion connector.QuoteVersionResponseInfo
	r.step("op.OnBeforeCreateQuoteVersion", "creating a quote version", "OnBeforeCreateQuoteVersion",
		&connector.OnBeforeCreateQuoteVersionRequest{ConfigValues: cv, QuoteContext: versionCtx()}, &newVersion, func() []string {
			return notOK(newVersion.IsOk, newVersion.UserExplanation, "a new version")
		})
	var newAlt connector.QuoteAlternativeResponseInfo
	r.step("op.OnBeforeCreateQuoteAlternative", "creating a quote alternative", "OnBeforeCreateQuoteAlternative",
		&connector.OnBeforeCreateQuoteAlternativeRequest{ConfigValues: cv, Context: altCtx()}, &newAlt, func() []string {
			return notOK(newAlt.IsOk, newAlt.UserExplanation, "a new alternative")
		})

}

// quoteChanges walks quote number i from its first line to its deletion: a changed line,
// the recalculation, saving, prices, validation, sending, approvals (SOAP), the order
// and its state, the addresses, and the deletion.
func (r *runner) quoteChanges(i int32, line connector.QuoteLineInfo, sale *connector.SaleInfo, quote *connector.QuoteInfo,
	version *connector.QuoteVersionInfo, alt *connector.QuoteAlternativeWithLinesInfo,
	altCtx func() *connector.QuoteAlternativeContextInfo, versionCtx func() *connector.QuoteVersionContextInfo) {
	cv := r.opts.ConfigValues
	id := 301 + i
	line.QuoteLineId, line.QuoteAlternativeId, line.Quantity = 600+id, alt.CRMAlternative.QuoteAlternativeId, 2
	connector.CalculateLine(&line)
	alt.CRMQuoteLines = []connector.QuoteLineInfo{line}

	// The user changes the quantity; NetServer recalculates.
	var changed connector.QuoteLineInfo
	if ok, useDefault := r.step("op.OnQuoteLineChanged", "a changed quote line", "OnQuoteLineChanged",
		&connector.OnQuoteLineChangedRequest{ConfigValues: cv, Context: altCtx(), QuoteLine: &line, ChangedFields: []string{"Quantity"}}, &changed, func() []string {
			problems := lineKeys([]connector.QuoteLineInfo{changed})
			if changed.Quantity != 2 {
				problems = append(problems, fmt.Sprintf("OnQuoteLineChanged changed the quantity the user typed (2 → %v)", changed.Quantity))
			}
			return problems
		}); ok && !useDefault {
		alt.CRMQuoteLines = []connector.QuoteLineInfo{changed}
	}
	var recalculated connector.QuoteAlternativeWithLinesInfo
	if ok, useDefault := r.step("op.RecalculateQuoteAlternative", "a recalculated alternative", "RecalculateQuoteAlternative",
		&connector.RecalculateQuoteAlternativeRequest{ConfigValues: cv, Context: altCtx()}, &recalculated, func() []string {
			if recalculated.CRMAlternative == nil {
				return []string{"RecalculateQuoteAlternative answered no CRMAlternative: answer null to keep NetServer's calculation"}
			}
			return lineKeys(recalculated.CRMQuoteLines)
		}); ok && !useDefault && recalculated.CRMAlternative != nil {
		*alt = recalculated
	}
	r.step("op.OnAfterSaveQuote", "saving the quote", "OnAfterSaveQuote",
		&connector.OnAfterSaveQuoteRequest{ConfigValues: cv, Context: altCtx()}, nil, nil)
	var prices connector.QuoteVersionResponseInfo
	r.step("op.UpdateQuoteVersionPrices", "updating the version's prices", "UpdateQuoteVersionPrices",
		&connector.UpdateQuoteVersionPricesRequest{ConfigValues: cv, QuoteContext: versionCtx()}, &prices, func() []string {
			var problems []string
			for _, a := range prices.CRMAlternativesWithLines {
				problems = append(problems, lineKeys(a.CRMQuoteLines)...)
			}
			return problems
		})

	// The user sends the quote, then orders it.
	validate := func(action connector.QuoteAction, id, name string) {
		var valid connector.QuoteResponseInfo
		if ok, useDefault := r.step(id, name, "ValidateQuoteVersion",
			&connector.ValidateQuoteVersionRequest{ConfigValues: cv, QuoteContext: versionCtx(), Action: action}, &valid, func() []string {
				if valid.CRMQuoteVersion != nil && valid.CRMQuoteVersion.State == connector.QuoteVersionStateInfoDraftNotCalculated {
					return []string{"ValidateQuoteVersion left the version DraftNotCalculated: set it to Draft once calculated"}
				}
				return notOK(valid.IsOk, valid.UserExplanation, "a calculated one-line quote")
			}); ok && !useDefault && valid.CRMQuoteVersion != nil {
			*version = *valid.CRMQuoteVersion // the contexts read the version through this pointer
		}
	}
	validate(connector.QuoteActionSendQuote, "op.ValidateQuoteVersion.send", "validating the quote for sending")
	if r.opts.SOAP {
		r.approvals(versionCtx, version.QuoteVersionId)
	}
	version.State = connector.QuoteVersionStateInfoSent
	r.step("op.OnAfterSentQuoteVersion", "a sent quote version", "OnAfterSentQuoteVersion",
		&connector.OnAfterSentQuoteVersionRequest{ConfigValues: cv, QuoteContext: versionCtx()}, nil, nil)
	validate(connector.QuoteActionPlaceOrder, "op.ValidateQuoteVersion.order", "validating the quote for the order")

	if r.capabilities()[connector.CapPlaceOrder] {
		var placed connector.PlaceOrderResponseInfo
		if ok, _ := r.step("op.PlaceOrder", "placing the order", "PlaceOrder",
			&connector.PlaceOrderRequest{ConfigValues: cv, Context: altCtx()}, &placed, func() []string {
				if problems := notOK(placed.IsOk, placed.UserExplanation, "a validated quote"); problems != nil {
					return problems
				}
				if placed.CRMQuote == nil || placed.CRMQuote.ERPOrderKey == "" {
					return []string{"PlaceOrder set no CRMQuote.ERPOrderKey: SuperOffice cannot link the quote to the order"}
				}
				return nil
			}); ok && placed.CRMQuote != nil {
			quote.ERPOrderKey = placed.CRMQuote.ERPOrderKey
		}
	} else {
		r.add(Check{ID: "op.PlaceOrder", Name: "placing the order", Result: Skip, Why: connector.CapPlaceOrder + " is not claimed: NetServer offers no ordering"})
	}
	if r.capabilities()[connector.CapProvideOrderState] {
		var state connector.OrderResponseInfo
		r.step("op.GetOrderState", "the order's state", "GetOrderState",
			&connector.GetOrderStateRequest{ConfigValues: cv, Context: altCtx()}, &state, nil)
	}
	if r.capabilities()[connector.CapProvideAddresses] {
		var addresses []*connector.AddressInfo
		r.step("op.GetAddresses", "the customer's addresses", "GetAddresses",
			&connector.GetAddressesRequest{ConfigValues: cv, Context: altCtx()}, &addresses, nil)
	}
	r.step("op.OnBeforeDeleteQuote", "deleting the quote", "OnBeforeDeleteQuote",
		&connector.OnBeforeDeleteQuoteRequest{ConfigValues: cv, Quote: quote, Sale: sale}, nil, nil)
}

// search finds the product the quote is made of; it reports false when there is none.
func (r *runner) search(i int32) bool {
	cv := r.opts.ConfigValues
	if i == 0 {
		var none []connector.ProductInfo
		r.step("op.FindProduct.empty", "a search with nothing typed", "FindProduct",
			&connector.FindProductRequest{ConfigValues: cv, CurrencyCode: r.opts.Currency}, &none, nil)
	}
	var found []connector.ProductInfo
	ok, _ := r.step("op.FindProduct", fmt.Sprintf("a search for %q", r.opts.Search), "FindProduct",
		&connector.FindProductRequest{ConfigValues: cv, CurrencyCode: r.opts.Currency, UserInput: r.opts.Search}, &found, func() []string {
			var problems []string
			for n, p := range found {
				if p.ERPProductKey == "" {
					problems = append(problems, fmt.Sprintf("product %d (%s) has no ERPProductKey: SuperOffice cannot ask for its quote lines", n, p.Name))
				}
			}
			return problems
		})
	switch {
	case r.missing["FindProduct"]:
		r.skipRest("FindProduct is not implemented, so no quote can get a product")
		return false
	case !ok:
		r.skipRest("the search failed, so the quote has no product")
		return false
	case len(found) == 0 || found[0].ERPProductKey == "":
		r.fail("op.FindProduct", fmt.Sprintf("FindProduct(%q) found no product", r.opts.Search), "pass a search that finds products with --search")
		r.skipRest("the search found no product")
		return false
	}
	r.product = &found[0]
	return true
}

// products checks GetProduct: a known key answers the product; an unknown key is an
// invalid request, never a 404, which NetServer would read as "not implemented".
func (r *runner) products() {
	cv := r.opts.ConfigValues
	var known connector.ProductInfo
	r.step("op.GetProduct", "a product by its key", "GetProduct",
		&connector.GetProductRequest{ConfigValues: cv, ErpProductKey: r.product.ERPProductKey}, &known, nil)
	var several []connector.ProductInfo
	r.step("op.GetProducts", "products by their keys", "GetProducts",
		&connector.GetProductsRequest{ConfigValues: cv, ErpProductKeys: []string{r.product.ERPProductKey}}, &several, func() []string {
			if len(several) == 0 && r.opts.SOAP {
				return nil // SOAP's neutral answer of a connector without GetProducts: nothing found
			}
			if len(several) == 0 || several[0].ERPProductKey != r.product.ERPProductKey {
				return []string{fmt.Sprintf("GetProducts([%s]) did not answer that product", r.product.ERPProductKey)}
			}
			return nil
		})
	if r.missing["GetProduct"] || r.opts.SOAP {
		return // SOAP has no 404 to get wrong
	}
	c := Check{ID: "unknown-product", Name: "an unknown product key is not a 404", Required: true}
	_, err := r.ns.Call(r.ctx, r.opts.User, "GetProduct", &connector.GetProductRequest{ConfigValues: cv, ErpProductKey: unknownProductKey}, nil)
	status, _ := r.rec.lastStatus("GetProduct")
	r.rec.takeViolations("GetProduct")
	switch {
	case errors.Is(err, netserver.ErrNotImplemented):
		c.Result = Fail
		c.Why = fmt.Sprintf("an unknown product key answered %d: NetServer would take GetProduct as not implemented and never call it again", status)
		c.Fix = "answer an unknown key as an invalid request (400; in Go: return connector.Invalid(...)), or null"
	case status >= 500:
		c.Result = Warn
		c.Why = fmt.Sprintf("answered %d: NetServer shows a generic error instead of saying the product is unknown", status)
	default:
		c.Result, c.Why = Pass, fmt.Sprintf("answered %d", status)
	}
	r.add(c)
}

// step calls op with req, decoding into res (may be nil), and reports a check: skipped
// when op is not implemented, failed on an error, an answer outside the contract or a
// problem judge finds (judge runs on non-null answers and may be nil). ok tells whether
// the call succeeded; useDefault whether the answer was null (or, for a calculation,
// not implemented), leaving res alone.
func (r *runner) step(id, name, op string, req, res any, judge func() []string) (ok, useDefault bool) {
	c := Check{ID: id, Name: name, Required: true}
	useDefault, err := r.ns.Call(r.ctx, r.opts.User, op, req, res)
	missing := r.noteStatus(op)
	violations := r.rec.takeViolations(op)
	switch {
	case missing || errors.Is(err, netserver.ErrNotImplemented):
		c.Result, c.Why = Skip, op+" is not implemented (404): NetServer will not call it"
		if netserverDefault(op) {
			c.Why = op + " is not implemented (404): NetServer uses its own calculation"
		}
		r.add(c)
		return false, true
	case err != nil && len(violations) > 0:
		c.Result, c.Why, c.Fix = Fail, outsideContract(violations)+"; "+err.Error(), fixContract
		r.add(c)
		return false, false
	case err != nil:
		c.Result, c.Why, c.Fix = Fail, err.Error(), fixFor(err)
		r.add(c)
		return false, false
	}
	var problems []string
	if len(violations) > 0 {
		problems = append(problems, outsideContract(violations))
		c.Fix = fixContract
	}
	if !useDefault && res != nil {
		ml := multiLangProblems(op, res)
		r.mlProblems = append(r.mlProblems, ml...)
		problems = append(problems, ml...)
		if judge != nil {
			problems = append(problems, judge()...)
		}
	}
	if len(problems) > 0 {
		c.Result, c.Why = Fail, strings.Join(problems, "; ")
		if c.Fix == "" {
			c.Fix = "see why: each problem says what NetServer does with the answer"
		}
		r.add(c)
		return false, useDefault
	}
	c.Result = Pass
	if useDefault {
		c.Why = "answered null"
	}
	r.add(c)
	return true, useDefault
}

// netserverDefault reports whether NetServer falls back to its own calculation when op
// is not implemented: the operations whose nil result means "use the default".
func netserverDefault(op string) bool {
	o, ok := connector.Lookup(op)
	return ok && !o.SOAPOnly && o.Nil == connector.NilIsDefault
}

// noteStatus records whether op answered 404/410 on its last request, and reports it.
func (r *runner) noteStatus(op string) (missing bool) {
	status, sent := r.rec.lastStatus(op)
	if r.answered == nil {
		r.answered, r.missing = map[string]bool{}, map[string]bool{}
	}
	if r.missing[op] {
		return true
	}
	if !sent {
		return false
	}
	if r.opts.SOAP {
		// A SOAP endpoint answers every operation; a 404 is a broken endpoint.
		r.answered[op] = true
		return false
	}
	if status == http.StatusNotFound || status == http.StatusGone {
		r.missing[op] = true
		return true
	}
	r.answered[op] = true
	return false
}

func (r *runner) fail(id, why, fix string) {
	r.add(Check{ID: id, Name: id, Required: true, Result: Fail, Why: why, Fix: fix})
}

// summaries adds the checks that look back over the whole run.
func (r *runner) summaries() {
	c := Check{ID: "contract", Name: "every answer follows the contract (OpenAPI schema)", Required: true, Result: Pass}
	off := func(why string) bool { return strings.Contains(why, "outside the contract") }
	if r.opts.SOAP {
		c = Check{ID: "soap.contract", Name: "every answer reads as WCF reads it (data-contract order, enumeration names)", Required: true, Result: Pass}
		off = func(why string) bool {
			return strings.Contains(why, "WCF drops silently") || strings.Contains(why, "NetServer cannot read the answer")
		}
	} else {
		r.capabilityClaims()
	}
	var bad []string
	for _, k := range r.report.Checks {
		if k.Result == Fail && off(k.Why) {
			bad = append(bad, strings.TrimPrefix(k.ID, "op."))
		}
	}
	switch {
	case len(bad) > 0 && r.opts.SOAP:
		c.Result, c.Why, c.Fix = Fail, "answers NetServer cannot read or reads only in part: "+strings.Join(bad, ", "), fixSOAPContract
	case len(bad) > 0:
		c.Result, c.Why, c.Fix = Fail, "answers outside the contract: "+strings.Join(bad, ", "), fixContract
	case r.opts.SOAP:
		c.Why = fmt.Sprintf("%d answers read", len(r.answered))
	default:
		c.Why = fmt.Sprintf("%d answers checked", r.rec.validatedCount())
	}
	r.add(c)

	c = Check{ID: "multi-language", Name: "multi-language texts are well formed", Required: true, Result: Pass}
	if len(r.mlProblems) > 0 {
		c.Result, c.Why = Fail, strings.Join(r.mlProblems, "; ")
		c.Fix = `write texts as US:"Text";NO:"Tekst" (quoted, separated by ';'), or as plain text; in Go build them with connector.ML`
	}
	r.add(c)

	stats := r.ns.Stats()
	var calls, saved int
	for _, n := range stats.Calls {
		calls += n
	}
	for _, n := range stats.Saved {
		saved += n
	}
	c = Check{ID: "caches", Name: "NetServer's caches (capabilities, lists, price lists, images)", Result: Pass}
	if r.opts.SOAP {
		c = Check{ID: "soap.calls", Name: "SOAP calls sent", Result: Pass, Why: fmt.Sprintf("%d requests, every one carrying its credential", calls)}
	} else if total := calls + saved; total > 0 {
		c.Why = fmt.Sprintf("%d requests sent, %d more answered from the caches (%.0f %% of %d calls)", calls, saved, 100*float64(saved)/float64(total), total)
	}
	r.add(c)
}

// capabilityClaims checks that every claimed capability's operations are implemented,
// probing those the lifecycle did not call.
func (r *runner) capabilityClaims() {
	c := Check{ID: "capabilities", Name: "every claimed capability's operations answer", Required: true, Result: Pass}
	var problems []string
	for _, name := range sortedKeys(r.caps) {
		if !r.caps[name] {
			continue
		}
		for _, op := range connector.CapabilityOperations(name) {
			if !r.answered[op] && !r.missing[op] {
				if r.opts.ReadOnly && !slices.Contains(ReadOnlyOperations, op) {
					continue // not called in a read-only run, not even to probe
				}
				r.probe(op)
			}
			if r.missing[op] {
				problems = append(problems, fmt.Sprintf("capability %s is claimed but %s is not implemented", name, op))
			}
		}
	}
	if len(problems) > 0 {
		c.Result, c.Why = Fail, strings.Join(problems, "; ")+": NetServer shows the feature and gets 404"
		c.Fix = "claim a capability only when its operations are implemented"
	}
	r.add(c)
	r.unclaimed()
}

// unclaimed checks the other direction: an operation that answers although none of the
// capabilities needing it is claimed is never called by NetServer. Operations that may
// change the ERP are not probed for this.
func (r *runner) unclaimed() {
	c := Check{ID: "capabilities.unclaimed", Name: "every implemented operation's capability is claimed", Required: true, Result: Pass}
	var problems, claims []string
	for _, op := range connector.Operations() {
		if op.SOAPOnly || len(op.Capabilities) == 0 || slices.ContainsFunc(op.Capabilities, func(name string) bool { return r.caps[name] }) {
			continue
		}
		if !r.answered[op.Name] && !r.missing[op.Name] && !op.Writes && (!r.opts.ReadOnly || slices.Contains(ReadOnlyOperations, op.Name)) {
			r.probe(op.Name)
		}
		if r.answered[op.Name] {
			problems = append(problems, fmt.Sprintf("%s answers but none of %s is claimed", op.Name, strings.Join(op.Capabilities, ", ")))
			claims = append(claims, op.Capabilities[0])
		}
	}
	if len(problems) > 0 {
		c.Result, c.Why = Fail, strings.Join(problems, "; ")+": NetServer never calls it"
		c.Fix = "claim it in GetCapabilities, e.g. " + strings.Join(claims, ": true, ") + ": true"
	}
	r.add(c)
}

// probe calls op with a minimal request to learn whether it is implemented.
func (r *runner) probe(op string) {
	req := map[string]any{"ConfigValues": r.opts.ConfigValues}
	if r.product != nil {
		req["ErpProductKey"] = r.product.ERPProductKey
	}
	_, _ = r.ns.Call(r.ctx, r.opts.User, op, req, nil)
	r.noteStatus(op)
	r.rec.takeViolations(op)
}

// notOK returns a problem when an answer said no (IsOk false) to something plain.
func notOK(isOk bool, explanation, what string) []string {
	if isOk {
		return nil
	}
	return []string{fmt.Sprintf("answered IsOk false for %s (%s)", what, explanation)}
}

// lineKeys returns a problem for each line without an ERPProductKey.
func lineKeys(lines []connector.QuoteLineInfo) []string {
	var problems []string
	for i, l := range lines {
		if l.ERPProductKey == "" {
			problems = append(problems, fmt.Sprintf("quote line %d has no ERPProductKey: SuperOffice cannot refresh or order it", i))
		}
	}
	return problems
}

// mlFields are the user-visible texts SuperOffice reads as multi-language strings.
var mlFields = []string{"UserExplanation", "Reason", "DisplayName", "DisplayDescription"}

// multiLangProblems walks a result for malformed multi-language texts.
func multiLangProblems(op string, v any) []string {
	var problems []string
	var walk func(rv reflect.Value, depth int)
	walk = func(rv reflect.Value, depth int) {
		if depth > 8 {
			return
		}
		switch rv.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !rv.IsNil() {
				walk(rv.Elem(), depth+1)
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < rv.Len(); i++ {
				walk(rv.Index(i), depth+1)
			}
		case reflect.Map:
			iter := rv.MapRange()
			for iter.Next() {
				walk(iter.Value(), depth+1)
			}
		case reflect.Struct:
			t := rv.Type()
			for i := 0; i < t.NumField(); i++ {
				f := rv.Field(i)
				if !t.Field(i).IsExported() {
					continue
				}
				if f.Kind() == reflect.String && slices.Contains(mlFields, t.Field(i).Name) {
					if s := f.String(); !connector.IsWellFormedMultiLang(s) {
						problems = append(problems, fmt.Sprintf("%s %s %q is not a well-formed multi-language text", op, t.Field(i).Name, s))
					}
					continue
				}
				walk(f, depth+1)
			}
		}
	}
	walk(reflect.ValueOf(v), 0)
	return problems
}

func outsideContract(violations []string) string {
	return "the answer is outside the contract, so NetServer may not read it: " + strings.Join(violations, "; ")
}

const fixSOAPContract = "write every member in data-contract (XSD) order with the XSD's names and enumeration names (State Ok, not 0); WCF silently drops a member out of order or unknown, and fails on an enumeration number; a Go connector served by quotekit gets this right"

const fixContract = "answer with the fields and types of the contract (openapi/quoteconnector.yaml); a Go connector built on quotekit's types gets this right"

// fixFor says how to fix a failed call.
func fixFor(err error) string {
	var se *netserver.StatusError
	var fault *netserver.FaultError
	var contract *netserver.ContractError
	var decode *netserver.DecodeError
	switch {
	case errors.As(err, &contract), errors.As(err, &decode):
		return fixSOAPContract
	case errors.As(err, &fault) && fault.Fault.Code == "s:Client":
		return "the endpoint refused a request NetServer sends: check the secret and tenant, and that every member of the contract is accepted; the server's log says why"
	case errors.As(err, &fault):
		return "the connector failed and NetServer shows the fault's text to the user: its log has the cause"
	}
	if !errors.As(err, &se) {
		return "the answer could not be read: answer JSON of the contract's shape"
	}
	switch {
	case se.Op == "Authenticate":
		return "the endpoint refused the credential when NetServer re-authenticated: check the secret or JWT settings"
	case se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden:
		return "the endpoint refused the access token /Authenticate had just issued"
	case se.Status == http.StatusBadRequest:
		return "the endpoint rejected a request NetServer sends: accept every field of the contract and ignore unknown ones"
	case se.Status >= 500:
		return "the connector failed: its log has the cause (with the request id of the answer)"
	}
	return "answer 200 with the contract's body"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validateToken checks an /Authenticate answer, with the media type of its Content-Type
// header, against the contract's token object.
func validateToken(header http.Header, body []byte) error {
	ct, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if err := openapi.ValidateResponse("/Authenticate", http.StatusOK, ct, body); err != nil {
		return err
	}
	var token model.AccessTokenResponse
	if err := json.Unmarshal(body, &token); err != nil || token.AccessToken == "" {
		return errors.New("no access_token")
	}
	if !strings.EqualFold(string(token.TokenType), "Bearer") {
		return fmt.Errorf("token_type %q, want Bearer", token.TokenType)
	}
	return nil
}
