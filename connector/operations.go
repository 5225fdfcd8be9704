package connector

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
)

// Operation describes one quote operation: the only place it is defined. Every transport
// (the REST routes, the SOAP actions), CapabilityOperations, Unsupported and the
// conformance checks read the table Operations returns; adding an operation is one row
// there and its method on Connector.
type Operation struct {
	// Name is the operation's wire name: the REST path /Name and the SOAP action's last
	// segment.
	Name string
	// Request is the request carrier the method receives (as *Request); Result the type
	// it answers, or nil for an operation that answers nothing but success.
	Request, Result reflect.Type
	// Nil says what a nil result (a nil pointer, slice or map, or "" for a string) means.
	Nil NilResult
	// Capabilities are the capabilities that need this operation: a connector that claims
	// one of them must implement it.
	Capabilities []string
	// OptionalBody reports whether NetServer may call the operation without a body; the
	// server then hands the connector a zero request.
	OptionalBody bool
	// Writes reports whether the operation may change the ERP (create a quote or an
	// order): checks never call it only to learn whether it is implemented.
	Writes bool
	// SOAPOnly reports that the operation exists only in the SOAP contract
	// (IOnlineQuoteConnector); REST has no route for it.
	SOAPOnly bool
	// Neutral is the answer for a transport that cannot say "not implemented" (SOAP: a
	// fault would be shown to the sales user): used when the connector leaves the
	// operation unsupported, and on SOAP when a NilIsDefault result is nil. It takes a
	// pointer to the operation's request carrier (nil or any other value counts as a
	// zero request) and returns a value of the Result type, nil in the sense of IsNil
	// only where Nil allows it and for GetProduct (no product: inventing one would put a
	// false product on the quote), and nil for an operation without result. It never
	// changes the request. An answer is new at its top, its lists included, so that
	// appending to them or replacing their elements leaves the request alone; the
	// carriers it echoes below that (quote, version, alternatives) are the request's.
	Neutral func(req any) any

	call func(ctx context.Context, c Connector, req any) (any, error)
}

// NilResult is what a nil result means on the wire.
type NilResult int

// What a nil result means.
const (
	// NilRefused: the operation always answers a carrier; nil is a connector bug (500).
	NilRefused NilResult = iota
	// NilIsNothing: nil travels as null, "nothing" (no list, no image, no change).
	NilIsNothing
	// NilIsDefault: nil travels as null and asks NetServer for its default calculation;
	// on SOAP, which has no such null, the transport answers Neutral instead.
	NilIsDefault
)

// NewRequest returns a pointer to a zero request of the operation.
func (op Operation) NewRequest() any { return reflect.New(op.Request).Interface() }

// Call calls the operation's method on c with req, which must be a non-nil pointer to the
// operation's request carrier. It returns the method's result as it is (nil for an
// operation without result) and its error; GetCapabilities' answer is completed with
// every known capability it leaves out, as false (see Capabilities).
func (op Operation) Call(ctx context.Context, c Connector, req any) (any, error) {
	return op.call(ctx, c, req)
}

