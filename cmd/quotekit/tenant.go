package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/storage"
	"github.com/quotekit/quotekit/tenancy"
)

var tenantCommands = map[string]command{
	"add":        {"onboard a SuperOffice customer", leaf(tenantAdd)},
	"list":       {"list every tenant", leaf(tenantList)},
	"show":       {"show a tenant with its configuration, user mappings and recent refusals", leaf(tenantShow)},
	"update":     {"change a tenant's name, environment, SuperOffice environments, AppIds or configuration", leaf(tenantUpdate)},
	"disable":    {"refuse every credential of a tenant and invalidate its tokens at once", leaf(tenantDisable)},
	"enable":     {"accept a disabled tenant's credentials again", leaf(tenantEnable)},
	"map-user":   {"map a SuperOffice user (associate id or e-mail) to an ERP user", leaf(tenantMapUser)},
	"unmap-user": {"remove a user mapping", leaf(tenantUnmapUser)},
}

// tenantJSON is a tenant in --json output.
type tenantJSON struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Environment      string            `json:"environment"`
	SuperOfficeEnvs  []string          `json:"superoffice_envs"`
	Enabled          bool              `json:"enabled"`
	AppIDs           []string          `json:"app_ids"`
	Config           map[string]string `json:"config"`
	TokensValidAfter *time.Time        `json:"tokens_valid_after,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

func tenantOut(t tenancy.Tenant, reveal bool) tenantJSON {
	out := tenantJSON{
		ID: t.ID, Name: t.Name, Environment: string(t.Environment), SuperOfficeEnvs: t.SuperOfficeEnvs,
		Enabled: t.Enabled, AppIDs: t.AppIDs, Config: map[string]string{}, TokensValidAfter: timePtr(t.TokensValidAfter),
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(),
	}
	if out.AppIDs == nil {
		out.AppIDs = []string{}
	}
	if out.SuperOfficeEnvs == nil {
		out.SuperOfficeEnvs = []string{}
	}
	for k, v := range t.Config {
		if !reveal && sensitiveKey(k) {
			v = hiddenValue
		}
		out.Config[k] = v
	}
	return out
}

// hiddenValue replaces configuration values whose key names a credential (an ERP
// password or API key): listings are read over shoulders and pasted into tickets.
const hiddenValue = "(hidden; --reveal-config shows it)"

func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "privatekey", "private_key", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func stateOf(t tenancy.Tenant) string { return enabledText(t.Enabled) }

// envText is the environment column of tenant list: "test", or "test (sod)" for a tenant
// bound to SuperOffice environments.
func envText(t tenancy.Tenant) string {
	if len(t.SuperOfficeEnvs) == 0 {
		return string(t.Environment)
	}
	return string(t.Environment) + " (" + strings.Join(t.SuperOfficeEnvs, ", ") + ")"
}

// soEnvsText describes the SuperOffice environments a tenant accepts JWTs from.
func soEnvsText(t tenantJSON) string {
	if len(t.SuperOfficeEnvs) == 0 {
		return "any " + t.Environment + " environment"
	}
	return strings.Join(t.SuperOfficeEnvs, ", ")
}

func enabledText(enabled bool) string {
	if enabled {
		return "enabled"
	}
	return "disabled"
}

// printTenant prints a tenant as name/value lines and its configuration.
func printTenant(w io.Writer, t tenantJSON) {
	tw := newTable(w)
	row(tw, "Tenant", t.ID)
	row(tw, "Name", t.Name)
	row(tw, "Environment", t.Environment)
	row(tw, "SuperOffice", soEnvsText(t))
	row(tw, "State", enabledText(t.Enabled))
	row(tw, "App IDs", orDash(t.AppIDs))
	if t.TokensValidAfter != nil {
		row(tw, "Tokens valid after", when(*t.TokensValidAfter))
	}
	row(tw, "Created", when(t.CreatedAt))
	row(tw, "Updated", when(t.UpdatedAt))
	tw.Flush()
	fmt.Fprintln(w, "\nConfig:")
	if len(t.Config) == 0 {
		fmt.Fprintln(w, "  (none)")
		return
	}
	tw = newTable(w)
	for _, k := range slices.Sorted(maps.Keys(t.Config)) {
		row(tw, "  "+k, t.Config[k])
	}
	tw.Flush()
}

// tenantFields are the flags add and update share.
type tenantFields struct {
	name   string
	env    string
	soEnvs stringList
	appIDs stringList
	config keyValues
}

func (f *tenantFields) define(c *cli, update bool) {
	nameHelp, envHelp, appHelp := "the customer's `name`, for people (required)", "the SuperOffice environment: `test|live`; test is sod and qaonline, live is online (required)",
		"an `AppId` whose JWTs (aud spn:<AppId>) the tenant accepts; repeat for several"
	if update {
		nameHelp, envHelp, appHelp = "a new `name`", "a new environment: `test|live`", "replaces every AppId with this `AppId`; repeat for several"
	}
	c.fs.StringVar(&f.name, "name", "", nameHelp)
	c.fs.StringVar(&f.env, "env", "", envHelp)
	soHelp := "accept SuperOffice JWTs only from this SuperOffice `environment` (sod, qaonline, online); repeat for several; default: any of --env's"
	if update {
		soHelp = "replaces the SuperOffice environments the tenant accepts JWTs from with this `environment`; repeat for several"
	}
	c.fs.Var(&f.soEnvs, "superoffice-env", soHelp)
	c.fs.Var(&f.appIDs, "app-id", appHelp)
	c.fs.Var(&f.config, "config", "a connector setting `key=value`; repeat for several")
}

// flagError turns the tenancy service's verdict on a value into a usage error naming
// the flag; other errors pass unchanged.
func flagError(path, flag string, err error) error {
	var ie *tenancy.InvalidError
	if errors.As(err, &ie) {
		return usageError("%s: --%s %s", path, flag, ie.Rule)
	}
	return err
}

func checkName(path, name string) (string, error) {
	name, err := tenancy.CheckName(name)
	return name, flagError(path, "name", err)
}

func checkEnv(path, env string) (connector.Environment, error) {
	e := connector.Environment(env)
	if err := tenancy.CheckEnvironment(e); err != nil {
		return "", usageError("%s: --env must be test or live, not %s", path, quoteArg(env))
	}
	return e, nil
}

// checkAppIDs trims the AppIds and drops repeats (tenancy.CheckAppIDs).
func checkAppIDs(path string, ids []string) ([]string, error) {
	out, err := tenancy.CheckAppIDs(ids)
	return out, flagError(path, "app-id", err)
}

func checkConfig(path string, m map[string]string) error {
	return flagError(path, "config", tenancy.CheckConfig(m))
}

func tenantAdd(ctx context.Context, c *cli, args []string) error {
	c.define("tenant add", "<tenant-id> --name NAME --env test|live [--superoffice-env NAME]... [--app-id ID]... [--config KEY=VALUE]... [flags]", `
