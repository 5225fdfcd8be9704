package openapi_test

import (
	"slices"
	"testing"

	"github.com/quotekit/quotekit/openapi"
)

func TestCheckMembers(t *testing.T) {
	const plugin = `"IsOk":true,"State":0,"UserExplanation":null,"TechExplanation":"","ErrorCode":null`
	const version = `{"QuoteVersionId":1,"ERPQuoteVersionKey":null,"QuoteId":2,"Description":null,"Number":null,` +
		`"State":1,"ArchivedState":0,"LikelyQuoteAlternativeId":0,"SentDate":"0001-01-01T00:00:00","FollowupId":0,` +
		`"ExpirationDate":"0001-01-01T00:00:00","DeliveryCountryId":0,"HasOwnDeliveryAddress":false,"InvoiceCountryId":0,` +
		`"HasOwnInvoiceAddress":false,"ERPPaymentTermsKey":null,"ERPPaymentTypeKey":null,"ERPDeliveryTermsKey":null,` +
		`"ERPDeliveryTypeKey":null,"Rank":1,"Status":0,"Reason":null,"ApprovedBy":0,"ApprovedText":null,` +
		`"ApprovedRegisteredBy":0,"ApprovedRegisteredDate":"0001-01-01T00:00:00","ExtraField1":null,"ExtraField2":null,` +
		`"ExtraField3":null,"ExtraField4":null,"ExtraField5":null,"LastRecalculated":"0001-01-01T00:00:00",` +
		`"Updated":"0001-01-01T00:00:00","RequestAssociateId":0}` // RequestComment left out
	const field = `"FieldKey":"A","DisplayName":"A","DisplayDescription":null,"ListName":null,"DefaultValue":null,"Rank":1,"MaxLength":0,"Access":0`
	tests := []struct {
		name, path, body string
		missing          []string
		schemas          []string
	}{
		{"every member", "/TestConnection", `{` + plugin + `}`, nil, []string{"PluginResponseInfo"}},
		{"a zero State left out", "/TestConnection", `{"IsOk":true,"UserExplanation":null,"TechExplanation":null,"ErrorCode":null}`,
			[]string{"State"}, []string{"PluginResponseInfo"}},
		{"members of the base through allOf", "/OnBeforeCreateQuoteAlternative", `{"IsOk":true,"CRMAlternativesWithLines":null}`,
			[]string{"ErrorCode", "State", "TechExplanation", "UserExplanation"}, []string{"QuoteAlternativeResponseInfo", "PluginResponseInfo"}},
		{"a nested carrier", "/OnAfterSentQuoteVersion",
			`{"Url":null,"VersionResponse":{` + plugin + `,"CRMAlternativesWithLines":[],"CRMQuoteVersion":` + version + `}}`,
			[]string{"VersionResponse.CRMQuoteVersion.RequestComment"},
			[]string{"QuoteSentResponseInfo", "QuoteVersionResponseInfo", "QuoteVersionInfo"}},
		{"a map of carriers", "/GetConfigurationFields", `{"A":{` + field + `}}`, []string{`["A"].FieldType`}, []string{"FieldMetadataInfo"}},
		{"items of a list", "/GetSearchableFields", `[{` + field + `,"FieldType":0},{"FieldKey":"B"}]`,
			[]string{"[1].Access", "[1].DefaultValue", "[1].DisplayDescription", "[1].DisplayName", "[1].FieldType", "[1].ListName", "[1].MaxLength", "[1].Rank"},
			[]string{"FieldMetadataInfo"}},
		{"null answers", "/FindProduct", `null`, nil, nil},
		{"a bare integer", "/GetNumberOfProductImages", `3`, nil, nil},
		{"no body where there is none", "/OnAfterSaveQuote", ``, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := "application/json"
			if tt.body == "" {
				ct = ""
			}
			got, err := openapi.CheckMembers(tt.path, 200, ct, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Missing, tt.missing) {
				t.Errorf("missing %q, want %q", got.Missing, tt.missing)
			}
			for _, s := range tt.schemas {
				if got.Schemas[s] == 0 {
					t.Errorf("%s not walked: %v", s, got.Schemas)
				}
			}
			if len(tt.schemas) == 0 && len(got.Schemas) != 0 {
				t.Errorf("walked %v in an answer without objects", got.Schemas)
			}
		})
	}
	if _, err := openapi.CheckMembers("/GetProductz", 200, "application/json", []byte(`{}`)); err == nil {
		t.Error("an unknown path passed")
	}
	if _, err := openapi.CheckMembers("/GetProduct", 200, "application/json", []byte(`{`)); err == nil {
		t.Error("a body that is not JSON passed")
	}
}
