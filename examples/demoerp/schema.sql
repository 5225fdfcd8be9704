-- The demo ERP's database. The catalogue (items, prices, price lists, lists, customers,
-- salespeople) is shared demo data loaded from the seed; quotes and orders belong to one
-- SuperOffice tenant each and are keyed by the tenant id.
--
-- Dates are text: price list validity in the .NET form SuperOffice sends
-- (2025-01-01T00:00:00, inclusive, 9999-12-31T23:59:59.9999999 for "open"), which
-- compares correctly as text; event times as RFC 3339 in UTC.

-- The ERP's own companies (legal entities), with the terms they offer a company that is
-- no customer yet.
CREATE TABLE companies (
	number         INTEGER PRIMARY KEY,
	name           TEXT NOT NULL,
	currency       TEXT NOT NULL,
	payment_terms  TEXT NOT NULL,
	payment_type   TEXT NOT NULL,
	delivery_terms TEXT NOT NULL,
	delivery_type  TEXT NOT NULL
);

CREATE TABLE currencies (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	rate REAL NOT NULL -- NOK for one unit of the currency
);

CREATE TABLE price_lists (
	key         TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	currency    TEXT NOT NULL REFERENCES currencies (code),
	valid_from  TEXT NOT NULL,
	valid_to    TEXT NOT NULL,
	active      INTEGER NOT NULL
);

CREATE TABLE images (
	name      TEXT PRIMARY KEY,
	picture   BLOB NOT NULL,
	thumbnail BLOB NOT NULL
);

CREATE TABLE items (
	code              TEXT PRIMARY KEY,
	name              TEXT NOT NULL,
	description       TEXT NOT NULL,
	category          TEXT NOT NULL,
	family            TEXT NOT NULL,
	type              TEXT NOT NULL,
	quantity_unit     TEXT NOT NULL,
	price_unit        TEXT NOT NULL,
	vat               REAL NOT NULL, -- percent
	cost              REAL NOT NULL, -- NOK per unit
	stock             REAL,          -- NULL: not kept in stock; negative: sold out, on order
	in_assortment     INTEGER NOT NULL,
	subscription_unit TEXT NOT NULL,
	subscription_qty  REAL NOT NULL,
	supplier          TEXT NOT NULL,
	supplier_code     TEXT NOT NULL,
	item_number       TEXT NOT NULL,
	image             TEXT REFERENCES images (name),
	weight_kg         REAL NOT NULL,
	warranty_months   INTEGER NOT NULL,
	origin            TEXT NOT NULL,
	ean               TEXT NOT NULL,
	-- Lower-case copies for case-insensitive search: SQLite's LIKE and lower() fold
	-- ASCII letters only.
	name_fold         TEXT NOT NULL,
	description_fold  TEXT NOT NULL,
	search            TEXT NOT NULL -- code, name and description, one a line, for FindProduct
);

CREATE TABLE prices (
	price_list    TEXT NOT NULL REFERENCES price_lists (key),
	item          TEXT NOT NULL REFERENCES items (code),
	list_price    REAL NOT NULL,
	minimum_price REAL NOT NULL,
	PRIMARY KEY (price_list, item)
) WITHOUT ROWID;

CREATE INDEX prices_item ON prices (item);

-- The lists GetQuoteList serves, by lower-case list name.
CREATE TABLE list_items (
	list        TEXT NOT NULL,
	key         TEXT NOT NULL,
	value       TEXT NOT NULL,
	description TEXT NOT NULL,
	rank        INTEGER NOT NULL,
	PRIMARY KEY (list, key)
) WITHOUT ROWID;

CREATE TABLE customers (
	key              TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	name_fold        TEXT NOT NULL, -- lower case, for matching the CRM company's name
	org_number       TEXT NOT NULL, -- digits only; '' when unknown
	currency         TEXT NOT NULL,
	payment_terms    TEXT NOT NULL,
	payment_type     TEXT NOT NULL,
	delivery_terms   TEXT NOT NULL,
	delivery_type    TEXT NOT NULL,
	discount_percent REAL NOT NULL, -- the customer's agreed discount
	credit_stop      INTEGER NOT NULL
);

CREATE INDEX customers_org_number ON customers (org_number) WHERE org_number <> '';
CREATE INDEX customers_name_fold ON customers (name_fold);

