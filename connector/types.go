package connector

import "github.com/quotekit/quotekit/openapi"

// The data carriers are defined once, by the contract in openapi/quoteconnector.yaml, and
// surfaced here under the names SuperOffice gives them, so partner code reads
// connector.ProductInfo and never a generated package. Fields are plain values where null
// and zero mean the same to NetServer; nested carriers are pointers (nil travels as absent).

// Requests: one envelope per operation, each carrying ConfigValues and ConnectionInfo.
type (
	GetConfigurationFieldsRequest         = openapi.GetConfigurationFieldsRequest
	TestConnectionRequest                 = openapi.TestConnectionRequest
	GetCapabilitiesRequest                = openapi.GetCapabilitiesRequest
	GetQuoteListRequest                   = openapi.GetQuoteListRequest
	GetActivePriceListsRequest            = openapi.GetActivePriceListsRequest
	GetAllPriceListsRequest               = openapi.GetAllPriceListsRequest
	FindProductRequest                    = openapi.FindProductRequest
	GetProductRequest                     = openapi.GetProductRequest
	GetProductsRequest                    = openapi.GetProductsRequest
	GetQuoteLinesFromProductRequest       = openapi.GetQuoteLinesFromProductRequest
	GetNumberOfProductImagesRequest       = openapi.GetNumberOfProductImagesRequest
	GetProductImageRequest                = openapi.GetProductImageRequest
	GetSearchableFieldsRequest            = openapi.GetSearchableFieldsRequest
	GetSearchResultsRequest               = openapi.GetSearchResultsRequest
	GetAddressesRequest                   = openapi.GetAddressesRequest
	OnBeforeCreateQuoteRequest            = openapi.OnBeforeCreateQuoteRequest
	OnBeforeCreateQuoteVersionRequest     = openapi.OnBeforeCreateQuoteVersionRequest
	OnBeforeCreateQuoteAlternativeRequest = openapi.OnBeforeCreateQuoteAlternativeRequest
	OnAfterSaveQuoteRequest               = openapi.OnAfterSaveQuoteRequest
	OnBeforeDeleteQuoteRequest            = openapi.OnBeforeDeleteQuoteRequest
	OnAfterSentQuoteVersionRequest        = openapi.OnAfterSentQuoteVersionRequest
	OnQuoteLineChangedRequest             = openapi.OnQuoteLineChangedRequest
	RecalculateQuoteAlternativeRequest    = openapi.RecalculateQuoteAlternativeRequest
	ValidateQuoteVersionRequest           = openapi.ValidateQuoteVersionRequest
	UpdateQuoteVersionPricesRequest       = openapi.UpdateQuoteVersionPricesRequest
	PlaceOrderRequest                     = openapi.PlaceOrderRequest
	GetOrderStateRequest                  = openapi.GetOrderStateRequest
)

// Products, quote lines and what they carry.
type (
	ProductDataInfo           = openapi.ProductDataInfo
	ProductInfo               = openapi.ProductInfo
	QuoteLineInfo             = openapi.QuoteLineInfo
	ProductExtraDataFieldInfo = openapi.ProductExtraDataFieldInfo
	PriceListInfo             = openapi.PriceListInfo
	ListItemInfo              = openapi.ListItemInfo
	FieldMetadataInfo         = openapi.FieldMetadataInfo
	SearchRestrictionInfo     = openapi.SearchRestrictionInfo
	AddressInfo               = openapi.AddressInfo
)

// The quote: quote, version, alternative, and the context NetServer sends with them.
type (
	QuoteInfo                     = openapi.QuoteInfo
	QuoteVersionInfo              = openapi.QuoteVersionInfo
	QuoteAlternativeInfo          = openapi.QuoteAlternativeInfo
	QuoteAlternativeWithLinesInfo = openapi.QuoteAlternativeWithLinesInfo
	QuoteContextInfo              = openapi.QuoteContextInfo
	QuoteAlternativeContextInfo   = openapi.QuoteAlternativeContextInfo
	QuoteVersionContextInfo       = openapi.QuoteVersionContextInfo
	QuoteConnectionInfo           = openapi.QuoteConnectionInfo
	ForeignKeyInfo                = openapi.ForeignKeyInfo
	UserInfo                      = openapi.UserInfo
	ContactInfo                   = openapi.ContactInfo
	PersonInfo                    = openapi.PersonInfo
	ProjectInfo                   = openapi.ProjectInfo
	SaleInfo                      = openapi.SaleInfo
	CustomFields                  = openapi.CustomFields
)

// Outcomes.
type (
	PluginResponseInfo           = openapi.PluginResponseInfo
	QuoteAlternativeResponseInfo = openapi.QuoteAlternativeResponseInfo
	QuoteVersionResponseInfo     = openapi.QuoteVersionResponseInfo
	QuoteResponseInfo            = openapi.QuoteResponseInfo
	QuoteSentResponseInfo        = openapi.QuoteSentResponseInfo
	OrderResponseInfo            = openapi.OrderResponseInfo
	PlaceOrderResponseInfo       = openapi.PlaceOrderResponseInfo
)

