package connector_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/quotekit/quotekit/connector"
)

// TestSOAPOnlyRows: exactly the five operations REST lacks are SOAP-only, and the
// approval hooks are writes.
func TestSOAPOnlyRows(t *testing.T) {
	var got []string
	for _, op := range connector.Operations() {
		if op.SOAPOnly {
			got = append(got, op.Name)
		}
	}
	want := []string{"CanProvideCapability", "GetNumberOfActivePriceLists",
		"OnQuoteVersionRequestApproval", "OnQuoteVersionApproved", "OnQuoteVersionRejected"}
	if !slices.Equal(got, want) {
		t.Errorf("SOAP-only rows %v, want %v", got, want)
	}
	for _, name := range want[2:] {
		if op := connector.MustLookup(name); !op.Writes || op.Nil != connector.NilIsDefault {
			t.Errorf("%s: Writes %v, Nil %d; want a write whose nil answers the neutral echo", name, op.Writes, op.Nil)
		}
	}
	if ops := connector.CapabilityOperations(connector.CapPlaceOrder); !slices.Equal(ops, []string{"PlaceOrder"}) {
		t.Errorf("CapabilityOperations(place order) = %v", ops)
	}
}

// configured is what every request of these tests carries.
var configured = map[string]string{"erp-url": "https://erp.example.com"}

// claimer claims one capability and records the requests GetCapabilities receives.
type claimer struct {
	connector.Unsupported
	err  error
	seen []*connector.GetCapabilitiesRequest
}

func (c *claimer) GetCapabilities(_ context.Context, req *connector.GetCapabilitiesRequest) (map[string]bool, error) {
	c.seen = append(c.seen, req)
	return map[string]bool{connector.CapProvidePicture: true, "partner_feature": true, connector.CapPlaceOrder: false}, c.err
}

// answerer answers CanProvideCapability itself: only for "yes", whatever it claims.
type answerer struct{ claimer }

func (answerer) CanProvideCapability(_ context.Context, req *connector.CanProvideCapabilityRequest) (bool, error) {
	return req.CapabilityName == "yes", nil
}

func canProvide(c connector.Connector, name string) (any, error) {
	op := connector.MustLookup("CanProvideCapability")
	return op.Call(context.Background(), c, &connector.CanProvideCapabilityRequest{
		CapabilityName: name, ConfigValues: configured, ConnectionInfo: &connector.QuoteConnectionInfo{CRMConnectionId: 4},
	})
}

func TestCanProvideCapability(t *testing.T) {
	tests := []struct {
		name string
		conn connector.Connector
		cap  string
		want bool
	}{
		{"claimed", &claimer{}, connector.CapProvidePicture, true},
		{"claimed, unknown to NetServer", &claimer{}, "partner_feature", true},
		{"claimed false", &claimer{}, connector.CapPlaceOrder, false},
		{"not claimed", &claimer{}, connector.CapProvideAddresses, false},
		{"unknown name", &claimer{}, "no_such_capability", false},
		{"empty name", &claimer{}, "", false},
		{"claims nothing", connector.Unsupported{}, connector.CapProvidePicture, false},
		{"own answer, yes", &answerer{}, "yes", true},
		{"own answer over the claim", &answerer{}, connector.CapProvidePicture, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := canProvide(tt.conn, tt.cap)
			if err != nil {
				t.Fatal(err)
			}
			if res != tt.want {
				t.Errorf("CanProvideCapability(%q) = %#v, want %v", tt.cap, res, tt.want)
			}
		})
	}

	t.Run("GetCapabilities sees the request's configuration", func(t *testing.T) {
		c := &claimer{}
		if _, err := canProvide(c, connector.CapProvidePicture); err != nil {
			t.Fatal(err)
		}
		if len(c.seen) != 1 || c.seen[0].ConfigValues["erp-url"] != "https://erp.example.com" || c.seen[0].ConnectionInfo.CRMConnectionId != 4 {
			t.Errorf("GetCapabilities received %+v", c.seen)
		}
	})
	t.Run("the answering connector is not asked for its claims", func(t *testing.T) {
		c := &answerer{}
		if _, err := canProvide(c, "yes"); err != nil || len(c.seen) != 0 {
			t.Errorf("err %v, GetCapabilities called %d times", err, len(c.seen))
		}
	})
	t.Run("a failing GetCapabilities fails", func(t *testing.T) {
		fault := errors.New("ERP down")
		if _, err := canProvide(&claimer{err: fault}, connector.CapProvidePicture); !errors.Is(err, fault) {
			t.Errorf("err %v, want the fault", err)
		}
	})
}

