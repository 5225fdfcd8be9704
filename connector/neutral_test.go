package connector_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

var (
	ok        = connector.ResponseStateOk
	okVersion = &connector.QuoteVersionResponseInfo{IsOk: true, State: ok}
)

// TestNeutralZeroRequest: every row has a neutral answer, of its result type, for a zero
// request and for none; exactly these answers.
func TestNeutralZeroRequest(t *testing.T) {
	want := map[string]any{
		"GetConfigurationFields":         map[string]connector.FieldMetadataInfo{},
		"TestConnection":                 &connector.PluginResponseInfo{IsOk: true, State: ok},
		"GetCapabilities":                connector.Capabilities(nil),
		"CanProvideCapability":           false,
		"GetQuoteList":                   []connector.ListItemInfo(nil),
		"GetNumberOfActivePriceLists":    int32(0),
		"GetActivePriceLists":            []connector.PriceListInfo{},
		"GetAllPriceLists":               []connector.PriceListInfo{},
		"FindProduct":                    []connector.ProductInfo{},
		"GetProduct":                     (*connector.ProductInfo)(nil),
		"GetProducts":                    []connector.ProductInfo{},
		"GetQuoteLinesFromProduct":       []connector.QuoteLineInfo{},
		"GetNumberOfProductImages":       int32(0),
		"GetProductImage":                "",
		"GetSearchableFields":            []connector.FieldMetadataInfo{},
		"GetSearchResults":               []connector.ProductInfo{},
		"GetAddresses":                   []*connector.AddressInfo{},
		"OnBeforeCreateQuote":            &connector.QuoteResponseInfo{IsOk: true, State: ok},
		"OnBeforeCreateQuoteVersion":     okVersion,
		"OnBeforeCreateQuoteAlternative": &connector.QuoteAlternativeResponseInfo{IsOk: true, State: ok},
		"OnAfterSaveQuote":               nil,
		"OnBeforeDeleteQuote":            nil,
		"OnAfterSentQuoteVersion":        &connector.QuoteSentResponseInfo{VersionResponse: okVersion},
		"OnQuoteLineChanged":             (*connector.QuoteLineInfo)(nil),
		"RecalculateQuoteAlternative":    (*connector.QuoteAlternativeWithLinesInfo)(nil),
		"ValidateQuoteVersion":           &connector.QuoteResponseInfo{IsOk: true, State: ok},
		"UpdateQuoteVersionPrices":       okVersion,
		"PlaceOrder":                     placeOrderRefusal(nil),
		"GetOrderState":                  (*connector.OrderResponseInfo)(nil),
		"OnQuoteVersionRequestApproval":  okVersion,
		"OnQuoteVersionApproved":         okVersion,
		"OnQuoteVersionRejected":         okVersion,
	}
	ops := connector.Operations()
	if len(ops) != len(want) {
		t.Errorf("%d rows, %d expected answers", len(ops), len(want))
	}
	for _, op := range ops {
		t.Run(op.Name, func(t *testing.T) {
			if op.Neutral == nil {
				t.Fatal("no neutral answer")
			}
			for _, req := range []any{op.NewRequest(), nil, "not a request"} {
				res := op.Neutral(req)
				if !reflect.DeepEqual(res, want[op.Name]) {
					t.Errorf("Neutral(%#v) = %#v, want %#v", req, res, want[op.Name])
				}
				switch {
				case op.Result == nil:
					if res != nil {
						t.Errorf("an operation without result answers %#v", res)
					}
					continue
				case res == nil || reflect.TypeOf(res) != op.Result:
					t.Errorf("Neutral answers %T, the row's result is %v", res, op.Result)
				}
				if op.Nil == connector.NilRefused && op.IsNil(res) && op.Name != "GetProduct" {
					t.Errorf("Neutral answers nil, which the row refuses")
				}
			}
		})
	}
}

// placeOrderRefusal is the neutral PlaceOrder answer for the context c.
func placeOrderRefusal(c *connector.QuoteAlternativeContextInfo) *connector.PlaceOrderResponseInfo {
	res := connector.MustLookup("PlaceOrder").Neutral(&connector.PlaceOrderRequest{Context: c}).(*connector.PlaceOrderResponseInfo)
	return res
}

func TestNeutralPlaceOrderRefuses(t *testing.T) {
	res := placeOrderRefusal(nil)
	if res.IsOk || res.State != connector.ResponseStateError || res.CRMQuote != nil || res.Url != "" {
		t.Errorf("%+v, want a refusal without an order", res)
	}
	ml, err := connector.ParseMultiLang(res.UserExplanation)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"US", "NO", "GE", "SW", "DA"} {
		if !strings.Contains(strings.ToLower(ml[lang]), "erp") {
			t.Errorf("%s explanation %q", lang, ml[lang])
		}
	}
}

// quoteParts are a populated quote, version, two alternatives with lines and a line.
func quoteParts() (*connector.QuoteInfo, *connector.QuoteVersionInfo, []connector.QuoteAlternativeWithLinesInfo, *connector.QuoteLineInfo) {
	line := &connector.QuoteLineInfo{ERPProductKey: "P-1", Quantity: 4, UnitListPrice: 125, TotalPrice: 500,
		ExtraInfo: []connector.ProductExtraDataFieldInfo{{Name: "Weight", Value: "2 kg"}}}
	alts := []connector.QuoteAlternativeWithLinesInfo{
		{CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 31, Name: "Products", TotalPrice: 500}, CRMQuoteLines: []connector.QuoteLineInfo{*line}},
		{CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 32, Name: "Budget"}},
	}
	return &connector.QuoteInfo{QuoteId: 301, ERPQuoteKey: "Q-10001"},
		&connector.QuoteVersionInfo{QuoteVersionId: 302, ERPQuoteVersionKey: "Q-10001-V1", State: connector.QuoteVersionStateInfoDraftNeedsApproval, RequestComment: "please"},
		alts, line
}

