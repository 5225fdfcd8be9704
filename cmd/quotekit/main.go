// Command quotekit is the admin and operations tool of a quotekit deployment. It onboards
// SuperOffice tenants, manages their shared secrets, access tokens and user mappings,
// shows their credential audit trail, mints SuperOffice-shaped JWTs for development, and
// checks a connector endpoint the way SuperOffice NetServer calls it.
//
// Every subcommand takes --help. Data goes to stdout (aligned tables, or JSON with
// --json); messages go to stderr. The exit status says what happened: see the exit*
// constants.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/quotekit/quotekit/server/storage"
	"github.com/quotekit/quotekit/tenancy"
)

// Exit statuses. Scripts may rely on them.
const (
	exitOK          = 0 // done
	exitFailure     = 1 // failed for another reason (I/O, configuration, a bug)
	exitUsage       = 2 // the command line is wrong; nothing was changed
	exitNotFound    = 3 // no such tenant, secret or mapping; nothing was changed
	exitConflict    = 4 // contradicts the current state (duplicate tenant, rolling a revoked secret, too many active secrets); nothing was changed
	exitUnavailable = 5 // the database cannot be opened, read or written now; nothing was changed
)

// runFunc runs one command. args are the arguments after the command's name; getenv,
// stdout and stderr are the process's, or a test's.
type runFunc func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

// command is an entry of a command table.
type command struct {
	summary string // one line for the command list
	run     runFunc
}

// commands are quotekit's top-level commands; a new one is a new entry here.
//
// Errors a command returns are printed by main and mapped to an exit status by exitCode:
// wrap tenancy.ErrNotFound, tenancy.ErrConflict or tenancy.ErrUnavailable to pick 3, 4 or 5, and
// use usageError for 2.
var commands = map[string]command{
	"tenant":   {"add, list, show, update, disable and enable tenants; map their users", group("tenant", tenantCommands)},
	"secret":   {"create, roll, revoke and list a tenant's shared secrets", group("secret", secretCommands)},
	"token":    {"list and revoke a tenant's access tokens", group("token", tokenCommands)},
	"audit":    {"show a tenant's credential events, newest first; 'audit prune' deletes old ones", leaf(audit)},
	"adminkey": {"create, list and revoke admin API keys", group("adminkey", adminKeyCommands)},
	"devjwt":   {"mint a SuperOffice-shaped JWT signed with a local test key (development)", leaf(devJWT)},
	"check":    {"check a connector endpoint the way SuperOffice NetServer calls it", leaf(checkEndpoint)},
	"serve":    {"run the server without a connector, to try authentication and the admin API", serve},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quotekit:", err)
	}
	os.Exit(exitCode(err))
}

// run is the whole program: args are os.Args (the program name first).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		args = args[1:]
	}
	return dispatch(ctx, "", commands, args, getenv, stdout, stderr)
}

// group returns a command that dispatches to the subcommands in table.
func group(name string, table map[string]command) runFunc {
	return func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		return dispatch(ctx, name, table, args, getenv, stdout, stderr)
	}
}

// dispatch runs the command of table named by args[0]. path is the words before it
// ("" at the top, "tenant" for tenant's subcommands).
func dispatch(ctx context.Context, path string, table map[string]command, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	full := strings.TrimSpace("quotekit " + path)
	if len(args) == 0 {
		listCommands(stderr, full, table)
		if path == "" {
			return usageError("a command is required")
		}
		return usageError("%s: a subcommand is required", path)
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		listCommands(stdout, full, table)
		return nil
	case "help":
		if len(args) == 1 {
			listCommands(stdout, full, table)
			return nil
		}
		// "help X Y" is "X Y --help".
		return dispatch(ctx, path, table, append(args[1:], "--help"), getenv, stdout, stderr)
	}
	cmd, ok := table[name]
	if !ok && strings.HasPrefix(name, "-") {
		return usageError("flags go after the command, e.g. '%s <command> --json' (run '%s --help')", full, full)
	}
	if !ok {
		return usageError("unknown command %s %s (run '%s --help')", full, quoteArg(name), full)
	}
	return cmd.run(ctx, args[1:], getenv, stdout, stderr)
}

func listCommands(w io.Writer, full string, table map[string]command) {
	names := make([]string, 0, len(table))
	for n := range table {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "Usage: %s <command> [arguments] [flags]\n\nCommands:\n", full)
	tw := newTable(w)
	for _, n := range names {
		fmt.Fprintf(tw, "  %s\t%s\n", n, table[n].summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's arguments and flags.\n", full)
	if full == "quotekit" {
		fmt.Fprint(w, exitStatusHelp)
	}
}

const exitStatusHelp = `
Exit status:
  0  done
  1  failed for another reason (I/O, configuration)
  2  usage error: the command line is wrong; nothing was changed
  3  not found: no such tenant, secret or mapping; nothing was changed
  4  conflict: duplicate tenant, rolling a revoked or expired secret, too many
     active secrets; nothing was changed
  5  the database is unavailable (missing, locked, read-only, full, or from a
     newer quotekit); nothing was changed
`

// errUsage marks usage errors.
var errUsage = errors.New("usage error")

// failure is an error with a message for people and the sentinel that decides the exit
// status. Its message never contains a credential.
type failure struct {
	msg  string
	kind error
}

func (f *failure) Error() string { return f.msg }
func (f *failure) Unwrap() error { return f.kind }

// fail returns a failure of kind (nil: exit status 1) with a formatted message.
func fail(kind error, format string, a ...any) error {
	return &failure{msg: fmt.Sprintf(format, a...), kind: kind}
}

// usageError returns an error with exit status 2.
func usageError(format string, a ...any) error { return fail(errUsage, format, a...) }

// exitCode maps an error of run to the exit status.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.Is(err, tenancy.ErrNotFound):
		return exitNotFound
	case errors.Is(err, tenancy.ErrConflict), errors.Is(err, tenancy.ErrLimit):
		return exitConflict
	case errors.Is(err, tenancy.ErrUnavailable), errors.Is(err, storage.ErrSchemaTooNew):
		return exitUnavailable
	default:
		return exitFailure
	}
}
