package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// auditJSON is an audit event in --json output.
type auditJSON struct {
	ID         int64     `json:"id"`
	Tenant     string    `json:"tenant"`
	Kind       string    `json:"kind"`
	Reason     string    `json:"reason,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	Credential string    `json:"credential,omitempty"`
	RemoteAddr string    `json:"remote_addr,omitempty"`
	At         time.Time `json:"at"`
}

func auditOut(ev tenancy.AuditEvent) auditJSON {
	return auditJSON{ID: ev.ID, Tenant: ev.TenantID, Kind: string(ev.Kind), Reason: ev.Reason, Actor: ev.Actor,
		Credential: ev.Credential, RemoteAddr: ev.RemoteAddr, At: ev.At.UTC()}
}

// knownKinds are the event kinds quotekit writes (tenancy.EventKinds, sorted); --kind
// warns about others, which may be a typo (or come from a newer server).
var knownKinds = func() []string {
	out := make([]string, len(tenancy.EventKinds))
	for i, k := range tenancy.EventKinds {
		out[i] = string(k)
	}
	slices.Sort(out)
	return out
}()

// Bounds of --limit.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 10000
)

func audit(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 && args[0] == "prune" {
		return auditPrune(ctx, c, args[1:])
	}
	c.define("audit", "<tenant-id> [--kind KIND]... [--since WHEN] [--until WHEN] [--limit N] [flags]", `
Shows the tenant's credential events, newest first: secrets created, rolled and
revoked, tokens issued and revoked, refused authentications with their reason (why a
tenant's calls fail), and changes to the tenant and its user mappings, each with who
did it. WHEN is an RFC 3339 time (2026-03-01T12:00:00Z), a date (2026-03-01, UTC), or a
duration meaning that long ago (90m, 24h, 7d). --since is inclusive, --until exclusive.
Events recorded under an id that is not (yet) a tenant, such as refusals of calls for a
customer not onboarded, are shown too. 'quotekit audit prune' deletes old events.

Kinds: `+strings.Join(knownKinds, ", ")+`.`)
	var kinds stringList
	c.fs.Var(&kinds, "kind", "only events of this `kind`; repeat for several")
	since := c.fs.String("since", "", "only events at or after `WHEN`")
	until := c.fs.String("until", "", "only events before `WHEN`")
	limit := c.fs.Int("limit", defaultAuditLimit, "at most this many events (1 to 10000)")
	c.storeFlags()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	now := c.now()
	f := tenancy.AuditFilter{TenantID: id, Limit: *limit}
	for _, k := range kinds {
		k = strings.TrimSpace(k)
		if k == "" {
			return usageError("%s: --kind must not be empty", c.path)
		}
		if !slices.Contains(knownKinds, k) {
			c.info("Note: %s is not a kind quotekit writes (known: %s).", quoteArg(k), strings.Join(knownKinds, ", "))
		}
		f.Kinds = append(f.Kinds, tenancy.EventKind(k))
	}
	if *since != "" {
		if f.Since, err = parseWhen(*since, now); err != nil {
			return usageError("%s: --since: %v", c.path, err)
		}
	}
	if *until != "" {
		if f.Until, err = parseWhen(*until, now); err != nil {
			return usageError("%s: --until: %v", c.path, err)
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return usageError("%s: --since must be before --until", c.path)
	}
	if f.Limit < 1 || f.Limit > maxAuditLimit {
		return usageError("%s: --limit must be between 1 and %d", c.path, maxAuditLimit)
	}

	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	_, terr := s.Tenant(ctx, id)
	if terr != nil && !errors.Is(terr, tenancy.ErrNotFound) {
		return storeFailure(terr, id)
	}
	evs, err := s.AuditEvents(ctx, f)
	if err != nil {
		return storeFailure(err, id)
	}
	if terr != nil {
		// Not a tenant. Its id may still have events (refused calls for a customer not
		// onboarded yet); without any, the id is most likely mistyped.
		some, err := s.AuditEvents(ctx, tenancy.AuditFilter{TenantID: id, Limit: 1})
		if err != nil {
			return storeFailure(err, id)
		}
		if len(some) == 0 {
			return fail(tenancy.ErrNotFound, "tenant %s does not exist and no events are recorded under that id (see 'quotekit tenant list')", id)
		}
		c.info("Note: %s is not a tenant; these events were recorded under its id.", id)
	}
	if c.json {
		out := make([]auditJSON, 0, len(evs))
		for _, ev := range evs {
			out = append(out, auditOut(ev))
		}
		return writeJSON(c.stdout, out)
	}
	if len(evs) == 0 {
		c.info("No matching events for %s.", id)
		return nil
	}
	tw := newTable(c.stdout)
	row(tw, "AT", "KIND", "REASON", "ACTOR", "CREDENTIAL", "REMOTE ADDRESS")
	for _, ev := range evs {
		row(tw, when(ev.At), string(ev.Kind), ev.Reason, ev.Actor, ev.Credential, ev.RemoteAddr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(evs) == f.Limit {
		c.info("Showing the newest %d events; --limit or --until shows more.", f.Limit)
	}
	return nil
}

// pruneJSON is what audit prune prints with --json.
type pruneJSON struct {
	Deleted int       `json:"deleted"`
	Before  time.Time `json:"before"`
}

func auditPrune(ctx context.Context, c *cli, args []string) error {
	minDays := int(tenancy.MinAuditAge / (24 * time.Hour))
	c.define("audit prune", "(--before WHEN | --older-than AGE) [flags]", fmt.Sprintf(`
Deletes the audit events recorded before a cut-off, of every tenant and of none, and
records the deletion as an audit.pruned event (who, the cut-off, how many): the only
way events leave the audit log, which the database otherwise keeps append-only. WHEN
is an RFC 3339 time, a date (UTC) or a duration ago, as for 'quotekit audit'; AGE is a
duration (400d). The cut-off must be at least %d days ago.`, minDays))
	before := c.fs.String("before", "", "delete the events recorded before `WHEN`")
	var olderThan durationValue
	c.fs.Var(&olderThan, "older-than", "delete the events older than `AGE` (e.g. 400d)")
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	if _, ok, err := c.parse(args); !ok {
		return err
	}
	now := c.now()
	var cut time.Time
	switch {
	case *before != "" && olderThan.set:
		return usageError("%s: give --before or --older-than, not both", c.path)
	case *before != "":
		t, err := parseWhen(*before, now)
		if err != nil {
			return usageError("%s: --before: %v", c.path, err)
		}
		cut = t
	case olderThan.set:
		if olderThan.d <= 0 {
			return usageError("%s: --older-than must be a positive duration such as 400d", c.path)
		}
		cut = now.Add(-olderThan.d)
	default:
		return usageError("%s: --before or --older-than is required", c.path)
	}
	if cut.After(now.Add(-tenancy.MinAuditAge)) {
		return usageError("%s: the cut-off must be at least %d days ago", c.path, minDays)
	}

	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := c.service(s, nil).PruneAudit(ctx, cut, c.actor)
	var ie *tenancy.InvalidError
	if errors.As(err, &ie) {
		return usageError("%s: the cut-off %s", c.path, ie.Rule)
	}
	if err != nil {
		return storeFailure(err, "")
	}
	if c.json {
		return writeJSON(c.stdout, pruneJSON{Deleted: n, Before: cut.UTC()})
	}
	c.info("Deleted %d audit events recorded before %s; an audit.pruned event records it.", n, when(cut))
	return nil
}
