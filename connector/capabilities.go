package connector

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
)

// Capability names NetServer understands. A capability missing from the answer to
// GetCapabilities counts as false.
const (
	CapProvideCost           = "iproductprovider_provide_cost"
	CapProvideMinimumPrice   = "iproductprovider_provide_minimumprice"
	CapProvideStockData      = "iproductprovider_provide_stockdata"
	CapProvideExtraData      = "iproductprovider_provide_extradata"
	CapProvideThumbnails     = "iproductprovider_provide_thumbnails"
	CapProvidePicture        = "iproductprovider_provide_picture"
	CapComputePrice          = "ipriceprovider_compute_price"
	CapPlaceOrder            = "iorderconsumer_place_order"
	CapProvideOrderState     = "iorderconsumer_provide_orderstate"
	CapSendOrderConfirmation = "iorderconsumer_send_order_confirm"
	CapProductCategoryList   = "ilistprovider_provide_productcategorylist"
	CapProductFamilyList     = "ilistprovider_provide_productfamilylist"
	CapProductTypeList       = "ilistprovider_provide_producttypelist"
	CapPaymentTermsList      = "ilistprovider_provide_paymenttermslist"
	CapPaymentTypeList       = "ilistprovider_provide_paymenttypelist"
	CapDeliveryTermsList     = "ilistprovider_provide_deliverytermslist"
	CapDeliveryTypeList      = "ilistprovider_provide_deliverytypelist"
	CapPerformComplexSearch  = "iconnector_perform_complexsearch"
	CapProvideAddresses      = "iaddressprovider_provide_addresses"
	CapCachePriceLists       = "cache-pricelists"
	CapNoCacheQuoteLists     = "no-cache-quotelists"
)

// CapabilityOperations returns the operations a capability depends on, from the
// operation table: a connector that claims it must implement them all. Capabilities about
// data or caching return nil.
func CapabilityOperations(name string) []string {
	var ops []string
	for _, op := range table() {
		if slices.Contains(op.Capabilities, name) {
			ops = append(ops, op.Name)
		}
	}
	return ops
}

// known are the capability names GetCapabilities always answers.
var known = []string{
	CapProvideCost, CapProvideMinimumPrice, CapProvideStockData, CapProvideExtraData,
	CapProvideThumbnails, CapProvidePicture, CapComputePrice, CapPlaceOrder, CapProvideOrderState,
	CapSendOrderConfirmation, CapProductCategoryList, CapProductFamilyList, CapProductTypeList,
	CapPaymentTermsList, CapPaymentTypeList, CapDeliveryTermsList, CapDeliveryTypeList,
	CapPerformComplexSearch, CapProvideAddresses, CapCachePriceLists, CapNoCacheQuoteLists,
}

// Capabilities returns the full capability map GetCapabilities answers: every known name
// false, and the connector's claims on top (names NetServer does not know yet included).
//
// A connector claims what it serves. The server does not guess it from the connector's
// methods: whether a method is the connector's own or the one promoted from the embedded
// Unsupported is not something Go lets a program ask without reading compiler internals,
// and a decorator (struct{ connector.Connector }) would defeat any such guess. The
// conformance checks (connectortest, quotekit check) hold the claims against what answers,
// in both directions.
func Capabilities(claimed map[string]bool) map[string]bool {
	caps := make(map[string]bool, len(known)+len(claimed))
	for _, name := range known {
		caps[name] = false
	}
	maps.Copy(caps, claimed)
	return caps
}

// Validate reports whether c can be served: it must not embed a *Unsupported, whose nil
// pointer would panic on the first operation the connector leaves to it. Embed
// Unsupported by value. Validate looks through embedded structs and pointers and through
// embedded interfaces (decorators such as struct{ connector.Connector }).
func Validate(c Connector) error {
	return validate(reflect.ValueOf(c), 0)
}

func validate(v reflect.Value, depth int) error {
	if depth > 16 {
		return nil
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.Anonymous {
			continue
		}
		if f.Type == reflect.PointerTo(unsupportedType) {
			return fmt.Errorf("connector %s embeds *connector.Unsupported: embed connector.Unsupported by value", v.Type())
		}
		if err := validate(v.Field(i), depth+1); err != nil {
			return err
		}
	}
	return nil
}

var unsupportedType = reflect.TypeFor[Unsupported]()
