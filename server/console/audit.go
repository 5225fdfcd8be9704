package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// auditPageSize is how many events a page of the audit log shows.
const auditPageSize = 50

// auditBatch is how many events one store read fetches while filling a page.
const auditBatch = 200

// auditMaxBatches bounds the reads one page makes when the actor filter drops most
// events; the page then offers to go on from where it stopped.
const auditMaxBatches = 20

// timeInput is the form of the datetime-local inputs, read and shown in UTC.
const timeInput = "2006-01-02T15:04"

type auditPage struct {
	Tenant, Kind, Actor, From, To string
	Kinds                         []tenancy.EventKind
	Events                        []tenancy.AuditEvent
	Older                         string // the query of the next page, "" when there is none
	Newest                        string // the query of the first page, "" on the first page
}

// audit shows the audit log, newest first, filtered by tenant, kind, actor and time, a
// page at a time. Paging goes by a cursor (the last event's time and id), so events
// written meanwhile neither repeat nor hide one.
func (c *Console) audit(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	p := auditPage{Tenant: strings.TrimSpace(q.Get("tenant")), Kind: q.Get("kind"), Actor: strings.TrimSpace(q.Get("actor")),
		From: q.Get("from"), To: q.Get("to"), Kinds: tenancy.EventKinds}
	f := tenancy.AuditFilter{TenantID: p.Tenant, Limit: auditBatch}
	if p.Kind != "" {
		if !slices.Contains(tenancy.EventKinds, tenancy.EventKind(p.Kind)) {
			return failf(http.StatusBadRequest, "No event kind %q.", p.Kind)
		}
		f.Kinds = []tenancy.EventKind{tenancy.EventKind(p.Kind)}
	}
	var err error
	if f.Since, err = parseInputTime(p.From, "from"); err != nil {
		return err
	}
	var until time.Time
	if until, err = parseInputTime(p.To, "to"); err != nil {
		return err
	}
	if !until.IsZero() {
		until = until.Add(time.Minute) // the whole minute the input names
	}
	// The cursor: events strictly older than (at, id).
	var curAt time.Time
	var curID int64
	if cur := q.Get("before"); cur != "" {
		ns, id, ok := strings.Cut(cur, "-")
		n, err1 := strconv.ParseInt(ns, 10, 64)
		i, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return failf(http.StatusBadRequest, "The page cursor is not one this console wrote.")
		}
		curAt, curID = time.Unix(0, n), i
		p.Newest = pageQuery(q, "")
	}
	ctx := r.Context()
	more := false
	for range auditMaxBatches {
		f.Until = until
		if !curAt.IsZero() && (until.IsZero() || curAt.Add(1).Before(until)) {
			f.Until = curAt.Add(1) // Until is exclusive: this includes curAt's other events
		}
		batch, err := c.cfg.Store.AuditEvents(ctx, f)
		if err != nil {
			return err
		}
		for _, ev := range batch {
			if !curAt.IsZero() && ev.At.Equal(curAt) && ev.ID >= curID {
				continue // shown already
			}
			curAt, curID = ev.At, ev.ID
			if p.Actor != "" && !strings.Contains(strings.ToLower(ev.Actor), strings.ToLower(p.Actor)) {
				continue
			}
			if len(p.Events) == auditPageSize {
				more = true
				break
			}
			p.Events = append(p.Events, ev)
		}
		if more || len(batch) < auditBatch {
			break
		}
		more = true // the batches ran out before the page filled: offer to go on
	}
	if more && len(p.Events) > 0 {
		last := p.Events[len(p.Events)-1]
		p.Older = pageQuery(q, fmt.Sprintf("%d-%d", last.At.UnixNano(), last.ID))
	}
	v.Title, v.Nav, v.Data = "Audit log", "audit", p
	c.render(w, http.StatusOK, "audit", v)
	return nil
}

// pageQuery returns q with the cursor set to before ("" drops it).
func pageQuery(q url.Values, before string) string {
	out := url.Values{}
	for _, k := range []string{"tenant", "kind", "actor", "from", "to"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	if before != "" {
		out.Set("before", before)
	}
	return out.Encode()
}

func parseInputTime(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(timeInput, s, time.UTC)
	if err != nil {
		return time.Time{}, failf(http.StatusBadRequest, "The %s time is not a date and time (YYYY-MM-DDTHH:MM, UTC).", name)
	}
	return t, nil
}
