package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
	"github.com/quotekit/quotekit/server"
)

// shop is a small connector implementing every operation with fixed, realistic answers.
// It records the last request it received so tests can check what was decoded (also as
// JSON, taken before the operation changes it), and fails every call with err when err
// is set.
type shop struct {
	connector.Unsupported

	mu       sync.Mutex
	last     any
	lastJSON []byte
	err      error
}

var _ connector.Connector = (*shop)(nil)

// validatedAt is the LastRecalculated time shop sets, fixed so answers are reproducible.
var validatedAt = connector.NewDateTime(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))

func (s *shop) seen(req any) error {
	b, err := json.Marshal(req)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last, s.lastJSON = req, b
	return s.err
}

func (s *shop) lastRequest() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func product(key string) (connector.ProductInfo, bool) {
	for _, p := range catalog {
		if p.ERPProductKey == key {
			return p, true
		}
	}
	return connector.ProductInfo{}, false
}

var catalog = []connector.ProductInfo{
	{
		ERPProductKey: "CMP-200", Code: "CMP-200", Name: "Screw compressor 200 l",
		Description: "Oil-free screw compressor, 200 litre tank", QuantityUnit: "pcs", PriceUnit: "pcs",
		ProductCategoryKey: "TOOLS", VAT: 25, VATInfo: "25%", UnitCost: 10, UnitMinimumPrice: 11, UnitListPrice: 13,
		ERPPriceListKey: "NOK-2026", InAssortment: true, InStock: 14,
		ExtraInfo: []connector.ProductExtraDataFieldInfo{{Name: "Noise", Type: connector.ExtraDataFieldTypeInfoString, Value: "68 dB"}},
	},
	{
		ERPProductKey: "HSE-10", Code: "HSE-10", Name: "Air hose 10 m", QuantityUnit: "pcs", PriceUnit: "pcs",
		ProductCategoryKey: "PARTS", VAT: 25, VATInfo: "25%", UnitCost: 80, UnitMinimumPrice: 100, UnitListPrice: 149,
		ERPPriceListKey: "NOK-2026", InAssortment: true, InStock: -3,
	},
}

func (s *shop) GetConfigurationFields(_ context.Context, req *connector.GetConfigurationFieldsRequest) (map[string]connector.FieldMetadataInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	return map[string]connector.FieldMetadataInfo{
		"erp-url": {FieldKey: "erp-url", DisplayName: connector.ML("US", "ERP address", "NO", "ERP-adresse"),
			FieldType: connector.FieldMetadataTypeInfoText, Access: connector.FieldAccessInfoMandatory, Rank: 1, MaxLength: 200},
		"erp-company": {FieldKey: "erp-company", DisplayName: connector.ML("US", "Company number", "NO", "Firmanummer"),
			FieldType: connector.FieldMetadataTypeInfoInteger, Rank: 2, DefaultValue: "1"},
	}, nil
}

func (s *shop) TestConnection(_ context.Context, req *connector.TestConnectionRequest) (*connector.PluginResponseInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	if culture.Config(req.ConfigValues).String("erp-url") == "" {
		// A business outcome: 200 with IsOk=false, shown to the admin.
		return &connector.PluginResponseInfo{
			IsOk: false, State: connector.ResponseStateError,
			UserExplanation: connector.ML("US", "The ERP address is missing", "NO", "ERP-adressen mangler"),
			TechExplanation: "erp-url is empty", ErrorCode: "ERP-URL",
		}, nil
	}
	return &connector.PluginResponseInfo{IsOk: true, State: connector.ResponseStateOk}, nil
}

func (s *shop) GetCapabilities(_ context.Context, req *connector.GetCapabilitiesRequest) (map[string]bool, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	// It claims what it serves: every operation-bound capability, cost and stock.
	claims := map[string]bool{connector.CapProvideCost: true, connector.CapProvideStockData: true}
	for _, op := range connector.Operations() {
		for _, c := range op.Capabilities {
			claims[c] = true
		}
	}
	return claims, nil
}