// Enumerations (integers on the wire) and the .NET date type.
type (
	ResponseState          = openapi.ResponseState
	QuoteStatusInfo        = openapi.QuoteStatusInfo
	ValueOverrideInfo      = openapi.ValueOverrideInfo
	QuoteVersionStateInfo  = openapi.QuoteVersionStateInfo
	QuoteAction            = openapi.QuoteAction
	FieldMetadataTypeInfo  = openapi.FieldMetadataTypeInfo
	FieldAccessInfo        = openapi.FieldAccessInfo
	ExtraDataFieldTypeInfo = openapi.ExtraDataFieldTypeInfo
	DateTime               = openapi.DateTime
)

// The enumeration values, named as in SuperOffice's enums.
const (
	ResponseStateOk         = openapi.ResponseStateOk
	ResponseStateOkWithInfo = openapi.ResponseStateOkWithInfo
	ResponseStateWarning    = openapi.ResponseStateWarning
	ResponseStateError      = openapi.ResponseStateError

	QuoteStatusInfoOk         = openapi.QuoteStatusInfoOk
	QuoteStatusInfoOkWithInfo = openapi.QuoteStatusInfoOkWithInfo
	QuoteStatusInfoWarning    = openapi.QuoteStatusInfoWarning
	QuoteStatusInfoError      = openapi.QuoteStatusInfoError

	ValueOverrideInfoNone                    = openapi.ValueOverrideInfoNone
	ValueOverrideInfoOverrideTotal           = openapi.ValueOverrideInfoOverrideTotal
	ValueOverrideInfoOverrideDiscountPercent = openapi.ValueOverrideInfoOverrideDiscountPercent
	ValueOverrideInfoOverrideDiscountAmount  = openapi.ValueOverrideInfoOverrideDiscountAmount
	ValueOverrideInfoOverrideEarningPercent  = openapi.ValueOverrideInfoOverrideEarningPercent
	ValueOverrideInfoOverrideEarningAmount   = openapi.ValueOverrideInfoOverrideEarningAmount

	QuoteVersionStateInfoUnknown            = openapi.QuoteVersionStateInfoUnknown
	QuoteVersionStateInfoDraft              = openapi.QuoteVersionStateInfoDraft
	QuoteVersionStateInfoDraftNotCalculated = openapi.QuoteVersionStateInfoDraftNotCalculated
	QuoteVersionStateInfoDraftNeedsApproval = openapi.QuoteVersionStateInfoDraftNeedsApproval
	QuoteVersionStateInfoDraftApproved      = openapi.QuoteVersionStateInfoDraftApproved
	QuoteVersionStateInfoDraftNotApproved   = openapi.QuoteVersionStateInfoDraftNotApproved
	QuoteVersionStateInfoSent               = openapi.QuoteVersionStateInfoSent
	QuoteVersionStateInfoArchived           = openapi.QuoteVersionStateInfoArchived
	QuoteVersionStateInfoLost               = openapi.QuoteVersionStateInfoLost
	QuoteVersionStateInfoSold               = openapi.QuoteVersionStateInfoSold

	QuoteActionUnknown      = openapi.QuoteActionUnknown
	QuoteActionValidate     = openapi.QuoteActionValidate
	QuoteActionSendQuote    = openapi.QuoteActionSendQuote
	QuoteActionPlaceOrder   = openapi.QuoteActionPlaceOrder
	QuoteActionUpdatePrices = openapi.QuoteActionUpdatePrices

	FieldMetadataTypeInfoCheckbox = openapi.FieldMetadataTypeInfoCheckbox
	FieldMetadataTypeInfoText     = openapi.FieldMetadataTypeInfoText
	FieldMetadataTypeInfoPassword = openapi.FieldMetadataTypeInfoPassword
	FieldMetadataTypeInfoInteger  = openapi.FieldMetadataTypeInfoInteger
	FieldMetadataTypeInfoDouble   = openapi.FieldMetadataTypeInfoDouble
	FieldMetadataTypeInfoList     = openapi.FieldMetadataTypeInfoList
	FieldMetadataTypeInfoDatetime = openapi.FieldMetadataTypeInfoDatetime
	FieldMetadataTypeInfoLabel    = openapi.FieldMetadataTypeInfoLabel

	FieldAccessInfoNormal    = openapi.FieldAccessInfoNormal
	FieldAccessInfoMandatory = openapi.FieldAccessInfoMandatory
	FieldAccessInfoReadOnly  = openapi.FieldAccessInfoReadOnly

	ExtraDataFieldTypeInfoString = openapi.ExtraDataFieldTypeInfoString
	ExtraDataFieldTypeInfoUrl    = openapi.ExtraDataFieldTypeInfoUrl
	ExtraDataFieldTypeInfoImage  = openapi.ExtraDataFieldTypeInfoImage
)
