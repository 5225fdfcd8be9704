package main

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/storage"
	"github.com/quotekit/quotekit/tenancy"
)

var adminKeyCommands = map[string]command{
	"create": {"make a new admin API key and print it once", leaf(adminKeyCreate)},
	"list":   {"list the admin API keys (never the keys themselves)", leaf(adminKeyList)},
	"revoke": {"revoke an admin API key and every support token it obtained, at once", leaf(adminKeyRevoke)},
}

// adminKeyJSON describes an admin key in --json output; it never holds the key.
type adminKeyJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Display    string     `json:"display"`
	Last4      string     `json:"last4"`
	Scopes     []string   `json:"scopes"`
	State      string     `json:"state"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// issuedAdminKeyJSON is the output of create: the only place a key appears.
type issuedAdminKeyJSON struct {
	adminKeyJSON
	Key string `json:"key"`
}

func adminKeyOut(k tenancy.AdminKey) adminKeyJSON {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	return adminKeyJSON{
		ID: k.ID, Name: k.Name, Display: k.Display, Last4: k.Last4, Scopes: scopes, State: adminKeyState(k),
		CreatedAt: k.CreatedAt.UTC(), RevokedAt: timePtr(k.RevokedAt), LastUsedAt: timePtr(k.LastUsed),
	}
}

func adminKeyState(k tenancy.AdminKey) string {
	if !k.RevokedAt.IsZero() {
		return "revoked"
	}
	return "active"
}

// scopeNames lists the scopes for messages and help.
func scopeNames() string {
	names := make([]string, len(tenancy.AllScopes))
	for i, s := range tenancy.AllScopes {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// parseScopes reads the values of --scope, each one scope or several separated by commas.
func parseScopes(path string, values []string) ([]tenancy.Scope, error) {
	var scopes []tenancy.Scope
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			s := tenancy.Scope(strings.TrimSpace(name))
			if !s.Valid() {
				return nil, usageError("%s: %s is not a scope; the scopes are %s", path, quoteArg(string(s)), scopeNames())
			}
			scopes = append(scopes, s)
		}
	}
	if len(scopes) == 0 {
		return nil, usageError("%s: --scope is required (one or more of %s)", path, scopeNames())
	}
	return scopes, nil
}

func adminKeyCreate(ctx context.Context, c *cli, args []string) error {
	c.define("adminkey create", "--name NAME --scope SCOPE... [flags]", `
Makes a new admin API key and prints it, with --json in the "key" field. This is the
only time it is shown: quotekit keeps only its hash. The admin API takes it as
'Authorization: Bearer qk_ak_…' or in an 'api_key' header. It never authenticates as a
tenant.

Each --scope grants one permission (repeat it, or separate scopes with commas):
  tenants:read   list and show tenants, mappings, secrets (never their values), tokens
  tenants:write  add, update, disable and enable tenants; map users
  secrets:write  create, roll and revoke shared secrets
  tokens:write   revoke access tokens
  audit:read     read the audit log
  support        obtain a short-lived access token acting for a tenant`)
	name := c.fs.String("name", "", "what the key is for, as `text`, e.g. \"ops dashboard\" (required)")
	var scopeValues stringList
	c.fs.Var(&scopeValues, "scope", "a `scope` the key grants (repeatable; required)")
	mode := c.fs.String("mode", string(connector.EnvironmentLive), "the key's `mode`, shown in its prefix: test (qk_ak_test_) or live (qk_ak_live_)")
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	if _, ok, err := c.parse(args); !ok {
		return err
	}
	*name = strings.TrimSpace(*name)
	switch {
	case *name == "":
		return usageError("%s: --name is required: say what the key is for", c.path)
	case len(*name) > tenancy.MaxAdminKeyName || !printable(*name):
		return usageError("%s: --name must be 1 to %d printable bytes", c.path, tenancy.MaxAdminKeyName)
	case *mode != string(connector.EnvironmentTest) && *mode != string(connector.EnvironmentLive):
		return usageError("%s: --mode must be test or live", c.path)
	}
	scopes, err := parseScopes(c.path, scopeValues)
	if err != nil {
		return err
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	plain, k, err := c.service(s, nil).CreateAdminKey(ctx, *name, scopes, connector.Environment(*mode), c.actor)
	switch {
	case errors.Is(err, tenancy.ErrBadScope), errors.Is(err, tenancy.ErrBadName):
		return usageError("%s: %v", c.path, err)
	case err != nil:
		return storeFailure(err, "")
	}
	out := issuedAdminKeyJSON{adminKeyJSON: adminKeyOut(k), Key: plain}
	return printOnce(c, out, [][2]string{
		{"ID", strconv.FormatInt(out.ID, 10)}, {"Name", out.Name}, {"Display", out.Display},
		{"Scopes", orDash(out.Scopes)}, {"Created", when(out.CreatedAt)}, {"Key", out.Key},
	}, "This is the only time the key is shown: copy it now into the admin API client.")
}

func adminKeyList(ctx context.Context, c *cli, args []string) error {
	c.define("adminkey list", "[flags]", `
