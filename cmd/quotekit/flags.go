package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/quotekit/quotekit/server/storage"
	"github.com/quotekit/quotekit/tenancy"
)

// defaultDB is the database when neither --db nor QUOTEKIT_DB is given; the server
// uses the same default.
var defaultDB = filepath.Join("var", "quotekit.db")

// cli is one invocation of a leaf command: its flags, the values of the common flags,
// and the process's environment and output.
type cli struct {
	fs     *flag.FlagSet
	path   string // "tenant add"
	usage  string // what follows the path in the usage line
	about  string // what the command does, for --help
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time

	db            string
	json          bool
	actor         string // "" when the command has no --actor
	masterKeyFile string
	dev           bool
}

// leaf turns a command body into a runFunc.
func leaf(body func(ctx context.Context, c *cli, args []string) error) runFunc {
	return func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		return body(ctx, &cli{getenv: getenv, stdout: stdout, stderr: stderr, now: time.Now}, args)
	}
}

// define names the command and describes it for --help, and returns its flag set.
func (c *cli) define(path, usage, about string) *flag.FlagSet {
	c.path, c.usage, c.about = path, usage, about
	c.fs = flag.NewFlagSet("quotekit "+path, flag.ContinueOnError)
	c.fs.SetOutput(io.Discard) // parse reports errors itself
	return c.fs
}

// env returns the value of the QUOTEKIT_<key> variable, or def.
func (c *cli) env(key, def string) string {
	if v := c.getenv("QUOTEKIT_" + key); v != "" {
		return v
	}
	return def
}

// storeFlags adds --db.
func (c *cli) storeFlags() {
	c.fs.StringVar(&c.db, "db", c.env("DB", defaultDB), "the store: a SQLite database `file`, or a postgres:// URL [QUOTEKIT_DB]")
}

// jsonFlag adds --json.
func (c *cli) jsonFlag() {
	c.fs.BoolVar(&c.json, "json", false, "print JSON instead of a table")
}

// actorFlag adds --actor, who the audit log names for the change.
func (c *cli) actorFlag() {
	def := "cli"
	if u := c.getenv("USER"); u != "" {
		def = "cli:" + u
	}
	c.fs.StringVar(&c.actor, "actor", c.env("ACTOR", def), "`who` makes the change, for the audit log; default cli:$USER [QUOTEKIT_ACTOR]")
}

// keyFlags adds --master-key-file and --dev.
func (c *cli) keyFlags() {
	c.fs.StringVar(&c.masterKeyFile, "master-key-file", c.env("MASTER_KEY_FILE", ""),
		"master key `file` (default: master.key beside the database); "+tenancy.MasterKeyEnv+" takes precedence [QUOTEKIT_MASTER_KEY_FILE]")
	c.fs.BoolVar(&c.dev, "dev", c.env("DEV", "") == "true", "development: create the master key file (mode 0600) when it is missing [QUOTEKIT_DEV=true]")
}

// parse parses args, flags and positional arguments in any order ("--" ends the flags),
// and checks that exactly the named positional arguments were given. ok is false when
// the command must stop: err is then nil when help was printed, else a usage error.
func (c *cli) parse(args []string, names ...string) (pos []string, ok bool, err error) {
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.printUsage(c.stdout)
				return nil, false, nil
			}
			msg := err.Error()
			if strings.Contains(msg, "qk_") || strings.Contains(msg, "eyJ") {
				// The flag package quotes the value it refused; a credential given by
				// mistake must not be repeated.
				msg = "a flag has an invalid value (not repeated here: it may be a credential)"
			}
			return nil, false, usageError("%s: %s (run 'quotekit %s --help')", c.path, msg, c.path)
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	switch {
	case len(pos) < len(names):
		return nil, false, usageError("%s: missing <%s> (usage: quotekit %s %s)", c.path, names[len(pos)], c.path, c.usage)
	case len(pos) > len(names):
		return nil, false, usageError("%s: unexpected argument %s (usage: quotekit %s %s)", c.path, quoteArg(pos[len(names)]), c.path, c.usage)
	}
	if c.fs.Lookup("actor") != nil {
		c.actor = strings.TrimSpace(c.actor)
		if c.actor == "" || len(c.actor) > 128 || !printable(c.actor) {
			return nil, false, usageError("%s: --actor must be 1 to 128 printable characters", c.path)
		}
	}
	return pos, true, nil
}

// set reports whether the flag was given on the command line.
func (c *cli) set(name string) bool {
	found := false
	c.fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

func (c *cli) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: quotekit %s %s\n\n%s\n", c.path, c.usage, strings.TrimSpace(c.about))
	var b strings.Builder
	c.fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  --%s", f.Name)
		if name != "" {
			fmt.Fprintf(&b, " %s", name)
		}
		fmt.Fprintf(&b, "\n      %s", usage)
		if def := f.DefValue; def != "" && def != "false" && def != "0" && def != "[]" {
			fmt.Fprintf(&b, " (default %s)", def)
		}
		b.WriteByte('\n')
	})
	if b.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", b.String())
	}
}

// info writes a message for people to stderr.
func (c *cli) info(format string, a ...any) {
	fmt.Fprintf(c.stderr, format+"\n", a...)
}

