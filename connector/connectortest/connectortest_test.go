package connectortest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/connectortest"
)

// shelf is a minimal connector: one product, its quote line, validation and orders.
type shelf struct {
	connector.Unsupported
	broken bool // answers the way partners get wrong
}

var _ connector.Connector = (*shelf)(nil)

var bolt = connector.ProductInfo{ERPProductKey: "BOLT-8", Name: "Hex bolt M8", UnitListPrice: 4, UnitCost: 1, InAssortment: true}

func (s *shelf) FindProduct(_ context.Context, req *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	if req.UserInput == "" {
		return nil, nil
	}
	return []connector.ProductInfo{bolt}, nil
}

func (s *shelf) GetProduct(_ context.Context, req *connector.GetProductRequest) (*connector.ProductInfo, error) {
	if req.ErpProductKey != bolt.ERPProductKey {
		if s.broken {
			return nil, connector.ErrUnsupported // "not found" the wrong way: NetServer reads 404
		}
		return nil, connector.Invalid("unknown product key %q", req.ErpProductKey)
	}
	p := bolt
	return &p, nil
}

func (s *shelf) GetQuoteLinesFromProduct(_ context.Context, req *connector.GetQuoteLinesFromProductRequest) ([]connector.QuoteLineInfo, error) {
	line := connector.QuoteLineInfo{ERPProductKey: req.ErpProductKey, Name: bolt.Name, Quantity: 1, UnitListPrice: bolt.UnitListPrice, UnitCost: bolt.UnitCost}
	if s.broken {
		line.ERPProductKey = ""
	}
	connector.CalculateLine(&line)
	return []connector.QuoteLineInfo{line}, nil
}

func (s *shelf) ValidateQuoteVersion(_ context.Context, req *connector.ValidateQuoteVersionRequest) (*connector.QuoteResponseInfo, error) {
	v := *req.QuoteContext.CRMQuoteVersion
	if v.State == connector.QuoteVersionStateInfoDraftNotCalculated {
		v.State = connector.QuoteVersionStateInfoDraft
	}
	res := &connector.QuoteResponseInfo{IsOk: true, CRMQuoteVersion: &v}
	if s.broken {
		res.UserExplanation = `US:"Checked";NO:Sjekket`
	}
	return res, nil
}

func (s *shelf) PlaceOrder(context.Context, *connector.PlaceOrderRequest) (*connector.PlaceOrderResponseInfo, error) {
	return &connector.PlaceOrderResponseInfo{IsOk: true, CRMQuote: &connector.QuoteInfo{ERPOrderKey: "SO-1"}}, nil
}

func (s *shelf) GetOrderState(context.Context, *connector.GetOrderStateRequest) (*connector.OrderResponseInfo, error) {
	return nil, nil // nothing changed
}

func (s *shelf) GetCapabilities(context.Context, *connector.GetCapabilitiesRequest) (map[string]bool, error) {
	if s.broken {
		// Claims what it lacks, and leaves out what it has.
		return map[string]bool{connector.CapProvideAddresses: true, connector.CapPlaceOrder: true}, nil
	}
	return map[string]bool{connector.CapPlaceOrder: true, connector.CapProvideOrderState: true}, nil
}

func TestRunPassesAGoodConnector(t *testing.T) {
	connectortest.Run(t, &shelf{}, connectortest.Config{Search: "bolt"})
}

func TestRunPassesAGoodConnectorOverSOAP(t *testing.T) {
	connectortest.Run(t, &shelf{}, connectortest.Config{Search: "bolt", SOAP: true})
}

// TestRunCatchesABrokenConnectorOverSOAP runs Run over SOAP on a connector whose
// CanProvideCapability contradicts GetCapabilities, in a child process, and checks the
// child failed saying so.
func TestRunCatchesABrokenConnectorOverSOAP(t *testing.T) {
	if os.Getenv("CONNECTORTEST_BROKEN_SOAP") == "1" {
		connectortest.Run(t, &contrary{}, connectortest.Config{Search: "bolt", SOAP: true})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunCatchesABrokenConnectorOverSOAP$", "-test.v")
	cmd.Env = append(os.Environ(), "CONNECTORTEST_BROKEN_SOAP=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("Run passed a broken connector over SOAP:\n%s", out)
	}
	for _, want := range []string{
		"iorderconsumer_place_order: GetCapabilities true, CanProvideCapability false",
		`ValidateQuoteVersion UserExplanation "US:\"Checked\";NO:Sjekket" is not a well-formed multi-language text`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("Run did not report: %s\n%s", want, out)
		}
	}
}

// contrary answers CanProvideCapability false for everything it claims.
type contrary struct{ shelf }

func (c *contrary) CanProvideCapability(context.Context, *connector.CanProvideCapabilityRequest) (bool, error) {
	return false, nil
}

func (c *contrary) ValidateQuoteVersion(ctx context.Context, req *connector.ValidateQuoteVersionRequest) (*connector.QuoteResponseInfo, error) {
	c.broken = true
	defer func() { c.broken = false }()
	return c.shelf.ValidateQuoteVersion(ctx, req)
}

// TestRunCatchesABrokenConnector runs Run on a broken connector in a child process (a
// failing Run fails its test) and checks the child failed for each planted fault.
func TestRunCatchesABrokenConnector(t *testing.T) {
	if os.Getenv("CONNECTORTEST_BROKEN") == "1" {
		connectortest.Run(t, &shelf{broken: true}, connectortest.Config{Search: "bolt"})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunCatchesABrokenConnector$", "-test.v")
	cmd.Env = append(os.Environ(), "CONNECTORTEST_BROKEN=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("Run passed a broken connector:\n%s", out)
	}
	for _, want := range []string{
		"capability iaddressprovider_provide_addresses is claimed but GetAddresses is not implemented",
		"GetOrderState answers but none of iorderconsumer_provide_orderstate is claimed",
		"an unknown product key answered 404",
		"quote line 0 has no ERPProductKey",
		`ValidateQuoteVersion UserExplanation "US:\"Checked\";NO:Sjekket" is not a well-formed multi-language text`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("Run did not report: %s\n%s", want, out)
		}
	}
}
