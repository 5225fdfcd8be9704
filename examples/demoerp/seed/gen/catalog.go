package main

import (
	"fmt"
	"strings"
)

// productLine is a series of items that differ only in size, model or finish. Name and
// desc hold one %s each, for the variant's label and detail.
type productLine struct {
	code                   string // the items' codes are code + variant suffix
	category, family, kind string // keys of the ProductCategory, ProductFamily and ProductType lists
	name, desc             string
	unit                   string // quantity and price unit
	vat                    float64
	cost                   float64 // NOK, for a variant with factor 1
	markup                 float64 // list price / cost
	weight                 float64 // kg, for a variant with weight 1
	stock                  int     // typical stock of one item; 0 = not kept in stock
	supplier, origin       string
	warranty               int    // months
	image                  string // picture name under images/, "" for none
	subscription           string // subscription unit, "" for one-off sales
	discontinued           bool   // the whole line is out of the assortment
	retired                []string
	variants               []variant
}

type variant struct {
	suffix, label, detail string
	factor                float64 // cost relative to the line's
	weight                float64 // weight relative to the line's; 0 in a cross means unchanged
}

func v(suffix, label, detail string, factor, weight float64) variant {
	return variant{suffix, label, detail, factor, weight}
}

// cross combines every variant of a with every variant of b: "-50" "50-200" and "-SS"
// "stainless" give "-50-SS" "50-200 stainless".
func cross(a, b []variant) []variant {
	var out []variant
	for _, x := range a {
		for _, y := range b {
			w := x.weight
			if y.weight != 0 {
				w *= y.weight
			}
			out = append(out, variant{
				suffix: x.suffix + y.suffix,
				label:  join(" ", x.label, y.label),
				detail: join(", ", x.detail, y.detail),
				factor: x.factor * y.factor,
				weight: w,
			})
		}
	}
	return out
}

