package dbrow

import (
	"errors"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

func TestCheckSecretCap(t *testing.T) {
	for _, c := range []struct {
		active, max int
		limit       bool
	}{
		{0, 0, false}, {5, 0, false}, {5, -1, false},
		{0, 1, false}, {1, 1, true}, {1, 2, false}, {2, 2, true}, {3, 2, true},
	} {
		err := CheckSecretCap("Cust1", c.active, c.max)
		if got := errors.Is(err, tenancy.ErrLimit); got != c.limit {
			t.Errorf("active %d, max %d: %v, want ErrLimit %v", c.active, c.max, err, c.limit)
		}
	}
	const want = "tenant Cust1 has 2 active secrets, at most 2 allowed: limit reached"
	if err := CheckSecretCap("Cust1", 2, 2); err == nil || err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}

func TestCheckRollCap(t *testing.T) {
	at := time.Unix(100, 0)
	later, now, earlier := at.Add(time.Nanosecond), at, at.Add(-time.Nanosecond)
	for _, c := range []struct {
		active  int
		expires time.Time
		max     int
		limit   bool
	}{
		{2, later, 2, true},  // the old one overlaps: 3 active
		{2, later, 3, false}, // 3 active, 3 allowed
		{2, now, 2, false},   // the old one stops at the roll: 2 active
		{2, earlier, 2, false},
		{3, now, 2, true},
		{9, later, 0, false}, // no cap
		{9, later, -1, false},
	} {
		err := CheckRollCap("Cust1", c.active, c.expires, at, c.max)
		if got := errors.Is(err, tenancy.ErrLimit); got != c.limit {
			t.Errorf("active %d, expires %v, max %d: %v, want ErrLimit %v", c.active, c.expires, c.max, err, c.limit)
		}
	}
	const want = "tenant Cust1 would have 3 active secrets, at most 2 allowed: limit reached"
	if err := CheckRollCap("Cust1", 2, later, at, 2); err == nil || err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}
