package sqlite

import (
	"context"
	"testing"
)

// TestDataVersionNeverRepeats: PRAGMA data_version counts per connection, so when the
// pinned connection is lost and replaced the count starts afresh; the epoch in the high
// bits moves on, and no value from before the replacement comes back, although nothing
// was committed in between.
func TestDataVersionNeverRepeats(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mustCreateTenant(t, s, "Cust1")
	seen := map[uint64]bool{}
	for round := range 3 {
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if seen[v] {
			t.Fatalf("round %d: version %#x came back after the connection was replaced", round, v)
		}
		seen[v] = true
		if again, err := s.DataVersion(ctx); err != nil || again != v {
			t.Fatalf("round %d: version moved without a write: %#x then %#x, %v", round, v, again, err)
		}
		// Lose the pinned connection: the next call's query fails on it, and the call
		// after that pins a new one.
		s.version.mu.Lock()
		s.version.conn.Close()
		s.version.mu.Unlock()
		if _, err := s.DataVersion(ctx); err == nil {
			t.Fatalf("round %d: DataVersion answered on a closed connection", round)
		}
	}
}
