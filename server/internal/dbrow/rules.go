package dbrow

import (
	"fmt"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// CheckSecretCap decides CreateSecret's cap: tenantID has active secrets active at the
// new secret's CreatedAt, and at most maxActive may be (0 or less: no cap). It fails with
// an error wrapping tenancy.ErrLimit when one more would exceed maxActive.
func CheckSecretCap(tenantID string, active, maxActive int) error {
	if maxActive > 0 && active+1 > maxActive {
		return fmt.Errorf("tenant %s has %d active secrets, at most %d allowed: %w",
			tenantID, active, maxActive, tenancy.ErrLimit)
	}
	return nil
}

// CheckRollCap decides RollSecret's cap: tenantID has active secrets active at the roll's
// time at, the old one among them, and the old one then expires at oldExpires. Right
// after the roll the new secret, the others and the old one, unless oldExpires is not
// after at, are active; it fails with an error wrapping tenancy.ErrLimit when they are
// more than maxActive (0 or less: no cap).
func CheckRollCap(tenantID string, active int, oldExpires, at time.Time, maxActive int) error {
	n := active
	if !oldExpires.After(at) {
		n-- // the old one stops now
	}
	if maxActive > 0 && n+1 > maxActive {
		return fmt.Errorf("tenant %s would have %d active secrets, at most %d allowed: %w",
			tenantID, n+1, maxActive, tenancy.ErrLimit)
	}
	return nil
}
