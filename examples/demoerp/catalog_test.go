package demoerp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
	"github.com/quotekit/quotekit/examples/demoerp"
)

func TestFindProduct(t *testing.T) {
	erp, _ := open(t)
	tests := []struct {
		name                string
		req                 connector.FindProductRequest
		want                int      // hits; -1: at least one
		wantCodes           []string // each must be among the hits
		wantLists           []string // every hit's price list is one of these
		wantNil             bool
		wantEachContainsAll []string // every hit's code, name or description contains each
	}{
		{name: "empty input is null", req: connector.FindProductRequest{UserInput: ""}, wantNil: true},
		{name: "blank input is null", req: connector.FindProductRequest{UserInput: "  \t"}, wantNil: true},
		{name: "percent lists everything, capped", req: connector.FindProductRequest{UserInput: "%"}, want: demoerp.MaxResults},
		{name: "percent in one price list", req: connector.FindProductRequest{UserInput: "%", PriceListKey: "USD-EXPORT"},
			want: 57, wantLists: []string{"USD-EXPORT"}},
		{name: "by name, any case", req: connector.FindProductRequest{UserInput: "SCREW COMPRESSOR", PriceListKey: "NOK-STD"},
			want: 14, wantCodes: []string{"SC-7", "SC-37-D", "CO46-5"}}, // 10 compressors, 4 oils for them
		{name: "by code", req: connector.FindProductRequest{UserInput: "cp-50-ss", PriceListKey: "NOK-STD"},
			want: 1, wantCodes: []string{"CP-50-SS"}},
		{name: "by description", req: connector.FindProductRequest{UserInput: "aisi 316", PriceListKey: "NOK-STD"},
			want: 6, wantEachContainsAll: []string{"aisi 316"}},
		{name: "every word must match", req: connector.FindProductRequest{UserInput: "hose 13 mm", PriceListKey: "NOK-STD"},
			want: -1, wantCodes: []string{"AH-13-10"}, wantEachContainsAll: []string{"hose", "13", "mm"}},
		{name: "percent inside a word is literal", req: connector.FindProductRequest{UserInput: "40%", PriceListKey: "NOK-STD"},
			want: 3, wantEachContainsAll: []string{"40%"}},
		{name: "underscore is literal", req: connector.FindProductRequest{UserInput: "m_x", PriceListKey: "NOK-STD"}, want: 0},
		{name: "backslash is literal", req: connector.FindProductRequest{UserInput: `m8\x`, PriceListKey: "NOK-STD"}, want: 0},
		{name: "discontinued items hidden", req: connector.FindProductRequest{UserInput: "SC1", PriceListKey: "NOK-STD"}, want: 0},
		{name: "discontinued variant hidden", req: connector.FindProductRequest{UserInput: "AG-230", PriceListKey: "NOK-STD"},
			want: 1, wantCodes: []string{"AG-230-B"}},
		{name: "active lists of a currency", req: connector.FindProductRequest{UserInput: "CP-32-GG", CurrencyCode: "nok"},
			want: 2, wantLists: []string{"NOK-STD", "NOK-PARTNER"}},
		{name: "all active lists", req: connector.FindProductRequest{UserInput: "CP-32-GG"},
			want: 4, wantLists: []string{"NOK-STD", "NOK-PARTNER", "EUR-STD", "USD-EXPORT"}},
		{name: "euro", req: connector.FindProductRequest{UserInput: "pump", CurrencyCode: "EUR"}, want: -1, wantLists: []string{"EUR-STD"}},
		{name: "a currency with only an inactive list", req: connector.FindProductRequest{UserInput: "%", CurrencyCode: "SEK"}, want: 0},
		{name: "expired list by key still answers", req: connector.FindProductRequest{UserInput: "CP-32-GG", PriceListKey: "NOK-2024"},
			want: 1, wantLists: []string{"NOK-2024"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := erp.FindProduct(bg, &tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNil {
				if hits != nil {
					t.Fatalf("got %d hits, want nil", len(hits))
				}
				return
			}
			if hits == nil {
				t.Fatal("got nil, want a list")
			}
			if tt.want >= 0 && len(hits) != tt.want || tt.want < 0 && len(hits) == 0 {
				t.Fatalf("got %d hits, want %d", len(hits), tt.want)
			}
			codes := map[string]bool{}
			for _, h := range hits {
				codes[h.Code] = true
				if !h.InAssortment {
					t.Errorf("%s is discontinued but found", h.Code)
				}
				if h.ERPProductKey != h.Code+"@"+h.ERPPriceListKey {
					t.Errorf("key %q, want code@price list", h.ERPProductKey)
				}
				if tt.wantLists != nil && !slices.Contains(tt.wantLists, h.ERPPriceListKey) {
					t.Errorf("%s in price list %s, want one of %v", h.Code, h.ERPPriceListKey, tt.wantLists)
				}
				text := strings.ToLower(h.Code + " " + h.Name + " " + h.Description)
				for _, w := range tt.wantEachContainsAll {
					if !strings.Contains(text, w) {
						t.Errorf("%s (%s) does not contain %q", h.Code, h.Name, w)
					}
				}
			}
			for _, c := range tt.wantCodes {
				if !codes[c] {
					t.Errorf("%s not found", c)
				}
			}
		})
	}
}

func TestFindProductUnknownPriceList(t *testing.T) {
	erp, _ := open(t)
	_, err := erp.FindProduct(bg, &connector.FindProductRequest{UserInput: "pump", PriceListKey: "NOK-1999"})
	wantInvalid(t, err)
}

func TestGetProduct(t *testing.T) {
	erp, _ := open(t)
	p, err := erp.GetProduct(bg, &connector.GetProductRequest{ErpProductKey: "CP-50-SS@NOK-STD"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Code != "CP-50-SS" || p.ERPPriceListKey != "NOK-STD" || p.UnitListPrice <= p.UnitMinimumPrice ||
		p.UnitMinimumPrice <= p.UnitCost || p.UnitCost <= 0 || p.VAT != 25 || p.VATInfo != "25 %" ||
		p.ProductCategoryKey != "PUMP" || p.ProductFamilyKey != "CP" || p.ProductTypeKey != "GOODS" ||
		!p.InAssortment || p.Thumbnail == "" || len(p.ExtraInfo) == 0 || p.ItemNumber == "" || p.ExtraField1 == "" {
		t.Errorf("GetProduct = %+v", p)
	}

	eur, err := erp.GetProduct(bg, &connector.GetProductRequest{ErpProductKey: "CP-50-SS@EUR-STD"})
	if err != nil {
		t.Fatal(err)
	}
	if eur.UnitListPrice >= p.UnitListPrice/5 || eur.UnitCost >= p.UnitCost/5 {
		t.Errorf("EUR prices %v/%v look like NOK (%v/%v)", eur.UnitListPrice, eur.UnitCost, p.UnitListPrice, p.UnitCost)
	}

	old, err := erp.GetProduct(bg, &connector.GetProductRequest{ErpProductKey: "SC1-7@NOK-STD"})
	if err != nil || old.InAssortment {
		t.Errorf("a discontinued product: %+v, %v; want it, with InAssortment false", old, err)
	}

	svc, err := erp.GetProduct(bg, &connector.GetProductRequest{ErpProductKey: "SA-C-P@NOK-STD"})
	if err != nil || !svc.IsSubscription || svc.SubscriptionUnit != "month" || svc.DefaultSubscriptionQuantity != 12 || svc.Thumbnail != "" {
		t.Errorf("a service agreement: %+v, %v", svc, err)
	}

	for _, key := range []string{"", "CP-50-SS", "NOPE@NOK-STD", "CP-50-SS@NOPE", "@NOK-STD", "CP-50-SS@"} {
		_, err := erp.GetProduct(bg, &connector.GetProductRequest{ErpProductKey: key})
		wantInvalid(t, err)
	}
}

func TestGetProducts(t *testing.T) {
	erp, _ := open(t)
	keys := []string{"HN-M10-A4@NOK-STD", "CP-32-GG@USD-EXPORT", "SG-C@EUR-STD"}
	ps, err := erp.GetProducts(bg, &connector.GetProductsRequest{ErpProductKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(keys) {
		t.Fatalf("got %d products, want %d", len(ps), len(keys))
	}
	for i, p := range ps {
		if p.ERPProductKey != keys[i] {
			t.Errorf("product %d is %s, want %s", i, p.ERPProductKey, keys[i])
		}
	}
	_, err = erp.GetProducts(bg, &connector.GetProductsRequest{ErpProductKeys: []string{keys[0], "X@NOK-STD"}})
	wantInvalid(t, err)
}

func TestGetQuoteLinesFromProduct(t *testing.T) {
	erp, _ := open(t)
	tests := []struct {
		name         string
		key          string
		company      *connector.ContactInfo
		erpCompany   string
		wantDiscount float64
		wantStatus   connector.QuoteStatusInfo
	}{
		{name: "no customer", key: "CP-32-SS@NOK-STD"},
		{name: "customer by ERP key", key: "CP-32-SS@NOK-STD", erpCompany: "C10003", wantDiscount: 12},
		{name: "customer by organisation number", key: "CP-32-SS@NOK-STD",
			company: &connector.ContactInfo{Name: "Fjordbris", OrganisationNumber: "952601814"}, wantDiscount: 5},
		{name: "customer by name", key: "CP-32-SS@NOK-STD", company: &connector.ContactInfo{Name: "NORDLYS BYGG OG ANLEGG AS"}, wantDiscount: 8},
		{name: "discontinued", key: "SC1-7@NOK-STD", wantStatus: connector.QuoteStatusInfoWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := erp.GetQuoteLinesFromProduct(bg, &connector.GetQuoteLinesFromProductRequest{
				ErpProductKey: tt.key,
				Context:       &connector.QuoteAlternativeContextInfo{ERPCompanyKey: tt.erpCompany, CRMCompany: tt.company},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1", len(lines))
			}
			l := lines[0]
			p, _ := erp.GetProduct(bg, &connector.GetProductRequest{ErpProductKey: tt.key})
			if l.ERPProductKey != tt.key || l.Quantity != 1 || l.UnitListPrice != p.UnitListPrice ||
				l.UnitMinimumPrice != p.UnitMinimumPrice || l.UnitCost != p.UnitCost || l.VAT != p.VAT {
				t.Errorf("line %+v does not carry the product %+v", l, p)
			}
			if l.ERPDiscountPercent != tt.wantDiscount || l.DiscountPercent != tt.wantDiscount {
				t.Errorf("discount %v (ERP %v), want %v", l.DiscountPercent, l.ERPDiscountPercent, tt.wantDiscount)
			}
			if want := l.UnitListPrice * (1 - tt.wantDiscount/100); !near(l.TotalPrice, want) || !near(l.SubTotal, l.UnitListPrice) {
				t.Errorf("total %v, subtotal %v; want %v, %v", l.TotalPrice, l.SubTotal, want, l.UnitListPrice)
			}
			if l.Status != tt.wantStatus {
				t.Errorf("status %v (%s), want %v", l.Status, l.Reason, tt.wantStatus)
			}
		})
	}
	_, err := erp.GetQuoteLinesFromProduct(bg, &connector.GetQuoteLinesFromProductRequest{ErpProductKey: "nope"})
	wantInvalid(t, err)
}

func TestImages(t *testing.T) {
	erp, _ := open(t)
	n, err := erp.GetNumberOfProductImages(bg, &connector.GetNumberOfProductImagesRequest{ErpProductKey: "SH-YE@NOK-STD"})
	if err != nil || n != 1 {
		t.Fatalf("images of a helmet = %d, %v; want 1", n, err)
	}
	img, err := erp.GetProductImage(bg, &connector.GetProductImageRequest{ErpProductKey: "SH-YE@NOK-STD", Rank: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(img)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 48 {
		t.Errorf("picture: %+v, %v; want a 48 px PNG", cfg, err)
	}
	if img, err := erp.GetProductImage(bg, &connector.GetProductImageRequest{ErpProductKey: "SH-YE@NOK-STD", Rank: 2}); err != nil || img != "" {
		t.Errorf("rank 2 = %q, %v; want no image", img, err)
	}

	n, err = erp.GetNumberOfProductImages(bg, &connector.GetNumberOfProductImagesRequest{ErpProductKey: "INST-H@NOK-STD"})
	if err != nil || n != 0 {
		t.Errorf("images of a service = %d, %v; want 0", n, err)
	}
	if img, err := erp.GetProductImage(bg, &connector.GetProductImageRequest{ErpProductKey: "INST-H@NOK-STD", Rank: 1}); err != nil || img != "" {
		t.Errorf("picture of a service = %q, %v; want none", img, err)
	}

	_, err = erp.GetNumberOfProductImages(bg, &connector.GetNumberOfProductImagesRequest{ErpProductKey: "X@NOK-STD"})
	wantInvalid(t, err)
	_, err = erp.GetProductImage(bg, &connector.GetProductImageRequest{ErpProductKey: "X@NOK-STD", Rank: 1})
	wantInvalid(t, err)
}

func TestPriceLists(t *testing.T) {
	erp, clk := open(t)
	keys := func(lists []connector.PriceListInfo, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if lists == nil {
			t.Fatal("nil price lists, want a list")
		}
		var out []string
		for _, l := range lists {
			out = append(out, l.ERPPriceListKey)
		}
		return out
	}
	active := func(ctx context.Context, iso string) []string {
		return keys(erp.GetActivePriceLists(ctx, &connector.GetActivePriceListsRequest{IsoCurrencyCode: iso}))
	}
	all := func(iso string) []string {
		return keys(erp.GetAllPriceLists(bg, &connector.GetAllPriceListsRequest{IsoCurrencyCode: iso}))
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"active, all currencies", active(bg, ""), []string{"EUR-STD", "NOK-PARTNER", "NOK-STD", "USD-EXPORT"}},
		{"active NOK", active(bg, "NOK"), []string{"NOK-PARTNER", "NOK-STD"}},
		{"active nok, any case", active(bg, "nok"), []string{"NOK-PARTNER", "NOK-STD"}},
		{"active SEK: only an inactive list", active(bg, "SEK"), nil},
		{"active, default list first", active(connector.WithTenant(bg, connector.Tenant{ID: "Cust1",
			Config: culture.Config{demoerp.ConfigPriceList: "NOK-STD"}}), "NOK"), []string{"NOK-STD", "NOK-PARTNER"}},
		{"all NOK, expired included", all("NOK"), []string{"NOK-2024", "NOK-PARTNER", "NOK-STD"}},
		{"all SEK, inactive included", all("SEK"), []string{"SEK-STD"}},
		{"all", all(""), []string{"EUR-STD", "NOK-2024", "NOK-PARTNER", "NOK-STD", "SEK-STD", "USD-EXPORT"}},
		{"unknown currency", all("XYZ"), nil},
	}
	for _, tt := range tests {
		if strings.Join(tt.got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}

	lists, _ := erp.GetAllPriceLists(bg, &connector.GetAllPriceListsRequest{IsoCurrencyCode: "SEK"})
	if sek := lists[0]; sek.IsActive || !sek.ValidFrom.IsZero() || sek.ValidTo.String() != "9999-12-31T23:59:59.9999999" || sek.CurrencyName != "Swedish krona" {
		t.Errorf("SEK-STD = %+v", sek)
	}

	// Validity follows the ERP's clock: in mid 2024 last year's list was the current one.
	clk.Advance(-29 * 30 * 24 * time.Hour)
	if got := active(bg, "NOK"); strings.Join(got, ",") != "NOK-2024" {
		t.Errorf("active NOK in %s: %v, want [NOK-2024]", clk.Now().Format("2006-01"), got)
	}
}

func TestGetQuoteList(t *testing.T) {
	erp, _ := open(t)
	for _, name := range []string{"ProductCategory", "productfamily", "PRODUCTTYPE", "PaymentTerms", "PaymentType",
		"DeliveryTerms", "DeliveryType", "PriceLists", "pricelists"} {
		items, err := erp.GetQuoteList(bg, &connector.GetQuoteListRequest{QuoteListType: name})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			t.Errorf("list %s is empty", name)
		}
		seen := map[string]bool{}
		for _, it := range items {
			if it.ERPQuoteListItemKey == "" || it.DisplayValue == "" || seen[it.ERPQuoteListItemKey] {
				t.Errorf("list %s: item %+v is empty or repeated", name, it)
			}
			seen[it.ERPQuoteListItemKey] = true
		}
	}
	items, err := erp.GetQuoteList(bg, &connector.GetQuoteListRequest{QuoteListType: "quotecategory"})
	if err != nil || items != nil {
		t.Errorf("an unknown list = %v, %v; want nil", items, err)
	}
}

func TestGetAddresses(t *testing.T) {
	erp, _ := open(t)
	addresses := func(c *connector.QuoteAlternativeContextInfo) []*connector.AddressInfo {
		t.Helper()
		a, err := erp.GetAddresses(bg, &connector.GetAddressesRequest{Context: c})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := addresses(&connector.QuoteAlternativeContextInfo{ERPCompanyKey: "C10001"})
	if len(a) != 2 || a[0] == nil || a[0].City != "Ålesund" || a[1] == nil || a[1].City != "Fosnavåg" {
		t.Errorf("Fjordbris: %v", a)
	}
	a = addresses(&connector.QuoteAlternativeContextInfo{CRMCompany: &connector.ContactInfo{OrganisationNumber: "966 131 861"}})
	if len(a) != 2 || a[0] == nil || a[0].City != "Molde" || a[1] != nil {
		t.Errorf("Eikrem by organisation number, no delivery address: %v", a)
	}
	a = addresses(&connector.QuoteAlternativeContextInfo{CRMCompany: &connector.ContactInfo{Name: "kranbau lindner gmbh"}})
	if len(a) != 2 || a[0] == nil || a[0].CountryCode != "DE" || a[1] == nil {
		t.Errorf("Kranbau by name: %v", a)
	}
	if a := addresses(&connector.QuoteAlternativeContextInfo{CRMCompany: &connector.ContactInfo{Name: "Nobody AS"}}); a != nil {
		t.Errorf("an unknown company: %v, want nil", a)
	}
	if a := addresses(nil); a != nil {
		t.Errorf("no context: %v, want nil", a)
	}
}

func near(a, b float64) bool { return a-b < 0.005 && b-a < 0.005 }
