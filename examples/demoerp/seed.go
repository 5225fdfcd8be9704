package demoerp

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

//go:generate go run ./seed/gen -dir seed

//go:embed schema.sql
var schema string

//go:embed seed/erp.json seed/products.csv seed/prices.csv seed/images/*.png
var seedFS embed.FS

// schemaVersion is stored in the database's user_version. A file with a newer version
// was made by another build of the demo ERP and is refused rather than guessed at; an
// older one is brought up to date by upgrades.
const schemaVersion = 2

// upgrades take a database of version i+1 (upgrades[i]) to the next version. Version 2
// adds quote_approvals, as schema.sql has it.
var upgrades = []string{approvalsTable}

// approvalsTable is the part of schema.sql that version 2 added: its end, from the
// quote_approvals table on.
var approvalsTable = func() string {
	const start = "CREATE TABLE quote_approvals"
	_, rest, ok := strings.Cut(schema, start)
	if !ok {
		panic("demoerp: schema.sql lost its quote_approvals table")
	}
	return start + rest
}()

// migrate creates and seeds a new database, in one transaction, and upgrades a database
// an older version made.
func (e *ERP) migrate(ctx context.Context) error {
	return e.write(ctx, func(tx *sql.Tx) error {
		var v int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			return fmt.Errorf("demoerp: read schema version: %w", err)
		}
		switch {
		case v == schemaVersion:
			return nil
		case v > 0 && v < schemaVersion:
			for _, up := range upgrades[v-1:] {
				if _, err := tx.ExecContext(ctx, up); err != nil {
					return fmt.Errorf("demoerp: upgrade schema from version %d: %w", v, err)
				}
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
			return err
		case v != 0:
			return fmt.Errorf("demoerp: the database has schema version %d, this program knows %d: delete the file to start from the seed", v, schemaVersion)
		}
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return fmt.Errorf("demoerp: create schema: %w", err)
		}
		s, err := loadSeed(seedFS)
		if err != nil {
			return err
		}
		if err := s.insert(ctx, tx); err != nil {
			return fmt.Errorf("demoerp: seed: %w", err)
		}
		// Statistics let the planner see that scanning items before their prices is cheaper.
		if _, err := tx.ExecContext(ctx, "ANALYZE"); err != nil {
			return fmt.Errorf("demoerp: analyze: %w", err)
		}
		_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		return err
	})
}

// seed is the ERP's starting data: erp.json (written by hand) and the generated item
// register, prices and pictures.
type seed struct {
	Companies []struct {
		Number   int    `json:"number"`
		Name     string `json:"name"`
		Currency string `json:"currency"`
		terms
	} `json:"companies"`
	Currencies []struct {
		Code string  `json:"code"`
		Name string  `json:"name"`
		Rate float64 `json:"rate"`
	} `json:"currencies"`
	PriceLists []struct {
		Key         string `json:"key"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Currency    string `json:"currency"`
		ValidFrom   string `json:"validFrom"`
		ValidTo     string `json:"validTo"`
		Active      bool   `json:"active"`
	} `json:"priceLists"`
	Lists     map[string][]seedListItem `json:"lists"`
	Customers []seedCustomer            `json:"customers"`
	People    []struct {
		Key         string  `json:"key"`
		Name        string  `json:"name"`
		MaxDiscount float64 `json:"maxDiscountPercent"`
	} `json:"salespeople"`

	items  []map[string]string // products.csv, by column name
	prices []map[string]string // prices.csv
	images map[string][2][]byte
}

type seedListItem struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description"`
}

// terms are a customer's payment and delivery terms, keys of the quote lists.
type terms struct {
	PaymentTerms  string `json:"paymentTerms"`
	PaymentType   string `json:"paymentType"`
	DeliveryTerms string `json:"deliveryTerms"`
	DeliveryType  string `json:"deliveryType"`
}

type seedCustomer struct {
	Key        string  `json:"key"`
	Name       string  `json:"name"`
	OrgNumber  string  `json:"orgNumber"`
	Currency   string  `json:"currency"`
	Discount   float64 `json:"discountPercent"`
	CreditStop bool    `json:"creditStop"`
	terms
	Invoice  *seedAddress `json:"invoice"`
	Delivery *seedAddress `json:"delivery"`
}

type seedAddress struct {
	Line1       string `json:"line1"`
	Line2       string `json:"line2"`
	Line3       string `json:"line3"`
	Zip         string `json:"zip"`
	City        string `json:"city"`
	CountryCode string `json:"countryCode"`
	Country     string `json:"country"`
}

func loadSeed(fsys fs.FS) (*seed, error) {
	b, err := fs.ReadFile(fsys, "seed/erp.json")
	if err != nil {
		return nil, err
	}
	s := &seed{images: map[string][2][]byte{}}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(s); err != nil {
		return nil, fmt.Errorf("demoerp: seed/erp.json: %w", err)
	}
	if s.items, err = readCSV(fsys, "seed/products.csv"); err != nil {
		return nil, err
	}
	if s.prices, err = readCSV(fsys, "seed/prices.csv"); err != nil {
		return nil, err
	}
	pictures, err := fs.Glob(fsys, "seed/images/*.png")
	if err != nil {
		return nil, err
	}
	for _, p := range pictures {
		name := strings.TrimSuffix(path.Base(p), ".png")
		if strings.HasSuffix(name, "-thumb") {
			continue
		}
		picture, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		thumb, err := fs.ReadFile(fsys, "seed/images/"+name+"-thumb.png")
		if err != nil {
			return nil, err
		}
		s.images[name] = [2][]byte{picture, thumb}
	}
	return s, nil
}

// readCSV reads a CSV file with a header row into one map per row.
func readCSV(fsys fs.FS, name string) ([]map[string]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("demoerp: %s: %w", name, err)
	}
	var rows []map[string]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("demoerp: %s: %w", name, err)
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
}

