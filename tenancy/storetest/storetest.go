// Package storetest is the conformance suite of quotekit's stores: every behaviour a
// tenancy.AdminStore promises (tenants, user mappings, secrets, tokens, admin keys, the
// audit log, purging, faults, the data version and concurrent use) checked through the
// store interfaces, so that each store runs the same tests. A store's own test calls
//
//	func TestConformance(t *testing.T) { storetest.Run(t, harness) }
//
// with a Harness that opens it and does the few things the suite must do straight on the
// database (count rows, inject a fault), which only the store's package knows how to do.
// Tests of what is particular to one store (file handling, its migrations, its query
// plans) stay with that store.
//
// Every time in the suite derives from T0, a fixed instant that is the clock of every
// store the suite opens; nothing depends on the wall clock.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// Store is what the suite tests: the whole of tenancy.AdminStore and the readiness probe.
type Store interface {
	tenancy.AdminStore
	// Ping checks that the database answers a read; it fails with tenancy.ErrUnavailable
	// when it does not.
	Ping(ctx context.Context) error
}

// Harness is what a store gives the suite. Open and Count are required; Run fails at once
// without them. A nil optional hook makes the tests that need it skip with one line naming
// the hook, so a store that cannot provide one still runs everything else.
//
// Every handle a hook returns is closed by a t.Cleanup the hook registers.
type Harness struct {
	// Open returns a fresh, empty store on a database of its own, whose clock (for the
	// times a caller leaves zero) is now.
	Open func(t testing.TB, now func() time.Time) Store

	// Reopen returns another handle on the database of s, as another process would open
	// it: it shares no connection, cache or lock with s, and its clock is now. Optional:
	// the concurrency and data-version tests need it.
	Reopen func(t testing.TB, s Store, now func() time.Time) Store

	// ReadOnly returns a handle on the database of s that can read and cannot write:
	// every write through it fails with an error wrapping tenancy.ErrUnavailable and
	// changes nothing. Optional: the read-only fault tests need it.
	ReadOnly func(t testing.TB, s Store) Store

	// Count returns how many records of each kind the database of s holds, counted
	// straight in the database around the store's methods (revoked and expired ones
	// included), so that a test sees rows no method returns.
	Count func(t testing.TB, s Store) Counts

	// FailAudit makes every later insert of an audit event into the database of s fail,
	// through any handle, inside the transaction of the change it belongs to, as a full
	// disk or a broken trigger would. The store must report that failure as a plain error,
	// wrapping none of tenancy's sentinels. It returns a function that removes the fault.
	// Optional: the tests that a change and its audit event commit together need it.
	FailAudit func(t testing.TB, s Store) (heal func())

	// TamperAudit runs op straight on the database of s, around the store's methods, and
	// returns the database's error: nil when the statement went through. The database
	// itself must keep the audit log append-only, so a conforming store returns an error;
	// TamperAudit fails t itself when the statement failed for any other reason than the
	// database's append-only enforcement (a mistyped statement must not pass for it).
	// Optional: the append-only tests need it.
	TamperAudit func(t testing.TB, s Store, op Tamper) error
}

// Counts are the records of a store's database, of every state.
type Counts struct {
	Tenants      int
	UserMappings int
	Secrets      int
	Tokens       int // access tokens
	Replays      int // remembered JWTs
	AuditEvents  int
	AdminKeys    int
}

// CountQuery counts the rows of each table of the stores' common schema, in the order of
// Counts.Dest: a Harness.Count of a SQL store runs it and scans the one row it answers.
const CountQuery = `SELECT
	(SELECT count(*) FROM tenants), (SELECT count(*) FROM user_mappings),
	(SELECT count(*) FROM secrets), (SELECT count(*) FROM access_tokens),
	(SELECT count(*) FROM jwt_replay), (SELECT count(*) FROM audit_events),
	(SELECT count(*) FROM admin_keys)`

// Dest returns the scan destinations of CountQuery's row.
func (c *Counts) Dest() []any {
	return []any{&c.Tenants, &c.UserMappings, &c.Secrets, &c.Tokens, &c.Replays, &c.AuditEvents, &c.AdminKeys}
}

// Tamper is a statement that would rewrite the audit log, for Harness.TamperAudit.
type Tamper int

// The statements TamperAudit runs.
const (
	// TamperUpdateAll changes the kind and reason of every audit event.
	TamperUpdateAll Tamper = iota + 1
	// TamperDeleteAll deletes every audit event.
	TamperDeleteAll
	// TamperDeleteNewest deletes the audit event with the highest id.
	TamperDeleteNewest
)

// SQL is the statement itself, the same in every SQL dialect the stores speak.
func (op Tamper) SQL() string {
	switch op {
	case TamperUpdateAll:
		return `UPDATE audit_events SET kind = 'nothing.happened', reason = 'x'`
	case TamperDeleteAll:
		return `DELETE FROM audit_events`
	case TamperDeleteNewest:
		return `DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)`
	}
	return ""
}

