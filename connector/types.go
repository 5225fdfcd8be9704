package connector

import "github.com/quotekit/quotekit/openapi/model"

// The data carriers are defined once, by the contract in openapi/quoteconnector.yaml, and
// surfaced here under the names SuperOffice gives them, so partner code reads
// connector.ProductInfo and never a generated package. Fields are plain values where null
// and zero mean the same to NetServer; nested carriers are pointers (nil travels as absent).

// Requests: one envelope per operation, each carrying ConfigValues and ConnectionInfo.
type (
	GetConfigurationFieldsRequest         = model.GetConfigurationFieldsRequest
	TestConnectionRequest                 = model.TestConnectionRequest
	GetCapabilitiesRequest                = model.GetCapabilitiesRequest
	GetQuoteListRequest                   = model.GetQuoteListRequest
	GetActivePriceListsRequest            = model.GetActivePriceListsRequest
	GetAllPriceListsRequest               = model.GetAllPriceListsRequest
	FindProductRequest                    = model.FindProductRequest
	GetProductRequest                     = model.GetProductRequest
	GetProductsRequest                    = model.GetProductsRequest
	GetQuoteLinesFromProductRequest       = model.GetQuoteLinesFromProductRequest
	GetNumberOfProductImagesRequest       = model.GetNumberOfProductImagesRequest
	GetProductImageRequest                = model.GetProductImageRequest
	GetSearchableFieldsRequest            = model.GetSearchableFieldsRequest
	GetSearchResultsRequest               = model.GetSearchResultsRequest
	GetAddressesRequest                   = model.GetAddressesRequest
	OnBeforeCreateQuoteRequest            = model.OnBeforeCreateQuoteRequest
	OnBeforeCreateQuoteVersionRequest     = model.OnBeforeCreateQuoteVersionRequest
	OnBeforeCreateQuoteAlternativeRequest = model.OnBeforeCreateQuoteAlternativeRequest
	OnAfterSaveQuoteRequest               = model.OnAfterSaveQuoteRequest
	OnBeforeDeleteQuoteRequest            = model.OnBeforeDeleteQuoteRequest
	OnAfterSentQuoteVersionRequest        = model.OnAfterSentQuoteVersionRequest
	OnQuoteLineChangedRequest             = model.OnQuoteLineChangedRequest
	RecalculateQuoteAlternativeRequest    = model.RecalculateQuoteAlternativeRequest
	ValidateQuoteVersionRequest           = model.ValidateQuoteVersionRequest
	UpdateQuoteVersionPricesRequest       = model.UpdateQuoteVersionPricesRequest
	PlaceOrderRequest                     = model.PlaceOrderRequest
	GetOrderStateRequest                  = model.GetOrderStateRequest
)

// Requests of the operations only the SOAP contract has (see Operation.SOAPOnly).
type (
	CanProvideCapabilityRequest          = model.CanProvideCapabilityRequest
	GetNumberOfActivePriceListsRequest   = model.GetNumberOfActivePriceListsRequest
	OnQuoteVersionRequestApprovalRequest = model.OnQuoteVersionRequestApprovalRequest
	OnQuoteVersionApprovedRequest        = model.OnQuoteVersionApprovedRequest
	OnQuoteVersionRejectedRequest        = model.OnQuoteVersionRejectedRequest
)

// Products, quote lines and what they carry.
type (
	ProductDataInfo           = model.ProductDataInfo
	ProductInfo               = model.ProductInfo
	QuoteLineInfo             = model.QuoteLineInfo
	ProductExtraDataFieldInfo = model.ProductExtraDataFieldInfo
	PriceListInfo             = model.PriceListInfo
	ListItemInfo              = model.ListItemInfo
	FieldMetadataInfo         = model.FieldMetadataInfo
	SearchRestrictionInfo     = model.SearchRestrictionInfo
	AddressInfo               = model.AddressInfo
)

// The quote: quote, version, alternative, and the context NetServer sends with them.
type (
	QuoteInfo                     = model.QuoteInfo
	QuoteVersionInfo              = model.QuoteVersionInfo
	QuoteAlternativeInfo          = model.QuoteAlternativeInfo
	QuoteAlternativeWithLinesInfo = model.QuoteAlternativeWithLinesInfo
	QuoteContextInfo              = model.QuoteContextInfo
	QuoteAlternativeContextInfo   = model.QuoteAlternativeContextInfo
	QuoteVersionContextInfo       = model.QuoteVersionContextInfo
	QuoteConnectionInfo           = model.QuoteConnectionInfo
	ForeignKeyInfo                = model.ForeignKeyInfo
	UserInfo                      = model.UserInfo
	ContactInfo                   = model.ContactInfo
	PersonInfo                    = model.PersonInfo
	ProjectInfo                   = model.ProjectInfo
	SaleInfo                      = model.SaleInfo
	CustomFields                  = model.CustomFields
)

