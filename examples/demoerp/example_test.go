package demoerp_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
)

// The demo ERP is a connector.Connector; the samples hand it to server.New. Here it is
// called directly, as the server would after authenticating tenant Cust12345.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "demoerp")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	erp, err := demoerp.Open(ctx, filepath.Join(dir, "erp.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer erp.Close()

	ctx = connector.WithTenant(ctx, connector.Tenant{ID: "Cust12345"})
	hits, err := erp.FindProduct(ctx, &connector.FindProductRequest{UserInput: "drainage pump 1.1", CurrencyCode: "NOK"})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range hits {
		fmt.Printf("%s  %s  %.2f %s\n", p.ERPProductKey, p.Name, p.UnitListPrice, p.PriceUnit)
	}
	// Output:
	// SD-11@NOK-PARTNER  Drainage pump SD 1.1 kW  6190.00 pcs
	// SD-11@NOK-STD  Drainage pump SD 1.1 kW  7290.00 pcs
}
