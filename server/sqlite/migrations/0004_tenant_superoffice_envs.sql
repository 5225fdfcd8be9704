-- 0004: a tenant may name the SuperOffice environments whose JWTs it accepts.
--
-- superoffice_envs is a JSON array of environment names (sod, qaonline, online, or a
-- local name), lower-case; the empty array, which every existing tenant gets, accepts
-- every trusted environment of the tenant's mode, as before.
ALTER TABLE tenants ADD COLUMN superoffice_envs TEXT NOT NULL DEFAULT '[]'
	CHECK (json_type(superoffice_envs) = 'array');
