package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/quotekit/quotekit/server/internal/dbrow"
	"github.com/quotekit/quotekit/tenancy"
)

// appendAudit writes ev inside tx. The fields ev leaves empty are taken from def, which
// the calling method fills with what it knows (its kind, tenant, time and credential),
// so a method that changes credentials always leaves a complete row; a still-zero At is
// the store's clock.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, ev, def tenancy.AuditEvent) error {
	ev = dbrow.AuditDefaults(ev, def)
	ev.At = s.orNow(ev.At)
	return insertAudit(ctx, tx, ev)
}

// insertAudit writes ev inside tx as it is; it fails as dbrow.AuditValues does.
func insertAudit(ctx context.Context, tx *sql.Tx, ev tenancy.AuditEvent) error {
	values, err := dbrow.AuditValues(ev)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events `+dbrow.AuditInsertCols+`
		VALUES (?, ?, ?, ?, ?, ?, ?)`, values...)
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
	if err := dbrow.CheckTimes(f.Since, f.Until); err != nil {
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
	q := `SELECT ` + dbrow.AuditCols + ` FROM audit_events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC LIMIT ?"
	args = append(args, dbrow.AuditLimit(f))

	rows, err := s.r.QueryContext(ctx, q, args...) //nolint:rowserrcheck // dbrow's readers check rows.Err
	if err != nil {
		return nil, storeErr("audit events", err)
	}
	defer rows.Close()
	evs, err := dbrow.AuditEvents(rows)
	return evs, storeErr("audit events", err)
}

// auditNoDelete is the trigger that keeps rows in audit_events, exactly as migration 0001
// creates it. PruneAudit drops it and creates it again inside its own transaction.
const auditNoDelete = `CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END`

// PruneAudit deletes the audit events recorded before before (of every tenant, and those
// of none), writes ev in the same transaction with " deleted=<n>" appended to its Reason
// (kind audit.pruned unless ev says otherwise, no tenant, at the store's clock when ev.At
// is zero), and returns n.
//
// The log stays append-only for everything else: the delete trigger is dropped, the rows
// deleted and the trigger created again, all in the one write transaction, which holds
// the write lock throughout, so no other statement ever runs without the trigger and a
// failure anywhere (the event cannot be written, say) restores it with the rows. before
// must not be zero; the caller (tenancy.Service.PruneAudit) decides how recent it may be.
func (s *Store) PruneAudit(ctx context.Context, before time.Time, ev tenancy.AuditEvent) (int, error) {
	const op = "prune audit events"
	if err := dbrow.CheckPruneCutoff(before); err != nil {
		return 0, storeErr(op, err)
	}
	var n int64
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER audit_events_no_delete`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_events WHERE at < ?`, before.UnixNano())
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, auditNoDelete); err != nil {
			return err
		}
		ev, def := dbrow.PrunedAuditEvent(ev, n)
		return s.appendAudit(ctx, tx, ev, def)
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
