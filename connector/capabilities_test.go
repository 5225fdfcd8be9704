package connector_test

import (
	"context"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

// orders implements PlaceOrder with a pointer receiver and GetOrderState with a value receiver.
type orders struct{ connector.Unsupported }

func (*orders) PlaceOrder(context.Context, *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	return &connector.PlaceOrderResponseInfo{IsOk: true}, nil
}

func (orders) GetOrderState(context.Context, *connector.GetOrderStateRequest) (*connector.OrderResponseInfo, error) {
	return nil, nil
}

// search implements complex search only halfway.
type search struct{ connector.Unsupported }

func (search) GetSearchableFields(context.Context, *connector.GetSearchableFieldsRequest) ([]connector.FieldMetadataInfo, error) {
	return nil, nil
}

// wrapped embeds a partner type that itself embeds Unsupported: its methods are promoted
// from orders, and the rest from Unsupported two levels down.
type wrapped struct {
	*orders
}

// shadowing embeds orders but hides its PlaceOrder behind its own.
type shadowing struct{ orders }

func (shadowing) PlaceOrder(context.Context, *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	return nil, nil
}

func TestImplements(t *testing.T) {
	tests := []struct {
		name string
		c    connector.Connector
		op   string
		want bool
	}{
		{"bare Unsupported", connector.Unsupported{}, "PlaceOrder", false},
		{"pointer receiver", &orders{}, "PlaceOrder", true},
		{"value receiver through pointer", &orders{}, "GetOrderState", true},
		{"value receiver on value", search{}, "GetSearchableFields", true},
		{"inherited from Unsupported", &orders{}, "FindProduct", false},
		{"promoted from an embedded partner type", &wrapped{orders: &orders{}}, "PlaceOrder", true},
		{"Unsupported two levels down", &wrapped{orders: &orders{}}, "GetProduct", false},
		{"own method shadows embedded one", shadowing{}, "PlaceOrder", true},
		{"unknown operation", &orders{}, "NoSuchOperation", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := connector.Implements(tt.c, tt.op); got != tt.want {
				t.Errorf("Implements(%T, %s) = %v, want %v", tt.c, tt.op, got, tt.want)
			}
		})
	}
}

func TestCapabilities(t *testing.T) {
	t.Run("defaults follow implemented operations", func(t *testing.T) {
		caps := connector.Capabilities(&orders{}, nil)
		want := map[string]bool{
			connector.CapPlaceOrder:           true,
			connector.CapProvideOrderState:    true,
			connector.CapProvidePicture:       false,
			connector.CapPerformComplexSearch: false,
			connector.CapProductCategoryList:  false,
			connector.CapProvideAddresses:     false,
			connector.CapProvideCost:          false,
			connector.CapCachePriceLists:      false,
		}
		for name, v := range want {
			got, present := caps[name]
			if !present || got != v {
				t.Errorf("%s = %v (present %v), want %v", name, got, present, v)
			}
		}
		if len(caps) != 21 {
			t.Errorf("got %d names, want all 21 known capabilities", len(caps))
		}
	})
	t.Run("a capability needing two operations needs both", func(t *testing.T) {
		if connector.Capabilities(search{}, nil)[connector.CapPerformComplexSearch] {
			t.Error("complex search claimed with GetSearchResults unimplemented")
		}
	})
	t.Run("overrides win, unknown names pass through", func(t *testing.T) {
		caps := connector.Capabilities(&orders{}, map[string]bool{
			connector.CapPlaceOrder:  false,
			connector.CapProvideCost: true,
			"quote_status_zero_ok":   true,
		})
		if caps[connector.CapPlaceOrder] || !caps[connector.CapProvideCost] || !caps["quote_status_zero_ok"] {
			t.Errorf("overrides not applied: %v", caps)
		}
	})
}

func TestCapabilityOperations(t *testing.T) {
	if ops := connector.CapabilityOperations(connector.CapPerformComplexSearch); len(ops) != 2 {
		t.Errorf("complex search needs %v", ops)
	}
	if ops := connector.CapabilityOperations(connector.CapProvideCost); ops != nil {
		t.Errorf("a data capability needs operations %v", ops)
	}
	ops := connector.CapabilityOperations(connector.CapPlaceOrder)
	ops[0] = "changed"
	if connector.CapabilityOperations(connector.CapPlaceOrder)[0] != "PlaceOrder" {
		t.Error("the caller changed the table")
	}
}
