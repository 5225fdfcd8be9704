package auth

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRefusalAuditWindow(t *testing.T) {
	a := &refusalAudit{limits: RefusalAudit{PerKey: 2, PerMinute: 3}}
	t0 := time.Unix(1_800_000_000, 0)
	k1 := auditKey{tenant: "Cust1", client: "192.0.2.1", reason: "expired"}
	k2 := auditKey{client: "2001:db8::/64", reason: "malformed"}
	var own []bool
	for _, k := range []auditKey{k1, k1, k1, k2, k2, k2} {
		o, sums := a.admit(t0, k)
		if len(sums) != 0 {
			t.Fatalf("summaries inside the first window: %v", sums)
		}
		own = append(own, o)
	}
	if want := []bool{true, true, false, true, false, false}; !slices.Equal(own, want) {
		t.Errorf("own rows %v, want %v (2 per key, 3 in all)", own, want)
	}
	if sums := a.pending(t0.Add(refusalWindow - time.Nanosecond)); sums != nil {
		t.Errorf("summaries before the minute is over: %v", sums)
	}
	sums := a.pending(t0.Add(refusalWindow))
	if len(sums) != 2 || sums[0].Reason != "malformed (2 more)" || sums[0].RemoteAddr != "2001:db8::/64" ||
		sums[1].Reason != "expired (1 more)" || sums[1].TenantID != "Cust1" || !sums[1].At.Equal(t0.Add(refusalWindow)) {
		t.Errorf("summaries %+v", sums)
	}
	if again := a.pending(t0.Add(2 * refusalWindow)); again != nil {
		t.Errorf("summaries written twice: %v", again)
	}
	// A new window starts with the next refusal, with fresh budgets.
	if o, sums := a.admit(t0.Add(3*refusalWindow), k1); !o || sums != nil {
		t.Errorf("next window: own %v, summaries %v", o, sums)
	}
}

func TestRefusalAuditFoldsManyKeys(t *testing.T) {
	a := &refusalAudit{limits: RefusalAudit{PerKey: 1, PerMinute: 1}}
	t0 := time.Unix(1_800_000_000, 0)
	a.admit(t0, auditKey{client: "own", reason: "malformed"})
	for i := range maxSummaryKeys + 50 {
		a.admit(t0, auditKey{client: strings.Repeat("x", i+1), reason: "malformed"})
	}
	sums := a.pending(t0.Add(refusalWindow))
	if len(sums) != maxSummaryKeys+1 {
		t.Fatalf("%d summary rows, want %d", len(sums), maxSummaryKeys+1)
	}
	var folded bool
	for _, ev := range sums {
		folded = folded || ev.RemoteAddr == "" && ev.Reason == "malformed (50 more)"
	}
	if !folded {
		t.Error("the keys beyond the limit are not summed up per reason")
	}
}
