package connector

import (
	"context"
	"errors"
	"fmt"
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
	// NilIsDefault: nil travels as null and asks NetServer for its default calculation.
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

// operation is a row of the table for a method answering a result.
func operation[Req, Res any](name string, method func(Connector, context.Context, *Req) (Res, error), nilMeans NilResult, caps ...string) Operation {
	return Operation{
		Name: name, Request: reflect.TypeFor[Req](), Result: reflect.TypeFor[Res](), Nil: nilMeans, Capabilities: caps,
		call: func(ctx context.Context, c Connector, req any) (any, error) {
			return method(c, ctx, req.(*Req))
		},
	}
}

// hook is a row of the table for a method answering nothing but success.
func hook[Req any](name string, method func(Connector, context.Context, *Req) error) Operation {
	return Operation{
		Name: name, Request: reflect.TypeFor[Req](),
		call: func(ctx context.Context, c Connector, req any) (any, error) {
			return nil, method(c, ctx, req.(*Req))
		},
	}
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
	op := operation("GetCapabilities", Connector.GetCapabilities, NilRefused)
	op.call = func(ctx context.Context, c Connector, req any) (any, error) {
		claimed, err := c.GetCapabilities(ctx, req.(*GetCapabilitiesRequest))
		if err != nil && !errors.Is(err, ErrUnsupported) {
			return nil, err
		}
		return Capabilities(claimed), nil
	}
	return optionalBody(op)
}

var lists = []string{
	CapProductCategoryList, CapProductFamilyList, CapProductTypeList, CapPaymentTermsList,
	CapPaymentTypeList, CapDeliveryTermsList, CapDeliveryTypeList,
}

// table is the Quote Connector API, in the contract's order.
var table = sync.OnceValue(func() []Operation {
	return []Operation{
		optionalBody(operation("GetConfigurationFields", Connector.GetConfigurationFields, NilIsNothing)),
		optionalBody(operation("TestConnection", Connector.TestConnection, NilRefused)),
		capabilities(),
		operation("GetQuoteList", Connector.GetQuoteList, NilIsNothing, lists...),
		operation("GetActivePriceLists", Connector.GetActivePriceLists, NilIsNothing),
		operation("GetAllPriceLists", Connector.GetAllPriceLists, NilIsNothing),
		operation("FindProduct", Connector.FindProduct, NilIsNothing),
		operation("GetProduct", Connector.GetProduct, NilRefused),
		operation("GetProducts", Connector.GetProducts, NilIsNothing),
		operation("GetQuoteLinesFromProduct", Connector.GetQuoteLinesFromProduct, NilIsNothing),
		operation("GetNumberOfProductImages", Connector.GetNumberOfProductImages, NilRefused),
		operation("GetProductImage", Connector.GetProductImage, NilIsNothing, CapProvidePicture),
		optionalBody(operation("GetSearchableFields", Connector.GetSearchableFields, NilIsNothing, CapPerformComplexSearch)),
		operation("GetSearchResults", Connector.GetSearchResults, NilIsNothing, CapPerformComplexSearch),
		operation("GetAddresses", Connector.GetAddresses, NilIsNothing, CapProvideAddresses),
		writes(operation("OnBeforeCreateQuote", Connector.OnBeforeCreateQuote, NilRefused)),
		writes(operation("OnBeforeCreateQuoteVersion", Connector.OnBeforeCreateQuoteVersion, NilRefused)),
		writes(operation("OnBeforeCreateQuoteAlternative", Connector.OnBeforeCreateQuoteAlternative, NilRefused)),
		writes(hook("OnAfterSaveQuote", Connector.OnAfterSaveQuote)),
		writes(hook("OnBeforeDeleteQuote", Connector.OnBeforeDeleteQuote)),
		writes(operation("OnAfterSentQuoteVersion", Connector.OnAfterSentQuoteVersion, NilRefused)),
		operation("OnQuoteLineChanged", Connector.OnQuoteLineChanged, NilIsDefault),
		operation("RecalculateQuoteAlternative", Connector.RecalculateQuoteAlternative, NilIsDefault),
		operation("ValidateQuoteVersion", Connector.ValidateQuoteVersion, NilIsDefault),
		operation("UpdateQuoteVersionPrices", Connector.UpdateQuoteVersionPrices, NilIsDefault),
		writes(operation("PlaceOrder", Connector.PlaceOrder, NilRefused, CapPlaceOrder)),
		operation("GetOrderState", Connector.GetOrderState, NilIsNothing, CapProvideOrderState),
	}
})

// Operations returns the table of every quote operation, in the contract's order. The
// slice is the caller's; its rows share their Capabilities slices, which are not to be
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
