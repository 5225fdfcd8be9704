-- 0001: tenants, user mappings, shared secrets, access tokens, JWT replay cache, audit log.
--
-- Conventions:
--   * Times are INTEGER Unix nanoseconds (UTC), so comparisons are exact; NULL stands for
--     Go's zero time ("never", "not revoked", ...).
--   * Hashes are 32-byte SHA-256 BLOBs; BLOBs compare bytewise (memcmp), so lookups by
--     hash are exact whatever collation a text column would have.
--   * Tables are STRICT: a value of the wrong type is an error, not a silent conversion.

CREATE TABLE tenants (
	id                 TEXT    NOT NULL PRIMARY KEY
	                   CHECK (length(id) BETWEEN 5 AND 14
	                          AND substr(id, 1, 4) = 'Cust'
	                          AND substr(id, 5) NOT GLOB '*[^0-9]*'),
	name               TEXT    NOT NULL,
	environment        TEXT    NOT NULL CHECK (environment IN ('test', 'live')),
	app_ids            TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(app_ids) = 'array'),
	enabled            INTEGER NOT NULL CHECK (enabled IN (0, 1)),
	config             TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(config) = 'object'),
	tokens_valid_after INTEGER,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL
) STRICT;

-- A mapping is found by associate id or, failing that, by e-mail; each key maps to at
-- most one ERP user per tenant. An absent key is NULL, and NULLs never collide in a
-- UNIQUE constraint. (Partial indexes would do the same, but SQLite re-prepares every
-- statement whose bound parameters it had to compare with a partial index's WHERE
-- clause, on every execution.) E-mails are stored lower-cased by the Go code
-- (Unicode-aware, unlike COLLATE NOCASE).
CREATE TABLE user_mappings (
	id           INTEGER NOT NULL PRIMARY KEY,
	tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
	associate_id INTEGER CHECK (associate_id > 0),
	email        TEXT    CHECK (email <> ''),
	erp_user     TEXT    NOT NULL CHECK (erp_user <> ''),
	CHECK (associate_id IS NOT NULL OR email IS NOT NULL),
	UNIQUE (tenant_id, associate_id),
	UNIQUE (tenant_id, email)
) STRICT;

-- AUTOINCREMENT: ids name credentials in audit events, so they are never reused.
CREATE TABLE secrets (
	id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
	hash         BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
	mode         TEXT    NOT NULL CHECK (mode IN ('test', 'live')),
	display      TEXT    NOT NULL,
	last4        TEXT    NOT NULL,
	ciphertext   BLOB,
	key_id       TEXT    NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER,
	revoked_at   INTEGER,
	last_used_at INTEGER,
	rolled_from  INTEGER REFERENCES secrets (id)
) STRICT;
CREATE INDEX secrets_by_tenant ON secrets (tenant_id, created_at);

CREATE TABLE access_tokens (
	id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	hash         BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
	tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
	associate_id INTEGER NOT NULL DEFAULT 0,
	user_name    TEXT    NOT NULL DEFAULT '',
	user_email   TEXT    NOT NULL DEFAULT '',
	erp_user     TEXT    NOT NULL DEFAULT '',
	method       TEXT    NOT NULL CHECK (method <> ''),
	secret_id    INTEGER REFERENCES secrets (id),
	actor        TEXT    NOT NULL DEFAULT '',
	issued_at    INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	revoked_at   INTEGER,
	CHECK (expires_at > issued_at)
) STRICT;
CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at);
CREATE INDEX access_tokens_by_tenant ON access_tokens (tenant_id, associate_id);
-- Revoking a secret revokes its tokens: without this index that is a full scan. Not a
-- partial index (WHERE secret_id IS NOT NULL): see user_mappings for why.
CREATE INDEX access_tokens_by_secret ON access_tokens (secret_id);

CREATE TABLE jwt_replay (
	hash       BLOB    NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX jwt_replay_by_expiry ON jwt_replay (expires_at);

-- tenant_id has no foreign key: refusals are recorded for tenant ids that do not exist.
CREATE TABLE audit_events (
	id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	tenant_id   TEXT    NOT NULL DEFAULT '',
	kind        TEXT    NOT NULL CHECK (kind <> ''),
	reason      TEXT    NOT NULL DEFAULT '',
	actor       TEXT    NOT NULL DEFAULT '',
	credential  TEXT    NOT NULL DEFAULT '',
	remote_addr TEXT    NOT NULL DEFAULT '',
	at          INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, at);
CREATE INDEX audit_events_by_time ON audit_events (at);

-- The audit log is append-only: no code path, and no mistaken ad-hoc statement, may
-- rewrite or erase it.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
