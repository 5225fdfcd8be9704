package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/quotekit/quotekit/server/internal/dbrow"
	"github.com/quotekit/quotekit/tenancy"
)

// appendAudit writes ev inside tx. The fields ev leaves empty are taken from def, which
// the calling method fills with what it knows (its kind, tenant, time and credential),
// so a method that changes credentials always leaves a complete row; a still-zero At is
// the store's clock.
func (s *Store) appendAudit(ctx context.Context, tx pgx.Tx, ev, def tenancy.AuditEvent) error {
	ev = dbrow.AuditDefaults(ev, def)
	ev.At = s.orNow(ev.At)
	return insertAudit(ctx, tx, ev)
}

// insertAudit writes ev inside tx as it is; it fails as dbrow.AuditValues does.
func insertAudit(ctx context.Context, tx pgx.Tx, ev tenancy.AuditEvent) error {
	values, err := dbrow.AuditValues(ev)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_events `+dbrow.AuditInsertCols+`
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, values...)
	return err
}

// Audit appends ev on its own; a zero At is the store's clock. ev.Kind is required.
func (s *Store) Audit(ctx context.Context, ev tenancy.AuditEvent) error {
	ev.At = s.orNow(ev.At)
	return s.write(ctx, "audit "+string(ev.Kind), func(tx pgx.Tx) error {
		return insertAudit(ctx, tx, ev)
	})
}

// AuditEvents returns the events matching f, newest first (by time, then by insertion).
// f.TenantID "" selects the events of every tenant and of none; Since is inclusive and
// Until exclusive; a Limit of 0 or less means 100.
func (s *Store) AuditEvents(ctx context.Context, f tenancy.AuditFilter) ([]tenancy.AuditEvent, error) {
	const op = "audit events"
	if err := dbrow.CheckTimes(f.Since, f.Until); err != nil {
		return nil, storeErr(op, err)
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.TenantID != "" {
		where = append(where, "tenant_id = "+arg(f.TenantID))
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		where = append(where, "kind = ANY("+arg(kinds)+")")
	}
	if !f.Since.IsZero() {
		where = append(where, "at >= "+arg(f.Since.UnixNano()))
	}
	if !f.Until.IsZero() {
		where = append(where, "at < "+arg(f.Until.UnixNano()))
	}
	q := `SELECT ` + dbrow.AuditCols + ` FROM audit_events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC LIMIT " + arg(dbrow.AuditLimit(f))

	var evs []tenancy.AuditEvent
	err := s.read(ctx, op, func(qr querier) error {
		evs = nil
		rows, err := qr.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		evs, err = dbrow.AuditEvents(rows)
		return err
	})
	return evs, err
}

// PruneAudit deletes the audit events recorded before before (of every tenant, and those
// of none), writes ev in the same transaction with " deleted=<n>" appended to its Reason
// (kind audit.pruned unless ev says otherwise, no tenant, at the store's clock when ev.At
// is zero), and returns n.
//
// The log stays append-only for everything else: the delete trigger is disabled, the
// rows deleted and the trigger enabled again, all in one transaction. Disabling it takes
// a lock on audit_events that every other writer of the table waits for until the
// commit, so no other statement ever runs without the trigger, and a failure anywhere
// (the event cannot be written, say) restores it with the rows. before must not be zero;
// the caller (tenancy.Service.PruneAudit) decides how recent it may be.
func (s *Store) PruneAudit(ctx context.Context, before time.Time, ev tenancy.AuditEvent) (int, error) {
	const op = "prune audit events"
	if err := dbrow.CheckPruneCutoff(before); err != nil {
		return 0, storeErr(op, err)
	}
	var n int64
	err := s.change(ctx, op, func(tx pgx.Tx) error {
		ev := ev
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_delete`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM audit_events WHERE at < $1`, before.UnixNano())
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_delete`); err != nil {
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
