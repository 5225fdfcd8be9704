// Package dbrow is the one definition of how the SQL stores (server/sqlite and
// server/postgres) keep the tenancy types in rows: the columns they select, the scan
// destinations that receive a row, the conversions from a row to a tenancy value and
// back, the checks a value passes before it is written, and the decisions a store
// method takes between its statements on what its transaction read: the cap on active
// secrets, a roll's checks and the old secret's new expiry, the checks on the secret a
// token is issued on, the touch throttle, and the default audit event of each change.
//
// Both stores keep the same data in the same representation: times as 64-bit Unix
// nanoseconds, NULL for the zero time; hashes as 32-byte blobs; lists and maps as JSON
// text. A nullable column is scanned into a pointer field (*int64, *int32, *string),
// which database/sql and pgx both set to nil for NULL. The stores keep their SQL, their
// transactions and the mapping of driver errors; nothing here touches a database.
//
// The column lists name their tables by the aliases the stores' queries use: t for
// tenants, s for secrets, k for access_tokens, a for admin_keys; the audit columns are
// unqualified.
package dbrow

import (
	"fmt"
	"math"
	"time"
)

// Times are stored as 64-bit Unix nanoseconds, which span the years 1678 to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// CheckTimes fails when a time in ts that is not zero lies outside the storable range
// (the years 1678 to 2262), where UnixNano would silently overflow. The error is plain,
// naming the time in UTC.
func CheckTimes(ts ...time.Time) error {
	for _, t := range ts {
		if !t.IsZero() && (t.Before(minTime) || t.After(maxTime)) {
			return fmt.Errorf("time %s is outside the storable range (years 1678 to 2262)", t.UTC())
		}
	}
	return nil
}

// NullTime is the column value of t: nil (NULL) for the zero time, else a pointer to its
// Unix nanoseconds. Both drivers write a nil *int64 as NULL.
func NullTime(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

// TimeOf is the inverse of NullTime: the zero time for nil, else the time in UTC.
func TimeOf(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return NanosTime(*n)
}

// NanosTime is the time, in UTC, of a NOT NULL column of Unix nanoseconds.
func NanosTime(n int64) time.Time { return time.Unix(0, n).UTC() }

// hash32 copies a stored 32-byte hash; it fails when the blob has another length.
func hash32(b []byte) ([32]byte, error) {
	var h [32]byte
	if len(b) != len(h) {
		return h, fmt.Errorf("stored hash has %d bytes, want %d", len(b), len(h))
	}
	copy(h[:], b)
	return h, nil
}

// nullID is the column value of a reference to another row: nil (NULL) for 0.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// idOf is the inverse of nullID: 0 for NULL.
func idOf(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