Lists the admin API keys, newest first, revoked ones included: id, name, display form,
last four characters, scopes, state (active or revoked), and when each was created and
last used. Keys are never shown.`)
	c.storeFlags()
	c.jsonFlag()
	if _, ok, err := c.parse(args); !ok {
		return err
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	keys, err := s.ListAdminKeys(ctx)
	if err != nil {
		return storeFailure(err, "")
	}
	if c.json {
		out := make([]adminKeyJSON, 0, len(keys))
		for _, k := range keys {
			out = append(out, adminKeyOut(k))
		}
		return writeJSON(c.stdout, out)
	}
	if len(keys) == 0 {
		c.info("There are no admin API keys. Make one with 'quotekit adminkey create'.")
		return nil
	}
	return printAdminKeys(c.stdout, keys)
}

func printAdminKeys(w io.Writer, keys []tenancy.AdminKey) error {
	tw := newTable(w)
	row(tw, "ID", "NAME", "DISPLAY", "LAST4", "SCOPES", "STATE", "CREATED", "LAST USED")
	for _, k := range keys {
		out := adminKeyOut(k)
		row(tw, strconv.FormatInt(k.ID, 10), k.Name, k.Display, k.Last4, orDash(out.Scopes), out.State,
			when(k.CreatedAt), when(k.LastUsed))
	}
	return tw.Flush()
}

func adminKeyRevoke(ctx context.Context, c *cli, args []string) error {
	c.define("adminkey revoke", "<id> [flags]", `
Revokes an admin API key (named by the id 'quotekit adminkey list' shows) at once, and
every support token it obtained. Revoking a revoked key changes nothing.`)
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	pos, ok, err := c.parse(args, "id")
	if !ok {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError("%s: %s is not an admin key id: give the number 'quotekit adminkey list' shows", c.path, quoteArg(pos[0]))
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	k, err := adminKeyByID(ctx, s, id)
	if err != nil {
		return err
	}
	already := !k.RevokedAt.IsZero()
	if !already {
		if err := c.service(s, nil).RevokeAdminKey(ctx, id, c.actor); err != nil {
			return storeFailure(err, "")
		}
		if after, err := adminKeyByID(ctx, s, id); err == nil {
			k = after
		}
	}
	if c.json {
		if err := writeJSON(c.stdout, adminKeyOut(k)); err != nil {
			return err
		}
	} else if err := printAdminKeys(c.stdout, []tenancy.AdminKey{k}); err != nil {
		return err
	}
	if already {
		c.info("Admin key %d (%s) was already revoked at %s; nothing changed.", k.ID, k.Display, when(k.RevokedAt))
	} else {
		c.info("Admin key %d (%s) revoked, with every support token it obtained.", k.ID, k.Display)
	}
	return nil
}

// adminKeyByID finds an admin key by its id; an unknown id is exit status 3.
func adminKeyByID(ctx context.Context, s storage.Store, id int64) (tenancy.AdminKey, error) {
	keys, err := s.ListAdminKeys(ctx)
	if err != nil {
		return tenancy.AdminKey{}, storeFailure(err, "")
	}
	for _, k := range keys {
		if k.ID == id {
			return k, nil
		}
	}
	return tenancy.AdminKey{}, fail(tenancy.ErrNotFound, "there is no admin key %d (see 'quotekit adminkey list')", id)
}
