package server

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// HealthWindow is how far back Health remembers: one bucket a minute, this many minutes.
const HealthWindow = 60 * time.Minute

const healthMinutes = int(HealthWindow / time.Minute)

// latencyBuckets are the upper bounds, in seconds, of the latency histogram buckets the
// request metrics and Health share.
var latencyBuckets = [...]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20}

// Health is an in-process record of the last hour of traffic, for the operator console:
// a ring of per-minute buckets holding, per transport and operation, the requests, the
// failed ones and a small latency histogram, and the authentication refusals by reason.
// It needs no Prometheus and is lost when the process ends. Like the metrics, its
// operation labels never carry a tenant, user or credential; separately it keeps, per
// tenant whose credential was verified, the time of the last call and the failures of
// the last hour (the tenants list shows them). It is safe for concurrent use; the zero
// value is not usable, NewHealth makes one.
//
// A request failed when it was answered 5xx, or when it was a SOAP call answered with a
// fault (SOAP answers every failure as a fault: 500, and 413 or 415 for a body it does
// not take). A REST 4xx (a refused credential, an invalid request) is the caller's
// mistake and not counted as a failure; refused credentials are counted by reason
// instead (Refused).
type Health struct {
	now func() time.Time

	mu      sync.Mutex
	slots   [healthMinutes]healthSlot
	tenants map[string]*tenantHealth
}

type healthKey struct{ transport, operation string }

type healthSlot struct {
	minute   int64 // the Unix minute the slot holds; a slot holding another is stale
	ops      map[healthKey]*healthCounts
	refusals map[string]int
}

type healthCounts struct {
	requests, errors int
	latency          [len(latencyBuckets) + 1]int // per bucket; the last one is above the largest bound
}

type tenantHealth struct {
	lastCall time.Time
	failures [healthMinutes]struct {
		minute int64
		n      int
	}
}

// NewHealth returns an empty Health reading the time from now (nil: time.Now).
func NewHealth(now func() time.Time) *Health {
	if now == nil {
		now = time.Now
	}
	return &Health{now: now, tenants: map[string]*tenantHealth{}}
}

// WithHealth records every request the handler answers in h (see Health). The admin
// handler takes it too, but the app gives it to the public one only.
func WithHealth(h *Health) Option { return func(c *config) { c.health = h } }

// slot returns the bucket of minute m, emptied when it held an older minute. The
// caller holds h.mu.
func (h *Health) slot(m int64) *healthSlot {
	s := &h.slots[int(m%int64(healthMinutes))]
	if s.minute != m {
		*s = healthSlot{minute: m}
	}
	return s
}

func unixMinute(t time.Time) int64 { return t.Unix() / 60 }

// Failed reports whether Health counts an answer with status on transport ("rest" or
// "soap") as a failure: 5xx, or any SOAP fault (status 400 or above on SOAP).
func Failed(transport string, status int) bool {
	return status >= 500 || transport == "soap" && status >= 400
}

