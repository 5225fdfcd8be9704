package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
)

// dataVersion reads SQLite's PRAGMA data_version on one connection of its own. The value
// of that pragma changes on a connection whenever another connection (of this process or
// any other) commits to the file, and it costs no table read, which makes it the cheap
// "has anything changed?" question the authentication cache asks on every call.
//
// The value is only comparable on the same connection: a new connection starts counting
// afresh. The connection is therefore pinned, and when it has to be replaced the epoch in
// the high bits moves on, so a value from before can never come back.
type dataVersion struct {
	mu    sync.Mutex
	db    *sql.DB
	conn  *sql.Conn
	stmt  driver.Stmt // PRAGMA data_version, prepared once on conn
	epoch uint64
	dest  [1]driver.Value
}

// DataVersion returns a number that differs between two calls whenever a change was
// committed to the database in between, by this process or another (a CLI on the same
// file). It fails with tenancy.ErrUnavailable when the database does not answer.
func (s *Store) DataVersion(ctx context.Context) (uint64, error) {
	v := &s.version
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.db == nil {
		return 0, storeErr("data version", errors.New("store opened without a version connection"))
	}
	if v.conn == nil {
		c, err := v.db.Conn(ctx)
		if err != nil {
			return 0, storeErr("data version", err)
		}
		v.conn = c
		v.epoch++
	}
	// The statement is prepared once and run on the driver's connection: through
	// database/sql, each call would prepare it again and allocate its rows.
	var n int64
	err := v.conn.Raw(func(dc any) error {
		if v.stmt == nil {
			st, err := dc.(driver.Conn).Prepare("PRAGMA data_version")
			if err != nil {
				return err
			}
			v.stmt = st
		}
		rows, err := v.stmt.Query(nil) //nolint:staticcheck // the driver's own statement, no arguments
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := rows.Next(v.dest[:]); err != nil {
			return err
		}
		var ok bool
		if n, ok = v.dest[0].(int64); !ok {
			return fmt.Errorf("PRAGMA data_version answered %T", v.dest[0])
		}
		return nil
	})
	if err != nil {
		v.drop()
		return 0, storeErr("data version", err)
	}
	return v.epoch<<40 | uint64(n&(1<<40-1)), nil
}

// drop forgets the pinned connection and its statement; the next call pins a new one.
// The caller holds v.mu.
func (v *dataVersion) drop() {
	if v.stmt != nil {
		_ = v.stmt.Close()
		v.stmt = nil
	}
	if v.conn != nil {
		_ = v.conn.Close()
		v.conn = nil
	}
}

// close releases the pinned connection and its pool.
func (v *dataVersion) close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.drop()
	return v.db.Close()
}
