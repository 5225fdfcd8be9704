// Command gen writes the generated part of the demo ERP's seed data: products.csv (the
// item register), prices.csv (one row per item and price list) and the PNG pictures under
// images/. It reads the price lists and currency rates from erp.json, which is written by
// hand, and derives everything else from the product lines below. The output depends on
// nothing but this file and erp.json, so every run writes the same bytes, and a test in
// package demoerp checks that the committed files are up to date.
//
// Run it from examples/demoerp after changing the product lines or the price lists:
//
//	go generate ./examples/demoerp
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	dir := flag.String("dir", "seed", "the seed directory: erp.json is read from it, the generated files are written to it")
	flag.Parse()
	if err := run(*dir); err != nil {
		log.Fatal(err)
	}
}

func run(dir string) error {
	erp, err := readERP(filepath.Join(dir, "erp.json"))
	if err != nil {
		return err
	}
	items := build(catalog())
	if err := writeProducts(filepath.Join(dir, "products.csv"), items); err != nil {
		return err
	}
	if err := writePrices(filepath.Join(dir, "prices.csv"), items, erp); err != nil {
		return err
	}
	return writeImages(filepath.Join(dir, "images"))
}

// erpFile is the part of erp.json the generator needs.
type erpFile struct {
	Currencies []struct {
		Code string  `json:"code"`
		Rate float64 `json:"rate"`
	} `json:"currencies"`
	PriceLists []struct {
		Key      string `json:"key"`
		Currency string `json:"currency"`
	} `json:"priceLists"`
}