// String names the statement, for test messages.
func (op Tamper) String() string {
	switch op {
	case TamperUpdateAll:
		return "update every event"
	case TamperDeleteAll:
		return "delete every event"
	case TamperDeleteNewest:
		return "delete the newest event"
	}
	return "unknown tamper"
}

// suiteTest is one test of the suite.
type suiteTest struct {
	name string
	run  func(t *testing.T, h Harness)
}

// tests lists the suite, grouped as the store's methods are.
var tests = []suiteTest{
	// Tenants and user mappings.
	{"CreateTenant", testCreateTenant},
	{"TenantLookups", testTenantLookups},
	{"UpdateTenant", testUpdateTenant},
	{"SetTenantEnabled", testSetTenantEnabled},
	{"UserMapping", testUserMapping},
	{"SetAndDeleteUserMapping", testSetAndDeleteUserMapping},
	{"UserMappingFoldsASCIIOnly", testUserMappingFoldsASCIIOnly},
	{"ListUserMappings", testListUserMappings},
	{"ListUserMappingsAfterDelete", testListUserMappingsAfterDelete},

	// Secrets.
	{"CreateSecret", testCreateSecret},
	{"SecretByHashUnknown", testSecretByHashUnknown},
	{"SecretsOf", testSecretsOf},
	{"RollSecret", testRollSecret},
	{"RevokeSecret", testRevokeSecret},
	{"TouchSecret", testTouchSecret},

	// Tokens and the JWT replay cache.
	{"IssueToken", testIssueToken},
	{"TokenByHashUnknown", testTokenByHashUnknown},
	{"ListAndRevokeTokens", testListAndRevokeTokens},
	{"RememberJWT", testRememberJWT},
	{"IssueTokenRemembersItsJWT", testIssueTokenRemembersItsJWT},
	{"IssueTokenRechecksTheTenant", testIssueTokenRechecksTheTenant},
	{"Purge", testPurge},

	// Admin keys.
	{"CreateAdminKey", testCreateAdminKey},
	{"AdminKeyByHashUnknown", testAdminKeyByHashUnknown},
	{"ListAdminKeys", testListAdminKeys},
	{"RevokeAdminKeyCascades", testRevokeAdminKeyCascades},
	{"TouchAdminKey", testTouchAdminKey},

	// The audit log.
	{"Audit", testAudit},
	{"AuditEventsFilter", testAuditEventsFilter},
	{"AuditEventsDefaultLimit", testAuditEventsDefaultLimit},
	{"AuditLogIsAppendOnly", testAuditLogIsAppendOnly},
	{"ChangeAndAuditAreOneTransaction", testChangeAndAuditAreOneTransaction},
	{"UserMappingAuditedInOneTransaction", testUserMappingAuditedInOneTransaction},
	{"PruneAudit", testPruneAudit},

	// Faults, readiness and the data version.
	{"Ping", testPing},
	{"ReadOnlyDatabase", testReadOnlyDatabase},
	{"AdminKeysReadOnly", testAdminKeysReadOnly},
	{"DataVersion", testDataVersion},

	// Several handles at once.
	{"ConcurrentSecretChanges", testConcurrentSecretChanges},
	{"RevokeRacingIssueToken", testRevokeRacingIssueToken},
	{"TwoHandlesSeeEachOther", testTwoHandlesSeeEachOther},
}

// Run runs every test of the suite against the store h opens, each as a subtest of t
// named after the behaviour it checks. It fails t at once when h.Open or h.Count is nil.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Open == nil || h.Count == nil {
		t.Fatal("storetest: the Harness needs Open and Count")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, h) })
	}
}

// open opens a fresh store of h with the clock fixed at T0.
func open(t testing.TB, h Harness) Store {
	t.Helper()
	return h.Open(t, Clock)
}

// reopen opens another handle on the database of s with the clock fixed at T0, or skips
// t when h has no Reopen.
func reopen(t testing.TB, h Harness, s Store) Store {
	t.Helper()
	if h.Reopen == nil {
		t.Skip("storetest: skipped, the Harness has no Reopen (a second handle on one database)")
	}
	return h.Reopen(t, s, Clock)
}

// readOnly returns a read-only handle on the database of s, or skips t when h has no
// ReadOnly.
func readOnly(t testing.TB, h Harness, s Store) Store {
	t.Helper()
	if h.ReadOnly == nil {
		t.Skip("storetest: skipped, the Harness has no ReadOnly (a handle that cannot write)")
	}
	return h.ReadOnly(t, s)
}

// failAudit injects the audit fault of h into the database of s, or skips t when h has
// no FailAudit.
func failAudit(t testing.TB, h Harness, s Store) (heal func()) {
	t.Helper()
	if h.FailAudit == nil {
		t.Skip("storetest: skipped, the Harness has no FailAudit (a failing audit insert)")
	}
	return h.FailAudit(t, s)
}

// tamperAudit runs op through h's TamperAudit, or skips t when h has none.
func tamperAudit(t testing.TB, h Harness, s Store, op Tamper) error {
	t.Helper()
	if h.TamperAudit == nil {
		t.Skip("storetest: skipped, the Harness has no TamperAudit (a statement around the store)")
	}
	return h.TamperAudit(t, s, op)
}
