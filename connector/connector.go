// Package connector is what an ERP partner implements to serve SuperOffice's Quote
// Connector API: the Connector interface, grouped by capability, the Unsupported base to
// embed, the error kinds the server understands, the tenant in the request context, and
// helpers for SuperOffice's conventions (multi-language texts, the standard line and
// alternative maths). CultureDataFormatter config values are read with package
// connector/culture.
//
// A partner's connector starts as
//
//	type ERP struct {
//		connector.Unsupported
//		db *sql.DB
//	}
//
//	var _ connector.Connector = (*ERP)(nil)
//
// and implements the operations its ERP can answer. Every other operation answers 404,
// which NetServer reads as "not implemented" and stops calling.
package connector

import "context"

// Connector is the whole Quote Connector API. Implementations embed Unsupported by value
// and override the operations they support; the server calls them with the tenant in ctx
// (see TenantFrom) and a deadline. Every method receives a non-nil request.
//
// Errors: return ErrUnsupported (or leave the method to Unsupported) for an operation the
// ERP cannot do, an Invalid error for a request the ERP cannot accept (400, message shown),
// and anything else for a fault (500, detail only in the server log). Business outcomes,
// such as a closed price list or a line below its minimum price, are not errors: report
// them in the result (IsOk=false, State, Status, Reason) with a 200.
type Connector interface {
	Configurer
	ListProvider
	PriceListProvider
	ProductProvider
	ImageProvider
	ComplexSearcher
	AddressProvider
	QuoteHooks
	Calculator
	OrderConsumer
	QuoteApprover

	mustEmbedUnsupported()
}

// Configurer sets up the connection in SuperOffice's admin dialog and tells NetServer what
// the connector can do.
type Configurer interface {
	// GetConfigurationFields returns the fields of the connection dialog keyed by FieldKey.
	GetConfigurationFields(ctx context.Context, req *GetConfigurationFieldsRequest) (map[string]FieldMetadataInfo, error)
	// TestConnection checks the values typed into the dialog (req.ConfigValues) against the ERP.
	TestConnection(ctx context.Context, req *TestConnectionRequest) (*PluginResponseInfo, error)
	// GetCapabilities returns the capabilities the connector claims. The server answers
	// every known name left out as false (see Capabilities), so a connector that leaves
	// this to Unsupported claims nothing and still answers. Nothing is derived from the
	// methods it implements: claim a capability only with its operations
	// (CapabilityOperations), which connectortest and quotekit check verify.
	GetCapabilities(ctx context.Context, req *GetCapabilitiesRequest) (map[string]bool, error)
	// CanProvideCapability reports whether the connector provides the capability named
	// req.CapabilityName (SOAP only). Left to Unsupported, it is answered from
	// GetCapabilities (see Capabilities): the claimed value, false for an unknown name.
	// Override it only to answer differently from the capability map.
	CanProvideCapability(ctx context.Context, req *CanProvideCapabilityRequest) (bool, error)
}

// ListProvider serves the lists behind the ilistprovider_* capabilities.
type ListProvider interface {
	// GetQuoteList returns the named list (case-insensitive), or nil when the connector
	// does not know it, in which case SuperOffice falls back to free text.
	GetQuoteList(ctx context.Context, req *GetQuoteListRequest) ([]ListItemInfo, error)
}

// PriceListProvider serves price lists.
type PriceListProvider interface {
	// GetActivePriceLists returns the active price lists in req.IsoCurrencyCode (empty: all).
	GetActivePriceLists(ctx context.Context, req *GetActivePriceListsRequest) ([]PriceListInfo, error)
	// GetAllPriceLists returns all price lists in the currency, inactive ones included.
	GetAllPriceLists(ctx context.Context, req *GetAllPriceListsRequest) ([]PriceListInfo, error)
	// GetNumberOfActivePriceLists returns how many active price lists there are in
	// req.IsoCurrencyCode (SOAP only); SuperOffice asks it to decide whether the user must
	// pick a connection when a quote is created. Left to Unsupported, it is answered as
	// the length of GetActivePriceLists for the same currency, or 0 when that is
	// unsupported too.
	GetNumberOfActivePriceLists(ctx context.Context, req *GetNumberOfActivePriceListsRequest) (int32, error)
}

// ProductProvider finds products and turns them into quote lines.
type ProductProvider interface {
	// FindProduct searches products; empty input returns nil, "%" returns everything, and
	// the result is capped at a few hundred.
	FindProduct(ctx context.Context, req *FindProductRequest) ([]ProductInfo, error)
	// GetProduct returns one product. An unknown key is an Invalid error, never ErrUnsupported.
	GetProduct(ctx context.Context, req *GetProductRequest) (*ProductInfo, error)
	// GetProducts returns the products for the given keys.
	GetProducts(ctx context.Context, req *GetProductsRequest) ([]ProductInfo, error)
	// GetQuoteLinesFromProduct returns prefilled quote lines for a picked product; each line
	// sets ERPProductKey.
	GetQuoteLinesFromProduct(ctx context.Context, req *GetQuoteLinesFromProductRequest) ([]QuoteLineInfo, error)
}

// ImageProvider serves product images (capability iproductprovider_provide_picture).
type ImageProvider interface {
	// GetNumberOfProductImages returns how many images a product has.
	GetNumberOfProductImages(ctx context.Context, req *GetNumberOfProductImagesRequest) (int32, error)
	// GetProductImage returns an image as a URL or base64 data; "" travels as null (no image).
	GetProductImage(ctx context.Context, req *GetProductImageRequest) (string, error)
}

