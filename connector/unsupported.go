package connector

import (
	"context"
	"fmt"
)

// Unsupported answers every operation with an error wrapping ErrUnsupported, which the
// server turns into 404 ("not implemented" to NetServer). Embed it by value in a connector
// so that the connector keeps compiling when the API gains an operation.
type Unsupported struct{}

func (Unsupported) mustEmbedUnsupported() {}

func unsupported(op string) error { return fmt.Errorf("%s: %w", op, ErrUnsupported) }

func (Unsupported) GetConfigurationFields(context.Context, *GetConfigurationFieldsRequest) (map[string]FieldMetadataInfo, error) {
	return nil, unsupported("GetConfigurationFields")
}

func (Unsupported) TestConnection(context.Context, *TestConnectionRequest) (*PluginResponseInfo, error) {
	return nil, unsupported("TestConnection")
}

func (Unsupported) GetCapabilities(context.Context, *GetCapabilitiesRequest) (map[string]bool, error) {
	return nil, unsupported("GetCapabilities")
}

func (Unsupported) GetQuoteList(context.Context, *GetQuoteListRequest) ([]ListItemInfo, error) {
	return nil, unsupported("GetQuoteList")
}

func (Unsupported) GetActivePriceLists(context.Context, *GetActivePriceListsRequest) ([]PriceListInfo, error) {
	return nil, unsupported("GetActivePriceLists")
}

func (Unsupported) GetAllPriceLists(context.Context, *GetAllPriceListsRequest) ([]PriceListInfo, error) {
	return nil, unsupported("GetAllPriceLists")
}

func (Unsupported) FindProduct(context.Context, *FindProductRequest) ([]ProductInfo, error) {
	return nil, unsupported("FindProduct")
}

func (Unsupported) GetProduct(context.Context, *GetProductRequest) (*ProductInfo, error) {
	return nil, unsupported("GetProduct")
}

func (Unsupported) GetProducts(context.Context, *GetProductsRequest) ([]ProductInfo, error) {
	return nil, unsupported("GetProducts")
}

func (Unsupported) GetQuoteLinesFromProduct(context.Context, *GetQuoteLinesFromProductRequest) ([]QuoteLineInfo, error) {
	return nil, unsupported("GetQuoteLinesFromProduct")
}

func (Unsupported) GetNumberOfProductImages(context.Context, *GetNumberOfProductImagesRequest) (int32, error) {
	return 0, unsupported("GetNumberOfProductImages")
}

func (Unsupported) GetProductImage(context.Context, *GetProductImageRequest) (string, error) {
	return "", unsupported("GetProductImage")
}

func (Unsupported) GetSearchableFields(context.Context, *GetSearchableFieldsRequest) ([]FieldMetadataInfo, error) {
	return nil, unsupported("GetSearchableFields")
}

func (Unsupported) GetSearchResults(context.Context, *GetSearchResultsRequest) ([]ProductInfo, error) {
	return nil, unsupported("GetSearchResults")
}

func (Unsupported) GetAddresses(context.Context, *GetAddressesRequest) ([]*AddressInfo, error) {
	return nil, unsupported("GetAddresses")
}

func (Unsupported) OnBeforeCreateQuote(context.Context, *OnBeforeCreateQuoteRequest) (*QuoteResponseInfo, error) {
	return nil, unsupported("OnBeforeCreateQuote")
}

func (Unsupported) OnBeforeCreateQuoteVersion(context.Context, *OnBeforeCreateQuoteVersionRequest) (*QuoteVersionResponseInfo, error) {
	return nil, unsupported("OnBeforeCreateQuoteVersion")
}

func (Unsupported) OnBeforeCreateQuoteAlternative(context.Context, *OnBeforeCreateQuoteAlternativeRequest) (*QuoteAlternativeResponseInfo, error) {
	return nil, unsupported("OnBeforeCreateQuoteAlternative")
}

func (Unsupported) OnAfterSaveQuote(context.Context, *OnAfterSaveQuoteRequest) error {
	return unsupported("OnAfterSaveQuote")
}

func (Unsupported) OnBeforeDeleteQuote(context.Context, *OnBeforeDeleteQuoteRequest) error {
	return unsupported("OnBeforeDeleteQuote")
}

func (Unsupported) OnAfterSentQuoteVersion(context.Context, *OnAfterSentQuoteVersionRequest) (*QuoteSentResponseInfo, error) {
	return nil, unsupported("OnAfterSentQuoteVersion")
}

func (Unsupported) OnQuoteLineChanged(context.Context, *OnQuoteLineChangedRequest) (*QuoteLineInfo, error) {
	return nil, unsupported("OnQuoteLineChanged")
}

func (Unsupported) RecalculateQuoteAlternative(context.Context, *RecalculateQuoteAlternativeRequest) (*QuoteAlternativeWithLinesInfo, error) {
	return nil, unsupported("RecalculateQuoteAlternative")
}

func (Unsupported) ValidateQuoteVersion(context.Context, *ValidateQuoteVersionRequest) (*QuoteResponseInfo, error) {
	return nil, unsupported("ValidateQuoteVersion")
}

func (Unsupported) UpdateQuoteVersionPrices(context.Context, *UpdateQuoteVersionPricesRequest) (*QuoteVersionResponseInfo, error) {
	return nil, unsupported("UpdateQuoteVersionPrices")
}

func (Unsupported) PlaceOrder(context.Context, *PlaceOrderRequest) (*PlaceOrderResponseInfo, error) {
	return nil, unsupported("PlaceOrder")
}

func (Unsupported) GetOrderState(context.Context, *GetOrderStateRequest) (*OrderResponseInfo, error) {
	return nil, unsupported("GetOrderState")
}
