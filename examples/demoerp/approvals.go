package demoerp

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/quotekit/quotekit/connector"
)

// Approval states the ERP records for a quote version.
const (
	approvalRequested = "requested"
	approvalApproved  = "approved"
	approvalRejected  = "rejected"
)

// OnQuoteVersionRequestApproval records that the version was sent to approval, by whom
// (the version's RequestAssociateId) and with which comment (RequestComment), and answers
// the version in DraftNeedsApproval. A context without a quote or version is refused
// as a business answer (IsOk=false, State Error).
func (e *ERP) OnQuoteVersionRequestApproval(ctx context.Context, req *connector.OnQuoteVersionRequestApprovalRequest) (*connector.QuoteVersionResponseInfo, error) {
	return e.approval(ctx, "OnQuoteVersionRequestApproval", req.QuoteContext, approvalRequested, connector.QuoteVersionStateInfoDraftNeedsApproval)
}

// OnQuoteVersionApproved records that the version was approved, by whom (ApprovedBy) and
// why (ApprovedText), and answers the version in DraftApproved. A context without a quote
// or version is refused as a business answer (IsOk=false, State Error).
func (e *ERP) OnQuoteVersionApproved(ctx context.Context, req *connector.OnQuoteVersionApprovedRequest) (*connector.QuoteVersionResponseInfo, error) {
	return e.approval(ctx, "OnQuoteVersionApproved", req.QuoteContext, approvalApproved, connector.QuoteVersionStateInfoDraftApproved)
}

// OnQuoteVersionRejected records that the version was rejected, by whom (ApprovedBy) and
// why (ApprovedText), and answers the version in DraftNotApproved. A context without a
// quote or version is Invalid.
func (e *ERP) OnQuoteVersionRejected(ctx context.Context, req *connector.OnQuoteVersionRejectedRequest) (*connector.QuoteVersionResponseInfo, error) {
	return e.approval(ctx, "OnQuoteVersionRejected", req.QuoteContext, approvalRejected, connector.QuoteVersionStateInfoDraftNotApproved)
}

// approval records one step of a version's approval and answers the version, in the
// state the step leads to, with its alternatives.
func (e *ERP) approval(ctx context.Context, op string, qc *connector.QuoteVersionContextInfo, step string, state connector.QuoteVersionStateInfo) (*connector.QuoteVersionResponseInfo, error) {
	if err := e.enter(ctx, op); err != nil {
		return nil, err
	}
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if qc == nil || quoteKey(qc.CRMQuote) == "" {
		return versionRefused("NO-QUOTE", "the context carries no quote",
			msg("The ERP cannot find the quote.", "ERP-systemet finner ikke tilbudet.")), nil
	}
	if qc.CRMQuoteVersion == nil {
		return versionRefused("NO-VERSION", "the context carries no quote version",
			msg("The ERP cannot find the quote version.", "ERP-systemet finner ikke tilbudsversjonen.")), nil
	}
	key := quoteKey(qc.CRMQuote)
	v := *qc.CRMQuoteVersion
	version := versionKey(&v)
	now := stamp(e.now())
	err = e.write(ctx, func(tx *sql.Tx) error {
		var err error
		if step == approvalRequested {
			// A new request starts the approval again: an earlier decision is void.
			_, err = tx.ExecContext(ctx, `
				INSERT INTO quote_approvals (tenant, quote_key, version_key, state, requested_by, comment, decided_by, decision, updated)
				VALUES (?, ?, ?, ?, ?, ?, 0, '', ?)
				ON CONFLICT (tenant, quote_key, version_key) DO UPDATE SET
					state = excluded.state, requested_by = excluded.requested_by, comment = excluded.comment,
					decided_by = 0, decision = '', updated = excluded.updated`,
				tenantID, key, version, step, v.RequestAssociateId, v.RequestComment, now)
		} else {
			_, err = tx.ExecContext(ctx, `
				INSERT INTO quote_approvals (tenant, quote_key, version_key, state, requested_by, comment, decided_by, decision, updated)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant, quote_key, version_key) DO UPDATE SET
					state = excluded.state, decided_by = excluded.decided_by, decision = excluded.decision, updated = excluded.updated`,
				tenantID, key, version, step, v.RequestAssociateId, v.RequestComment, v.ApprovedBy, v.ApprovedText, now)
		}
		if err != nil {
			return fmt.Errorf("demoerp: record approval of %s %s: %w", key, version, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v.State = state
	return &connector.QuoteVersionResponseInfo{
		IsOk: true, State: connector.ResponseStateOk,
		CRMQuoteVersion: &v, CRMAlternativesWithLines: cloneAlternatives(qc.CRMAlternativesWithLines),
	}, nil
}

// versionKey is the ERP's key for a CRM quote version: the one OnBeforeCreateQuoteVersion
// gave it or, for a version made before the connection existed, one made from the CRM id.
func versionKey(v *connector.QuoteVersionInfo) string {
	if v.ERPQuoteVersionKey != "" {
		return v.ERPQuoteVersionKey
	}
	return fmt.Sprintf("CRM-%d", v.QuoteVersionId)
}

// versionRefused is the business answer of an operation answering a quote version when
// it cannot act on the context: IsOk=false and State Error with the code, the technical
// and the user's explanation.
func versionRefused(code, tech, user string) *connector.QuoteVersionResponseInfo {
	return &connector.QuoteVersionResponseInfo{
		IsOk: false, State: connector.ResponseStateError, ErrorCode: code,
		TechExplanation: tech, UserExplanation: user,
	}
}
