package demoerp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/culture"
)

// GetConfigurationFields describes the connection dialog in SuperOffice's admin client:
// the ERP company (mandatory), the default price list, whether to warn about low stock,
// and a line of explanation.
func (e *ERP) GetConfigurationFields(ctx context.Context, _ *connector.GetConfigurationFieldsRequest) (map[string]connector.FieldMetadataInfo, error) {
	if err := e.enter(ctx, "GetConfigurationFields"); err != nil {
		return nil, err
	}
	fields := []connector.FieldMetadataInfo{
		{
			FieldKey:           ConfigCompany,
			FieldType:          connector.FieldMetadataTypeInfoInteger,
			Access:             connector.FieldAccessInfoMandatory,
			DisplayName:        connector.ML("US", "Company number", "NO", "Firmanummer"),
			DisplayDescription: connector.ML("US", "The number of the company in the ERP", "NO", "Firmaets nummer i ERP-systemet"),
			DefaultValue:       "1",
		},
		{
			FieldKey:           ConfigPriceList,
			FieldType:          connector.FieldMetadataTypeInfoList,
			ListName:           priceListsList,
			DisplayName:        connector.ML("US", "Default price list", "NO", "Standard prisliste"),
			DisplayDescription: connector.ML("US", "Offered first when a quote is created", "NO", "Foreslås først når et tilbud opprettes"),
			DefaultValue:       "NOK-STD",
		},
		{
			FieldKey:           ConfigWarnLowStock,
			FieldType:          connector.FieldMetadataTypeInfoCheckbox,
			DisplayName:        connector.ML("US", "Warn when stock is low", "NO", "Varsle ved lav lagerbeholdning"),
			DisplayDescription: connector.ML("US", "Mark quote lines whose quantity exceeds the stock", "NO", "Merk tilbudslinjer med større antall enn lagerbeholdningen"),
			DefaultValue:       "1",
		},
		{
			FieldKey:  "about",
			FieldType: connector.FieldMetadataTypeInfoLabel,
			DisplayName: connector.ML("US", "Demo ERP: products, prices and customers are sample data.",
				"NO", "Demo-ERP: produkter, priser og kunder er eksempeldata."),
		},
	}
	m := make(map[string]connector.FieldMetadataInfo, len(fields))
	for i, f := range fields {
		f.Rank = int32(i + 1)
		m[f.FieldKey] = f
	}
	return m, nil
}

// TestConnection checks the values typed into the connection dialog against the ERP: the
// company must exist, and the default price list, when chosen, must exist and be active.
// A problem is a result with IsOk=false and an explanation for the admin, not an error.
func (e *ERP) TestConnection(ctx context.Context, req *connector.TestConnectionRequest) (*connector.PluginResponseInfo, error) {
	if err := e.enter(ctx, "TestConnection"); err != nil {
		return nil, err
	}
	if err := e.r.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("demoerp: database: %w", err)
	}
	c := config(ctx, req.ConfigValues)
	fail := func(code, tech, us, no string, args ...any) (*connector.PluginResponseInfo, error) {
		return &connector.PluginResponseInfo{
			IsOk: false, State: connector.ResponseStateError, ErrorCode: code,
			TechExplanation: tech, UserExplanation: msg(us, no, args...),
		}, nil
	}

	number, err := configInt(c, ConfigCompany)
	switch {
	case errors.Is(err, culture.ErrMissingConfig) || strings.TrimSpace(c.String(ConfigCompany)) == "":
		return fail("COMPANY-MISSING", "company is not set",
			"Enter the company number.", "Skriv inn firmanummeret.")
	case err != nil:
		return fail("COMPANY-INVALID", "company is not an integer",
			"The company number must be a whole number.", "Firmanummeret må være et heltall.")
	}
	var company string
	err = e.r.QueryRowContext(ctx, `SELECT name FROM companies WHERE number = ?`, number).Scan(&company)
	if errors.Is(err, sql.ErrNoRows) {
		return fail("COMPANY-UNKNOWN", fmt.Sprintf("company %d does not exist", number),
			"Company %d does not exist in the ERP.", "Firma %d finnes ikke i ERP-systemet.", number)
	}
	if err != nil {
		return nil, fmt.Errorf("demoerp: company: %w", err)
	}

	if key := strings.TrimSpace(c.String(ConfigPriceList)); key != "" {
		var active bool
		now := validityStamp(e.now())
		err := e.r.QueryRowContext(ctx, `SELECT active AND valid_from <= ? AND valid_to >= ? FROM price_lists WHERE key = ?`,
			now, now, key).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) {
			return fail("PRICELIST-UNKNOWN", "price list "+strconv.Quote(key)+" does not exist",
				"The price list %s does not exist.", "Prislisten %s finnes ikke.", key)
		}
		if err != nil {
			return nil, fmt.Errorf("demoerp: price list: %w", err)
		}
		if !active {
			return fail("PRICELIST-INACTIVE", "price list "+strconv.Quote(key)+" is inactive or expired",
				"The price list %s is not active. Choose another one.", "Prislisten %s er ikke aktiv. Velg en annen.", key)
		}
	}
	return &connector.PluginResponseInfo{
		IsOk: true, State: connector.ResponseStateOk,
		UserExplanation: msg("Connected to %s.", "Koblet til %s.", company),
	}, nil
}

// configInt reads an integer the dialog stored encoded ([I:1]) or, as some clients do,
// as plain digits.
func configInt(c culture.Config, key string) (int64, error) {
	v, err := c.Value(key)
	if err != nil {
		return 0, err
	}
	if v.Kind == culture.String {
		if n, err := strconv.ParseInt(strings.TrimSpace(v.Raw), 10, 64); err == nil {
			return n, nil
		}
	}
	return c.Int(key)
}

// GetCapabilities claims what this ERP serves: cost, minimum prices, stock and extra
// product data, thumbnails and pictures, all seven quote lists, complex search, addresses,
// placing orders and reporting their state; its price lists change seldom enough to be
// cached. Every name left out answers false.
func (e *ERP) GetCapabilities(ctx context.Context, _ *connector.GetCapabilitiesRequest) (map[string]bool, error) {
	if err := e.enter(ctx, "GetCapabilities"); err != nil {
		return nil, err
	}
	return map[string]bool{
		connector.CapProvideCost:          true,
		connector.CapProvideMinimumPrice:  true,
		connector.CapProvideStockData:     true,
		connector.CapProvideExtraData:     true,
		connector.CapProvideThumbnails:    true,
		connector.CapProvidePicture:       true,
		connector.CapCachePriceLists:      true,
		connector.CapPlaceOrder:           true,
		connector.CapProvideOrderState:    true,
		connector.CapPerformComplexSearch: true,
		connector.CapProvideAddresses:     true,
		connector.CapProductCategoryList:  true,
		connector.CapProductFamilyList:    true,
		connector.CapProductTypeList:      true,
		connector.CapPaymentTermsList:     true,
		connector.CapPaymentTypeList:      true,
		connector.CapDeliveryTermsList:    true,
		connector.CapDeliveryTypeList:     true,
	}, nil
}