Onboards a SuperOffice customer. The tenant id is the customer's context identifier
(Cust followed by digits). --env binds the tenant to SuperOffice's test environments
(sod, qaonline) or to production (online), and decides the prefix of its secrets.
--superoffice-env narrows that to the named environments: a test tenant bound to sod
refuses a JWT signed by qaonline. --app-id names the applications whose SuperOffice JWTs the tenant accepts. Creates the
database when it does not exist yet. Next step: 'quotekit secret create <tenant-id>'.`)
	var f tenantFields
	f.define(c, false)
	disabled := c.fs.Bool("disabled", false, "add the tenant disabled")
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	pos, ok, err := c.parse(args, "tenant-id")
	if !ok {
		return err
	}
	t := tenancy.Tenant{Enabled: !*disabled, Config: f.config.m}
	if t.ID, err = tenantArg(c.path, pos[0]); err != nil {
		return err
	}
	if !c.set("name") || !c.set("env") {
		return usageError("%s: --name and --env are required", c.path)
	}
	if t.Name, err = checkName(c.path, f.name); err != nil {
		return err
	}
	if t.Environment, err = checkEnv(c.path, f.env); err != nil {
		return err
	}
	if t.SuperOfficeEnvs, err = tenancy.CheckSuperOfficeEnvs(f.soEnvs, t.Environment); err != nil {
		return flagError(c.path, "superoffice-env", err)
	}
	if t.AppIDs, err = checkAppIDs(c.path, f.appIDs); err != nil {
		return err
	}
	if err := checkConfig(c.path, t.Config); err != nil {
		return err
	}

	s, err := c.openStore(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()
	stored, err := c.service(s, nil).AddTenant(ctx, t, c.actor)
	if errors.Is(err, tenancy.ErrConflict) {
		return fail(tenancy.ErrConflict, "tenant %s already exists; change it with 'quotekit tenant update %s'", t.ID, t.ID)
	}
	if err != nil {
		return storeFailure(err, "")
	}
	t = stored
	if c.json {
		return writeJSON(c.stdout, tenantOut(t, false))
	}
	printTenant(c.stdout, tenantOut(t, false))
	c.info("Tenant %s added. Next: 'quotekit secret create %s' for its shared secret.", t.ID, t.ID)
	if len(t.AppIDs) == 0 {
		c.info("Note: without --app-id the tenant accepts no SuperOffice JWT, only its shared secret.")
	}
	return nil
}

func tenantList(ctx context.Context, c *cli, args []string) error {
	c.define("tenant list", "[flags]", `Lists every tenant, ordered by id.`)
	reveal := c.fs.Bool("reveal-config", false, "show configuration values whose key names a credential")
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
	ts, err := s.ListTenants(ctx)
	if err != nil {
		return storeFailure(err, "")
	}
	if c.json {
		out := make([]tenantJSON, 0, len(ts))
		for _, t := range ts {
			out = append(out, tenantOut(t, *reveal))
		}
		return writeJSON(c.stdout, out)
	}
	if len(ts) == 0 {
		c.info("No tenants. Add one with 'quotekit tenant add'.")
		return nil
	}
	tw := newTable(c.stdout)
	row(tw, "ID", "NAME", "ENV", "STATE", "APP IDS", "UPDATED")
	for _, t := range ts {
		row(tw, t.ID, t.Name, envText(t), stateOf(t), orDash(t.AppIDs), when(t.UpdatedAt))
	}
	return tw.Flush()
}

// mappingJSON is a user mapping in --json output.
type mappingJSON struct {
	AssociateID int32  `json:"associate_id,omitempty"`
	Email       string `json:"email,omitempty"`
	ERPUser     string `json:"erp_user"`
}

// tenantShowJSON is what tenant show prints with --json.
type tenantShowJSON struct {
	tenantJSON
	ActiveSecrets  int           `json:"active_secrets"`
	LiveTokens     int           `json:"live_tokens"`
	UserMappings   []mappingJSON `json:"user_mappings"`
	RecentRefusals []auditJSON   `json:"recent_refusals"`
}

// recentRefusals is how many of the last refused authentications show lists.
const recentRefusals = 5

func tenantShow(ctx context.Context, c *cli, args []string) error {
	c.define("tenant show", "<tenant-id> [flags]", fmt.Sprintf(`
