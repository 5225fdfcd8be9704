package dbrow

import (
	"fmt"

	"github.com/quotekit/quotekit/tenancy"
)

// DefaultAuditLimit is tenancy.AuditFilter.Limit's documented default.
const DefaultAuditLimit = 100

// AuditLimit is the number of events a query for f returns at most: f.Limit, or
// DefaultAuditLimit when that is 0 or less.
func AuditLimit(f tenancy.AuditFilter) int {
	if f.Limit <= 0 {
		return DefaultAuditLimit
	}
	return f.Limit
}

// AuditCols are the columns of audit_events that AuditEvent.Dest receives, in order.
const AuditCols = `id, tenant_id, kind, reason, actor, credential, remote_addr, at`

// AuditEvent receives the AuditCols of a row.
type AuditEvent struct {
	ev   tenancy.AuditEvent
	kind string
	at   int64
}

// Dest returns the scan destinations of the AuditCols, in order.
func (r *AuditEvent) Dest() []any {
	return []any{&r.ev.ID, &r.ev.TenantID, &r.kind, &r.ev.Reason, &r.ev.Actor, &r.ev.Credential, &r.ev.RemoteAddr, &r.at}
}

// Event returns the audit event the scanned row holds.
func (r *AuditEvent) Event() tenancy.AuditEvent {
	ev := r.ev
	ev.Kind = tenancy.EventKind(r.kind)
	ev.At = NanosTime(r.at)
	return ev
}

// AuditDefaults returns ev with the fields it leaves empty (Kind, TenantID, Credential,
// At) taken from def, which a store method fills with what it knows, so that a method
// that changes credentials always leaves a complete row. At may still be zero: the
// store's clock is the store's business.
func AuditDefaults(ev, def tenancy.AuditEvent) tenancy.AuditEvent {
	if ev.Kind == "" {
		ev.Kind = def.Kind
	}
	if ev.TenantID == "" {
		ev.TenantID = def.TenantID
	}
	if ev.Credential == "" {
		ev.Credential = def.Credential
	}
	if ev.At.IsZero() {
		ev.At = def.At
	}
	return ev
}

// AuditInsertCols are the columns of audit_events that AuditValues gives values for, in
// order, as an INSERT lists them.
const AuditInsertCols = `(tenant_id, kind, reason, actor, credential, remote_addr, at)`

// AuditValues checks ev and returns the values of its AuditInsertCols. It fails with a
// plain error when ev has no kind or its At is outside the storable range (see
// CheckTimes).
func AuditValues(ev tenancy.AuditEvent) ([]any, error) {
	if ev.Kind == "" {
		return nil, fmt.Errorf("audit event without a kind")
	}
	if err := CheckTimes(ev.At); err != nil {
		return nil, err
	}
	return []any{ev.TenantID, string(ev.Kind), ev.Reason, ev.Actor, ev.Credential, ev.RemoteAddr, ev.At.UnixNano()}, nil
}
