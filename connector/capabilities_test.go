package connector_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

// orders implements PlaceOrder with a pointer receiver and GetOrderState with a value
// receiver, and claims both.
type orders struct{ connector.Unsupported }

func (*orders) PlaceOrder(context.Context, *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	return &connector.PlaceOrderResponseInfo{IsOk: true}, nil
}

func (orders) GetOrderState(context.Context, *connector.GetOrderStateRequest) (*connector.OrderResponseInfo, error) {
	return nil, nil
}

func (orders) GetCapabilities(context.Context, *connector.GetCapabilitiesRequest) (map[string]bool, error) {
	return map[string]bool{connector.CapPlaceOrder: true, connector.CapProvideOrderState: true}, nil
}

// logging is a partner's decorator: it embeds the Connector interface and forwards
// everything, as a logging or metrics wrapper does.
type logging struct {
	connector.Connector
	calls int
}

func (l *logging) PlaceOrder(ctx context.Context, req *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	l.calls++
	return l.Connector.PlaceOrder(ctx, req)
}

// capabilitiesOf answers GetCapabilities for c the way every transport does.
func capabilitiesOf(t *testing.T, c connector.Connector) map[string]bool {
	t.Helper()
	op := connector.MustLookup("GetCapabilities")
	res, err := op.Call(context.Background(), c, op.NewRequest())
	if err != nil {
		t.Fatal(err)
	}
	return res.(map[string]bool)
}

func TestCapabilities(t *testing.T) {
	t.Run("claims on top of every known name", func(t *testing.T) {
		caps := capabilitiesOf(t, &orders{})
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
	t.Run("a connector leaving GetCapabilities unsupported claims nothing", func(t *testing.T) {
		for name, on := range capabilitiesOf(t, connector.Unsupported{}) {
			if on {
				t.Errorf("%s claimed", name)
			}
		}
	})
	t.Run("a decorator keeps the capabilities of what it wraps", func(t *testing.T) {
		inner := capabilitiesOf(t, &orders{})
		wrapped := capabilitiesOf(t, &logging{Connector: &orders{}})
		if len(wrapped) != len(inner) {
			t.Fatalf("wrapped %d names, unwrapped %d", len(wrapped), len(inner))
		}
		for name, v := range inner {
			if wrapped[name] != v {
				t.Errorf("%s: wrapped %v, unwrapped %v", name, wrapped[name], v)
			}
		}
		if !wrapped[connector.CapPlaceOrder] || !wrapped[connector.CapProvideOrderState] {
			t.Errorf("the decorator lost the orders capabilities: %v", wrapped)
		}
	})
	t.Run("overrides win, unknown names pass through", func(t *testing.T) {
		caps := connector.Capabilities(map[string]bool{
			connector.CapPlaceOrder:  false,
			connector.CapProvideCost: true,
			"quote_status_zero_ok":   true,
		})
		if caps[connector.CapPlaceOrder] || !caps[connector.CapProvideCost] || !caps["quote_status_zero_ok"] {
			t.Errorf("overrides not applied: %v", caps)
		}
	})
	t.Run("an error other than unsupported is the answer", func(t *testing.T) {
		op := connector.MustLookup("GetCapabilities")
		fault := errors.New("erp down")
		if _, err := op.Call(context.Background(), failing{err: fault}, op.NewRequest()); !errors.Is(err, fault) {
			t.Errorf("err %v, want %v", err, fault)
		}
	})
}

type failing struct {
	connector.Unsupported
	err error
}

func (f failing) GetCapabilities(context.Context, *connector.GetCapabilitiesRequest) (map[string]bool, error) {
	return nil, f.err
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

// pointerBase embeds *Unsupported: its nil pointer would panic on the first operation
// left to it.
type pointerBase struct{ *connector.Unsupported }

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		c    connector.Connector
		ok   bool
	}{
		{"bare Unsupported", connector.Unsupported{}, true},
		{"embeds Unsupported by value", &orders{}, true},
		{"decorator of a good connector", &logging{Connector: &orders{}}, true},
		{"embeds *Unsupported", pointerBase{}, false},
		{"embeds *Unsupported, not nil", &pointerBase{Unsupported: &connector.Unsupported{}}, false},
		{"decorator of a connector embedding *Unsupported", &logging{Connector: pointerBase{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := connector.Validate(tt.c)
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "by value") {
				t.Errorf("the error does not say what to do: %v", err)
			}
		})
	}
}
