package server_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/server"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func opHealth(t *testing.T, rep server.HealthReport, transport, op string) server.OperationHealth {
	t.Helper()
	for _, o := range rep.Operations {
		if o.Transport == transport && o.Operation == op {
			return o
		}
	}
	t.Fatalf("no %s %s in %+v", transport, op, rep.Operations)
	return server.OperationHealth{}
}

func TestHealthCountsAndLatency(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 1, 10, 0, 30, 0, time.UTC)}
	h := server.NewHealth(c.now)
	// 98 fast requests, one at 300 ms, one past the largest bucket.
	for range 98 {
		h.Record("rest", "FindProduct", "Cust1", 200, 2*time.Millisecond)
	}
	h.Record("rest", "FindProduct", "Cust1", 502, 300*time.Millisecond)
	h.Record("rest", "FindProduct", "", 401, 30*time.Second)
	h.Record("soap", "GetProduct", "Cust2", 500, time.Millisecond) // a fault
	h.Record("soap", "GetProduct", "Cust2", 415, time.Millisecond) // a fault too
	h.Refused("bad_checksum")
	h.Refused("bad_checksum")
	h.Refused("revoked")

	rep := h.Report()
	fp := opHealth(t, rep, "rest", "FindProduct")
	if fp.Requests != 100 || fp.Errors != 1 {
		t.Errorf("FindProduct: %d requests, %d errors; want 100 and 1 (a 401 is not a failure)", fp.Requests, fp.Errors)
	}
	if fp.P50 != 2500*time.Microsecond || fp.P99 != 500*time.Millisecond {
		t.Errorf("FindProduct p50 %v p99 %v, want 2.5ms and 500ms", fp.P50, fp.P99)
	}
	if last := fp.PerMinute[len(fp.PerMinute)-1]; last.Requests != 100 || last.Errors != 1 {
		t.Errorf("the current minute holds %+v", last)
	}
	if gp := opHealth(t, rep, "soap", "GetProduct"); gp.Requests != 2 || gp.Errors != 2 || gp.ErrorRate() != 1 {
		t.Errorf("GetProduct %+v: every SOAP fault is a failure", gp)
	}
	if len(rep.Refusals) != 2 || rep.Refusals[0].Reason != "bad_checksum" || rep.Refusals[0].Count != 2 || rep.Refusals[1].Count != 1 {
		t.Errorf("refusals %+v", rep.Refusals)
	}
	if th := h.Tenant("Cust1"); th.Failures != 1 || !th.LastCall.Equal(c.now()) {
		t.Errorf("Cust1 %+v", th)
	}
	if th := h.Tenant("Cust9"); th != (server.TenantHealth{}) {
		t.Errorf("an unknown tenant has %+v", th)
	}

	// Half an hour later the requests sit in the middle of the window; an hour later
	// they are gone, and the slot they used holds only what came since.
	c.add(30 * time.Minute)
	h.Record("rest", "FindProduct", "Cust1", 200, time.Millisecond)
	rep = h.Report()
	fp = opHealth(t, rep, "rest", "FindProduct")
	if fp.Requests != 101 || fp.PerMinute[29].Requests != 100 || fp.PerMinute[59].Requests != 1 {
		t.Errorf("after 30 min: %d requests, minute 29 %+v, minute 59 %+v", fp.Requests, fp.PerMinute[29], fp.PerMinute[59])
	}
	c.add(30 * time.Minute)
	h.Record("rest", "FindProduct", "Cust1", 200, time.Millisecond)
	rep = h.Report()
	if fp = opHealth(t, rep, "rest", "FindProduct"); fp.Requests != 2 || fp.Errors != 0 {
		t.Errorf("after an hour: %d requests, %d errors; want 2 and 0", fp.Requests, fp.Errors)
	}
	if len(rep.Refusals) != 0 {
		t.Errorf("refusals an hour old remain: %+v", rep.Refusals)
	}
	if th := h.Tenant("Cust1"); th.Failures != 0 {
		t.Errorf("a failure an hour old still counts: %+v", th)
	}
	if !rep.Start.Equal(time.Date(2026, 5, 1, 10, 1, 0, 0, time.UTC)) || rep.Minutes != 60 {
		t.Errorf("window starts %v and has %d minutes", rep.Start, rep.Minutes)
	}
}

// TestHealthFromRequests feeds Health through the request middleware of a real server.
func TestHealthFromRequests(t *testing.T) {
	h := server.NewHealth(nil)
	base := start(t, &shop{}, &fakeAuth{}, server.WithHealth(h))
	body := encode(t, requests(t)["FindProduct"])
	if status, _, _ := do(t, "POST", base+"/FindProduct", "application/json", "Bearer good", bytes.NewReader(body)); status != 200 {
		t.Fatalf("status %d", status)
	}
	if status, _, _ := do(t, "POST", base+"/FindProduct", "application/json", "Bearer bad", strings.NewReader(`{}`)); status != 401 {
		t.Fatalf("status %d", status)
	}
	status, _, _ := do(t, "POST", base+server.DefaultSOAPPath, "text/xml; charset=utf-8", "", strings.NewReader(`<not-soap/>`))
	if status < 400 {
		t.Fatalf("a broken SOAP call answered %d", status)
	}
	rep := h.Report()
	if fp := opHealth(t, rep, "rest", "FindProduct"); fp.Requests != 2 || fp.Errors != 0 {
		t.Errorf("FindProduct %+v", fp)
	}
	var faults int
	for _, o := range rep.Operations {
		if o.Transport == "soap" {
			faults += o.Errors
		}
	}
	if faults != 1 {
		t.Errorf("SOAP faults counted: %d, want 1 (%+v)", faults, rep.Operations)
	}
	if th := h.Tenant("Cust12345"); th.LastCall.IsZero() || th.Failures != 0 {
		t.Errorf("Cust12345 %+v", th)
	}
}