// TestNeutralEchoes: with a populated context, the neutral answers echo its quote, version
// and alternatives; they leave the request as it was, also when the answer's lists are
// changed afterwards.
func TestNeutralEchoes(t *testing.T) {
	q, v, alts, line := quoteParts()
	altCtx := func() *connector.QuoteAlternativeContextInfo {
		return &connector.QuoteAlternativeContextInfo{CRMQuote: q, CRMQuoteVersion: v, CRMAlternativeWithLines: &alts[0], ERPCompanyKey: "C-7"}
	}
	versionCtx := func() *connector.QuoteVersionContextInfo {
		return &connector.QuoteVersionContextInfo{CRMQuote: q, CRMQuoteVersion: v, CRMAlternativesWithLines: alts, ERPCompanyKey: "C-7"}
	}
	version := &connector.QuoteVersionResponseInfo{IsOk: true, State: ok, CRMQuoteVersion: v, CRMAlternativesWithLines: alts}
	tests := []struct {
		op   string
		req  any
		want any
	}{
		{"OnBeforeCreateQuote", &connector.OnBeforeCreateQuoteRequest{Context: altCtx()},
			&connector.QuoteResponseInfo{IsOk: true, State: ok, CRMQuote: q, CRMQuoteVersion: v, CRMAlternativesWithLines: alts[:1]}},
		{"OnBeforeCreateQuoteVersion", &connector.OnBeforeCreateQuoteVersionRequest{QuoteContext: versionCtx()}, version},
		{"OnBeforeCreateQuoteAlternative", &connector.OnBeforeCreateQuoteAlternativeRequest{Context: altCtx()},
			&connector.QuoteAlternativeResponseInfo{IsOk: true, State: ok, CRMAlternativesWithLines: alts[:1]}},
		{"OnAfterSentQuoteVersion", &connector.OnAfterSentQuoteVersionRequest{QuoteContext: versionCtx()},
			&connector.QuoteSentResponseInfo{VersionResponse: version}},
		{"OnQuoteLineChanged", &connector.OnQuoteLineChangedRequest{Context: altCtx(), QuoteLine: line, ChangedFields: []string{"Quantity"}}, line},
		{"RecalculateQuoteAlternative", &connector.RecalculateQuoteAlternativeRequest{Context: altCtx()}, &alts[0]},
		{"ValidateQuoteVersion", &connector.ValidateQuoteVersionRequest{QuoteContext: versionCtx(), Action: connector.QuoteActionSendQuote},
			&connector.QuoteResponseInfo{IsOk: true, State: ok, CRMQuote: q, CRMQuoteVersion: v, CRMAlternativesWithLines: alts}},
		{"UpdateQuoteVersionPrices", &connector.UpdateQuoteVersionPricesRequest{QuoteContext: versionCtx(), WriteableFields: []string{"unitlistprice"}}, version},
		{"OnQuoteVersionRequestApproval", &connector.OnQuoteVersionRequestApprovalRequest{QuoteContext: versionCtx()}, version},
		{"OnQuoteVersionApproved", &connector.OnQuoteVersionApprovedRequest{QuoteContext: versionCtx()}, version},
		{"OnQuoteVersionRejected", &connector.OnQuoteVersionRejectedRequest{QuoteContext: versionCtx()}, version},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			before := jsonOf(t, tt.req)
			res := connector.MustLookup(tt.op).Neutral(tt.req)
			if !reflect.DeepEqual(res, tt.want) {
				t.Fatalf("Neutral =\n%s\nwant\n%s", jsonOf(t, res), jsonOf(t, tt.want))
			}
			if after := jsonOf(t, tt.req); after != before {
				t.Errorf("the request changed:\n%s\nwas\n%s", after, before)
			}
			clobberLists(reflect.ValueOf(res))
			if after := jsonOf(t, tt.req); after != before {
				t.Errorf("changing the answer's lists changed the request:\n%s\nwas\n%s", after, before)
			}
		})
	}

	t.Run("PlaceOrder", func(t *testing.T) {
		c := altCtx()
		res := placeOrderRefusal(c)
		if res.IsOk || res.State != connector.ResponseStateError || res.CRMQuote != q || res.CRMQuoteVersion != v || res.CRMAlternativeWithLines != &alts[0] {
			t.Errorf("%+v, want the refusal with the context's quote, version and alternative", res)
		}
	})
}

// clobberLists overwrites every element of the lists at the top of an answer (and of the
// answers it holds, as VersionResponse), as a transport or a caller might.
func clobberLists(v reflect.Value) {
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return
	}
	v = v.Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Kind() == reflect.Slice:
			for j := range f.Len() {
				f.Index(j).SetZero()
			}
		case f.Kind() == reflect.Pointer && strings.HasSuffix(f.Type().Elem().Name(), "ResponseInfo"):
			clobberLists(f)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