// priceLists serves three active price lists in NOK and none in other currencies, and
// records the requests.
type priceLists struct {
	connector.Unsupported
	err  error
	seen []*connector.GetActivePriceListsRequest
}

func (p *priceLists) GetActivePriceLists(_ context.Context, req *connector.GetActivePriceListsRequest) ([]connector.PriceListInfo, error) {
	p.seen = append(p.seen, req)
	if p.err != nil {
		return nil, p.err
	}
	if req.IsoCurrencyCode != "NOK" {
		return nil, nil
	}
	return []connector.PriceListInfo{{ERPPriceListKey: "A"}, {ERPPriceListKey: "B"}, {ERPPriceListKey: "C"}}, nil
}

// counter answers GetNumberOfActivePriceLists itself.
type counter struct{ priceLists }

func (counter) GetNumberOfActivePriceLists(context.Context, *connector.GetNumberOfActivePriceListsRequest) (int32, error) {
	return 17, nil
}

func numberOfActive(c connector.Connector, currency string) (any, error) {
	op := connector.MustLookup("GetNumberOfActivePriceLists")
	return op.Call(context.Background(), c, &connector.GetNumberOfActivePriceListsRequest{IsoCurrencyCode: currency, ConfigValues: configured})
}

func TestGetNumberOfActivePriceLists(t *testing.T) {
	tests := []struct {
		name     string
		conn     connector.Connector
		currency string
		want     int32
	}{
		{"counted", &priceLists{}, "NOK", 3},
		{"none in the currency", &priceLists{}, "EUR", 0},
		{"no price lists at all", connector.Unsupported{}, "NOK", 0},
		{"own answer", &counter{}, "NOK", 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := numberOfActive(tt.conn, tt.currency)
			if err != nil {
				t.Fatal(err)
			}
			if res != tt.want {
				t.Errorf("GetNumberOfActivePriceLists(%s) = %#v, want int32 %d", tt.currency, res, tt.want)
			}
		})
	}

	t.Run("GetActivePriceLists sees currency and configuration", func(t *testing.T) {
		p := &priceLists{}
		if _, err := numberOfActive(p, "NOK"); err != nil {
			t.Fatal(err)
		}
		if len(p.seen) != 1 || p.seen[0].IsoCurrencyCode != "NOK" || p.seen[0].ConfigValues["erp-url"] != "https://erp.example.com" {
			t.Errorf("GetActivePriceLists received %+v", p.seen)
		}
	})
	t.Run("a failing GetActivePriceLists fails", func(t *testing.T) {
		fault := errors.New("ERP down")
		if _, err := numberOfActive(&priceLists{err: fault}, "NOK"); !errors.Is(err, fault) {
			t.Errorf("err %v, want the fault", err)
		}
	})
	t.Run("an Invalid error of the connector's own answer stays", func(t *testing.T) {
		op := connector.MustLookup("GetNumberOfActivePriceLists")
		_, err := op.Call(context.Background(), invalidCounter{}, op.NewRequest())
		if !errors.Is(err, connector.ErrInvalid) {
			t.Errorf("err %v, want Invalid", err)
		}
	})
}

type invalidCounter struct{ connector.Unsupported }

func (invalidCounter) GetNumberOfActivePriceLists(context.Context, *connector.GetNumberOfActivePriceListsRequest) (int32, error) {
	return 0, connector.Invalid("unknown currency")
}