Shows a tenant: its settings and configuration, how many secrets are active and tokens
live, its user mappings, and its last %d refused authentications (why calls fail:
'quotekit audit <tenant-id>' has the whole history). Configuration values whose key
names a credential are hidden unless --reveal-config is given.`, recentRefusals))
	reveal := c.fs.Bool("reveal-config", false, "show configuration values whose key names a credential")
	c.storeFlags()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	out, err := gatherTenant(ctx, s, id, c.now(), *reveal)
	if err != nil {
		return storeFailure(err, id)
	}
	if c.json {
		return writeJSON(c.stdout, out)
	}
	w := c.stdout
	printTenant(w, out.tenantJSON)
	fmt.Fprintf(w, "\nCredentials:\n")
	tw := newTable(w)
	row(tw, "  Active secrets", strconv.Itoa(out.ActiveSecrets))
	row(tw, "  Live access tokens", strconv.Itoa(out.LiveTokens))
	tw.Flush()
	fmt.Fprintln(w, "\nUser mappings:")
	if len(out.UserMappings) == 0 {
		fmt.Fprintln(w, "  (none)")
	} else {
		tw = newTable(w)
		row(tw, "  ASSOCIATE ID", "E-MAIL", "ERP USER")
		for _, m := range out.UserMappings {
			row(tw, "  "+associateText(m.AssociateID), m.Email, m.ERPUser)
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nRecent refusals:")
	if len(out.RecentRefusals) == 0 {
		fmt.Fprintln(w, "  (none)")
		return nil
	}
	tw = newTable(w)
	row(tw, "  AT", "REASON", "REMOTE ADDRESS")
	for _, ev := range out.RecentRefusals {
		row(tw, "  "+when(ev.At), ev.Reason, ev.RemoteAddr)
	}
	return tw.Flush()
}

func gatherTenant(ctx context.Context, s storage.Store, id string, now time.Time, reveal bool) (tenantShowJSON, error) {
	t, err := s.Tenant(ctx, id)
	if err != nil {
		return tenantShowJSON{}, err
	}
	out := tenantShowJSON{tenantJSON: tenantOut(t, reveal), UserMappings: []mappingJSON{}, RecentRefusals: []auditJSON{}}
	secrets, err := s.SecretsOf(ctx, id)
	if err != nil {
		return tenantShowJSON{}, err
	}
	for _, sec := range secrets {
		if sec.Active(now) {
			out.ActiveSecrets++
		}
	}
	tokens, err := s.ListTokens(ctx, id, now)
	if err != nil {
		return tenantShowJSON{}, err
	}
	out.LiveTokens = len(tokens)
	ms, err := s.ListUserMappings(ctx, id)
	if err != nil {
		return tenantShowJSON{}, err
	}
	for _, m := range ms {
		out.UserMappings = append(out.UserMappings, mappingJSON{AssociateID: m.AssociateID, Email: m.Email, ERPUser: m.ERPUser})
	}
	evs, err := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: id, Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}, Limit: recentRefusals})
	if err != nil {
		return tenantShowJSON{}, err
	}
	for _, ev := range evs {
		out.RecentRefusals = append(out.RecentRefusals, auditOut(ev))
	}
	return out, nil
}

func associateText(id int32) string {
	if id == 0 {
		return "-"
	}
	return strconv.FormatInt(int64(id), 10)
}

func tenantUpdate(ctx context.Context, c *cli, args []string) error {
	c.define("tenant update", "<tenant-id> [--name NAME] [--env test|live] [--superoffice-env NAME]... [--app-id ID]... [--config KEY=VALUE]... [flags]", `
