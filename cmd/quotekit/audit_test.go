package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

func TestAudit(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	h.addTenant("Cust2")
	h.createSecret("Cust1")
	h.ok("secret", "roll", "Cust1", "1", "--expire-old-in", "1h", "--actor", "ops-bob")
	h.createSecret("Cust2")

	// Older events, as a server would have written them.
	s := h.store()
	now := time.Now()
	for _, ev := range []tenancy.AuditEvent{
		{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, Reason: "expired", RemoteAddr: "192.0.2.1", At: now.Add(-3 * 24 * time.Hour)},
		{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, Reason: "bad_checksum", RemoteAddr: "192.0.2.2", At: now.Add(-30 * time.Hour)},
		{TenantID: "Cust1", Kind: tenancy.EventTokenIssued, Reason: "secret", Credential: "qk_at_test_abcd", At: now.Add(-2 * time.Hour)},
	} {
		if err := s.Audit(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}

	kinds := func(evs []auditJSON) []string {
		var out []string
		for _, ev := range evs {
			if ev.Tenant != "Cust1" {
				t.Errorf("event of another tenant: %+v", ev)
			}
			out = append(out, ev.Kind)
		}
		return out
	}
	var evs []auditJSON
	h.json(&evs, "audit", "Cust1")
	want := []string{"secret.rolled", "secret.created", "tenant.created", "token.issued", "auth.refused", "auth.refused"}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Errorf("audit, newest first = %v, want %v", got, want)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].At.After(evs[i-1].At) {
			t.Errorf("not newest first: %v after %v", evs[i].At, evs[i-1].At)
		}
	}
	if evs[0].Actor != "ops-bob" || evs[1].Actor != "cli:tester" || evs[0].Credential == "" {
		t.Errorf("actors and credentials: %+v", evs[:2])
	}

	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"one kind", []string{"--kind", "auth.refused"}, []string{"auth.refused", "auth.refused"}},
		{"two kinds", []string{"--kind", "secret.created", "--kind", "secret.rolled"}, []string{"secret.rolled", "secret.created"}},
		{"since a duration ago", []string{"--since", "24h"}, []string{"secret.rolled", "secret.created", "tenant.created", "token.issued"}},
		{"since in days", []string{"--since", "2d"}, []string{"secret.rolled", "secret.created", "tenant.created", "token.issued", "auth.refused"}},
		{"until a duration ago", []string{"--until", "1h"}, []string{"token.issued", "auth.refused", "auth.refused"}},
		{"window", []string{"--since", "2d", "--until", "1h"}, []string{"token.issued", "auth.refused"}},
		{"RFC 3339", []string{"--since", now.Add(-31 * time.Hour).UTC().Format(time.RFC3339), "--until", now.Add(-29 * time.Hour).Format(time.RFC3339)}, []string{"auth.refused"}},
		{"kind and time", []string{"--kind", "auth.refused", "--since", "2d"}, []string{"auth.refused"}},
		{"limit", []string{"--limit", "2"}, []string{"secret.rolled", "secret.created"}},
		{"nothing", []string{"--kind", "tenant.disabled"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var evs []auditJSON
			h.json(&evs, append([]string{"audit", "Cust1"}, tt.args...)...)
			if got := kinds(evs); !slices.Equal(got, tt.want) {
				t.Errorf("audit %v = %v, want %v", tt.args, got, tt.want)
			}
		})
	}

	t.Run("human output", func(t *testing.T) {
		r := h.ok("audit", "Cust1", "--kind", "auth.refused")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "AT                    KIND          REASON") ||
			!strings.Contains(lines[1], "auth.refused  bad_checksum") || !strings.HasSuffix(lines[1], "192.0.2.2") {
			t.Errorf("audit:\n%s", r.stdout)
		}
		r = h.ok("audit", "Cust1", "--limit", "1")
		if !strings.Contains(r.stderr, "Showing the newest 1 events") {
			t.Errorf("stderr %q", r.stderr)
		}
		r = h.ok("audit", "Cust1", "--kind", "secret.rolld")
		if !strings.Contains(r.stderr, "not a kind quotekit writes") || !strings.Contains(r.stderr, "No matching events") {
			t.Errorf("stderr %q", r.stderr)
		}
	})

	t.Run("events under an id that is not a tenant", func(t *testing.T) {
		if err := s.Audit(t.Context(), tenancy.AuditEvent{TenantID: "Cust77", Kind: tenancy.EventAuthRefused, Reason: "unknown_tenant"}); err != nil {
			t.Fatal(err)
		}
		var evs []auditJSON
		r := h.json(&evs, "audit", "Cust77")
		if len(evs) != 1 || evs[0].Reason != "unknown_tenant" || !strings.Contains(r.stderr, "Cust77 is not a tenant") {
			t.Errorf("audit Cust77 = %+v\n%s", evs, r.stderr)
		}
	})

	for _, tt := range []struct {
		name string
		args []string
		msg  string
	}{
		{"bad since", []string{"--since", "yesterday"}, "--since"},
		{"bad until", []string{"--until", "-2h"}, "--until"},
		{"since after until", []string{"--since", "1h", "--until", "2h"}, "--since must be before --until"},
		{"limit zero", []string{"--limit", "0"}, "--limit must be"},
		{"limit huge", []string{"--limit", "100000"}, "--limit must be"},
		{"empty kind", []string{"--kind", ""}, "--kind must not be empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.unchanged(exitUsage, append([]string{"audit", "Cust1"}, tt.args...)...)
			if !strings.Contains(r.err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", r.err, tt.msg)
			}
		})
	}
}

