package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// testConcurrentSecretChanges has 50 goroutines create and roll secrets of one tenant at
// once, through two handles on one database (as two processes would), while readers
// list them. Every success must be stored, with its audit event, under a distinct id,
// and the cap must hold exactly.
func testConcurrentSecretChanges(t *testing.T, h Harness) {
	ctx := context.Background()
	a := open(t, h)
	b := reopen(t, h, a)
	MustCreateTenant(t, a, "Cust1")
	base := MustCreateSecret(t, a, NewSecret("Cust1"))
	audits := auditCount(t, h, a)

	const workers, maxActive = 50, 10
	type result struct {
		id  int64
		err error
	}
	results := make(chan result, workers)
	stop := make(chan struct{})
	var readers, writers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := b.SecretsOf(ctx, "Cust1"); err != nil {
					t.Errorf("SecretsOf during writes: %v", err)
					return
				}
			}
		})
	}
	for i := range workers {
		st := a
		if i%2 == 1 {
			st = b
		}
		writers.Go(func() {
			var r result
			if i%3 == 0 {
				// The base secret keeps an overlap, so a roll adds one active secret.
				r.id, r.err = st.RollSecret(ctx, base, NewSecret("Cust1"), T0.Add(time.Hour), maxActive, tenancy.AuditEvent{})
			} else {
				r.id, r.err = st.CreateSecret(ctx, NewSecret("Cust1"), maxActive, tenancy.AuditEvent{})
			}
			results <- r
		})
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	close(results)

	ids := map[int64]bool{}
	for r := range results {
		switch {
		case r.err == nil:
			if ids[r.id] {
				t.Errorf("id %d returned twice", r.id)
			}
			ids[r.id] = true
		case !errors.Is(r.err, tenancy.ErrLimit):
			t.Errorf("unexpected error: %v", r.err)
		}
	}
	if len(ids) != maxActive-1 {
		t.Errorf("%d changes succeeded, want %d (the cap less the base secret)", len(ids), maxActive-1)
	}
	secs, err := a.SecretsOf(ctx, "Cust1")
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	stored := map[int64]bool{}
	for _, sec := range secs {
		stored[sec.ID] = true
		if sec.Active(T0) {
			active++
		}
	}
	if len(secs) != 1+len(ids) {
		t.Errorf("%d secrets stored, want %d", len(secs), 1+len(ids))
	}
	for id := range ids {
		if !stored[id] {
			t.Errorf("secret %d was acknowledged but is not stored", id)
		}
	}
	if active != maxActive {
		t.Errorf("%d active secrets, want the cap %d", active, maxActive)
	}
	if n := auditCount(t, h, a) - audits; n != len(ids) {
		t.Errorf("%d audit events for %d changes", n, len(ids))
	}
}

// testRevokeRacingIssueToken races RevokeSecret against IssueToken for the same secret
// through two handles on one database. Whichever commits first, no live token of a revoked
// secret may remain.
func testRevokeRacingIssueToken(t *testing.T, h Harness) {
	ctx := context.Background()
	a := open(t, h)
	b := reopen(t, h, a)
	MustCreateTenant(t, a, "Cust1")

	const rounds = 100
	issued := 0
	for range rounds {
		id := MustCreateSecret(t, a, NewSecret("Cust1"))
		tok := NewToken("Cust1", id)
		var revokeErr, issueErr error
		var wg sync.WaitGroup
		wg.Go(func() { revokeErr = a.RevokeSecret(ctx, id, T0, tenancy.AuditEvent{}) })
		wg.Go(func() { _, issueErr = b.IssueToken(ctx, tok, tenancy.AuditEvent{}) })
		wg.Wait()

		if revokeErr != nil {
			t.Fatalf("RevokeSecret: %v", revokeErr)
		}
		got, _, err := a.TokenByHash(ctx, tok.Hash)
		switch {
		case issueErr == nil:
			issued++
			if err != nil || got.RevokedAt.IsZero() {
				t.Fatalf("token issued from secret %d survived its revocation: %+v, %v", id, got, err)
			}
		case errors.Is(issueErr, tenancy.ErrConflict):
			if !errors.Is(err, tenancy.ErrNotFound) {
				t.Fatalf("refused token was stored: %+v, %v", got, err)
			}
		default:
			t.Fatalf("IssueToken: %v", issueErr)
		}
	}
	if live, err := a.ListTokens(ctx, "Cust1", T0); err != nil || len(live) != 0 {
		t.Errorf("live tokens after the races: %d, %v", len(live), err)
	}
	t.Logf("%d of %d tokens were issued before their secret's revocation", issued, rounds)
}

// testTwoHandlesSeeEachOther checks that a change committed through one handle is seen by
// another handle on the same database at once: no cache stands between a revocation and the
// next request.
func testTwoHandlesSeeEachOther(t *testing.T, h Harness) {
	ctx := context.Background()
	a := open(t, h)
	b := reopen(t, h, a)
	MustCreateTenant(t, a, "Cust1")
	sec := NewSecret("Cust1")
	id := MustCreateSecret(t, a, sec)
	tok := NewToken("Cust1", id)
	MustIssueToken(t, a, tok)

	// Warm b's read connections first, so the test also covers connections that were
	// open before the change.
	if got, _, err := b.TokenByHash(ctx, tok.Hash); err != nil || !got.RevokedAt.IsZero() {
		t.Fatalf("before: %+v, %v", got, err)
	}
	if err := a.RevokeSecret(ctx, id, T0, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	gotSec, _, err := b.SecretByHash(ctx, sec.Hash)
	if err != nil || gotSec.Active(T0) {
		t.Errorf("b sees the secret as %+v, %v; want revoked", gotSec, err)
	}
	gotTok, _, err := b.TokenByHash(ctx, tok.Hash)
	if err != nil || gotTok.RevokedAt.IsZero() {
		t.Errorf("b sees the token as %+v, %v; want revoked", gotTok, err)
	}

	if err := b.SetTenantEnabled(ctx, "Cust1", false, T0, tenancy.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	if tn, err := a.Tenant(ctx, "Cust1"); err != nil || tn.Enabled {
		t.Errorf("a sees the tenant as %+v, %v; want disabled", tn, err)
	}
}
