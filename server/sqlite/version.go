package sqlite

import (
	"context"
	"database/sql"
	"errors"
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
	epoch uint64
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
	var n uint64
	if err := v.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&n); err != nil {
		v.conn.Close()
		v.conn = nil
		return 0, storeErr("data version", err)
	}
	return v.epoch<<40 | n&(1<<40-1), nil
}

// close releases the pinned connection and its pool.
func (v *dataVersion) close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn != nil {
		v.conn.Close()
		v.conn = nil
	}
	return v.db.Close()
}