func (s *shop) GetQuoteList(_ context.Context, req *connector.GetQuoteListRequest) ([]connector.ListItemInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	if !strings.EqualFold(req.QuoteListType, "PaymentTerms") {
		return nil, nil
	}
	return []connector.ListItemInfo{
		{ERPQuoteListItemKey: "NET30", DisplayValue: "30 days net"},
		{ERPQuoteListItemKey: "NET10", DisplayValue: "10 days net", DisplayDescription: "For returning customers"},
	}, nil
}

func (s *shop) priceLists(req any, iso string, all bool) ([]connector.PriceListInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	lists := []connector.PriceListInfo{{
		ERPPriceListKey: "NOK-2026", Name: "Norway 2026", Currency: "NOK", CurrencyName: "Norwegian krone",
		ValidFrom: connector.DateTime{}, ValidTo: mustDate("9999-12-31T23:59:59.9999999"), IsActive: true,
	}}
	if all {
		lists = append(lists, connector.PriceListInfo{
			ERPPriceListKey: "NOK-2019", Name: "Norway 2019", Currency: "NOK",
			ValidFrom: mustDate("2019-01-01T00:00:00"), ValidTo: mustDate("2019-12-31T00:00:00"), IsActive: false,
		})
	}
	if iso != "" && !strings.EqualFold(iso, "NOK") {
		return nil, nil
	}
	return lists, nil
}

func (s *shop) GetActivePriceLists(_ context.Context, req *connector.GetActivePriceListsRequest) ([]connector.PriceListInfo, error) {
	return s.priceLists(req, req.IsoCurrencyCode, false)
}

func (s *shop) GetAllPriceLists(_ context.Context, req *connector.GetAllPriceListsRequest) ([]connector.PriceListInfo, error) {
	return s.priceLists(req, req.IsoCurrencyCode, true)
}

func (s *shop) FindProduct(_ context.Context, req *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	if req.UserInput == "" {
		return nil, nil
	}
	var hits []connector.ProductInfo
	for _, p := range catalog {
		if req.UserInput == "%" || strings.Contains(strings.ToLower(p.Name), strings.ToLower(req.UserInput)) {
			hits = append(hits, p)
		}
	}
	return hits, nil
}

func (s *shop) GetProduct(_ context.Context, req *connector.GetProductRequest) (*connector.ProductInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	p, ok := product(req.ErpProductKey)
	if !ok {
		return nil, connector.Invalid("unknown product key %q", req.ErpProductKey)
	}
	return &p, nil
}