// Record counts one answered request of operation on transport with status, which took
// elapsed; tenant is the tenant whose credential the request carried, "" when none was
// verified.
func (h *Health) Record(transport, operation, tenant string, status int, elapsed time.Duration) {
	now := h.now()
	m := unixMinute(now)
	failed := Failed(transport, status)
	bucket := len(latencyBuckets)
	if i, found := slices.BinarySearch(latencyBuckets[:], elapsed.Seconds()); found || i < len(latencyBuckets) {
		bucket = i
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.slot(m)
	if s.ops == nil {
		s.ops = map[healthKey]*healthCounts{}
	}
	k := healthKey{transport, operation}
	c := s.ops[k]
	if c == nil {
		c = &healthCounts{}
		s.ops[k] = c
	}
	c.requests++
	if failed {
		c.errors++
	}
	c.latency[bucket]++
	if tenant == "" {
		return
	}
	t := h.tenants[tenant]
	if t == nil {
		t = &tenantHealth{}
		h.tenants[tenant] = t
	}
	t.lastCall = now
	if failed {
		f := &t.failures[int(m%int64(healthMinutes))]
		if f.minute != m {
			f.minute, f.n = m, 0
		}
		f.n++
	}
}

// Refused counts one refused credential with its reason code (auth.WithRefusalHook).
func (h *Health) Refused(reason string) {
	m := unixMinute(h.now())
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.slot(m)
	if s.refusals == nil {
		s.refusals = map[string]int{}
	}
	s.refusals[reason]++
}

// TenantHealth is what Health knows of one tenant: when it last called (zero: not since
// the process started) and how many of its calls failed in the last hour.
type TenantHealth struct {
	LastCall time.Time
	Failures int
}

// Tenant returns what Health knows of tenant id.
func (h *Health) Tenant(id string) TenantHealth {
	oldest := unixMinute(h.now()) - int64(healthMinutes) + 1
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.tenants[id]
	if t == nil {
		return TenantHealth{}
	}
	out := TenantHealth{LastCall: t.lastCall}
	for _, f := range t.failures {
		if f.minute >= oldest {
			out.Failures += f.n
		}
	}
	return out
}

// HealthReport is a copy of the last hour Health remembers, minute by minute, oldest
// first. Latencies are estimates from the histogram: the upper bound of the bucket that
// holds the rank (p50: the middle request, p99: the one at 99 %), and LatencyOverflow
// when it lies above the largest bound (20 s); zero when there were no requests.
type HealthReport struct {
	Start      time.Time         // the first minute of the window
	Minutes    int               // the number of minutes, HealthWindow in minutes
	Operations []OperationHealth // by transport, then operation
	Refusals   []RefusalHealth   // by count, most first, then reason
}

// LatencyOverflow stands for a latency above the histogram's largest bound.
const LatencyOverflow = time.Duration(-1)

// OperationHealth is one transport and operation over the window.
type OperationHealth struct {
	Transport, Operation string
	Requests, Errors     int
	P50, P99             time.Duration
	PerMinute            []MinuteHealth // Minutes entries, oldest first
}

// ErrorRate is the share of failed requests, 0 without requests.
func (o OperationHealth) ErrorRate() float64 {
	if o.Requests == 0 {
		return 0
	}
	return float64(o.Errors) / float64(o.Requests)
}

// MinuteHealth is one operation's minute.
type MinuteHealth struct {
	Requests, Errors int
	P50, P99         time.Duration
}

// RefusalHealth is one refusal reason over the window.
type RefusalHealth struct {
	Reason    string
	Count     int
	PerMinute []int // Minutes entries, oldest first
}

// Report returns the window ending with the current minute.
func (h *Health) Report() HealthReport {
	now := unixMinute(h.now())
	first := now - int64(healthMinutes) + 1
	rep := HealthReport{Start: time.Unix(first*60, 0).UTC(), Minutes: healthMinutes}
	type opAcc struct {
		OperationHealth
		total healthCounts
	}
	ops := map[healthKey]*opAcc{}
	refusals := map[string]*RefusalHealth{}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.slots {
		if s.minute < first || s.minute > now {
			continue
		}
		i := int(s.minute - first)
		for k, c := range s.ops {
			a := ops[k]
			if a == nil {
				a = &opAcc{OperationHealth: OperationHealth{Transport: k.transport, Operation: k.operation, PerMinute: make([]MinuteHealth, healthMinutes)}}
				ops[k] = a
			}
			p50, p99 := quantile(c.latency[:], c.requests, 0.5), quantile(c.latency[:], c.requests, 0.99)
			a.PerMinute[i] = MinuteHealth{Requests: c.requests, Errors: c.errors, P50: p50, P99: p99}
			a.total.requests += c.requests
			a.total.errors += c.errors
			for b, n := range c.latency {
				a.total.latency[b] += n
			}
		}
		for reason, n := range s.refusals {
			r := refusals[reason]
			if r == nil {
				r = &RefusalHealth{Reason: reason, PerMinute: make([]int, healthMinutes)}
				refusals[reason] = r
			}
			r.PerMinute[i] += n
			r.Count += n
		}
	}
	for _, a := range ops {
		o := a.OperationHealth
		o.Requests, o.Errors = a.total.requests, a.total.errors
		o.P50, o.P99 = quantile(a.total.latency[:], o.Requests, 0.5), quantile(a.total.latency[:], o.Requests, 0.99)
		rep.Operations = append(rep.Operations, o)
	}
	slices.SortFunc(rep.Operations, func(a, b OperationHealth) int {
		return cmp.Or(cmp.Compare(a.Transport, b.Transport), cmp.Compare(a.Operation, b.Operation))
	})
	for _, r := range refusals {
		rep.Refusals = append(rep.Refusals, *r)
	}
	slices.SortFunc(rep.Refusals, func(a, b RefusalHealth) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	return rep
}

// quantile returns the upper bound of the bucket holding rank q of n requests.
func quantile(hist []int, n int, q float64) time.Duration {
	if n == 0 {
		return 0
	}
	rank := int(q*float64(n) + 0.999999) // the ceiling, at least 1
	rank = max(rank, 1)
	seen := 0
	for b, c := range hist {
		seen += c
		if seen >= rank {
			if b == len(latencyBuckets) {
				return LatencyOverflow
			}
			return time.Duration(latencyBuckets[b] * float64(time.Second))
		}
	}
	return LatencyOverflow
}
