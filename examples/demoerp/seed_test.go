package demoerp

import (
	"bytes"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSeed checks that the seed has what the demo, the samples and their tests rely on.
func TestSeed(t *testing.T) {
	s, err := loadSeed(seedFS)
	if err != nil {
		t.Fatal(err)
	}
	keys := func(list string) map[string]bool {
		m := map[string]bool{}
		for _, it := range s.Lists[list] {
			if m[it.Key] {
				t.Errorf("list %s: key %s repeated", list, it.Key)
			}
			m[it.Key] = true
		}
		if len(m) == 0 {
			t.Errorf("list %s is empty", list)
		}
		return m
	}
	categories, families, types := keys("ProductCategory"), keys("ProductFamily"), keys("ProductType")
	paymentTerms, paymentTypes := keys("PaymentTerms"), keys("PaymentType")
	deliveryTerms, deliveryTypes := keys("DeliveryTerms"), keys("DeliveryType")

	if len(s.items) < 300 {
		t.Errorf("%d products, want at least 300", len(s.items))
	}
	items := map[string]map[string]string{}
	var negative, discontinued, unstocked int
	vats := map[string]bool{}
	for _, it := range s.items {
		code := it["code"]
		if items[code] != nil || code == "" || strings.Contains(code, keySeparator) {
			t.Errorf("item code %q repeated, empty or with %q", code, keySeparator)
		}
		items[code] = it
		if !categories[it["category"]] || !families[it["family"]] || !types[it["type"]] {
			t.Errorf("%s: category %s, family %s or type %s is not in its list", code, it["category"], it["family"], it["type"])
		}
		if img := it["image"]; img != "" {
			if _, ok := s.images[img]; !ok {
				t.Errorf("%s: no picture %s", code, img)
			}
		}
		switch stock := it["stock"]; {
		case stock == "":
			unstocked++
		case strings.HasPrefix(stock, "-"):
			negative++
		}
		if it["in_assortment"] == "false" {
			discontinued++
		}
		vats[it["vat"]] = true
	}
	if negative == 0 || discontinued == 0 || unstocked == 0 {
		t.Errorf("%d items on order, %d discontinued, %d not stocked; want some of each", negative, discontinued, unstocked)
	}
	for _, v := range []string{"25", "15", "0"} {
		if !vats[v] {
			t.Errorf("no item with %s %% VAT", v)
		}
	}

	lists := map[string]bool{}
	currencies := map[string]bool{}
	var expired, inactive int
	for _, p := range s.PriceLists {
		lists[p.Key] = true
		if p.Active {
			currencies[p.Currency] = true
		} else {
			inactive++
		}
		if p.Active && p.ValidTo < "2026" {
			expired++
		}
	}
	if len(currencies) < 3 || expired == 0 || inactive == 0 {
		t.Errorf("active lists in %d currencies, %d expired, %d inactive; want at least 3, 1, 1", len(currencies), expired, inactive)
	}
	standard := map[string]bool{}
	for _, p := range s.prices {
		it := items[p["item"]]
		if it == nil || !lists[p["price_list"]] {
			t.Errorf("price for unknown item %s or list %s", p["item"], p["price_list"])
			continue
		}
		list, _ := strconv.ParseFloat(p["list_price"], 64)
		minimum, _ := strconv.ParseFloat(p["minimum_price"], 64)
		if minimum <= 0 || minimum > list {
			t.Errorf("%s in %s: minimum %v, list %v", p["item"], p["price_list"], minimum, list)
		}
		if p["price_list"] == "NOK-STD" {
			standard[p["item"]] = true
			if cost, _ := strconv.ParseFloat(it["cost"], 64); cost >= minimum {
				t.Errorf("%s: cost %v not below the minimum %v", p["item"], cost, minimum)
			}
		}
	}
	if len(standard) != len(items) {
		t.Errorf("%d of %d items in NOK-STD, want all", len(standard), len(items))
	}

	for name, img := range s.images {
		for i, b := range img {
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Errorf("picture %s (%d): %v", name, i, err)
			}
		}
	}

	for _, c := range s.Customers {
		if !paymentTerms[c.PaymentTerms] || !paymentTypes[c.PaymentType] || !deliveryTerms[c.DeliveryTerms] || !deliveryTypes[c.DeliveryType] {
			t.Errorf("customer %s: terms %+v not in the lists", c.Key, c.terms)
		}
		if c.Invoice == nil {
			t.Errorf("customer %s has no invoice address", c.Key)
		}
	}
	for _, c := range s.Companies {
		if !paymentTerms[c.PaymentTerms] || !paymentTypes[c.PaymentType] || !deliveryTerms[c.DeliveryTerms] || !deliveryTypes[c.DeliveryType] {
			t.Errorf("company %d: terms %+v not in the lists", c.Number, c.terms)
		}
	}
	if len(s.People) == 0 {
		t.Error("no salespeople")
	}
}

// TestSeedIsGenerated checks that the committed products.csv, prices.csv and pictures
// are what the generator writes from its product lines and erp.json.
func TestSeedIsGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	erp, err := fs.ReadFile(seedFS, "seed/erp.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "erp.json"), erp, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), goTool, "run", "./seed/gen", "-dir", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
	generated, _ := filepath.Glob(filepath.Join(dir, "images", "*.png"))
	want := []string{"products.csv", "prices.csv"}
	for _, g := range generated {
		want = append(want, "images/"+filepath.Base(g))
	}
	committed, _ := fs.Glob(seedFS, "seed/images/*.png")
	if len(committed) != len(generated) {
		t.Errorf("%d committed pictures, the generator writes %d", len(committed), len(generated))
	}
	for _, name := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		have, err := fs.ReadFile(seedFS, "seed/"+name)
		if err != nil || !slices.Equal(got, have) {
			t.Errorf("seed/%s is not what the generator writes (%v): run go generate ./examples/demoerp", name, err)
		}
	}
}
