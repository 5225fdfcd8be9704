-- 0003: user mapping e-mails compare ASCII-case-insensitively, and only so.
--
-- The Go code stores e-mails trimmed with the ASCII letters lower-cased
-- (tenancy.FoldEmail); the column now compares with NOCASE, which folds the 26 ASCII
-- letters and nothing else, so the schema states the same rule and a statement that
-- bypasses the store cannot fold other characters either. Unicode case folding is not
-- used anywhere: it maps characters such as the Kelvin sign (U+212A) onto ASCII letters.
--
-- Rows written before this version were lower-cased with Unicode rules; they are kept as
-- they are (their ASCII letters are lower case already). A mapping whose e-mail had
-- upper-case letters outside ASCII (Å, Ø) now matches only the lower-case form it was
-- stored in: re-map such users with the address as SuperOffice sends it.
--
-- SQLite cannot change a column's collation in place: the table is rebuilt. Nothing
-- refers to user_mappings, so dropping the old table touches no other row.

CREATE TABLE user_mappings_0003 (
	id           INTEGER NOT NULL PRIMARY KEY,
	tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
	associate_id INTEGER CHECK (associate_id > 0),
	email        TEXT    COLLATE NOCASE CHECK (email <> ''),
	erp_user     TEXT    NOT NULL CHECK (erp_user <> ''),
	CHECK (associate_id IS NOT NULL OR email IS NOT NULL),
	UNIQUE (tenant_id, associate_id),
	UNIQUE (tenant_id, email)
) STRICT;
INSERT INTO user_mappings_0003 (id, tenant_id, associate_id, email, erp_user)
	SELECT id, tenant_id, associate_id, email, erp_user FROM user_mappings;
DROP TABLE user_mappings;
ALTER TABLE user_mappings_0003 RENAME TO user_mappings;