// Outcomes.
type (
	PluginResponseInfo           = model.PluginResponseInfo
	QuoteAlternativeResponseInfo = model.QuoteAlternativeResponseInfo
	QuoteVersionResponseInfo     = model.QuoteVersionResponseInfo
	QuoteResponseInfo            = model.QuoteResponseInfo
	QuoteSentResponseInfo        = model.QuoteSentResponseInfo
	OrderResponseInfo            = model.OrderResponseInfo
	PlaceOrderResponseInfo       = model.PlaceOrderResponseInfo
)

// Enumerations (integers on the wire) and the .NET date type.
type (
	ResponseState          = model.ResponseState
	QuoteStatusInfo        = model.QuoteStatusInfo
	ValueOverrideInfo      = model.ValueOverrideInfo
	QuoteVersionStateInfo  = model.QuoteVersionStateInfo
	QuoteAction            = model.QuoteAction
	FieldMetadataTypeInfo  = model.FieldMetadataTypeInfo
	FieldAccessInfo        = model.FieldAccessInfo
	ExtraDataFieldTypeInfo = model.ExtraDataFieldTypeInfo
	DateTime               = model.DateTime
)

// The enumeration values, named as in SuperOffice's enums.
const (
	ResponseStateOk         = model.ResponseStateOk
	ResponseStateOkWithInfo = model.ResponseStateOkWithInfo
	ResponseStateWarning    = model.ResponseStateWarning
	ResponseStateError      = model.ResponseStateError

	QuoteStatusInfoOk         = model.QuoteStatusInfoOk
	QuoteStatusInfoOkWithInfo = model.QuoteStatusInfoOkWithInfo
	QuoteStatusInfoWarning    = model.QuoteStatusInfoWarning
	QuoteStatusInfoError      = model.QuoteStatusInfoError

	ValueOverrideInfoNone                    = model.ValueOverrideInfoNone
	ValueOverrideInfoOverrideTotal           = model.ValueOverrideInfoOverrideTotal
	ValueOverrideInfoOverrideDiscountPercent = model.ValueOverrideInfoOverrideDiscountPercent
	ValueOverrideInfoOverrideDiscountAmount  = model.ValueOverrideInfoOverrideDiscountAmount
	ValueOverrideInfoOverrideEarningPercent  = model.ValueOverrideInfoOverrideEarningPercent
	ValueOverrideInfoOverrideEarningAmount   = model.ValueOverrideInfoOverrideEarningAmount

	QuoteVersionStateInfoUnknown            = model.QuoteVersionStateInfoUnknown
	QuoteVersionStateInfoDraft              = model.QuoteVersionStateInfoDraft
	QuoteVersionStateInfoDraftNotCalculated = model.QuoteVersionStateInfoDraftNotCalculated
	QuoteVersionStateInfoDraftNeedsApproval = model.QuoteVersionStateInfoDraftNeedsApproval
	QuoteVersionStateInfoDraftApproved      = model.QuoteVersionStateInfoDraftApproved
	QuoteVersionStateInfoDraftNotApproved   = model.QuoteVersionStateInfoDraftNotApproved
	QuoteVersionStateInfoSent               = model.QuoteVersionStateInfoSent
	QuoteVersionStateInfoArchived           = model.QuoteVersionStateInfoArchived
	QuoteVersionStateInfoLost               = model.QuoteVersionStateInfoLost
	QuoteVersionStateInfoSold               = model.QuoteVersionStateInfoSold

	QuoteActionUnknown      = model.QuoteActionUnknown
	QuoteActionValidate     = model.QuoteActionValidate
	QuoteActionSendQuote    = model.QuoteActionSendQuote
	QuoteActionPlaceOrder   = model.QuoteActionPlaceOrder
	QuoteActionUpdatePrices = model.QuoteActionUpdatePrices

	FieldMetadataTypeInfoCheckbox = model.FieldMetadataTypeInfoCheckbox
	FieldMetadataTypeInfoText     = model.FieldMetadataTypeInfoText
	FieldMetadataTypeInfoPassword = model.FieldMetadataTypeInfoPassword
	FieldMetadataTypeInfoInteger  = model.FieldMetadataTypeInfoInteger
	FieldMetadataTypeInfoDouble   = model.FieldMetadataTypeInfoDouble
	FieldMetadataTypeInfoList     = model.FieldMetadataTypeInfoList
	FieldMetadataTypeInfoDatetime = model.FieldMetadataTypeInfoDatetime
	FieldMetadataTypeInfoLabel    = model.FieldMetadataTypeInfoLabel

	FieldAccessInfoNormal    = model.FieldAccessInfoNormal
	FieldAccessInfoMandatory = model.FieldAccessInfoMandatory
	FieldAccessInfoReadOnly  = model.FieldAccessInfoReadOnly

	ExtraDataFieldTypeInfoString = model.ExtraDataFieldTypeInfoString
	ExtraDataFieldTypeInfoUrl    = model.ExtraDataFieldTypeInfoUrl
	ExtraDataFieldTypeInfoImage  = model.ExtraDataFieldTypeInfoImage
)