// TestAuditPrune: 'audit prune' deletes the events older than its cut-off, of every
// tenant, and leaves an audit.pruned event saying who pruned what; a cut-off that would
// delete the last 90 days, or none given, is a usage error that changes nothing.
func TestAuditPrune(t *testing.T) {
	h := newHarness(t)
	h.addTenant("Cust1")
	s := h.store()
	now := time.Now()
	for _, ev := range []tenancy.AuditEvent{
		{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, Reason: "expired", At: now.AddDate(-2, 0, 0)},
		{TenantID: "", Kind: tenancy.EventAuthRefused, Reason: "unknown_tenant", At: now.Add(-401 * 24 * time.Hour)},
		{TenantID: "Cust1", Kind: tenancy.EventAuthRefused, Reason: "bad_checksum", At: now.Add(-100 * 24 * time.Hour)},
	} {
		if err := s.Audit(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{nil, "--before or --older-than is required"},
		{[]string{"--before", "2026-01-01", "--older-than", "400d"}, "not both"},
		{[]string{"--older-than", "30d"}, "at least 90 days ago"},
		{[]string{"--before", now.Add(time.Hour).Format(time.RFC3339)}, "at least 90 days ago"},
		{[]string{"--before", "yesterday"}, "--before"},
		{[]string{"--older-than", "-400d"}, "--older-than"},
		{[]string{"Cust1", "--older-than", "400d"}, "usage"},
	} {
		r := h.unchanged(exitUsage, append([]string{"audit", "prune"}, tt.args...)...)
		if !strings.Contains(r.err.Error(), tt.msg) {
			t.Errorf("audit prune %v: message %q lacks %q", tt.args, r.err, tt.msg)
		}
	}

	var out struct {
		Deleted int       `json:"deleted"`
		Before  time.Time `json:"before"`
	}
	h.json(&out, "audit", "prune", "--older-than", "400d", "--actor", "ops-bob")
	// The command reads the clock after the test did: its cut-off is 400 days before that.
	if cutMin := now.Add(-400 * 24 * time.Hour); out.Deleted != 2 || out.Before.Before(cutMin) || out.Before.After(time.Now().Add(-400*24*time.Hour)) {
		t.Errorf("audit prune --json = %+v", out)
	}
	var evs []auditJSON
	h.json(&evs, "audit", "Cust1", "--kind", "auth.refused")
	if len(evs) != 1 || evs[0].Reason != "bad_checksum" {
		t.Errorf("refusals left: %+v", evs)
	}
	pruned, err := s.AuditEvents(t.Context(), tenancy.AuditFilter{Kinds: []tenancy.EventKind{tenancy.EventAuditPruned}})
	if err != nil || len(pruned) != 1 || pruned[0].Actor != "ops-bob" || !strings.HasSuffix(pruned[0].Reason, " deleted=2") ||
		!strings.HasPrefix(pruned[0].Reason, "before=") {
		t.Errorf("prune events %+v, %v", pruned, err)
	}

	r := h.ok("audit", "prune", "--before", now.AddDate(0, 0, -200).Format(time.DateOnly))
	if !strings.Contains(r.stderr, "Deleted 0 audit events recorded before") {
		t.Errorf("stderr %q", r.stderr)
	}
	if r := h.ok("audit", "--help"); !strings.Contains(r.stdout, "audit prune") {
		t.Errorf("audit --help does not mention prune:\n%s", r.stdout)
	}
}
