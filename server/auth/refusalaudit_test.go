package auth_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/tenancy"
)

// refusalRows returns the auth.refused rows and the refusals they stand for: one each,
// or the count a summary row carries.
func refusalRows(t *testing.T, e *env) (rows []tenancy.AuditEvent, refusals int) {
	t.Helper()
	evs, err := e.store.AuditEvents(context.Background(), tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuthRefused}, Limit: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	summary := regexp.MustCompile(`^[a-z_]+ \(([0-9]+) more\)$`)
	for _, ev := range evs {
		if m := summary.FindStringSubmatch(ev.Reason); m != nil {
			n, _ := strconv.Atoi(m[1])
			refusals += n
		} else {
			refusals++
		}
	}
	return evs, refusals
}

// TestRefusalAuditIsBounded: a flood of refusals, from many addresses and from one
// tenant's own expired token, writes a bounded number of audit rows (the rest summed up
// in summary rows once the minute is over, so no refusal goes uncounted), and real
// token issues keep succeeding meanwhile.
func TestRefusalAuditIsBounded(t *testing.T) {
	e := newEnv(t, proxied)
	e.tenant("Cust100", connector.EnvironmentTest)
	secret, _ := e.secret("Cust100")
	expired := e.tokenFrom("203.0.113.10", "Bearer "+secret)
	e.clock.Add(time.Hour)

	const workers, each = 4, 250
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				var a answer
				if i%2 == 0 {
					a = e.postFrom(fmt.Sprintf("10.%d.%d.%d", w, i/250, i%250), "/Authenticate", "Bearer qk_sk_test_wrong", "", "")
				} else {
					a = e.postFrom("203.0.113.10", "/FindProduct", "Bearer "+expired, "application/json", `{}`)
				}
				if a.status != 401 {
					t.Errorf("refusal: %d", a.status)
					return
				}
			}
		}()
	}
	for i := range 20 {
		if a := e.postFrom("203.0.113.10", "/Authenticate", "Bearer "+secret, "", ""); a.status != 200 {
			t.Errorf("token issue %d during the flood: %d %s", i, a.status, a.body)
		}
	}
	wg.Wait()

	rows, _ := refusalRows(t, e)
	if most := auth.DefaultRefusalAudit.PerMinute; len(rows) > most {
		t.Errorf("%d refusals wrote %d audit rows in one minute, want at most %d", workers*each, len(rows), most)
	}
	// The next refusal after the minute writes the summaries, then its own row.
	e.clock.Add(time.Minute)
	e.postFrom("203.0.113.10", "/FindProduct", "Bearer "+expired, "application/json", `{}`)
	rows, refusals := refusalRows(t, e)
	if refusals != workers*each+1 {
		t.Errorf("the audit accounts for %d refusals, want %d", refusals, workers*each+1)
	}
	// The minute's rows, at most 100 summaries of single keys, one summary per reason
	// (two here) for the keys beyond, and the row of the refusal after the minute.
	if want := auth.DefaultRefusalAudit.PerMinute + 100 + 2 + 1; len(rows) > want {
		t.Errorf("%d audit rows after the summaries, want at most %d", len(rows), want)
	}
	var owned bool
	for _, ev := range rows {
		owned = owned || ev.TenantID == "Cust100" && ev.RemoteAddr == "203.0.113.10" && ev.Reason != "expired"
	}
	if !owned {
		t.Error("no summary row for the tenant's expired token from its address")
	}
}