Changes a tenant. Only what is given changes: --superoffice-env replaces the SuperOffice
environments the tenant accepts JWTs from (--any-superoffice-env accepts every one of
its --env again), --app-id replaces the whole list of AppIds (--add-app-id and
--remove-app-id change it one by one), --config sets settings and --unset-config
removes them. Changing --env makes the tenant's existing secrets stop
working (their prefix names the other environment): create new ones afterwards.`)
	var f tenantFields
	f.define(c, true)
	var addApp, removeApp, unset stringList
	c.fs.Var(&addApp, "add-app-id", "add an `AppId`; repeat for several")
	c.fs.Var(&removeApp, "remove-app-id", "remove an `AppId`; repeat for several")
	c.fs.Var(&unset, "unset-config", "remove the connector setting `key`; repeat for several")
	anyEnv := c.fs.Bool("any-superoffice-env", false, "accept SuperOffice JWTs from every environment of the tenant's --env again")
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	if c.set("app-id") && (len(addApp) > 0 || len(removeApp) > 0) {
		return usageError("%s: --app-id replaces the list; do not combine it with --add-app-id or --remove-app-id", c.path)
	}
	if len(f.soEnvs) > 0 && *anyEnv {
		return usageError("%s: --superoffice-env names environments, --any-superoffice-env clears them; do not combine them", c.path)
	}
	if !c.set("name") && !c.set("env") && len(f.soEnvs) == 0 && !*anyEnv && len(f.appIDs) == 0 && len(addApp) == 0 && len(removeApp) == 0 && len(f.config.m) == 0 && len(unset) == 0 {
		return usageError("%s: nothing to change (run 'quotekit tenant update --help')", c.path)
	}
	var name string
	var env connector.Environment
	if c.set("name") {
		if name, err = checkName(c.path, f.name); err != nil {
			return err
		}
	}
	if c.set("env") {
		if env, err = checkEnv(c.path, f.env); err != nil {
			return err
		}
	}
	newIDs, err := checkAppIDs(c.path, f.appIDs)
	if err != nil {
		return err
	}
	added, err := checkAppIDs(c.path, addApp)
	if err != nil {
		return err
	}
	if err := checkConfig(c.path, f.config.m); err != nil {
		return err
	}

	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	var oldEnv connector.Environment
	t, changed, err := c.service(s, nil).UpdateTenant(ctx, id, func(t *tenancy.Tenant) {
		oldEnv = t.Environment
		if t.Config == nil {
			t.Config = map[string]string{}
		}
		if c.set("name") {
			t.Name = name
		}
		if c.set("env") {
			t.Environment = env
		}
		if len(f.soEnvs) > 0 {
			t.SuperOfficeEnvs = f.soEnvs
		}
		if *anyEnv {
			t.SuperOfficeEnvs = nil
		}
		if c.set("app-id") {
			t.AppIDs = newIDs
		}
		for _, a := range added {
			if !slices.ContainsFunc(t.AppIDs, func(o string) bool { return tenancy.ASCIIEqualFold(o, a) }) {
				t.AppIDs = append(t.AppIDs, a)
			}
		}
		for _, r := range removeApp {
			r = strings.TrimSpace(r)
			n := len(t.AppIDs)
			t.AppIDs = slices.DeleteFunc(t.AppIDs, func(o string) bool { return tenancy.ASCIIEqualFold(o, r) })
			if len(t.AppIDs) == n {
				c.info("Note: %s has no AppId %s.", id, quoteArg(r))
			}
		}
		maps.Copy(t.Config, f.config.m)
		for _, k := range unset {
			if _, ok := t.Config[k]; !ok {
				c.info("Note: %s has no setting %s.", id, quoteArg(k))
			}
			delete(t.Config, k)
		}
	}, c.actor)
	var ie *tenancy.InvalidError
	if errors.As(err, &ie) && ie.Field == tenancy.FieldSOEnvs {
		return flagError(c.path, "superoffice-env", err)
	}
	if err != nil {
		return storeFailure(err, id)
	}
	if c.json {
		return writeJSON(c.stdout, tenantOut(t, false))
	}
	printTenant(c.stdout, tenantOut(t, false))
	if len(changed) == 0 {
		c.info("Tenant %s unchanged: it already had those settings.", id)
		return nil
	}
	c.info("Tenant %s updated: %s.", id, strings.Join(changed, ", "))
	if t.Environment != oldEnv {
		c.info("The environment changed from %s to %s: the tenant's existing secrets are now refused; create new ones with 'quotekit secret create %s'.", oldEnv, t.Environment, id)
	}
	return nil
}

func tenantDisable(ctx context.Context, c *cli, args []string) error {
	c.define("tenant disable", "<tenant-id> [--reason TEXT] [flags]", `
