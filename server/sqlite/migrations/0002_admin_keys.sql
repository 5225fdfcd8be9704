-- 0002: admin API keys.
--
-- The conventions of 0001 hold: STRICT tables, times as INTEGER Unix nanoseconds with
-- NULL for "never", hashes as 32-byte SHA-256 BLOBs.

-- An admin API key (qk_ak_…) is not a tenant credential: it has no tenant. Only its hash
-- is stored. AUTOINCREMENT: ids name keys in audit events and in the actor of the
-- support tokens they obtain ("adminkey:<id>"), so they are never reused.
CREATE TABLE admin_keys (
	id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	name         TEXT    NOT NULL,
	hash         BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
	display      TEXT    NOT NULL,
	last4        TEXT    NOT NULL,
	-- The scopes as a JSON array of strings, e.g. ["tenants:read","support"].
	scopes       TEXT    NOT NULL CHECK (json_type(scopes) = 'array'),
	created_at   INTEGER NOT NULL,
	revoked_at   INTEGER,
	last_used_at INTEGER
) STRICT;

-- Revoking an admin key revokes the support tokens it obtained, found by their actor:
-- without this index that is a full scan of access_tokens inside the write transaction.
CREATE INDEX access_tokens_by_actor ON access_tokens (actor);