func (s *shop) GetProducts(_ context.Context, req *connector.GetProductsRequest) ([]connector.ProductInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	var out []connector.ProductInfo
	for _, key := range req.ErpProductKeys {
		p, ok := product(key)
		if !ok {
			return nil, connector.Invalid("unknown product key %q", key)
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *shop) GetQuoteLinesFromProduct(_ context.Context, req *connector.GetQuoteLinesFromProductRequest) ([]connector.QuoteLineInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	p, ok := product(req.ErpProductKey)
	if !ok {
		return nil, connector.Invalid("unknown product key %q", req.ErpProductKey)
	}
	line := connector.QuoteLineInfo{
		ERPProductKey: p.ERPProductKey, ERPQuoteLineKey: "QL-" + p.ERPProductKey, Name: p.Name, Code: p.Code,
		QuantityUnit: p.QuantityUnit, PriceUnit: p.PriceUnit, VAT: p.VAT, VATInfo: p.VATInfo,
		UnitCost: p.UnitCost, UnitMinimumPrice: p.UnitMinimumPrice, UnitListPrice: p.UnitListPrice, Quantity: 1,
	}
	connector.CalculateLine(&line)
	return []connector.QuoteLineInfo{line}, nil
}

func (s *shop) GetNumberOfProductImages(_ context.Context, req *connector.GetNumberOfProductImagesRequest) (int32, error) {
	if err := s.seen(req); err != nil {
		return 0, err
	}
	return 1, nil
}

// pixel is a 1×1 PNG, base64.
const pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

func (s *shop) GetProductImage(_ context.Context, req *connector.GetProductImageRequest) (string, error) {
	if err := s.seen(req); err != nil {
		return "", err
	}
	if req.Rank != 1 {
		return "", nil
	}
	return pixel, nil
}

func (s *shop) GetSearchableFields(_ context.Context, req *connector.GetSearchableFieldsRequest) ([]connector.FieldMetadataInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	return []connector.FieldMetadataInfo{
		{FieldKey: "name", DisplayName: connector.ML("US", "Name", "NO", "Navn"), FieldType: connector.FieldMetadataTypeInfoText, Rank: 1},
		{FieldKey: "price", DisplayName: connector.ML("US", "List price", "NO", "Listepris"), FieldType: connector.FieldMetadataTypeInfoDouble, Rank: 2},
	}, nil
}

func (s *shop) GetSearchResults(_ context.Context, req *connector.GetSearchResultsRequest) ([]connector.ProductInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	var out []connector.ProductInfo
	for _, p := range catalog {
		ok := true
		for _, r := range req.Restrictions {
			if r.FieldKey == "name" && r.Operator == "begins" && len(r.Values) > 0 {
				ok = ok && strings.HasPrefix(strings.ToLower(p.Name), strings.ToLower(r.Values[0]))
			}
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *shop) GetAddresses(_ context.Context, req *connector.GetAddressesRequest) ([]*connector.AddressInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	invoice := &connector.AddressInfo{AddressLine1: "Postboks 12", City: "Bergen", ZipCode: "5804", CountryCode: "NO", Country: "Norway"}
	return []*connector.AddressInfo{invoice, nil}, nil // nil: use the contact's delivery address
}

func (s *shop) OnBeforeCreateQuote(_ context.Context, req *connector.OnBeforeCreateQuoteRequest) (*connector.QuoteResponseInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	return &connector.QuoteResponseInfo{
		IsOk:            true,
		CRMQuote:        &connector.QuoteInfo{ERPQuoteKey: "EQ-1", PreferredCulture: "nb-NO"},
		CRMQuoteVersion: &connector.QuoteVersionInfo{ERPPaymentTermsKey: "NET30", State: connector.QuoteVersionStateInfoDraft},
	}, nil
}

func (s *shop) OnBeforeCreateQuoteVersion(_ context.Context, req *connector.OnBeforeCreateQuoteVersionRequest) (*connector.QuoteVersionResponseInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	return &connector.QuoteVersionResponseInfo{IsOk: true, CRMQuoteVersion: &connector.QuoteVersionInfo{ERPQuoteVersionKey: "EQV-1"}}, nil
}

func (s *shop) OnBeforeCreateQuoteAlternative(_ context.Context, req *connector.OnBeforeCreateQuoteAlternativeRequest) (*connector.QuoteAlternativeResponseInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	return &connector.QuoteAlternativeResponseInfo{
		IsOk:                     true,
		CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{{CRMAlternative: &connector.QuoteAlternativeInfo{Name: "Standard", ERPQuoteAlternativeKey: "EQA-1"}}},
	}, nil
}

func (s *shop) OnAfterSaveQuote(_ context.Context, req *connector.OnAfterSaveQuoteRequest) error {
	return s.seen(req)
}

func (s *shop) OnBeforeDeleteQuote(_ context.Context, req *connector.OnBeforeDeleteQuoteRequest) error {
	return s.seen(req)
}

func (s *shop) OnAfterSentQuoteVersion(_ context.Context, req *connector.OnAfterSentQuoteVersionRequest) (*connector.QuoteSentResponseInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	return &connector.QuoteSentResponseInfo{
		VersionResponse: &connector.QuoteVersionResponseInfo{IsOk: true},
		Url:             "https://erp.example.com/quotes/EQ-1",
	}, nil
}

func (s *shop) OnQuoteLineChanged(_ context.Context, req *connector.OnQuoteLineChangedRequest) (*connector.QuoteLineInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	if req.QuoteLine == nil {
		return nil, nil // SuperOffice's default calculation
	}
	line := *req.QuoteLine
	connector.CalculateLine(&line)
	if line.TotalPrice < line.UnitMinimumPrice*line.Quantity {
		line.Status = connector.QuoteStatusInfoWarning
		line.Reason = connector.ML("US", "Below minimum price", "NO", "Under minstepris")
	}
	return &line, nil
}

func (s *shop) RecalculateQuoteAlternative(_ context.Context, req *connector.RecalculateQuoteAlternativeRequest) (*connector.QuoteAlternativeWithLinesInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	if req.Context == nil || req.Context.CRMAlternativeWithLines == nil {
		return nil, nil
	}
	alt := *req.Context.CRMAlternativeWithLines
	connector.CalculateAlternative(&alt)
	return &alt, nil
}

func (s *shop) ValidateQuoteVersion(_ context.Context, req *connector.ValidateQuoteVersionRequest) (*connector.QuoteResponseInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	if req.QuoteContext == nil || req.QuoteContext.CRMQuoteVersion == nil {
		return nil, nil
	}
	v := *req.QuoteContext.CRMQuoteVersion
	if v.State == connector.QuoteVersionStateInfoDraftNotCalculated {
		v.State = connector.QuoteVersionStateInfoDraft
	}
	v.LastRecalculated = validatedAt
	return &connector.QuoteResponseInfo{IsOk: true, CRMQuoteVersion: &v, CRMQuote: req.QuoteContext.CRMQuote}, nil
}

func (s *shop) UpdateQuoteVersionPrices(_ context.Context, req *connector.UpdateQuoteVersionPricesRequest) (*connector.QuoteVersionResponseInfo, error) {
	return nil, s.seen(req) // prices never change in this shop: "do nothing"
}

func (s *shop) PlaceOrder(_ context.Context, req *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	if err := s.seen(req); err != nil {
		return nil, err
	}
	return &connector.PlaceOrderResponseInfo{
		IsOk: true, State: connector.ResponseStateOkWithInfo, UserExplanation: connector.ML("US", "Order SO-1001 placed", "NO", "Ordre SO-1001 opprettet"),
		CRMQuote: &connector.QuoteInfo{QuoteId: 301, ERPOrderKey: "SO-1001"},
	}, nil
}

func (s *shop) GetOrderState(_ context.Context, req *connector.GetOrderStateRequest) (*connector.OrderResponseInfo, error) {
	return nil, s.seen(req) // nothing changed
}

func mustDate(s string) connector.DateTime {
	d, err := connector.ParseDateTime(s)
	if err != nil {
		panic(err)
	}
	return d
}

// pointerBase embeds *connector.Unsupported, whose nil pointer panics on the first
// operation left to it.
type pointerBase struct{ *connector.Unsupported }

// decorated is a partner's logging decorator around a connector.
type decorated struct{ connector.Connector }

// TestNewRefusesPointerUnsupported: server.New refuses a connector embedding
// *Unsupported, also behind a decorator, and says what to do.
func TestNewRefusesPointerUnsupported(t *testing.T) {
	for name, c := range map[string]connector.Connector{
		"embedded":         pointerBase{},
		"behind a wrapper": decorated{pointerBase{}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := server.New(c, &fakeAuth{})
			if err == nil || !strings.Contains(err.Error(), "embed connector.Unsupported by value") {
				t.Fatalf("New = %v, want a refusal that says to embed by value", err)
			}
		})
	}
}

// TestDecoratorKeepsCapabilities: GetCapabilities through a decorator answers what the
// wrapped connector answers.
func TestDecoratorKeepsCapabilities(t *testing.T) {
	get := func(c connector.Connector) []byte {
		t.Helper()
		status, _, body := send(t, newClient(t, start(t, c, &fakeAuth{})).post("GetCapabilities"), []byte(`{}`))
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		return body
	}
	plain, wrapped := get(&shop{}), get(decorated{&shop{}})
	if !bytes.Equal(plain, wrapped) {
		t.Errorf("through a decorator:\n%s\nwant:\n%s", wrapped, plain)
	}
	if !bytes.Contains(wrapped, []byte(`"iorderconsumer_place_order":true`)) {
		t.Errorf("the decorator lost the claims: %s", wrapped)
	}
}
