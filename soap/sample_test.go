package soap

import (
	"strconv"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
)

func mustDate(t testing.TB, s string) model.DateTime {
	d, err := model.ParseDateTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sampleLine is a quote line as NetServer sends it.
func sampleLine(t testing.TB, n int32) connector.QuoteLineInfo {
	return connector.QuoteLineInfo{
		ERPProductKey: "P-100" + strconv.Itoa(int(n)), Name: "Widget Pro", Description: "A widget\r\nwith two lines & more",
		Code: "WP", QuantityUnit: "pcs", PriceUnit: "NOK", SubscriptionUnit: "month", ItemNumber: "IT-1",
		Url: "https://erp.example.no/p/1?x=1&y=2", ProductCategoryKey: "cat", ProductFamilyKey: "fam", ProductTypeKey: "type",
		Supplier: "ACME", SupplierCode: "AC", VATInfo: "25%", VAT: 25, UnitCost: 800.5, UnitMinimumPrice: 900,
		UnitListPrice: 1499, ExtraInfo: []connector.ProductExtraDataFieldInfo{{Name: "Colour", Type: connector.ExtraDataFieldTypeInfoString, Value: "red"}, {Name: "Sheet", Type: connector.ExtraDataFieldTypeInfoUrl, Value: "https://x"}},
		ExtraField1: "e1", QuoteLineId: 1000 + n, ERPQuoteLineKey: "L-1", QuoteAlternativeId: 77,
		Status: connector.QuoteStatusInfoWarning, Reason: "check price", Quantity: 2, SubscriptionQuantity: 12,
		SubscriptionStart: mustDate(t, "2025-03-01T00:00:00"), DeliveredQuantity: 0.5, Rank: n,
		ERPDiscountAmount: 10, ERPDiscountPercent: 1e-05, DiscountAmount: 20, DiscountPercent: 2.5,
		UserValueOverride: connector.ValueOverrideInfoOverrideDiscountPercent, EarningAmount: 100, EarningPercent: 10.25,
		SubTotal: 2698.2, TotalPrice: 2698.2, TotalPriceWithAlternativeDiscount: 2600,
	}
}

// sampleContext is a full QuoteAlternativeContextInfo with three lines.
func sampleContext(t testing.TB) *connector.QuoteAlternativeContextInfo {
	udf := connector.CustomFields{"SuperOffice:1": "Gold customer", "SuperOffice:2": "[F:1.5]", "SuperOffice:3": "[I:42]", "UserDefinedStringFromFieldNumber:17": "x"}
	return &connector.QuoteAlternativeContextInfo{
		CRMAssociate: &connector.UserInfo{AssociateId: 5, AssociateName: "ON", FullName: "Ola Nordmann", Email: "ola@example.no",
			RoleId: 2, RoleName: "Sales", CountryId: 578, CountryName: "Norway", CountryDomainName: "NO",
			FunctionRights: []string{"can-approve-quote"}, Licenses: []string{"superoffice.quote", "superoffice.sale"}},
		CRMCompany: &connector.ContactInfo{ContactId: 10, Name: "Kunde AS", OrganisationNumber: "999888777", Phone: "+47 22 00 00 00",
			PhoneId: 1, EMail: "post@kunde.no", AddressLine1: "Gate 1", PostalAddressCity: "Oslo", PostalAddressZip: "0150",
			CountryCode: "NO", Country: "Norway", CountryId: 578, Number: "10", CustomFields: udf},
		CRMPerson: &connector.PersonInfo{PersonId: 20, ContactId: 10, FirstName: "Kari", LastName: "Nordmann", DateOfBirth: "19800131",
			EMail: "kari@kunde.no", EMailId: 2, Nomailing: true, CountryId: 578, CustomFields: connector.CustomFields{}},
		CRMProject: &connector.ProjectInfo{ProjectId: 30, Name: "Rollout", EventDate: "20250601", WebId: 3},
		CRMSale: &connector.SaleInfo{SaleId: 7, Associate: "ON", Number: "S-7", Title: "Big deal", Amount: 123456.78, Currency: "NOK",
			Probability: 50, SaleDate: "20250214", Status: "Open"},
		CRMForeignKeys: []connector.ForeignKeyInfo{{Key: "erp", RecordId: 10, TableName: "contact", Value: "C-100"}},
		CRMQuote:       &connector.QuoteInfo{QuoteId: 41, SaleId: 7, QuoteConnectionId: 3, ERPQuoteKey: "Q-41", ActiveQuoteVersionId: 88, PreferredCulture: "nb-NO"},
		CRMQuoteVersion: &connector.QuoteVersionInfo{QuoteVersionId: 88, QuoteId: 41, Description: "First", Number: "1",
			State: connector.QuoteVersionStateInfoDraftNeedsApproval, ArchivedState: connector.QuoteVersionStateInfoUnknown,
			LikelyQuoteAlternativeId: 77, SentDate: mustDate(t, "0001-01-01T00:00:00"), ExpirationDate: mustDate(t, "2025-03-16T00:00:00"),
			Rank: 1, Status: connector.QuoteStatusInfoOk, ApprovedRegisteredDate: mustDate(t, "2025-02-14T10:00:00Z"),
			LastRecalculated: mustDate(t, "1760-01-01T00:00:00"), Updated: mustDate(t, "2025-02-14T11:00:00.1234567+01:00"), RequestComment: "please"},
		InvoiceAddress:    &connector.AddressInfo{AddressLine1: "Gate 1", City: "Oslo", ZipCode: "0150", CountryCode: "NO", Country: "Norway"},
		DeliveryAddress:   nil,
		EISConnectionId:   3,
		EISConnectionGuid: "0f6b2c1e-8d3a-4b5c-9e7f-1a2b3c4d5e6f",
		ERPCompanyKey:     "C-100",
		UserLanguageCode:  "nb-NO",
		CRMAlternativeWithLines: &connector.QuoteAlternativeWithLinesInfo{
			CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 77, QuoteVersionId: 88, Name: "Alt A",
				Status: connector.QuoteStatusInfoOk, VAT: 25, SubTotal: 8094.6, TotalPrice: 8094.6},
			CRMQuoteLines: []connector.QuoteLineInfo{sampleLine(t, 1), sampleLine(t, 2), sampleLine(t, 3)},
		},
	}
}

func sampleHeader() Header {
	return Header{
		ConfigFields:      []KeyValue{{"ApplicationId", "7c1a9e2b"}, {"ErpBaseUrl", "https://erp.example.no/api"}, {"ApiKey", "s3cr3t"}},
		ConnectionData:    &connector.QuoteConnectionInfo{CRMConnectionId: 3, ERPClientName: "Example ERP", ERPClientKey: "EX-01", DisplayName: "Example ERP (NOK)"},
		ConnectionID:      3,
		ContextIdentifier: "Cust12345",
		SessionID:         "8d2f6c1e",
		UserInfo:          &connector.UserInfo{AssociateId: 5, AssociateName: "ON", FullName: "Ola Nordmann"},
	}
}

// sampleFindProduct is the request of testdata/findproduct.xml.
func sampleFindProduct(t testing.TB) *connector.FindProductRequest {
	h := sampleHeader()
	return &connector.FindProductRequest{
		ConfigValues:   map[string]string{"ApplicationId": "7c1a9e2b", "ErpBaseUrl": "https://erp.example.no/api", "ApiKey": "s3cr3t"},
		ConnectionInfo: h.ConnectionData,
		Context:        sampleContext(t), CurrencyCode: "NOK", UserInput: "widget", PriceListKey: "PL-1",
	}
}
