package sqlite

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// tooLate cannot be stored: times are kept as int64 Unix nanoseconds, which end in 2262.
var tooLate = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)

// TestTimesOutsideTheStorableRange: a change whose audit event is dated where the store
// cannot keep a time fails with a plain error (bad input, not a store outcome) from
// inside its transaction, and leaves nothing of it behind: neither the change nor the
// event.
func TestTimesOutsideTheStorableRange(t *testing.T) {
	ctx := context.Background()
	bad := tenancy.AuditEvent{At: tooLate}
	type fixture struct {
		secretID, keyID int64
	}
	changes := []struct {
		name string
		do   func(s *Store, fx fixture) error
	}{
		{"CreateTenant", func(s *Store, _ fixture) error { return s.CreateTenant(ctx, testTenant("Cust2"), bad) }},
		{"UpdateTenant", func(s *Store, _ fixture) error {
			tn := testTenant("Cust1")
			tn.Name = "changed"
			return s.UpdateTenant(ctx, tn, bad)
		}},
		{"SetTenantEnabled", func(s *Store, _ fixture) error { return s.SetTenantEnabled(ctx, "Cust1", false, t0, bad) }},
		{"CreateSecret", func(s *Store, _ fixture) error {
			_, err := s.CreateSecret(ctx, newSecret("Cust1"), 0, bad)
			return err
		}},
		{"RollSecret", func(s *Store, fx fixture) error {
			_, err := s.RollSecret(ctx, fx.secretID, newSecret("Cust1"), t0.Add(time.Hour), 0, bad)
			return err
		}},
		{"RevokeSecret", func(s *Store, fx fixture) error { return s.RevokeSecret(ctx, fx.secretID, t0, bad) }},
		{"IssueToken", func(s *Store, fx fixture) error {
			_, err := s.IssueToken(ctx, newToken("Cust1", fx.secretID), bad)
			return err
		}},
		{"RevokeTokens", func(s *Store, _ fixture) error {
			_, err := s.RevokeTokens(ctx, "Cust1", 0, t0, bad)
			return err
		}},
		{"CreateAdminKey", func(s *Store, _ fixture) error {
			_, err := s.CreateAdminKey(ctx, newAdminKey("x", tenancy.ScopeAuditRead), bad)
			return err
		}},
		{"RevokeAdminKey", func(s *Store, fx fixture) error { return s.RevokeAdminKey(ctx, fx.keyID, t0, bad) }},
		{"PruneAudit", func(s *Store, _ fixture) error {
			_, err := s.PruneAudit(ctx, t0.Add(time.Hour), tenancy.AuditEvent{Kind: tenancy.EventAuditPruned, At: tooLate})
			return err
		}},
	}
	for _, tt := range changes {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t)
			mustCreateTenant(t, s, "Cust1")
			secretID := mustCreateSecret(t, s, newSecret("Cust1"))
			keyID := mustCreateAdminKey(t, s, newAdminKey("support", tenancy.ScopeSupport))
			tok := newToken("Cust1", secretID)
			mustIssueToken(t, s, tok)
			support := supportToken("Cust1", tenancy.AdminKeyActor(keyID))
			mustIssueToken(t, s, support)
			before := snapshot(t, s, tok.Hash, support.Hash)

			wantErr(t, tt.do(s, fixture{secretID: secretID, keyID: keyID}), errPlain)
			if after := snapshot(t, s, tok.Hash, support.Hash); !reflect.DeepEqual(after, before) {
				t.Errorf("the store changed:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

// storeState is what snapshot reads of a store.
type storeState struct {
	Rows      any
	Tenants   []tenancy.Tenant
	Secrets   []tenancy.Secret
	Tokens    []tenancy.AccessToken
	AdminKeys []tenancy.AdminKey
	Audit     []tenancy.AuditEvent
}

// snapshot reads every row count, tenant, secret of Cust1, admin key and audit event of
// s, and the tokens with the hashes.
func snapshot(t *testing.T, s *Store, tokens ...[32]byte) storeState {
	t.Helper()
	ctx := context.Background()
	var st storeState
	var err error
	st.Rows = countRows(t, s)
	if st.Tenants, err = s.ListTenants(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Secrets, err = s.SecretsOf(ctx, "Cust1"); err != nil {
		t.Fatal(err)
	}
	for _, h := range tokens {
		tok, _, err := s.TokenByHash(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		st.Tokens = append(st.Tokens, tok)
	}
	if st.AdminKeys, err = s.ListAdminKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Audit, err = s.AuditEvents(ctx, tenancy.AuditFilter{Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	return st
}

// auditTriggers returns the name and SQL of every trigger on audit_events, by name.
func auditTriggers(t *testing.T, s *Store) string {
	t.Helper()
	var out string
	if err := s.r.QueryRow(`SELECT group_concat(name || ':' || sql, ';') FROM
		(SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit_events' ORDER BY name)`).Scan(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPruneAuditKeepsTheTriggers: PruneAudit drops the schema's delete trigger for its own
// DELETE and creates it again in the same transaction, so after a prune, and after a
// prune that failed, audit_events has the very triggers the schema defines.
func TestPruneAuditKeepsTheTriggers(t *testing.T) {
	ctx := context.Background()
	cut := t0.Add(-24 * time.Hour)
	for _, tt := range []struct {
		name string
		ev   tenancy.AuditEvent
		want error
	}{
		{"a prune", tenancy.AuditEvent{Kind: tenancy.EventAuditPruned}, nil},
		{"a failed prune", tenancy.AuditEvent{Kind: tenancy.EventAuditPruned, At: tooLate}, errPlain},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t)
			for _, at := range []time.Time{cut.Add(-time.Hour), cut.Add(time.Hour)} {
				if err := s.Audit(ctx, tenancy.AuditEvent{Kind: tenancy.EventAuthRefused, At: at}); err != nil {
					t.Fatal(err)
				}
			}
			before, audits := auditTriggers(t, s), auditCount(t, s)
			if !strings.Contains(before, "audit_events_no_delete") || !strings.Contains(before, "audit_events_no_update") {
				t.Fatalf("the schema's triggers: %s", before)
			}
			_, err := s.PruneAudit(ctx, cut, tt.ev)
			wantErr(t, err, tt.want)
			if after := auditTriggers(t, s); after != before {
				t.Errorf("triggers after %s:\n%s\nwant\n%s", tt.name, after, before)
			}
			if n := auditCount(t, s); err != nil && n != audits {
				t.Errorf("%d events after a failed prune, want the %d before", n, audits)
			}
		})
	}
}