// ComplexSearcher serves the advanced product search (iconnector_perform_complexsearch).
type ComplexSearcher interface {
	// GetSearchableFields returns the fields offered in the advanced search.
	GetSearchableFields(ctx context.Context, req *GetSearchableFieldsRequest) ([]FieldMetadataInfo, error)
	// GetSearchResults returns the products matching all restrictions.
	GetSearchResults(ctx context.Context, req *GetSearchResultsRequest) ([]ProductInfo, error)
}

// AddressProvider supplies quote addresses (iaddressprovider_provide_addresses).
type AddressProvider interface {
	// GetAddresses returns the invoice address at [0] and the delivery address at [1]; a
	// nil element or a nil result lets SuperOffice use the contact's address.
	GetAddresses(ctx context.Context, req *GetAddressesRequest) ([]*AddressInfo, error)
}

// QuoteHooks are told about the life of a quote. Results with IsOk=false abort the
// creation they answer.
type QuoteHooks interface {
	OnBeforeCreateQuote(ctx context.Context, req *OnBeforeCreateQuoteRequest) (*QuoteResponseInfo, error)
	OnBeforeCreateQuoteVersion(ctx context.Context, req *OnBeforeCreateQuoteVersionRequest) (*QuoteVersionResponseInfo, error)
	OnBeforeCreateQuoteAlternative(ctx context.Context, req *OnBeforeCreateQuoteAlternativeRequest) (*QuoteAlternativeResponseInfo, error)
	// OnAfterSaveQuote is called once per alternative after the quote is saved; the
	// context is read-only.
	OnAfterSaveQuote(ctx context.Context, req *OnAfterSaveQuoteRequest) error
	// OnBeforeDeleteQuote lets the ERP clean up before a sale with a quote is deleted; it
	// cannot veto the deletion.
	OnBeforeDeleteQuote(ctx context.Context, req *OnBeforeDeleteQuoteRequest) error
	OnAfterSentQuoteVersion(ctx context.Context, req *OnAfterSentQuoteVersionRequest) (*QuoteSentResponseInfo, error)
}

// Calculator prices and validates quotes. For each method a nil result (with a nil error)
// asks NetServer to apply its default calculation; CalculateLine and CalculateAlternative
// do the same maths for connectors that adjust it.
type Calculator interface {
	// OnQuoteLineChanged is called on every field edit in the quote line dialog and must be fast.
	OnQuoteLineChanged(ctx context.Context, req *OnQuoteLineChangedRequest) (*QuoteLineInfo, error)
	// RecalculateQuoteAlternative recalculates an alternative and may change its lines.
	RecalculateQuoteAlternative(ctx context.Context, req *RecalculateQuoteAlternativeRequest) (*QuoteAlternativeWithLinesInfo, error)
	// ValidateQuoteVersion enforces the ERP's rules before send, order or close and sets
	// the version state (DraftNotCalculated becomes Draft; DraftNeedsApproval starts approval).
	ValidateQuoteVersion(ctx context.Context, req *ValidateQuoteVersionRequest) (*QuoteResponseInfo, error)
	// UpdateQuoteVersionPrices refreshes prices on every line of the version.
	UpdateQuoteVersionPrices(ctx context.Context, req *UpdateQuoteVersionPricesRequest) (*QuoteVersionResponseInfo, error)
}

// OrderConsumer turns a quote into an ERP order.
type OrderConsumer interface {
	// PlaceOrder places the order and sets CRMQuote.ERPOrderKey in the result.
	PlaceOrder(ctx context.Context, req *PlaceOrderRequest) (*PlaceOrderResponseInfo, error)
	// GetOrderState returns the ERP state of the order, or nil when nothing changed.
	GetOrderState(ctx context.Context, req *GetOrderStateRequest) (*OrderResponseInfo, error)
}

// QuoteApprover is told about the approval of a quote version (SOAP only; SuperOffice's
// IQuoteConnector2). A version enters approval when ValidateQuoteVersion sets it to
// DraftNeedsApproval; users with the function right can-approve-quote then approve or
// reject it. Each method may update the version: it answers the version and its
// alternatives as the quote hooks do, and State=Error refuses the step with
// UserExplanation shown to the user. A nil result, like a method left to Unsupported,
// answers the version echoed with State=Ok (see Operation.Neutral).
type QuoteApprover interface {
	// OnQuoteVersionRequestApproval is called when a user asks for the version in
	// req.QuoteContext to be approved. The version carries the requesting associate
	// (RequestAssociateId) and the request's comment (RequestComment), and stays
	// DraftNeedsApproval until an approver acts.
	OnQuoteVersionRequestApproval(ctx context.Context, req *OnQuoteVersionRequestApprovalRequest) (*QuoteVersionResponseInfo, error)
	// OnQuoteVersionApproved is called when an approver approves the version; its state
	// becomes DraftApproved, and the quote may be sent.
	OnQuoteVersionApproved(ctx context.Context, req *OnQuoteVersionApprovedRequest) (*QuoteVersionResponseInfo, error)
	// OnQuoteVersionRejected is called when an approver rejects the version; its state
	// becomes DraftNotApproved.
	OnQuoteVersionRejected(ctx context.Context, req *OnQuoteVersionRejectedRequest) (*QuoteVersionResponseInfo, error)
}
