package auth

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// RefusalAudit bounds the audit rows that refusals write, so that a flood of bad
// credentials can neither grow the audit table without end nor keep the store's single
// writer from issuing real tokens. Within a minute, a refusal gets a row of its own while
// its key (tenant, client, reason) has had fewer than PerKey rows and all refusals fewer
// than PerMinute; the others are counted per key, and when the minute is over each key's
// count is written as one summary row, reason "<reason> (<n> more)". A client is an IPv4
// address or an IPv6 /64.
type RefusalAudit struct {
	PerKey    int
	PerMinute int
}

// DefaultRefusalAudit lets one tenant, client and reason write 10 rows a minute and all
// refusals 300 (five a second): a misconfigured connection stays visible row by row,
// while a flood costs a few hundred rows a minute at most, summaries included.
var DefaultRefusalAudit = RefusalAudit{PerKey: 10, PerMinute: 300}

// WithRefusalAudit sets how many refusals are audited row by row (default
// DefaultRefusalAudit). Values below 1 are taken as 1.
func WithRefusalAudit(a RefusalAudit) Option {
	return func(s *Service) {
		s.audits = &refusalAudit{limits: RefusalAudit{PerKey: max(a.PerKey, 1), PerMinute: max(a.PerMinute, 1)}}
	}
}

const (
	// refusalWindow is the period the RefusalAudit limits count in.
	refusalWindow = time.Minute
	// maxSummaryKeys bounds the summary rows of one window; refusals of further keys are
	// summed up per reason alone (no tenant, no client).
	maxSummaryKeys = 100
)

// auditKey is what refusals are counted by: the tenant recorded with them (proven, or
// named by the caller), the client (clientKey) and the reason code.
type auditKey struct{ tenant, client, reason string }

// refusalAudit applies a RefusalAudit. It is safe for concurrent use.
type refusalAudit struct {
	limits RefusalAudit

	mu      sync.Mutex
	start   time.Time // of the current window; zero: none open
	rows    map[auditKey]int
	written int
	skipped map[auditKey]int
	// due is when the skipped refusals' summaries are due (UnixNano), 0 when none wait;
	// read without the lock on every successful check.
	due atomic.Int64
}

// admit decides whether a refusal of key at now gets a row of its own, and returns the
// summary rows of a window that ended before now, to be written first.
func (a *refusalAudit) admit(now time.Time, k auditKey) (own bool, summaries []tenancy.AuditEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.start.IsZero() || !now.Before(a.start.Add(refusalWindow)) {
		summaries = a.closeLocked()
		a.start, a.rows = now, map[auditKey]int{}
	}
	if a.rows[k] < a.limits.PerKey && a.written < a.limits.PerMinute {
		a.rows[k]++
		a.written++
		return true, summaries
	}
	if a.skipped == nil {
		a.skipped = map[auditKey]int{}
	}
	if _, ok := a.skipped[k]; !ok && len(a.skipped) >= maxSummaryKeys {
		k = auditKey{reason: k.reason}
	}
	a.skipped[k]++
	a.due.Store(a.start.Add(refusalWindow).UnixNano())
	return false, summaries
}

// pending returns the summary rows of a window that ended before now, closing it; nil,
// without taking the lock, when none are due.
func (a *refusalAudit) pending(now time.Time) []tenancy.AuditEvent {
	if d := a.due.Load(); d == 0 || now.UnixNano() < d {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.start.IsZero() || now.Before(a.start.Add(refusalWindow)) {
		return nil
	}
	out := a.closeLocked()
	a.start, a.rows = time.Time{}, nil
	return out
}

// closeLocked ends the current window and returns its summary rows, dated at its end.
func (a *refusalAudit) closeLocked() []tenancy.AuditEvent {
	end := a.start.Add(refusalWindow)
	var out []tenancy.AuditEvent
	for k, n := range a.skipped {
		out = append(out, tenancy.AuditEvent{
			TenantID: k.tenant, Kind: tenancy.EventAuthRefused, RemoteAddr: k.client, At: end,
			Reason: fmt.Sprintf("%s (%d more)", k.reason, n),
		})
	}
	slices.SortFunc(out, func(x, y tenancy.AuditEvent) int {
		return cmp.Or(cmp.Compare(x.TenantID, y.TenantID), cmp.Compare(x.RemoteAddr, y.RemoteAddr), cmp.Compare(x.Reason, y.Reason))
	})
	a.written, a.skipped = 0, nil
	a.due.Store(0)
	return out
}

// auditRefusal writes the audit row of a refusal, when the RefusalAudit gives it one,
// after the summaries of the window before.
func (s *Service) auditRefusal(ctx context.Context, ev tenancy.AuditEvent) {
	own, summaries := s.audits.admit(ev.At, auditKey{tenant: ev.TenantID, client: clientKey(ev.RemoteAddr), reason: ev.Reason})
	if own {
		summaries = append(summaries, ev)
	}
	s.writeAudit(ctx, summaries)
}

// flushRefusals writes, in the background, the summaries due by now; a successful check
// calls it, so that summaries do not wait for the next refusal.
func (s *Service) flushRefusals(ctx context.Context, now time.Time) {
	if evs := s.audits.pending(now); len(evs) > 0 {
		go s.writeAudit(context.WithoutCancel(ctx), evs)
	}
}

func (s *Service) writeAudit(ctx context.Context, evs []tenancy.AuditEvent) {
	for _, ev := range evs {
		if err := s.store.Audit(ctx, ev); err != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "audit write failed", slog.String("error", err.Error()))
		}
	}
}
