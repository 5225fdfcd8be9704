package demoerp_test

import (
	"errors"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
)

func TestGetConfigurationFields(t *testing.T) {
	erp, _ := open(t)
	fields, err := erp.GetConfigurationFields(bg, &connector.GetConfigurationFieldsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ranks := map[int32]bool{}
	for key, f := range fields {
		if key != f.FieldKey {
			t.Errorf("field under %q has FieldKey %q", key, f.FieldKey)
		}
		if ranks[f.Rank] || f.Rank == 0 {
			t.Errorf("field %s has rank %d, taken or zero", key, f.Rank)
		}
		ranks[f.Rank] = true
		wantML(t, key+" DisplayName", f.DisplayName)
	}
	if f := fields[demoerp.ConfigCompany]; f.FieldType != connector.FieldMetadataTypeInfoInteger || f.Access != connector.FieldAccessInfoMandatory {
		t.Errorf("company field = %+v, want a mandatory integer", f)
	}
	if f := fields[demoerp.ConfigWarnLowStock]; f.FieldType != connector.FieldMetadataTypeInfoCheckbox {
		t.Errorf("stock warning field = %+v, want a check box", f)
	}
	f := fields[demoerp.ConfigPriceList]
	if f.FieldType != connector.FieldMetadataTypeInfoList || f.ListName == "" {
		t.Fatalf("price list field = %+v, want a list", f)
	}
	items, err := erp.GetQuoteList(bg, &connector.GetQuoteListRequest{QuoteListType: f.ListName})
	if err != nil || len(items) == 0 {
		t.Errorf("the price list field's list %q = %v, %v; want the price lists", f.ListName, items, err)
	}
	labels := 0
	for _, f := range fields {
		if f.FieldType == connector.FieldMetadataTypeInfoLabel {
			labels++
		}
	}
	if labels != 1 {
		t.Errorf("%d labels, want 1", labels)
	}
}

func TestTestConnection(t *testing.T) {
	erp, _ := open(t)
	tests := []struct {
		name     string
		values   map[string]string
		wantOK   bool
		wantCode string
	}{
		{"company and price list", map[string]string{"company": "[I:1]", "pricelist": "NOK-STD", "warnlowstock": "[I:1]"}, true, ""},
		{"the second company", map[string]string{"company": "[I:2]"}, true, ""},
		{"company as plain digits", map[string]string{"company": "1"}, true, ""},
		{"no company", map[string]string{"pricelist": "NOK-STD"}, false, "COMPANY-MISSING"},
		{"empty company", map[string]string{"company": ""}, false, "COMPANY-MISSING"},
		{"company not a number", map[string]string{"company": "one"}, false, "COMPANY-INVALID"},
		{"unknown company", map[string]string{"company": "[I:7]"}, false, "COMPANY-UNKNOWN"},
		{"unknown price list", map[string]string{"company": "[I:1]", "pricelist": "NOK-1999"}, false, "PRICELIST-UNKNOWN"},
		{"inactive price list", map[string]string{"company": "[I:1]", "pricelist": "SEK-STD"}, false, "PRICELIST-INACTIVE"},
		{"expired price list", map[string]string{"company": "[I:1]", "pricelist": "NOK-2024"}, false, "PRICELIST-INACTIVE"},
	}
	// The dialog's values alone count: the tenant has no stored configuration yet.
	ctx := connector.WithTenant(bg, connector.Tenant{ID: "Cust1"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := erp.TestConnection(ctx, &connector.TestConnectionRequest{ConfigValues: tt.values})
			if err != nil {
				t.Fatal(err)
			}
			if res.IsOk != tt.wantOK || res.ErrorCode != tt.wantCode {
				t.Fatalf("TestConnection = %+v, want IsOk %v, code %q", res, tt.wantOK, tt.wantCode)
			}
			wantState := connector.ResponseStateOk
			if !tt.wantOK {
				wantState = connector.ResponseStateError
			}
			if res.State != wantState {
				t.Errorf("State = %v, want %v", res.State, wantState)
			}
			wantML(t, "UserExplanation", res.UserExplanation)
		})
	}
}

func TestGetCapabilities(t *testing.T) {
	erp, _ := open(t)
	claimed, err := erp.GetCapabilities(bg, &connector.GetCapabilitiesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	caps := connector.Capabilities(claimed)
	for _, name := range []string{
		connector.CapProvideCost, connector.CapProvideMinimumPrice, connector.CapProvideStockData,
		connector.CapProvideExtraData, connector.CapProvideThumbnails, connector.CapProvidePicture,
		connector.CapCachePriceLists, connector.CapPlaceOrder, connector.CapProvideOrderState,
		connector.CapPerformComplexSearch, connector.CapProvideAddresses, connector.CapPaymentTermsList,
		connector.CapProductCategoryList, connector.CapDeliveryTypeList,
	} {
		if !caps[name] {
			t.Errorf("capability %s is off", name)
		}
	}
	for _, name := range []string{connector.CapNoCacheQuoteLists, connector.CapSendOrderConfirmation} {
		if caps[name] {
			t.Errorf("capability %s is on", name)
		}
	}
}

// TestEveryOperationImplemented: the demo ERP answers all operations itself: none, called
// with an empty request, answers ErrUnsupported.
func TestEveryOperationImplemented(t *testing.T) {
	erp, _ := open(t)
	for _, op := range connector.Operations() {
		if _, err := op.Call(bg, erp, op.NewRequest()); errors.Is(err, connector.ErrUnsupported) {
			t.Errorf("%s is left to connector.Unsupported", op.Name)
		}
	}
}
