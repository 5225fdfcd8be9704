package demoerp_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/demoerp"
)

// approvalContext is the context NetServer sends with an approval step of the version.
func approvalContext(q connector.QuoteInfo, v connector.QuoteVersionInfo, alt connector.QuoteAlternativeWithLinesInfo) *connector.QuoteVersionContextInfo {
	return &connector.QuoteVersionContextInfo{
		CRMQuote: &q, CRMQuoteVersion: &v, CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{alt},
	}
}

// wantVersion fails unless res answers the version ok, in state, with its one alternative.
func wantVersion(t *testing.T, res *connector.QuoteVersionResponseInfo, err error, key string, state connector.QuoteVersionStateInfo) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsOk || res.State != connector.ResponseStateOk {
		t.Errorf("answer %+v, want ok", res)
	}
	if res.CRMQuoteVersion == nil || res.CRMQuoteVersion.ERPQuoteVersionKey != key || res.CRMQuoteVersion.State != state {
		t.Errorf("version %+v, want %s in state %v", res.CRMQuoteVersion, key, state)
	}
	if len(res.CRMAlternativesWithLines) != 1 || res.CRMAlternativesWithLines[0].CRMAlternative.ERPQuoteAlternativeKey != "Q-10001-A1" {
		t.Errorf("alternatives %+v, want the version's one", res.CRMAlternativesWithLines)
	}
}

func TestApprovalApproved(t *testing.T) {
	erp, clk := open(t)
	q, v, alt := createQuote(t, bg, erp, nil)
	v.State, v.RequestAssociateId, v.RequestComment = connector.QuoteVersionStateInfoDraftNeedsApproval, 12, "Big customer, 15 % is fine"
	qc := approvalContext(q, v, alt)
	res, err := erp.OnQuoteVersionRequestApproval(bg, &connector.OnQuoteVersionRequestApprovalRequest{QuoteContext: qc})
	wantVersion(t, res, err, "Q-10001-V1", connector.QuoteVersionStateInfoDraftNeedsApproval)
	if res.CRMQuoteVersion == qc.CRMQuoteVersion || &res.CRMAlternativesWithLines[0] == &qc.CRMAlternativesWithLines[0] {
		t.Error("the answer shares the request's version or alternatives")
	}
	a, err := erp.Approval(bg, "Cust1", "Q-10001", "Q-10001-V1")
	if err != nil {
		t.Fatal(err)
	}
	if a.State != "requested" || a.RequestedBy != 12 || a.Comment != "Big customer, 15 % is fine" || a.DecidedBy != 0 || !a.Updated.Equal(start) {
		t.Errorf("after the request: %+v", a)
	}

	clk.Advance(time.Hour)
	v.ApprovedBy, v.ApprovedText = 5, "OK this once"
	res, err = erp.OnQuoteVersionApproved(bg, &connector.OnQuoteVersionApprovedRequest{QuoteContext: approvalContext(q, v, alt)})
	wantVersion(t, res, err, "Q-10001-V1", connector.QuoteVersionStateInfoDraftApproved)
	a, err = erp.Approval(bg, "Cust1", "Q-10001", "Q-10001-V1")
	if err != nil {
		t.Fatal(err)
	}
	if a.State != "approved" || a.RequestedBy != 12 || a.Comment != "Big customer, 15 % is fine" || a.DecidedBy != 5 || a.Decision != "OK this once" || !a.Updated.Equal(clk.Now()) {
		t.Errorf("after the approval: %+v", a)
	}
	if _, err := erp.Approval(bg, "Cust2", "Q-10001", "Q-10001-V1"); !errors.Is(err, demoerp.ErrNotFound) {
		t.Errorf("Cust2 sees Cust1's approval: %v", err)
	}
}

func TestApprovalRejectedAndRequestedAgain(t *testing.T) {
	erp, _ := open(t)
	q, v, alt := createQuote(t, bg, erp, nil)
	v.State, v.RequestAssociateId = connector.QuoteVersionStateInfoDraftNeedsApproval, 12
	_, err := erp.OnQuoteVersionRequestApproval(bg, &connector.OnQuoteVersionRequestApprovalRequest{QuoteContext: approvalContext(q, v, alt)})
	if err != nil {
		t.Fatal(err)
	}
	v.ApprovedBy, v.ApprovedText = 5, "Too much discount"
	res, err := erp.OnQuoteVersionRejected(bg, &connector.OnQuoteVersionRejectedRequest{QuoteContext: approvalContext(q, v, alt)})
	wantVersion(t, res, err, "Q-10001-V1", connector.QuoteVersionStateInfoDraftNotApproved)
	if a, err := erp.Approval(bg, "Cust1", "Q-10001", "Q-10001-V1"); err != nil || a.State != "rejected" || a.DecidedBy != 5 || a.Decision != "Too much discount" {
		t.Errorf("after the rejection: %+v, %v", a, err)
	}

	// The salesperson lowers the discount and asks again: the rejection no longer stands.
	v.State, v.RequestComment, v.ApprovedBy, v.ApprovedText = connector.QuoteVersionStateInfoDraftNeedsApproval, "Now 12 %", 0, ""
	res, err = erp.OnQuoteVersionRequestApproval(bg, &connector.OnQuoteVersionRequestApprovalRequest{QuoteContext: approvalContext(q, v, alt)})
	wantVersion(t, res, err, "Q-10001-V1", connector.QuoteVersionStateInfoDraftNeedsApproval)
	if a, err := erp.Approval(bg, "Cust1", "Q-10001", "Q-10001-V1"); err != nil || a.State != "requested" || a.Comment != "Now 12 %" || a.DecidedBy != 0 || a.Decision != "" {
		t.Errorf("after the second request: %+v, %v", a, err)
	}

	// Deleting the quote deletes the record of its approvals.
	if err := erp.OnBeforeDeleteQuote(bg, &connector.OnBeforeDeleteQuoteRequest{Quote: &q}); err != nil {
		t.Fatal(err)
	}
	if _, err := erp.Approval(bg, "Cust1", "Q-10001", "Q-10001-V1"); !errors.Is(err, demoerp.ErrNotFound) {
		t.Errorf("approval kept after the quote was deleted: %v", err)
	}
}

