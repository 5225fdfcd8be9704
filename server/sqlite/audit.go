package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/quotekit/quotekit/tenancy"
)

// defaultAuditLimit is AuditFilter.Limit's documented default.
const defaultAuditLimit = 100

// appendAudit writes ev inside tx. The fields ev leaves empty are taken from def, which
// the calling method fills with what it knows (its kind, tenant, time and credential),
// so a method that changes credentials always leaves a complete row; a still-zero At is
// the store's clock.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, ev, def tenancy.AuditEvent) error {
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
		ev.At = s.orNow(def.At)
	}
	return insertAudit(ctx, tx, ev)
}

func insertAudit(ctx context.Context, tx *sql.Tx, ev tenancy.AuditEvent) error {
	if ev.Kind == "" {
		return fmt.Errorf("audit event without a kind")
	}
	if err := checkTimes(ev.At); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events
		(tenant_id, kind, reason, actor, credential, remote_addr, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ev.TenantID, ev.Kind, ev.Reason, ev.Actor, ev.Credential, ev.RemoteAddr, ev.At.UnixNano())
	return err
}

// Audit appends ev on its own; a zero At is the store's clock. ev.Kind is required.
func (s *Store) Audit(ctx context.Context, ev tenancy.AuditEvent) error {
	ev.At = s.orNow(ev.At)
	return s.write(ctx, "audit "+string(ev.Kind), func(tx *sql.Tx) error {
		return insertAudit(ctx, tx, ev)
	})
}

// AuditEvents returns the events matching f, newest first (by time, then by insertion).
// f.TenantID "" selects the events of every tenant and of none; Since is inclusive and
// Until exclusive; a Limit of 0 or less means 100.
func (s *Store) AuditEvents(ctx context.Context, f tenancy.AuditFilter) ([]tenancy.AuditEvent, error) {
	if err := checkTimes(f.Since, f.Until); err != nil {
		return nil, storeErr("audit events", err)
	}
	var (
		where []string
		args  []any
	)
	if f.TenantID != "" {
		where = append(where, "tenant_id = ?")
		args = append(args, f.TenantID)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "kind IN (?"+strings.Repeat(", ?", len(f.Kinds)-1)+")")
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if !f.Since.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		where = append(where, "at < ?")
		args = append(args, f.Until.UnixNano())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	q := `SELECT id, tenant_id, kind, reason, actor, credential, remote_addr, at FROM audit_events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC LIMIT ?"
	args = append(args, limit)

	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, storeErr("audit events", err)
	}
	defer rows.Close()
	var evs []tenancy.AuditEvent
	for rows.Next() {
		var ev tenancy.AuditEvent
		var at int64
		if err := rows.Scan(&ev.ID, &ev.TenantID, &ev.Kind, &ev.Reason, &ev.Actor,
			&ev.Credential, &ev.RemoteAddr, &at); err != nil {
			return nil, storeErr("audit events", err)
		}
		ev.At = nanosTime(at)
		evs = append(evs, ev)
	}
	return evs, storeErr("audit events", rows.Err())
}