Disables a tenant at once: every access token it holds stops working now, and its
secrets and SuperOffice JWTs are refused until 'quotekit tenant enable'. Tokens issued
before the disabling stay invalid after enabling; callers simply authenticate again.`)
	reason := c.fs.String("reason", "", "`why`, for the audit log")
	return setEnabled(ctx, c, args, false, reason)
}

func tenantEnable(ctx context.Context, c *cli, args []string) error {
	c.define("tenant enable", "<tenant-id> [--reason TEXT] [flags]", `
Enables a disabled tenant: its active secrets and SuperOffice JWTs are accepted again.`)
	reason := c.fs.String("reason", "", "`why`, for the audit log")
	return setEnabled(ctx, c, args, true, reason)
}

func setEnabled(ctx context.Context, c *cli, args []string, enabled bool, reason *string) error {
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	if *reason, err = tenancy.CheckReason(*reason); err != nil {
		return flagError(c.path, "reason", err)
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := c.service(s, nil).SetTenantEnabled(ctx, id, enabled, *reason, c.actor)
	if err != nil {
		return storeFailure(err, id)
	}
	if c.json {
		return writeJSON(c.stdout, tenantOut(t, false))
	}
	printTenant(c.stdout, tenantOut(t, false))
	if enabled {
		c.info("Tenant %s enabled.", id)
	} else {
		c.info("Tenant %s disabled: its access tokens stopped working now, and its credentials are refused until 'quotekit tenant enable %s'.", id, id)
	}
	return nil
}

// userKey are the flags that name a SuperOffice user.
type userKey struct {
	associateID int64
	email       string
}

func (u *userKey) define(c *cli) {
	c.fs.Int64Var(&u.associateID, "associate-id", 0, "the user's SuperOffice associate `id`")
	c.fs.StringVar(&u.email, "email", "", "the user's e-mail `address` (ASCII letters compared case-insensitively)")
}

// check validates the key; at least one part is required.
func (u *userKey) check(path string) (tenancy.UserMapping, error) {
	var m tenancy.UserMapping
	if u.associateID < 0 || u.associateID > math.MaxInt32 {
		return m, usageError("%s: --associate-id must be between 1 and %d", path, math.MaxInt32)
	}
	m.AssociateID, m.Email = int32(u.associateID), u.email
	m, err := tenancy.CheckUserKey(m)
	var ie *tenancy.InvalidError
	if errors.As(err, &ie) && ie.Field == tenancy.FieldUser {
		return m, usageError("%s: give --associate-id or --email (or both)", path)
	}
	return m, flagError(path, "email", err)
}

// describeUser names the mapping's SuperOffice side for messages, as the audit log does.
func describeUser(m tenancy.UserMapping) string { return tenancy.DescribeUser(m) }

func tenantMapUser(ctx context.Context, c *cli, args []string) error {
	c.define("tenant map-user", "<tenant-id> (--associate-id N | --email E) --erp-user USER [flags]", `