func TestApprovalOfAVersionMadeBeforeTheConnection(t *testing.T) {
	erp, _ := open(t)
	q := connector.QuoteInfo{QuoteId: 40}
	v := connector.QuoteVersionInfo{QuoteVersionId: 41, State: connector.QuoteVersionStateInfoDraftNeedsApproval}
	res, err := erp.OnQuoteVersionApproved(bg, &connector.OnQuoteVersionApprovedRequest{QuoteContext: &connector.QuoteVersionContextInfo{CRMQuote: &q, CRMQuoteVersion: &v}})
	if err != nil || res.CRMQuoteVersion.State != connector.QuoteVersionStateInfoDraftApproved || len(res.CRMAlternativesWithLines) != 0 {
		t.Fatalf("OnQuoteVersionApproved = %+v, %v", res, err)
	}
	if a, err := erp.Approval(bg, "Cust1", "CRM-40", "CRM-41"); err != nil || a.State != "approved" {
		t.Errorf("approval %+v, %v", a, err)
	}
}

func TestApprovalNeedsQuoteAndVersion(t *testing.T) {
	erp, _ := open(t)
	for name, qc := range map[string]*connector.QuoteVersionContextInfo{
		"no context":  nil,
		"no quote":    {CRMQuoteVersion: &connector.QuoteVersionInfo{ERPQuoteVersionKey: "Q-1-V1"}},
		"empty quote": {CRMQuote: &connector.QuoteInfo{}, CRMQuoteVersion: &connector.QuoteVersionInfo{ERPQuoteVersionKey: "Q-1-V1"}},
		"no version":  {CRMQuote: &connector.QuoteInfo{ERPQuoteKey: "Q-1"}},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := erp.OnQuoteVersionRequestApproval(bg, &connector.OnQuoteVersionRequestApprovalRequest{QuoteContext: qc})
			wantRefusedVersion(t, err, res)
			res, err = erp.OnQuoteVersionApproved(bg, &connector.OnQuoteVersionApprovedRequest{QuoteContext: qc})
			wantRefusedVersion(t, err, res)
			res, err = erp.OnQuoteVersionRejected(bg, &connector.OnQuoteVersionRejectedRequest{QuoteContext: qc})
			wantRefusedVersion(t, err, res)
		})
	}
}

// TestSchemaUpgrade: a database of schema version 1, made before approvals were kept, is
// upgraded at Open and keeps its quotes.
func TestSchemaUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "erp.db")
	erp, err := demoerp.Open(bg, path)
	if err != nil {
		t.Fatal(err)
	}
	q, v, alt := createQuote(t, bg, erp, nil)
	if err := erp.OnAfterSaveQuote(bg, &connector.OnAfterSaveQuoteRequest{Context: &connector.QuoteAlternativeContextInfo{CRMQuote: &q}}); err != nil {
		t.Fatal(err)
	}
	if err := erp.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"DROP TABLE quote_approvals", "PRAGMA user_version = 1"} {
		if _, err := db.ExecContext(bg, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	erp, err = demoerp.Open(bg, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := erp.Quote(bg, "Cust1", "Q-10001"); err != nil {
		t.Errorf("quote lost in the upgrade: %v", err)
	}
	res, err := erp.OnQuoteVersionRequestApproval(bg, &connector.OnQuoteVersionRequestApprovalRequest{QuoteContext: approvalContext(q, v, alt)})
	wantVersion(t, res, err, "Q-10001-V1", connector.QuoteVersionStateInfoDraftNeedsApproval)

	// A database of a newer version than this program knows is refused.
	if err := erp.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = sql.Open("sqlite3", path); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(bg, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if e, err := demoerp.Open(bg, path); err == nil {
		e.Close()
		t.Error("a database of version 99 was opened")
	}
}

// wantRefusedVersion is wantRefused for a QuoteVersionResponseInfo.
func wantRefusedVersion(t *testing.T, err error, res *connector.QuoteVersionResponseInfo) {
	t.Helper()
	if res == nil {
		wantRefused(t, err, nil)
		return
	}
	wantRefused(t, err, &connector.PluginResponseInfo{IsOk: res.IsOk, State: res.State, UserExplanation: res.UserExplanation})
}
