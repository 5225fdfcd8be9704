// Package demoerp is a small but real ERP behind a quote connector: the one the samples
// in examples/sharedsecret and examples/jwt serve to SuperOffice. Its *ERP implements
// every operation of connector.Connector against its own SQLite database (but
// CanProvideCapability and GetNumberOfActivePriceLists, whose defaults answer from
// GetCapabilities and GetActivePriceLists), the way a partner's connector would call
// into the partner's ERP. Forking a sample, a partner
// replaces this package with calls into their ERP and keeps the shape: one method per
// operation, business problems reported in the result (an unknown order or quote too,
// wherever the result carries IsOk and State), an unknown key reported as
// connector.Invalid where it does not (an unknown product), and the context passed to
// every database call.
//
// # The ERP
//
// Brattli Maskin, a fictitious Norwegian wholesaler of pumps, compressed air, tools,
// fasteners and protective equipment, with a few canteen goods (15 % VAT), books and
// courses (0 %) and service agreements (monthly subscriptions). It has
//
//   - about 350 items with cost, stock (negative: sold out and on order; none for
//     services), a few discontinued ones, extra attributes and a picture per kind;
//   - price lists in NOK, EUR, USD and SEK: current ones, a reseller list, last year's
//     list (expired) and a Swedish list not released yet (inactive). An item has a price
//     in each list that carries it, so a product key is item code and price list,
//     "CP-50-SS@NOK-STD";
//   - customers with invoice and delivery addresses, terms and an agreed discount, one
//     on credit stop. A CRM company is matched to a customer by the ERP key an ERP sync
//     gave it (ERPCompanyKey), else by organisation number, else by name;
//   - salespeople, each with the largest discount they may give without approval. The
//     calling CRM user is matched through the tenant's user mapping
//     (connector.TenantFrom(ctx).User.ERPUser); an unmapped user may give 5 %;
//   - quotes and orders, kept per tenant (connector.TenantFrom(ctx).ID). The catalogue
//     is shared by all tenants, as demo data. Orders move on by the ERP's clock
//     (registered, picking, shipped, invoiced; see PickingAfter).
//
// # The seed
//
// The database is created and filled from the seed at the first Open of a new file. The
// seed is embedded, so it lives in this package's seed directory (go:embed cannot reach
// the repository's testdata): erp.json is written by hand (companies, currencies, price
// lists, the quote lists, customers, salespeople); products.csv, prices.csv and the PNG
// pictures in seed/images are written by the generator in seed/gen from its table of
// product lines and the price lists in erp.json. Change either and run
//
//	go generate ./examples/demoerp
//
// TestSeedIsGenerated fails when the committed files differ from what the generator
// writes.
//
// # What the connector does
//
// Searches hide discontinued items and honour price list and currency; a "%" or "_"
// typed inside a word is searched for literally. Quote lines are calculated with
// SuperOffice's maths (connector.CalculateLine and CalculateAlternative, which follow
// the field the user set last), with the customer's discount plus a volume discount as
// the ERP's suggestion. A price below the minimum is a warning while editing and an
// error (which stops sending and ordering) in ValidateQuoteVersion; too little stock is
// a warning (configurable); a discount beyond the ERP's suggestion that is above the
// salesperson's limit sends the quote to approval; the approval hooks record each step
// (requested, approved, rejected: see Approval) and answer the version in the state it
// leads to. PlaceOrder reserves stock and returns the order number; GetOrderState
// reports each change of the order once.
//
// Latency and hangs can be injected with WithLatency; every operation gives up when its
// context ends, which is how the server's per-call deadline reaches the ERP.
package demoerp