// IsNil reports whether res, a result of the operation, is nil in the sense of op.Nil.
func (op Operation) IsNil(res any) bool {
	if res == nil {
		return true
	}
	v := reflect.ValueOf(res)
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

// operation is a row of the table for a method answering a result; neutral is the row's
// Neutral answer.
func operation[Req, Res any](name string, method func(Connector, context.Context, *Req) (Res, error), nilMeans NilResult, neutral func(*Req) Res, caps ...string) Operation {
	return Operation{
		Name: name, Request: reflect.TypeFor[Req](), Result: reflect.TypeFor[Res](), Nil: nilMeans, Capabilities: caps,
		Neutral: func(req any) any {
			r, _ := req.(*Req)
			if r == nil {
				r = new(Req)
			}
			return neutral(r)
		},
		call: func(ctx context.Context, c Connector, req any) (any, error) {
			return method(c, ctx, req.(*Req))
		},
	}
}

// hook is a row of the table for a method answering nothing but success; its neutral
// answer is that success.
func hook[Req any](name string, method func(Connector, context.Context, *Req) error) Operation {
	return Operation{
		Name: name, Request: reflect.TypeFor[Req](),
		Neutral: func(any) any { return nil },
		call: func(ctx context.Context, c Connector, req any) (any, error) {
			return nil, method(c, ctx, req.(*Req))
		},
	}
}

// soapOnly marks a row that only the SOAP contract has.
func soapOnly(op Operation) Operation {
	op.SOAPOnly = true
	return op
}

// optionalBody marks a row whose body NetServer may leave out.
func optionalBody(op Operation) Operation {
	op.OptionalBody = true
	return op
}

// writes marks a row whose operation may change the ERP.
func writes(op Operation) Operation {
	op.Writes = true
	return op
}

// capabilities is the GetCapabilities row: the connector's claims, completed with false
// for every known name they leave out; a connector that leaves GetCapabilities
// unsupported claims nothing.
func capabilities() Operation {
	op := operation("GetCapabilities", Connector.GetCapabilities, NilRefused, func(*GetCapabilitiesRequest) map[string]bool {
		return Capabilities(nil)
	})
	op.call = func(ctx context.Context, c Connector, req any) (any, error) {
		claimed, err := c.GetCapabilities(ctx, req.(*GetCapabilitiesRequest))
		if err != nil && !errors.Is(err, ErrUnsupported) {
			return nil, err
		}
		return Capabilities(claimed), nil
	}
	return optionalBody(op)
}

// canProvideCapability is the CanProvideCapability row: the connector's answer or, when
// it leaves the method unsupported, the capability's value in the map GetCapabilities
// answers (false for an unknown name or a connector that claims nothing).
func canProvideCapability() Operation {
	op := operation("CanProvideCapability", Connector.CanProvideCapability, NilRefused, nothing)
	op.call = func(ctx context.Context, c Connector, req any) (any, error) {
		r := req.(*CanProvideCapabilityRequest)
		ok, err := c.CanProvideCapability(ctx, r)
		if !errors.Is(err, ErrUnsupported) {
			return ok, err
		}
		claimed, err := c.GetCapabilities(ctx, &GetCapabilitiesRequest{ConfigValues: r.ConfigValues, ConnectionInfo: r.ConnectionInfo})
		if err != nil && !errors.Is(err, ErrUnsupported) {
			return nil, err
		}
		return Capabilities(claimed)[r.CapabilityName], nil
	}
	return soapOnly(op)
}

// numberOfActivePriceLists is the GetNumberOfActivePriceLists row: the connector's
// answer or, when it leaves the method unsupported, the number of price lists
// GetActivePriceLists answers for the same currency (0 when that is unsupported too).
func numberOfActivePriceLists() Operation {
	op := operation("GetNumberOfActivePriceLists", Connector.GetNumberOfActivePriceLists, NilRefused, nothing)
	op.call = func(ctx context.Context, c Connector, req any) (any, error) {
		r := req.(*GetNumberOfActivePriceListsRequest)
		n, err := c.GetNumberOfActivePriceLists(ctx, r)
		if !errors.Is(err, ErrUnsupported) {
			return n, err
		}
		active, err := c.GetActivePriceLists(ctx, &GetActivePriceListsRequest{
			ConfigValues: r.ConfigValues, ConnectionInfo: r.ConnectionInfo, IsoCurrencyCode: r.IsoCurrencyCode,
		})
		switch {
		case errors.Is(err, ErrUnsupported):
			return int32(0), nil
		case err != nil:
			return nil, err
		}
		return int32(min(len(active), math.MaxInt32)), nil
	}
	return soapOnly(op)
}

var lists = []string{
	CapProductCategoryList, CapProductFamilyList, CapProductTypeList, CapPaymentTermsList,
	CapPaymentTypeList, CapDeliveryTermsList, CapDeliveryTypeList,
}

// table is the Quote Connector API, in the REST contract's order, with the SOAP-only
// operations next to their siblings and the approvals last, as in the SOAP contract.
var table = sync.OnceValue(func() []Operation {
	return []Operation{
		optionalBody(operation("GetConfigurationFields", Connector.GetConfigurationFields, NilIsNothing, neutralFields)),
		optionalBody(operation("TestConnection", Connector.TestConnection, NilRefused, neutralConnection)),
		capabilities(),
		canProvideCapability(),
		operation("GetQuoteList", Connector.GetQuoteList, NilIsNothing, nothing, lists...),
		numberOfActivePriceLists(),
		operation("GetActivePriceLists", Connector.GetActivePriceLists, NilIsNothing, none),
		operation("GetAllPriceLists", Connector.GetAllPriceLists, NilIsNothing, none),
		operation("FindProduct", Connector.FindProduct, NilIsNothing, none),
		operation("GetProduct", Connector.GetProduct, NilRefused, nothing),
		operation("GetProducts", Connector.GetProducts, NilIsNothing, none),
		operation("GetQuoteLinesFromProduct", Connector.GetQuoteLinesFromProduct, NilIsNothing, none),
		operation("GetNumberOfProductImages", Connector.GetNumberOfProductImages, NilRefused, nothing),
		operation("GetProductImage", Connector.GetProductImage, NilIsNothing, nothing, CapProvidePicture),
		optionalBody(operation("GetSearchableFields", Connector.GetSearchableFields, NilIsNothing, none, CapPerformComplexSearch)),
		operation("GetSearchResults", Connector.GetSearchResults, NilIsNothing, none, CapPerformComplexSearch),
		operation("GetAddresses", Connector.GetAddresses, NilIsNothing, none, CapProvideAddresses),
		writes(operation("OnBeforeCreateQuote", Connector.OnBeforeCreateQuote, NilRefused, neutralCreateQuote)),
		writes(operation("OnBeforeCreateQuoteVersion", Connector.OnBeforeCreateQuoteVersion, NilRefused, neutralCreateVersion)),
		writes(operation("OnBeforeCreateQuoteAlternative", Connector.OnBeforeCreateQuoteAlternative, NilRefused, neutralCreateAlternative)),
		writes(hook("OnAfterSaveQuote", Connector.OnAfterSaveQuote)),
		writes(hook("OnBeforeDeleteQuote", Connector.OnBeforeDeleteQuote)),
		writes(operation("OnAfterSentQuoteVersion", Connector.OnAfterSentQuoteVersion, NilRefused, neutralSent)),
		operation("OnQuoteLineChanged", Connector.OnQuoteLineChanged, NilIsDefault, neutralLine),
		operation("RecalculateQuoteAlternative", Connector.RecalculateQuoteAlternative, NilIsDefault, neutralRecalculation),
		operation("ValidateQuoteVersion", Connector.ValidateQuoteVersion, NilIsDefault, neutralValidation),
		operation("UpdateQuoteVersionPrices", Connector.UpdateQuoteVersionPrices, NilIsDefault, neutralPrices),
		writes(operation("PlaceOrder", Connector.PlaceOrder, NilRefused, neutralOrder, CapPlaceOrder)),
		operation("GetOrderState", Connector.GetOrderState, NilIsNothing, nothing, CapProvideOrderState),
		soapOnly(writes(operation("OnQuoteVersionRequestApproval", Connector.OnQuoteVersionRequestApproval, NilIsDefault, neutralApprovalRequest))),
		soapOnly(writes(operation("OnQuoteVersionApproved", Connector.OnQuoteVersionApproved, NilIsDefault, neutralApproved))),
		soapOnly(writes(operation("OnQuoteVersionRejected", Connector.OnQuoteVersionRejected, NilIsDefault, neutralRejected))),
	}
})

// Operations returns the table of every quote operation, in the contract's order (see
// table), SOAP-only ones included: a REST walk skips the rows with SOAPOnly. The slice
// is the caller's; its rows share their Capabilities slices, which are not to be
// changed.
func Operations() []Operation { return slices.Clone(table()) }

// Lookup returns the operation named name (exactly as on the wire).
func Lookup(name string) (Operation, bool) {
	i := slices.IndexFunc(table(), func(op Operation) bool { return op.Name == name })
	if i < 0 {
		return Operation{}, false
	}
	return table()[i], true
}

// MustLookup is Lookup for names known at compile time; it panics on an unknown name.
func MustLookup(name string) Operation {
	op, ok := Lookup(name)
	if !ok {
		panic(fmt.Sprintf("connector: no operation %q", name))
	}
	return op
}