CREATE TABLE addresses (
	customer     TEXT NOT NULL REFERENCES customers (key),
	kind         TEXT NOT NULL CHECK (kind IN ('invoice', 'delivery')),
	line1        TEXT NOT NULL,
	line2        TEXT NOT NULL,
	line3        TEXT NOT NULL,
	zip          TEXT NOT NULL,
	city         TEXT NOT NULL,
	country_code TEXT NOT NULL,
	country      TEXT NOT NULL,
	PRIMARY KEY (customer, kind)
) WITHOUT ROWID;

CREATE TABLE salespeople (
	key                  TEXT PRIMARY KEY,
	name                 TEXT NOT NULL,
	max_discount_percent REAL NOT NULL
);

-- Number series per tenant: quotes, orders, the versions and alternatives of a quote.
CREATE TABLE sequences (
	tenant TEXT NOT NULL,
	name   TEXT NOT NULL,
	last   INTEGER NOT NULL,
	PRIMARY KEY (tenant, name)
) WITHOUT ROWID;

CREATE TABLE quotes (
	tenant       TEXT NOT NULL,
	key          TEXT NOT NULL,
	crm_quote_id INTEGER NOT NULL,
	sale_id      INTEGER NOT NULL,
	customer     TEXT NOT NULL, -- '' when the CRM company is no customer of ours
	salesperson  TEXT NOT NULL,
	currency     TEXT NOT NULL,
	state        TEXT NOT NULL,
	saved        TEXT NOT NULL,
	sent         TEXT NOT NULL, -- '' until sent
	PRIMARY KEY (tenant, key)
) WITHOUT ROWID;

CREATE TABLE quote_alternatives (
	tenant    TEXT NOT NULL,
	quote_key TEXT NOT NULL,
	key       TEXT NOT NULL,
	name      TEXT NOT NULL,
	total     REAL NOT NULL,
	vat       REAL NOT NULL,
	PRIMARY KEY (tenant, quote_key, key),
	FOREIGN KEY (tenant, quote_key) REFERENCES quotes (tenant, key) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE quote_lines (
	tenant      TEXT NOT NULL,
	quote_key   TEXT NOT NULL,
	alternative TEXT NOT NULL,
	line        INTEGER NOT NULL,
	product     TEXT NOT NULL,
	name        TEXT NOT NULL,
	quantity    REAL NOT NULL,
	unit_price  REAL NOT NULL,
	total       REAL NOT NULL,
	PRIMARY KEY (tenant, quote_key, alternative, line),
	FOREIGN KEY (tenant, quote_key, alternative) REFERENCES quote_alternatives (tenant, quote_key, key) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE orders (
	tenant       TEXT NOT NULL,
	key          TEXT NOT NULL,
	quote_key    TEXT NOT NULL,
	crm_quote_id INTEGER NOT NULL,
	company      INTEGER NOT NULL,
	customer     TEXT NOT NULL,
	currency     TEXT NOT NULL,
	total        REAL NOT NULL,
	created      TEXT NOT NULL,
	reported     TEXT NOT NULL, -- the state GetOrderState last told SuperOffice
	PRIMARY KEY (tenant, key)
) WITHOUT ROWID;

CREATE INDEX orders_quote ON orders (tenant, crm_quote_id) WHERE crm_quote_id <> 0;

CREATE TABLE order_lines (
	tenant     TEXT NOT NULL,
	order_key  TEXT NOT NULL,
	line       INTEGER NOT NULL,
	product    TEXT NOT NULL,
	item       TEXT NOT NULL, -- '' for a line without an ERP item
	name       TEXT NOT NULL,
	quantity   REAL NOT NULL,
	unit_price REAL NOT NULL,
	total      REAL NOT NULL,
	PRIMARY KEY (tenant, order_key, line),
	FOREIGN KEY (tenant, order_key) REFERENCES orders (tenant, key) ON DELETE CASCADE
) WITHOUT ROWID;

-- The approval of each quote version SuperOffice asked the ERP about: the last step
-- (requested, approved, rejected) with who took it and the comment. Kept apart from the
-- quotes table: a version may go to approval before the ERP has saved the quote.
CREATE TABLE quote_approvals (
	tenant       TEXT NOT NULL,
	quote_key    TEXT NOT NULL,
	version_key  TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected')),
	requested_by INTEGER NOT NULL, -- CRM associate id; 0 when unknown
	comment      TEXT NOT NULL,    -- the request's comment
	decided_by   INTEGER NOT NULL, -- CRM associate id of the approver; 0 until decided
	decision     TEXT NOT NULL,    -- the approver's text
	updated      TEXT NOT NULL,
	PRIMARY KEY (tenant, quote_key, version_key)
) WITHOUT ROWID;