// openStore opens the database. Only create may make a new database file (and its
// directory): any other command on a missing file would otherwise leave an empty
// database behind, and a mistyped path would look like a deployment without tenants.
func (c *cli) openStore(ctx context.Context, create bool) (storage.Store, error) {
	if c.db == "" {
		return nil, usageError("%s: --db must not be empty", c.path)
	}
	// A PostgreSQL database is created by its administrator; Open only migrates it.
	if !storage.IsURL(c.db) {
		if _, err := os.Stat(c.db); errors.Is(err, os.ErrNotExist) {
			if !create {
				return nil, fail(tenancy.ErrUnavailable, "no database at %s: set --db or QUOTEKIT_DB ('quotekit tenant add' creates a new one)", c.db)
			}
			if err := os.MkdirAll(filepath.Dir(c.db), 0o750); err != nil {
				return nil, fail(tenancy.ErrUnavailable, "create the database directory: %v", err)
			}
		}
	}
	s, err := storage.Open(ctx, c.db)
	if err != nil {
		return nil, storeFailure(err, "")
	}
	return s, nil
}

// service returns the tenancy service on s, with the command's clock; keys may be nil
// for commands that make no shared secret.
func (c *cli) service(s storage.Store, keys *tenancy.Keyring) *tenancy.Service {
	return tenancy.NewService(s, tenancy.WithKeyring(keys), tenancy.WithClock(c.now))
}

// keyring loads the master key that encrypts the copy of each secret HS256 needs.
func (c *cli) keyring() (*tenancy.Keyring, error) {
	path := c.masterKeyFile
	if path == "" {
		path = filepath.Join(stateDir(c.db), "master.key")
	}
	k, err := tenancy.LoadMasterKey(c.getenv(tenancy.MasterKeyEnv), path, c.dev)
	if err != nil {
		return nil, fail(nil, "master key: %v; for development, --dev creates the file", err)
	}
	return k, nil
}

// stateDir is where state files live by default: the SQLite database's directory, or
// ./var with PostgreSQL (as for quotekit serve).
func stateDir(db string) string {
	if storage.IsURL(db) {
		return "var"
	}
	return filepath.Dir(db)
}

// storeFailure turns a store error into a message for people, keeping its sentinel.
// tenantID names the tenant a not-found error is about ("" when it is something else).
func storeFailure(err error, tenantID string) error {
	switch {
	case errors.Is(err, tenancy.ErrNotFound) && tenantID != "":
		return fail(tenancy.ErrNotFound, "tenant %s does not exist (see 'quotekit tenant list')", tenantID)
	case errors.Is(err, tenancy.ErrUnavailable):
		return fail(tenancy.ErrUnavailable, "the database is unavailable (down, locked by another process, read-only or full): %v", err)
	case errors.Is(err, storage.ErrSchemaTooNew):
		return fail(storage.ErrSchemaTooNew, "%v: upgrade quotekit", err)
	}
	return err
}

// parseTenant parses args like parse, with a tenant id as the first positional argument
// followed by more, and checks the id. It returns the id and all positional arguments;
// ok is false as for parse, or when the id is not a tenant id (err is then a usage error).
func (c *cli) parseTenant(args []string, more ...string) (id string, pos []string, ok bool, err error) {
	pos, ok, err = c.parse(args, append([]string{"tenant-id"}, more...)...)
	if !ok {
		return "", nil, false, err
	}
	if id, err = tenantArg(c.path, pos[0]); err != nil {
		return "", nil, false, err
	}
	return id, pos, true, nil
}

// tenantArg checks a tenant id given on the command line.
func tenantArg(cmd, id string) (string, error) {
	if !tenancy.TenantPattern.MatchString(id) {
		return "", usageError("%s: %s is not a tenant id: a SuperOffice tenant id is Cust followed by 1 to 10 digits, e.g. Cust12345", cmd, quoteArg(id))
	}
	return id, nil
}

// quoteArg quotes a command-line argument for a message, unless it may be a credential
// typed in the wrong place: those are never repeated.
func quoteArg(s string) string {
	if strings.HasPrefix(s, "qk_") || len(s) > 40 || strings.Count(s, ".") >= 2 {
		return "(an argument that may be a credential, not repeated here)"
	}
	return strconv.Quote(s)
}

// printable reports whether s has no control or format characters.
func printable(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// keyValues is a repeatable key=value flag; a later key replaces an earlier one.
type keyValues struct {
	m map[string]string
}

func (kv *keyValues) String() string {
	if kv == nil || len(kv.m) == 0 {
		return ""
	}
	return fmt.Sprint(kv.m)
}

func (kv *keyValues) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return errors.New("want key=value")
	}
	if kv.m == nil {
		kv.m = map[string]string{}
	}
	kv.m[k] = val
	return nil
}

// durationValue is a duration flag that also takes days ("7d", "1d12h").
type durationValue struct {
	d   time.Duration
	set bool
}

func (v *durationValue) String() string {
	if v == nil || !v.set {
		return ""
	}
	return v.d.String()
}

func (v *durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	v.d, v.set = d, true
	return nil
}

// parseDuration parses a Go duration, optionally led by a number of days: 90s, 24h,
// 7d, 1d12h.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration")
	}
	neg := strings.HasPrefix(s, "-")
	rest := strings.TrimPrefix(s, "-")
	var d time.Duration
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		days, err := strconv.ParseUint(rest[:i], 10, 16)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %s", strconv.Quote(s))
		}
		d, rest = time.Duration(days)*24*time.Hour, rest[i+1:]
	}
	if rest != "" {
		x, err := time.ParseDuration(rest)
		if err != nil || x < 0 {
			return 0, fmt.Errorf("invalid duration %s (e.g. 90s, 15m, 24h, 7d)", strconv.Quote(s))
		}
		d += x
	}
	if neg {
		d = -d
	}
	return d, nil
}

// parseWhen reads a point in time: RFC 3339 (2026-03-01T12:00:00Z), a date (2026-03-01,
// midnight UTC), or a duration meaning that long before now (24h, 7d).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	d, err := parseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("%s is neither an RFC 3339 time (2026-03-01T12:00:00Z), a date (2026-03-01) nor a duration ago (24h, 7d)", strconv.Quote(s))
	}
	return now.Add(-d), nil
}