func join(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// sizes returns one variant per size, each costing step more than the one before.
func sizes(unit string, step float64, values ...int) []variant {
	var out []variant
	for i, n := range values {
		s := fmt.Sprintf("%d %s", n, unit)
		f := 1 + float64(i)*step
		out = append(out, v(fmt.Sprintf("-%02d", n), s, s, f, f))
	}
	return out
}

// shoeSizes returns a variant per shoe size from first to last.
func shoeSizes(first, last int) []variant {
	var out []variant
	for n := first; n <= last; n++ {
		s := fmt.Sprintf("size %d", n)
		out = append(out, v(fmt.Sprintf("-%d", n), s, s, 1, 0))
	}
	return out
}

// bolts returns a variant per diameter and length, boxes of 100 up to M12 and of 50 above.
func bolts(dims map[int][]int, order []int) []variant {
	var out []variant
	for _, d := range order {
		for _, l := range dims[d] {
			pack := 100
			if d > 12 {
				pack = 50
			}
			size := fmt.Sprintf("M%dx%d", d, l)
			f := float64(d*d*l*pack) / (8 * 8 * 40 * 100)
			out = append(out, v("-"+size, size, fmt.Sprintf("%s, box of %d", size, pack), f, f))
		}
	}
	return out
}

// metric returns a variant per thread size, for nuts and washers.
func metric(pack int, ds ...int) []variant {
	var out []variant
	for _, d := range ds {
		s := fmt.Sprintf("M%d", d)
		f := float64(d*d) / 64
		out = append(out, v("-"+s, s, fmt.Sprintf("%s, box of %d", s, pack), f, f))
	}
	return out
}

var (
	zincOrA4 = []variant{
		v("-ZN", "8.8 zinc plated", "strength class 8.8, zinc plated", 1, 0),
		v("-A4", "A4-80 stainless", "stainless steel A4-80", 3.2, 0),
	}
	pumpSizes = []variant{
		v("-32", "32-125", "DN32, 1.1 kW", 1, 28),
		v("-40", "40-160", "DN40, 2.2 kW", 1.35, 41),
		v("-50", "50-200", "DN50, 4 kW", 1.9, 63),
		v("-65", "65-250", "DN65, 7.5 kW", 2.9, 118),
		v("-80", "80-315", "DN80, 15 kW", 4.6, 205),
		v("-100", "100-400", "DN100, 30 kW", 7.8, 390),
	}
)

// catalog is the demo ERP's assortment: a wholesaler of pumps, compressed air, tools,
// fasteners and protective equipment, with a few canteen goods, books and services so
// that all three Norwegian VAT rates (25, 15 and 0 %) occur.
func catalog() []productLine {
	const (
		pumpSupplier  = "Vestland Pumpeteknikk AS"
		airSupplier   = "Kompressorgruppen Nord AS"
		toolSupplier  = "Hansa Werkzeug GmbH"
		boltSupplier  = "Bolt og Mutter Engros AS"
		ppeSupplier   = "Trygg Arbeidsklær AS"
		chemSupplier  = "Kjemi Partner AS"
		goodsSupplier = "Kontorkjøp Norge AS"
		ownService    = "Brattli Maskin AS"
	)
	return []productLine{
		// Pumps.
		{code: "CP", category: "PUMP", family: "CP", kind: "GOODS", name: "Centrifugal pump CP %s",
			desc: "End-suction centrifugal pump, %s", unit: "pcs", vat: 25, cost: 9800, markup: 1.55, weight: 1,
			stock: 6, supplier: pumpSupplier, origin: "NO", warranty: 24, image: "pump",
			variants: cross(pumpSizes, []variant{
				v("-GG", "cast iron", "cast-iron casing", 1, 0),
				v("-SS", "stainless", "stainless-steel casing (AISI 316)", 1.6, 0),
			})},
		{code: "SK-CP", category: "PUMP", family: "CP", kind: "SPARE", name: "Mechanical seal kit for CP %s",
			desc: "Seal kit with O-rings for pump size %s", unit: "pcs", vat: 25, cost: 620, markup: 1.8, weight: 0.4,
			stock: 15, supplier: pumpSupplier, origin: "NO", warranty: 6, image: "pump",
			variants: []variant{
				v("-32", "32-125", "32-125", 1, 1), v("-40", "40-160", "40-160", 1.2, 1.2),
				v("-50", "50-200", "50-200", 1.5, 1.5), v("-65", "65-250", "65-250", 1.9, 2),
				v("-80", "80-315", "80-315", 2.6, 2.8), v("-100", "100-400", "100-400", 3.5, 3.9),
			}},
		{code: "SD", category: "PUMP", family: "SD", kind: "GOODS", name: "Drainage pump SD %s",
			desc: "Submersible drainage pump with float switch, %s", unit: "pcs", vat: 25, cost: 2400, markup: 1.6, weight: 1,
			stock: 20, supplier: pumpSupplier, origin: "IT", warranty: 24, image: "pump",
			variants: []variant{
				v("-04", "0.4 kW", "0.4 kW, 9 m3/h", 1, 9), v("-07", "0.75 kW", "0.75 kW, 15 m3/h", 1.4, 12),
				v("-11", "1.1 kW", "1.1 kW, 22 m3/h", 1.9, 17), v("-15", "1.5 kW", "1.5 kW, 30 m3/h", 2.5, 24),
				v("-22", "2.2 kW", "2.2 kW, 42 m3/h", 3.4, 31),
			}},
		{code: "BS", category: "PUMP", family: "BS", kind: "GOODS", name: "Booster set BS %s",
			desc: "Pressure booster set with frequency control, %s", unit: "pcs", vat: 25, cost: 21000, markup: 1.5, weight: 1,
			stock: 2, supplier: pumpSupplier, origin: "NO", warranty: 24, image: "pump",
			variants: cross([]variant{
				v("-3", "3 m3/h", "3 m3/h", 1, 85), v("-6", "6 m3/h", "6 m3/h", 1.3, 110), v("-12", "12 m3/h", "12 m3/h", 1.8, 160),
			}, []variant{
				v("-2", "twin", "two pumps", 1, 1), v("-3", "triple", "three pumps", 1.4, 1.4),
			})},

		// Compressed air.
		{code: "SC", category: "COMP", family: "SC", kind: "GOODS", name: "Screw compressor SC %s",
			desc: "Oil-injected screw compressor, 10 bar, %s", unit: "pcs", vat: 25, cost: 58000, markup: 1.5, weight: 1,
			stock: 3, supplier: airSupplier, origin: "SE", warranty: 24, image: "compressor",
			variants: cross([]variant{
				v("-7", "7.5 kW", "7.5 kW, 1.2 m3/min", 1, 310), v("-11", "11 kW", "11 kW, 1.8 m3/min", 1.3, 360),
				v("-15", "15 kW", "15 kW, 2.4 m3/min", 1.65, 420), v("-22", "22 kW", "22 kW, 3.6 m3/min", 2.3, 560),
				v("-37", "37 kW", "37 kW, 6.1 m3/min", 3.6, 820),
			}, []variant{
				v("", "", "", 1, 0), v("-D", "with dryer", "integrated refrigeration dryer", 1.25, 1.15),
			})},
		{code: "SC1", category: "COMP", family: "SC1", kind: "GOODS", name: "Screw compressor SC1 %s",
			desc: "Previous generation, replaced by SC. %s", unit: "pcs", vat: 25, cost: 52000, markup: 1.5, weight: 1,
			stock: 3, supplier: airSupplier, origin: "SE", warranty: 12, image: "compressor", discontinued: true,
			variants: []variant{
				v("-7", "7.5 kW", "7.5 kW, 1.1 m3/min", 1, 330), v("-11", "11 kW", "11 kW, 1.7 m3/min", 1.3, 380),
				v("-15", "15 kW", "15 kW, 2.2 m3/min", 1.65, 440),
			}},
		{code: "PC", category: "COMP", family: "PC", kind: "GOODS", name: "Piston compressor PC %s",
			desc: "Belt-driven piston compressor, 10 bar, %s", unit: "pcs", vat: 25, cost: 5200, markup: 1.6, weight: 1,
			stock: 8, supplier: airSupplier, origin: "IT", warranty: 24, image: "compressor", retired: []string{"PC-24"},
			variants: []variant{
				v("-24", "24 l", "24 l tank, 1.5 kW", 0.5, 28), v("-50", "50 l", "50 l tank, 2.2 kW", 1, 45),
				v("-100", "100 l", "100 l tank, 3 kW", 1.5, 78), v("-200", "200 l", "200 l tank, 4 kW", 2.3, 135),
				v("-270", "270 l", "270 l tank, 5.5 kW", 2.9, 170),
			}},
		{code: "AD", category: "COMP", family: "AIRTREAT", kind: "GOODS", name: "Refrigeration air dryer AD %s",
			desc: "Refrigeration dryer, pressure dew point +3 °C, %s", unit: "pcs", vat: 25, cost: 11500, markup: 1.5, weight: 1,
			stock: 4, supplier: airSupplier, origin: "SE", warranty: 24, image: "compressor",
			variants: []variant{
				v("-10", "1.0 m3/min", "1.0 m3/min", 1, 38), v("-20", "2.0 m3/min", "2.0 m3/min", 1.5, 52),
				v("-40", "4.0 m3/min", "4.0 m3/min", 2.3, 80), v("-60", "6.0 m3/min", "6.0 m3/min", 3.1, 110),
			}},
		{code: "AR", category: "COMP", family: "AIRTREAT", kind: "GOODS", name: "Air receiver AR %s, 11 bar",
			desc: "Galvanised vertical air receiver, %s", unit: "pcs", vat: 25, cost: 6900, markup: 1.5, weight: 1,
			stock: 3, supplier: airSupplier, origin: "DE", warranty: 24, image: "compressor",
			variants: []variant{
				v("-270", "270 l", "270 l", 1, 95), v("-500", "500 l", "500 l", 1.6, 150),
				v("-900", "900 l", "900 l", 2.6, 230), v("-2000", "2000 l", "2000 l", 5.2, 480),
			}},
		{code: "FE", category: "COMP", family: "AIRTREAT", kind: "SPARE", name: "Filter element FE %s",
			desc: "Replacement element for line filters, %s", unit: "pcs", vat: 25, cost: 420, markup: 1.9, weight: 0.3,
			stock: 25, supplier: airSupplier, origin: "DE", warranty: 0, image: "compressor",
			variants: cross([]variant{
				v("-1", "size 1", "size 1 (up to 1.5 m3/min)", 1, 1), v("-2", "size 2", "size 2 (up to 4 m3/min)", 1.5, 1.6),
				v("-3", "size 3", "size 3 (up to 8 m3/min)", 2.2, 2.5),
			}, []variant{
				v("-P", "particle", "particles down to 1 µm", 1, 0), v("-F", "fine", "oil aerosols down to 0.01 mg/m3", 1.4, 0),
			})},

		// Power tools.
		{code: "CD18", category: "POWER", family: "CORDLESS", kind: "GOODS", name: "Cordless drill driver CD18 %s",
			desc: "18 V drill driver, 60 Nm, %s", unit: "pcs", vat: 25, cost: 1150, markup: 1.7, weight: 1,
			stock: 30, supplier: toolSupplier, origin: "DE", warranty: 36, image: "drill",
			variants: []variant{
				v("-0", "bare tool", "without battery and charger", 1, 1.4), v("-2", "kit 2x2.0 Ah", "two 2.0 Ah batteries and charger in case", 1.6, 1.9),
				v("-5", "kit 2x5.0 Ah", "two 5.0 Ah batteries and charger in case", 2.1, 2.3),
			}},
		{code: "BAT18", category: "POWER", family: "CORDLESS", kind: "SPARE", name: "Battery 18 V %s",
			desc: "Li-ion battery for all 18 V tools, %s", unit: "pcs", vat: 25, cost: 380, markup: 1.7, weight: 0.4,
			stock: 40, supplier: toolSupplier, origin: "DE", warranty: 24, image: "drill",
			variants: []variant{
				v("-2", "2.0 Ah", "2.0 Ah", 1, 1), v("-4", "4.0 Ah", "4.0 Ah", 1.6, 1.5),
				v("-5", "5.0 Ah", "5.0 Ah", 1.9, 1.7), v("-8", "8.0 Ah", "8.0 Ah", 2.8, 2.5),
			}},
		{code: "CHG18", category: "POWER", family: "CORDLESS", kind: "SPARE", name: "Charger 18 V %s",
			desc: "Charger for 18 V batteries, %s", unit: "pcs", vat: 25, cost: 310, markup: 1.7, weight: 0.6,
			stock: 25, supplier: toolSupplier, origin: "DE", warranty: 24, image: "drill",
			variants: []variant{v("-S", "standard", "charges 4.0 Ah in 60 minutes", 1, 1), v("-F", "fast", "charges 4.0 Ah in 30 minutes", 1.5, 1.2)},
		},
		{code: "AG", category: "POWER", family: "GRIND", kind: "GOODS", name: "Angle grinder AG %s",
			desc: "Angle grinder with restart protection, %s", unit: "pcs", vat: 25, cost: 720, markup: 1.7, weight: 1,
			stock: 15, supplier: toolSupplier, origin: "DE", warranty: 36, image: "drill", retired: []string{"AG-230-C"},
			variants: cross([]variant{
				v("-115", "115 mm", "disc 115 mm", 1, 2.1), v("-125", "125 mm", "disc 125 mm", 1.1, 2.3),
				v("-150", "150 mm", "disc 150 mm", 1.4, 2.8), v("-230", "230 mm", "disc 230 mm", 1.9, 5.6),
			}, []variant{
				v("-C", "corded", "corded, 230 V", 1, 0), v("-B", "cordless 18 V", "18 V, without battery", 1.2, 0),
			})},
		{code: "IW", category: "POWER", family: "IMPACT", kind: "GOODS", name: "Impact wrench IW %s",
			desc: "Impact wrench, %s", unit: "pcs", vat: 25, cost: 1900, markup: 1.7, weight: 1,
			stock: 10, supplier: toolSupplier, origin: "JP", warranty: 24, image: "drill",
			variants: cross([]variant{
				v("-12", "1/2 in", "1/2 in square drive", 1, 1.3), v("-34", "3/4 in", "3/4 in square drive", 1.6, 2.9),
				v("-1", "1 in", "1 in square drive", 2.5, 5.1),
			}, []variant{
				v("-P", "pneumatic", "pneumatic, 6.3 bar", 1, 0), v("-B", "cordless 18 V", "18 V, without battery", 1.5, 0),
			})},
		{code: "CSW", category: "POWER", family: "SAW", kind: "GOODS", name: "Circular saw CSW %s",
			desc: "Circular saw with guide rail groove, blade %s", unit: "pcs", vat: 25, cost: 1700, markup: 1.7, weight: 1,
			stock: 8, supplier: toolSupplier, origin: "DE", warranty: 36, image: "drill",
			variants: []variant{v("-165", "165 mm", "165 mm", 1, 3.5), v("-190", "190 mm", "190 mm", 1.25, 4.2), v("-235", "235 mm", "235 mm", 1.7, 6.8)},
		},
		{code: "RH", category: "POWER", family: "HAMMER", kind: "GOODS", name: "Rotary hammer RH %s",
			desc: "Rotary hammer with vibration damping, %s", unit: "pcs", vat: 25, cost: 1600, markup: 1.7, weight: 1,
			stock: 8, supplier: toolSupplier, origin: "DE", warranty: 36, image: "drill",
			variants: []variant{
				v("-P2", "SDS-plus 2 kg", "SDS-plus, 2 kg class", 1, 2), v("-P3", "SDS-plus 3 kg", "SDS-plus, 3 kg class", 1.4, 3),
				v("-M5", "SDS-max 5 kg", "SDS-max, 5 kg class", 2.3, 5), v("-M8", "SDS-max 8 kg", "SDS-max, 8 kg class", 3.4, 8),
			}},

		// Hand tools.
		{code: "CSP", category: "HAND", family: "SPANNER", kind: "GOODS", name: "Combination spanner %s",
			desc: "Chrome vanadium combination spanner, 15° ring offset, %s", unit: "pcs", vat: 25, cost: 45, markup: 1.9, weight: 0.05,
			stock: 60, supplier: toolSupplier, origin: "DE", warranty: 60, image: "spanner",
			variants: sizes("mm", 0.08, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 30, 32)},
		{code: "SKS", category: "HAND", family: "SPANNER", kind: "GOODS", name: "Socket set %s",
			desc: "Socket set in steel case, %s", unit: "pcs", vat: 25, cost: 690, markup: 1.9, weight: 1,
			stock: 12, supplier: toolSupplier, origin: "TW", warranty: 60, image: "spanner",
			variants: []variant{
				v("-14", "1/4 in, 46 pcs", "1/4 in drive, 46 pieces", 1, 2.1), v("-38", "3/8 in, 34 pcs", "3/8 in drive, 34 pieces", 1.3, 3.2),
				v("-12", "1/2 in, 24 pcs", "1/2 in drive, 24 pieces", 1.6, 4.9), v("-94", "1/4 + 1/2 in, 94 pcs", "1/4 and 1/2 in drive, 94 pieces", 3.1, 9.5),
			}},
		{code: "TW", category: "HAND", family: "SPANNER", kind: "GOODS", name: "Torque wrench TW %s",
			desc: "Click-type torque wrench, ±4 %% accuracy, %s", unit: "pcs", vat: 25, cost: 780, markup: 1.9, weight: 1,
			stock: 10, supplier: toolSupplier, origin: "DE", warranty: 24, image: "spanner",
			variants: []variant{
				v("-25", "5-25 Nm", "5-25 Nm, 1/4 in", 1, 0.5), v("-100", "20-100 Nm", "20-100 Nm, 3/8 in", 1.2, 0.9),
				v("-200", "40-200 Nm", "40-200 Nm, 1/2 in", 1.5, 1.5), v("-340", "60-340 Nm", "60-340 Nm, 1/2 in", 1.9, 2.1),
			}},
		{code: "SDR", category: "HAND", family: "HANDTOOL", kind: "GOODS", name: "Screwdriver set %s",
			desc: "Screwdriver set, %s", unit: "pcs", vat: 25, cost: 190, markup: 1.9, weight: 1,
			stock: 25, supplier: toolSupplier, origin: "DE", warranty: 60, image: "spanner",
			variants: []variant{
				v("-6", "6 pcs", "slotted and Phillips, 6 pieces", 1, 0.5), v("-8V", "8 pcs insulated", "insulated to 1000 V, 8 pieces", 1.8, 0.7),
				v("-12", "12 pcs", "slotted, Phillips and Torx, 12 pieces", 1.6, 1),
			}},
		{code: "PLR", category: "HAND", family: "HANDTOOL", kind: "GOODS", name: "Pliers %s",
			desc: "Pliers with two-component handles, %s", unit: "pcs", vat: 25, cost: 120, markup: 1.9, weight: 1,
			stock: 25, supplier: toolSupplier, origin: "DE", warranty: 60, image: "spanner",
			variants: []variant{
				v("-C180", "combination 180 mm", "combination, 180 mm", 1, 0.3), v("-S160", "side cutter 160 mm", "side cutter, 160 mm", 1.1, 0.2),
				v("-W250", "water pump 250 mm", "water pump, 250 mm", 1.2, 0.4), v("-L200", "long nose 200 mm", "long nose, 200 mm", 1.1, 0.2),
			}},

		// Fasteners, sold by the box.
		{code: "HB", category: "FAST", family: "BOLT", kind: "CONS", name: "Hex bolt %s",
			desc: "ISO 4017 hex bolt %s", unit: "box", vat: 25, cost: 95, markup: 2.2, weight: 2.2,
			stock: 40, supplier: boltSupplier, origin: "DE", warranty: 0, image: "bolt",
			variants: cross(bolts(map[int][]int{
				6: {20, 30, 40, 50, 60}, 8: {20, 30, 40, 50, 60, 80}, 10: {30, 40, 50, 60, 80, 100},
				12: {30, 40, 50, 60, 80, 100, 120}, 16: {40, 50, 60, 80, 100, 120}, 20: {50, 60, 80, 100, 120},
			}, []int{6, 8, 10, 12, 16, 20}), zincOrA4)},
		{code: "HN", category: "FAST", family: "BOLT", kind: "CONS", name: "Hex nut %s",
			desc: "ISO 4032 hex nut %s", unit: "box", vat: 25, cost: 38, markup: 2.2, weight: 0.6,
			stock: 50, supplier: boltSupplier, origin: "DE", warranty: 0, image: "bolt",
			variants: cross(metric(100, 6, 8, 10, 12, 16, 20, 24), zincOrA4)},
		{code: "WS", category: "FAST", family: "BOLT", kind: "CONS", name: "Washer %s",
			desc: "ISO 7089 flat washer %s", unit: "box", vat: 25, cost: 22, markup: 2.2, weight: 0.3,
			stock: 50, supplier: boltSupplier, origin: "DE", warranty: 0, image: "bolt",
			variants: cross(metric(200, 6, 8, 10, 12, 16, 20, 24), []variant{
				v("-ZN", "zinc plated", "zinc plated", 1, 0), v("-A4", "A4 stainless", "stainless steel A4", 3.2, 0),
			})},
		{code: "AB", category: "FAST", family: "ANCHOR", kind: "CONS", name: "Anchor bolt %s",
			desc: "Through bolt for concrete, %s", unit: "box", vat: 25, cost: 260, markup: 2.1, weight: 1,
			stock: 30, supplier: boltSupplier, origin: "DE", warranty: 0, image: "bolt",
			variants: cross([]variant{
				v("-M8x75", "M8x75", "M8x75, box of 50", 1, 2.1), v("-M10x90", "M10x90", "M10x90, box of 50", 1.5, 3.4),
				v("-M12x110", "M12x110", "M12x110, box of 25", 1.3, 3), v("-M16x145", "M16x145", "M16x145, box of 25", 2.4, 6.2),
			}, []variant{
				v("-ZN", "zinc plated", "zinc plated", 1, 0), v("-HDG", "hot-dip galvanised", "hot-dip galvanised", 1.35, 0),
			})},
		{code: "WSC", category: "FAST", family: "ANCHOR", kind: "CONS", name: "Wood screw %s",
			desc: "Countersunk wood screw with Torx drive, %s", unit: "box", vat: 25, cost: 85, markup: 2.2, weight: 1,
			stock: 40, supplier: boltSupplier, origin: "SE", warranty: 0, image: "bolt",
			variants: cross([]variant{
				v("-4.0x40", "4.0x40", "4.0x40, box of 200", 1, 0.9), v("-4.5x50", "4.5x50", "4.5x50, box of 200", 1.3, 1.3),
				v("-5.0x60", "5.0x60", "5.0x60, box of 200", 1.7, 1.9), v("-5.0x80", "5.0x80", "5.0x80, box of 100", 1.2, 1.3),
				v("-6.0x100", "6.0x100", "6.0x100, box of 100", 1.9, 2.3), v("-6.0x120", "6.0x120", "6.0x120, box of 100", 2.3, 2.8),
			}, []variant{
				v("-ZN", "yellow zinc", "yellow zinc", 1, 0), v("-A4", "A4 stainless", "stainless steel A4", 3, 0),
			})},

		// Protective equipment.
		{code: "SH", category: "PPE", family: "HEAD", kind: "GOODS", name: "Safety helmet SH %s",
			desc: "Ventilated safety helmet EN 397 with ratchet, %s", unit: "pcs", vat: 25, cost: 140, markup: 1.9, weight: 0.4,
			stock: 40, supplier: ppeSupplier, origin: "SE", warranty: 12, image: "helmet",
			variants: []variant{
				v("-WH", "white", "white", 1, 1), v("-YE", "yellow", "yellow", 1, 1), v("-RD", "red", "red", 1, 1),
				v("-BL", "blue", "blue", 1, 1), v("-GN", "green", "green", 1, 1), v("-OR", "orange", "high-visibility orange", 1.1, 1),
			}},
		{code: "HP", category: "PPE", family: "HEAD", kind: "GOODS", name: "Hearing protection HP %s",
			desc: "Ear muffs, SNR 30 dB, %s", unit: "pcs", vat: 25, cost: 160, markup: 1.9, weight: 0.3,
			stock: 30, supplier: ppeSupplier, origin: "SE", warranty: 12, image: "helmet",
			variants: []variant{
				v("-HB", "headband", "headband", 1, 1), v("-HM", "helmet-mounted", "for mounting on SH helmets", 1.1, 1),
				v("-BT", "with Bluetooth", "headband, Bluetooth and FM radio", 4.5, 1.3),
			}},
		{code: "SG", category: "PPE", family: "HEAD", kind: "GOODS", name: "Safety glasses SG %s",
			desc: "Safety glasses EN 166, %s", unit: "pcs", vat: 25, cost: 45, markup: 2, weight: 0.05,
			stock: 80, supplier: ppeSupplier, origin: "CN", warranty: 0, image: "helmet",
			variants: []variant{
				v("-C", "clear", "clear lens", 1, 1), v("-T", "tinted", "tinted lens", 1.1, 1),
				v("-AF", "anti-fog", "clear anti-fog lens", 1.4, 1), v("-OTG", "over-spectacles", "fits over prescription glasses", 1.3, 1.2),
			}},
		{code: "GL", category: "PPE", family: "GLOVES", kind: "CONS", name: "Work gloves %s",
			desc: "Work gloves, %s", unit: "pair", vat: 25, cost: 55, markup: 2, weight: 0.1,
			stock: 120, supplier: ppeSupplier, origin: "PK", warranty: 0, image: "helmet",
			variants: cross([]variant{
				v("-C", "cut-resistant", "cut level C", 1, 1), v("-W", "winter", "lined for winter work", 1.3, 1.4),
				v("-N", "nitrile-coated", "nitrile coated palm", 0.6, 0.8),
			}, []variant{
				v("-07", "size 7", "size 7 (S)", 1, 0), v("-08", "size 8", "size 8 (M)", 1, 0), v("-09", "size 9", "size 9 (L)", 1, 0),
				v("-10", "size 10", "size 10 (XL)", 1, 0), v("-11", "size 11", "size 11 (XXL)", 1, 0),
			})},
		{code: "SB", category: "PPE", family: "FOOT", kind: "GOODS", name: "Safety boots S3 %s",
			desc: "Safety boots S3 with composite toe cap, %s", unit: "pair", vat: 25, cost: 620, markup: 1.8, weight: 1.4,
			stock: 6, supplier: ppeSupplier, origin: "PT", warranty: 6, image: "helmet",
			variants: cross([]variant{
				v("-L", "low", "low cut", 1, 1), v("-H", "high", "high cut with lining", 1.25, 1.2),
			}, shoeSizes(38, 47))},

		// Hoses and fittings.
		{code: "AH", category: "HOSE", family: "AIRLINE", kind: "GOODS", name: "Air hose PVC %s",
			desc: "Reinforced PVC air hose with couplings, 15 bar, %s", unit: "pcs", vat: 25, cost: 140, markup: 1.9, weight: 1,
			stock: 25, supplier: airSupplier, origin: "IT", warranty: 12, image: "hose",
			variants: cross([]variant{
				v("-06", "6 mm", "inner diameter 6 mm", 1, 1), v("-08", "8 mm", "inner diameter 8 mm", 1.3, 1.4),
				v("-10", "10 mm", "inner diameter 10 mm", 1.7, 1.9), v("-13", "13 mm", "inner diameter 13 mm", 2.4, 2.8),
			}, []variant{
				v("-10", "10 m", "10 m", 1, 1), v("-15", "15 m", "15 m", 1.45, 1.5), v("-20", "20 m", "20 m", 1.9, 2),
			})},
		{code: "QC", category: "HOSE", family: "AIRLINE", kind: "GOODS", name: "Quick coupling QC %s",
			desc: "Safety quick coupling, %s", unit: "pcs", vat: 25, cost: 38, markup: 2, weight: 0.1,
			stock: 90, supplier: airSupplier, origin: "DE", warranty: 12, image: "hose",
			variants: cross([]variant{
				v("-M", "male", "male thread", 1, 1), v("-F", "female", "female thread", 1.05, 1),
			}, []variant{
				v("-14", "1/4 in", "1/4 in BSP", 1, 0), v("-38", "3/8 in", "3/8 in BSP", 1.2, 0), v("-12", "1/2 in", "1/2 in BSP", 1.5, 0),
			})},
		{code: "HR", category: "HOSE", family: "AIRLINE", kind: "GOODS", name: "Hose reel HR %s",
			desc: "Automatic hose reel for wall mounting with 10 mm hose, %s", unit: "pcs", vat: 25, cost: 850, markup: 1.8, weight: 1,
			stock: 6, supplier: airSupplier, origin: "IT", warranty: 24, image: "hose",
			variants: []variant{v("-10", "10 m", "10 m", 1, 7), v("-15", "15 m", "15 m", 1.2, 8.5), v("-20", "20 m", "20 m", 1.45, 10)},
		},

		// Oils and chemicals.
		{code: "CO46", category: "CHEM", family: "OIL", kind: "CONS", name: "Compressor oil ISO VG 46, %s",
			desc: "Synthetic compressor oil for screw compressors, %s", unit: "pcs", vat: 25, cost: 95, markup: 1.8, weight: 1,
			stock: 30, supplier: chemSupplier, origin: "NO", warranty: 0, image: "can",
			variants: []variant{
				v("-1", "1 l", "1 l bottle", 1, 1), v("-5", "5 l", "5 l can", 4.2, 5), v("-20", "20 l", "20 l can", 15, 19),
				v("-208", "208 l", "208 l drum", 140, 190),
			}},
		{code: "GR2", category: "CHEM", family: "OIL", kind: "CONS", name: "Universal grease EP2, %s",
			desc: "Lithium complex grease, NLGI 2, %s", unit: "pcs", vat: 25, cost: 48, markup: 1.8, weight: 1,
			stock: 40, supplier: chemSupplier, origin: "NO", warranty: 0, image: "can",
			variants: []variant{v("-400", "400 g cartridge", "400 g cartridge", 1, 0.45), v("-1K", "1 kg tin", "1 kg tin", 2.2, 1.1), v("-18K", "18 kg pail", "18 kg pail", 31, 19)},
		},
		{code: "DG", category: "CHEM", family: "CLEAN", kind: "CONS", name: "Degreaser 5%% citrus, %s",
			desc: "Water-based degreaser with 5%% citrus extract, %s", unit: "pcs", vat: 25, cost: 62, markup: 1.8, weight: 1,
			stock: 30, supplier: chemSupplier, origin: "NO", warranty: 0, image: "can",
			variants: []variant{v("-1", "1 l spray", "1 l spray bottle", 1, 1.1), v("-5", "5 l", "5 l can", 3.6, 5.3), v("-25", "25 l", "25 l can", 15, 26)},
		},
		{code: "GC", category: "CHEM", family: "CLEAN", kind: "CONS", name: "Coolant glycol 40%%, %s",
			desc: "Ready-mixed glycol coolant, 40%% propylene glycol, frost-proof to -22 °C, %s", unit: "pcs", vat: 25, cost: 130, markup: 1.8, weight: 1,
			stock: 15, supplier: chemSupplier, origin: "NO", warranty: 0, image: "can",
			variants: []variant{v("-5", "5 l", "5 l can", 1, 5.2), v("-25", "25 l", "25 l can", 4.4, 26), v("-208", "208 l", "208 l drum", 33, 215)},
		},
		{code: "WP", category: "CHEM", family: "CLEAN", kind: "CONS", name: "Cleaning wipes, %s",
			desc: "Pre-moistened wipes for hands and tools, %s", unit: "pcs", vat: 25, cost: 89, markup: 1.8, weight: 1,
			stock: 40, supplier: chemSupplier, origin: "SE", warranty: 0, image: "can",
			variants: []variant{v("-80", "bucket of 80", "bucket of 80", 1, 1.2), v("-150", "bucket of 150", "bucket of 150", 1.7, 2.1)},
		},

		// Workplace supplies: food carries 15 % VAT, printed books 0 %.
		{code: "COF", category: "SUPPLY", family: "CANTEEN", kind: "CONS", name: "Coffee, %s",
			desc: "Fairly traded coffee, %s", unit: "pcs", vat: 15, cost: 120, markup: 1.4, weight: 1,
			stock: 50, supplier: goodsSupplier, origin: "NO", warranty: 0, image: "cup",
			variants: []variant{
				v("-MB", "whole beans, medium roast, 1 kg", "whole beans, medium roast, 1 kg", 1, 1),
				v("-DB", "whole beans, dark roast, 1 kg", "whole beans, dark roast, 1 kg", 1, 1),
				v("-G", "ground, 500 g", "filter ground, 500 g", 0.55, 0.5),
			}},
		{code: "TEA", category: "SUPPLY", family: "CANTEEN", kind: "CONS", name: "Tea assortment, %s",
			desc: "Six kinds of black, green and herbal tea, %s", unit: "pcs", vat: 15, cost: 65, markup: 1.4, weight: 0.3,
			stock: 30, supplier: goodsSupplier, origin: "GB", warranty: 0, image: "cup",
			variants: []variant{v("-100", "100 bags", "100 bags", 1, 1)},
		},
		{code: "WAT", category: "SUPPLY", family: "CANTEEN", kind: "CONS", name: "Drinking water, %s",
			desc: "Still spring water, %s", unit: "pcs", vat: 15, cost: 95, markup: 1.4, weight: 12.5,
			stock: 60, supplier: goodsSupplier, origin: "NO", warranty: 0, image: "cup",
			variants: []variant{v("-24", "24 x 0.5 l", "24 bottles of 0.5 l", 1, 1)},
		},
		{code: "FRU", category: "SUPPLY", family: "CANTEEN", kind: "CONS", name: "Fruit basket, %s",
			desc: "Seasonal fruit delivered to the workplace, %s", unit: "pcs", vat: 15, cost: 210, markup: 1.4, weight: 1,
			stock: 0, supplier: goodsSupplier, origin: "NO", warranty: 0, image: "cup",
			variants: []variant{v("-5", "5 kg", "5 kg", 1, 5), v("-10", "10 kg", "10 kg", 1.8, 10)},
		},
		{code: "BK-AIR", category: "SUPPLY", family: "BOOKS", kind: "LIT", name: "Compressed air in practice, %s",
			desc: "Handbook on design and operation of compressed-air systems, 320 pages, %s", unit: "pcs", vat: 0, cost: 290, markup: 1.7, weight: 0.9,
			stock: 20, supplier: ownService, origin: "NO", warranty: 0, image: "book",
			variants: []variant{v("-NO", "Norwegian edition", "Norwegian", 1, 1), v("-EN", "English edition", "English", 1.1, 1)},
		},
		{code: "BK-PUMP", category: "SUPPLY", family: "BOOKS", kind: "LIT", name: "The pump handbook, %s",
			desc: "Selecting, installing and maintaining pumps, 260 pages, %s", unit: "pcs", vat: 0, cost: 260, markup: 1.7, weight: 0.8,
			stock: 15, supplier: ownService, origin: "NO", warranty: 0, image: "book",
			variants: []variant{v("-NO", "Norwegian edition", "Norwegian", 1, 1)},
		},
		{code: "BK-HMS", category: "SUPPLY", family: "BOOKS", kind: "LIT", name: "Safety at work, %s",
			desc: "Health, safety and environment at the workshop, %s", unit: "pcs", vat: 0, cost: 60, markup: 1.8, weight: 0.2,
			stock: 50, supplier: ownService, origin: "NO", warranty: 0, image: "book",
			variants: []variant{v("-NO", "pocket guide", "pocket guide, 96 pages", 1, 1)},
		},

		// Services: not kept in stock, no pictures.
		{code: "SA-C", category: "SERVICE", family: "AGREEMENT", kind: "SUBS", name: "Service agreement compressor %s",
			desc: "Preventive maintenance of one compressor, invoiced monthly, %s", unit: "month", vat: 25, cost: 450, markup: 1.8, weight: 0,
			supplier: ownService, origin: "NO", subscription: "month",
			variants: []variant{
				v("-B", "Basic", "one yearly service visit", 1, 0), v("-P", "Plus", "two service visits and remote monitoring", 1.6, 0),
				v("-X", "Premium", "all service visits, parts and remote monitoring", 2.4, 0),
			}},
		{code: "SA-P", category: "SERVICE", family: "AGREEMENT", kind: "SUBS", name: "Service agreement pump %s",
			desc: "Preventive maintenance of one pump installation, invoiced monthly, %s", unit: "month", vat: 25, cost: 320, markup: 1.8, weight: 0,
			supplier: ownService, origin: "NO", subscription: "month",
			variants: []variant{v("-B", "Basic", "one yearly service visit", 1, 0), v("-X", "Premium", "all service visits and parts", 2.2, 0)},
		},
		{code: "INST", category: "SERVICE", family: "WORK", kind: "SERV", name: "Installation work, %s",
			desc: "Certified technician, %s", unit: "hour", vat: 25, cost: 650, markup: 1.6, weight: 0,
			supplier: ownService, origin: "NO",
			variants: []variant{v("-H", "per hour", "weekdays 07-16", 1, 0), v("-OT", "overtime, per hour", "evenings and weekends", 1.5, 0)},
		},
		{code: "TRAVEL", category: "SERVICE", family: "WORK", kind: "SERV", name: "Travel time%s",
			desc: "Technician's travel time to and from the site%s", unit: "hour", vat: 25, cost: 520, markup: 1.5, weight: 0,
			supplier: ownService, origin: "NO",
			variants: []variant{v("", ", per hour", "", 1, 0)},
		},
		{code: "COURSE", category: "SERVICE", family: "WORK", kind: "SERV", name: "Course: %s",
			desc: "Classroom course with certificate, %s", unit: "participant", vat: 0, cost: 2100, markup: 1.7, weight: 0,
			supplier: ownService, origin: "NO",
			variants: []variant{
				v("-AIR", "Safe use of compressed air", "1 day", 1, 0), v("-PUMP", "Pump maintenance", "2 days", 1.8, 0),
			}},
	}
}