// insert writes the seed into a new database.
func (s *seed) insert(ctx context.Context, tx *sql.Tx) error {
	ins := inserter{ctx: ctx, tx: tx}
	for _, c := range s.Companies {
		ins.exec(`INSERT INTO companies VALUES (?, ?, ?, ?, ?, ?, ?)`, c.Number, c.Name, c.Currency,
			c.PaymentTerms, c.PaymentType, c.DeliveryTerms, c.DeliveryType)
	}
	for _, c := range s.Currencies {
		ins.exec(`INSERT INTO currencies VALUES (?, ?, ?)`, c.Code, c.Name, c.Rate)
	}
	for _, p := range s.PriceLists {
		ins.exec(`INSERT INTO price_lists VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.Key, p.Name, p.Description, p.Currency, p.ValidFrom, p.ValidTo, p.Active)
	}
	for name, img := range s.images {
		ins.exec(`INSERT INTO images VALUES (?, ?, ?)`, name, img[0], img[1])
	}
	for list, items := range s.Lists {
		for i, it := range items {
			ins.exec(`INSERT INTO list_items VALUES (?, ?, ?, ?, ?)`,
				strings.ToLower(list), it.Key, it.Value, it.Description, i+1)
		}
	}
	for _, c := range s.Customers {
		t := c.terms
		ins.exec(`INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Key, c.Name, fold(c.Name), digits(c.OrgNumber), c.Currency,
			t.PaymentTerms, t.PaymentType, t.DeliveryTerms, t.DeliveryType, c.Discount, c.CreditStop)
		for kind, a := range map[string]*seedAddress{"invoice": c.Invoice, "delivery": c.Delivery} {
			if a != nil {
				ins.exec(`INSERT INTO addresses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					c.Key, kind, a.Line1, a.Line2, a.Line3, a.Zip, a.City, a.CountryCode, a.Country)
			}
		}
	}
	for _, p := range s.People {
		ins.exec(`INSERT INTO salespeople VALUES (?, ?, ?)`, p.Key, p.Name, p.MaxDiscount)
	}
	for _, it := range s.items {
		var stock, image any // NULL unless given
		if it["stock"] != "" {
			stock = ins.float(it["stock"])
		}
		if it["image"] != "" {
			image = it["image"]
		}
		ins.exec(`INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it["code"], it["name"], it["description"], it["category"], it["family"], it["type"],
			it["quantity_unit"], it["price_unit"], ins.float(it["vat"]), ins.float(it["cost"]), stock,
			it["in_assortment"] == "true", it["subscription_unit"], ins.float(it["default_subscription_quantity"]),
			it["supplier"], it["supplier_code"], it["item_number"], image, ins.float(it["weight_kg"]),
			ins.float(it["warranty_months"]), it["origin"], it["ean"],
			fold(it["name"]), fold(it["description"]), fold(it["code"]+"\n"+it["name"]+"\n"+it["description"]))
	}
	for _, p := range s.prices {
		ins.exec(`INSERT INTO prices VALUES (?, ?, ?, ?)`,
			p["price_list"], p["item"], ins.float(p["list_price"]), ins.float(p["minimum_price"]))
	}
	return ins.err
}

// inserter runs statements until the first error and keeps it.
type inserter struct {
	ctx context.Context
	tx  *sql.Tx
	err error
}

func (i *inserter) exec(query string, args ...any) {
	if i.err != nil {
		return
	}
	if _, err := i.tx.ExecContext(i.ctx, query, args...); err != nil {
		i.err = fmt.Errorf("%s %v: %w", strings.Fields(query)[2], args[0], err)
	}
}

func (i *inserter) float(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && i.err == nil {
		i.err = fmt.Errorf("number %q: %w", s, err)
	}
	return f
}

// loadThumbnails reads the thumbnails into memory, as base64: they go out with every
// search hit, and there are only a few.
func (e *ERP) loadThumbnails(ctx context.Context) (map[string]string, error) {
	rows, err := e.r.QueryContext(ctx, `SELECT name, thumbnail FROM images`)
	if err != nil {
		return nil, fmt.Errorf("demoerp: load thumbnails: %w", err)
	}
	defer rows.Close()
	thumbs := map[string]string{}
	for rows.Next() {
		var name string
		var png []byte
		if err := rows.Scan(&name, &png); err != nil {
			return nil, err
		}
		thumbs[name] = base64.StdEncoding.EncodeToString(png)
	}
	return thumbs, rows.Err()
}

// fold prepares text for case-insensitive matching. SQLite's own LIKE and lower() fold
// ASCII letters only, which would miss Æ, Ø and Å.
func fold(s string) string { return strings.ToLower(s) }

// digits keeps the digits of s: organisation numbers are written with and without spaces.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, s)
}
