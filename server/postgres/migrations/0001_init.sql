-- 0001: tenants, user mappings, shared secrets, access tokens, JWT replay cache, audit
-- log and admin API keys: the schema the SQLite store reaches with its migrations 0001
-- to 0004, with the same columns and rules.
--
-- Conventions:
--   * Times are BIGINT Unix nanoseconds (UTC), as in the SQLite store, so comparisons
--     are exact and a time reads back as it was written; NULL stands for Go's zero time
--     ("never", "not revoked", ...).
--   * Hashes are 32-byte SHA-256 bytea values, compared bytewise.
--   * Text that is ordered or compared by the store (tenant ids, e-mails) uses the "C"
--     collation: byte order, whatever the database's locale.
--   * Ids are identities: they name credentials in audit events and are never reused.

CREATE TABLE tenants (
	id                 text    COLLATE "C" NOT NULL PRIMARY KEY
	                   CHECK (id ~ '^Cust[0-9]{1,10}$'),
	name               text    NOT NULL,
	environment        text    NOT NULL CHECK (environment IN ('test', 'live')),
	app_ids            jsonb   NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(app_ids) = 'array'),
	superoffice_envs   jsonb   NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(superoffice_envs) = 'array'),
	enabled            boolean NOT NULL,
	config             jsonb   NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
	tokens_valid_after bigint,
	created_at         bigint  NOT NULL,
	updated_at         bigint  NOT NULL
);

-- A mapping is found by associate id or, failing that, by e-mail; each key maps to at
-- most one ERP user per tenant. An absent key is NULL, and NULLs never collide in a
-- UNIQUE constraint. E-mails are stored with their ASCII letters lower-cased by the Go
-- code (tenancy.FoldEmail), and only those: the CHECK states the rule, so equality is
-- the ASCII-case-insensitive comparison and no other folding happens.
CREATE TABLE user_mappings (
	id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id    text    COLLATE "C" NOT NULL REFERENCES tenants (id),
	associate_id integer CHECK (associate_id > 0),
	email        text    COLLATE "C" CHECK (email <> ''
	                     AND email = translate(email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')),
	erp_user     text    NOT NULL CHECK (erp_user <> ''),
	CHECK (associate_id IS NOT NULL OR email IS NOT NULL),
	UNIQUE (tenant_id, associate_id),
	UNIQUE (tenant_id, email)
);

CREATE TABLE secrets (
	id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id    text    COLLATE "C" NOT NULL REFERENCES tenants (id),
	hash         bytea   NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
	mode         text    NOT NULL CHECK (mode IN ('test', 'live')),
	display      text    NOT NULL,
	last4        text    NOT NULL,
	ciphertext   bytea,
	key_id       text    NOT NULL DEFAULT '',
	created_at   bigint  NOT NULL,
	expires_at   bigint,
	revoked_at   bigint,
	last_used_at bigint,
	rolled_from  bigint  REFERENCES secrets (id)
);
CREATE INDEX secrets_by_tenant ON secrets (tenant_id, created_at);

CREATE TABLE access_tokens (
	id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	hash         bytea   NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
	tenant_id    text    COLLATE "C" NOT NULL REFERENCES tenants (id),
	associate_id integer NOT NULL DEFAULT 0,
	user_name    text    NOT NULL DEFAULT '',
	user_email   text    NOT NULL DEFAULT '',
	erp_user     text    NOT NULL DEFAULT '',
	method       text    NOT NULL CHECK (method <> ''),
	secret_id    bigint  REFERENCES secrets (id),
	actor        text    NOT NULL DEFAULT '',
	issued_at    bigint  NOT NULL,
	expires_at   bigint  NOT NULL,
	revoked_at   bigint,
	CHECK (expires_at > issued_at)
);
CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at);
CREATE INDEX access_tokens_by_tenant ON access_tokens (tenant_id, associate_id);
-- Revoking a secret revokes its tokens, revoking an admin key the support tokens it
-- obtained: without these indexes each is a full scan inside the write transaction.
CREATE INDEX access_tokens_by_secret ON access_tokens (secret_id) WHERE secret_id IS NOT NULL;
CREATE INDEX access_tokens_by_actor ON access_tokens (actor) WHERE actor <> '';

CREATE TABLE jwt_replay (
	hash       bytea  NOT NULL PRIMARY KEY CHECK (octet_length(hash) = 32),
	expires_at bigint NOT NULL
);
CREATE INDEX jwt_replay_by_expiry ON jwt_replay (expires_at);

-- An admin API key (qk_ak_…) is not a tenant credential: it has no tenant. Only its hash
-- is stored.
CREATE TABLE admin_keys (
	id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name         text    NOT NULL,
	hash         bytea   NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
	display      text    NOT NULL,
	last4        text    NOT NULL,
	-- The scopes as a JSON array of strings, e.g. ["tenants:read","support"].
	scopes       jsonb   NOT NULL CHECK (jsonb_typeof(scopes) = 'array'),
	created_at   bigint  NOT NULL,
	revoked_at   bigint,
	last_used_at bigint
);

-- tenant_id has no foreign key: refusals are recorded for tenant ids that do not exist.
CREATE TABLE audit_events (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id   text   COLLATE "C" NOT NULL DEFAULT '',
	kind        text   NOT NULL CHECK (kind <> ''),
	reason      text   NOT NULL DEFAULT '',
	actor       text   NOT NULL DEFAULT '',
	credential  text   NOT NULL DEFAULT '',
	remote_addr text   NOT NULL DEFAULT '',
	at          bigint NOT NULL
);
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, at);
CREATE INDEX audit_events_by_time ON audit_events (at);

-- The audit log is append-only: no code path, and no mistaken ad-hoc statement, may
-- rewrite or erase it. PruneAudit alone disables audit_events_no_delete, inside its own
-- transaction, which holds the table's lock until it has enabled it again.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
	FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
	FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
	FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