Maps a SuperOffice user of the tenant to an ERP user; the connector gets that ERP user
with every call the SuperOffice user makes. A user is matched by associate id first,
then by e-mail. A new mapping replaces any mapping with the same associate id or the
same e-mail.`)
	var key userKey
	key.define(c)
	erpUser := c.fs.String("erp-user", "", "the ERP `user` (required)")
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	m, err := key.check(c.path)
	if err != nil {
		return err
	}
	m.TenantID, m.ERPUser = id, *erpUser
	if m, err = tenancy.CheckUserMapping(m); err != nil {
		return flagError(c.path, "erp-user", err)
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if m, err = c.service(s, nil).MapUser(ctx, m, c.actor); err != nil {
		return storeFailure(err, id)
	}
	if c.json {
		return writeJSON(c.stdout, mappingJSON{AssociateID: m.AssociateID, Email: tenancy.FoldEmail(m.Email), ERPUser: m.ERPUser})
	}
	tw := newTable(c.stdout)
	row(tw, "ASSOCIATE ID", "E-MAIL", "ERP USER")
	row(tw, associateText(m.AssociateID), tenancy.FoldEmail(m.Email), m.ERPUser)
	tw.Flush()
	c.info("Mapped %s of %s to ERP user %s.", describeUser(m), id, strconv.Quote(m.ERPUser))
	return nil
}

func tenantUnmapUser(ctx context.Context, c *cli, args []string) error {
	c.define("tenant unmap-user", "<tenant-id> (--associate-id N | --email E) [flags]", `
Removes the tenant's user mappings with that associate id or e-mail (with both, only a
mapping that has both). The user's calls then reach the connector without an ERP user.`)
	var key userKey
	key.define(c)
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	m, err := key.check(c.path)
	if err != nil {
		return err
	}
	m.TenantID = id
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Tenant(ctx, id); err != nil {
		return storeFailure(err, id)
	}
	if err := c.service(s, nil).UnmapUser(ctx, m, c.actor); err != nil {
		if errors.Is(err, tenancy.ErrNotFound) {
			return fail(tenancy.ErrNotFound, "%s has no user mapping for %s (see 'quotekit tenant show %s')", id, describeUser(m), id)
		}
		return storeFailure(err, id)
	}
	if c.json {
		return writeJSON(c.stdout, map[string]any{"tenant": id, "associate_id": m.AssociateID, "email": tenancy.FoldEmail(m.Email), "removed": true})
	}
	c.info("Removed the mapping of %s of %s.", describeUser(m), id)
	return nil
}