func readERP(path string) (erpFile, error) {
	var f erpFile
	b, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// item is one row of products.csv.
type item struct {
	line                 *productLine
	code, name, desc     string
	itemNumber           string
	cost, listNOK        float64
	weight               float64
	stock                string // "" for items that are not kept in stock
	discontinued         bool
	ean, supplierCode    string
	subscriptionQuantity float64
}

// build expands the product lines into items, numbering them by category, family and
// variant (ItemNumber "2.3.4") and giving each a stable stock level and article numbers.
func build(lines []productLine) []item {
	var items []item
	catNo, famNo := map[string]int{}, map[string]int{}
	varNo := map[string]int{}
	for li := range lines {
		l := &lines[li]
		if catNo[l.category] == 0 {
			catNo[l.category] = len(catNo) + 1
		}
		if famNo[l.family] == 0 {
			famNo[l.family] = len(famNo) + 1
		}
		for _, v := range l.variants {
			varNo[l.family]++
			code := l.code + v.suffix
			h := hash(code)
			it := item{
				line:         l,
				code:         code,
				name:         strings.TrimSpace(fmt.Sprintf(l.name, v.label)),
				desc:         fmt.Sprintf(l.desc, v.detail),
				itemNumber:   fmt.Sprintf("%d.%d.%d", catNo[l.category], famNo[l.family], varNo[l.family]),
				cost:         round2(l.cost * v.factor),
				weight:       round2(l.weight * v.weight),
				discontinued: l.discontinued || slices.Contains(l.retired, code),
				ean:          ean13(len(items) + 1),
				supplierCode: fmt.Sprintf("%s-%05d", supplierPrefix(l.supplier), h%100000),
			}
			it.listNOK = niceNOK(it.cost * l.markup)
			if l.subscription != "" {
				it.subscriptionQuantity = 12
			}
			if l.stock > 0 {
				it.stock = strconv.Itoa(stock(h, l.stock, it.discontinued))
			}
			items = append(items, it)
		}
	}
	return items
}

// stock spreads stock levels around typical: some items are sold out and on order
// (negative), discontinued items have the last few left.
func stock(h uint32, typical int, discontinued bool) int {
	switch {
	case discontinued:
		return int(h % 4)
	case h%9 == 0:
		return -int(1 + h/9%12)
	default:
		return int(h / 7 % uint32(2*typical+1))
	}
}

var productsHeader = []string{
	"code", "name", "description", "category", "family", "type", "quantity_unit", "price_unit",
	"vat", "cost", "stock", "in_assortment", "subscription_unit", "default_subscription_quantity",
	"supplier", "supplier_code", "item_number", "image", "weight_kg", "warranty_months", "origin", "ean",
}

func writeProducts(path string, items []item) error {
	rows := [][]string{productsHeader}
	for _, it := range items {
		l := it.line
		rows = append(rows, []string{
			it.code, it.name, it.desc, l.category, l.family, l.kind, l.unit, l.unit,
			num(l.vat), num(it.cost), it.stock, strconv.FormatBool(!it.discontinued), l.subscription, num(it.subscriptionQuantity),
			l.supplier, it.supplierCode, it.itemNumber, l.image, num(it.weight), strconv.Itoa(l.warranty), l.origin, it.ean,
		})
	}
	return writeCSV(path, rows)
}

// priceRule says which items a price list holds and how its prices relate to the
// Norwegian list price (before conversion into the list's currency).
type priceRule struct {
	factor   float64
	includes func(item) bool
}

func everything(item) bool { return true }

var priceRules = map[string]priceRule{
	"NOK-STD": {1, everything},
	"NOK-PARTNER": {0.85, func(it item) bool {
		return in(it.line.category, "PUMP", "COMP", "POWER", "HOSE")
	}},
	"NOK-2024": {0.94, func(it item) bool { return it.line.category != "SERVICE" }},
	"EUR-STD": {1.05, func(it item) bool {
		return !it.discontinued && it.line.category != "SUPPLY"
	}},
	"USD-EXPORT": {1.1, func(it item) bool {
		return !it.discontinued && in(it.line.category, "PUMP", "COMP")
	}},
	"SEK-STD": {1, func(it item) bool { return it.line.category != "SUPPLY" }},
}

func writePrices(path string, items []item, erp erpFile) error {
	rates := map[string]float64{}
	for _, c := range erp.Currencies {
		rates[c.Code] = c.Rate
	}
	rows := [][]string{{"price_list", "item", "list_price", "minimum_price"}}
	for _, pl := range erp.PriceLists {
		rule, ok := priceRules[pl.Key]
		if !ok {
			return fmt.Errorf("price list %s in erp.json has no price rule in the generator", pl.Key)
		}
		rate := rates[pl.Currency]
		if rate <= 0 {
			return fmt.Errorf("price list %s: no rate for currency %q", pl.Key, pl.Currency)
		}
		for _, it := range items {
			if !rule.includes(it) {
				continue
			}
			list := nice(it.listNOK*rule.factor/rate, pl.Currency)
			// The floor protects the margin: never below cost plus 8 %, never more than
			// 20 % off the list price.
			minimum := math.Min(list, round2(math.Max(it.cost/rate*1.08, list*0.8)))
			rows = append(rows, []string{pl.Key, it.code, num(list), num(minimum)})
		}
	}
	return writeCSV(path, rows)
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// niceNOK rounds a Norwegian price up to the kind of figure a price list shows:
// 12.50, 149, 1 490, 24 900.
func niceNOK(x float64) float64 {
	switch {
	case x < 50:
		return math.Ceil(x*2) / 2
	case x < 500:
		return math.Ceil(x/10)*10 - 1
	case x < 10000:
		return math.Ceil(x/100)*100 - 10
	default:
		return math.Ceil(x/1000)*1000 - 100
	}
}

// nice rounds a converted price: crowns like NOK, euros and dollars to 4.95, 12.90, 129
// or 1 249.
func nice(x float64, currency string) float64 {
	if currency == "NOK" || currency == "SEK" {
		return niceNOK(x)
	}
	switch {
	case x < 10:
		return math.Ceil(x*20)/20 - 0.05
	case x < 100:
		return math.Ceil(x) - 0.1
	case x < 1000:
		return math.Ceil(x/10)*10 - 1
	default:
		return math.Ceil(x/50)*50 - 1
	}
}

// ean13 returns an EAN-13 in GS1's range 200–299 for numbers a company assigns itself,
// with its check digit.
func ean13(n int) string {
	s := fmt.Sprintf("20%010d", n)
	sum := 0
	for i, c := range s {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

func supplierPrefix(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(s) {
		if r := w[0]; 'A' <= r && r <= 'Z' {
			b.WriteByte(r)
		}
	}
	return b.String()
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func num(x float64) string { return strconv.FormatFloat(round2(x), 'f', -1, 64) }

func in(s string, set ...string) bool { return slices.Contains(set, s) }
