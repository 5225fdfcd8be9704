package check

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi"
)

// staleToken is what the re-authentication probe sends instead of the access token the
// endpoint issued: a token it never issued, as an expired or revoked one looks to it.
const staleToken = "Bearer quotekit-check-expired-or-revoked-token"

// recorder sits between the NetServer client and the network. It checks every 200
// answer of an operation against the contract, remembers each operation's last status
// and WWW-Authenticate, and can swap the access token of one request for a stale one.
type recorder struct {
	next     http.RoundTripper
	soap     bool // SOAP: operations are named by SOAPAction, and answers are not JSON
	readOnly bool // send only ReadOnlyOperations (and /Authenticate)

	mu         sync.Mutex
	status     map[string]int      // last status per operation
	violations map[string][]string // contract deviations per operation, not yet reported
	validated  int                 // 200 answers checked against the contract
	tamper     string              // operation whose next request carries staleToken
	tampered   int                 // status of the tampered request, 0 before it is sent
}

func newRecorder(next http.RoundTripper, soap bool) *recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	return &recorder{next: next, soap: soap, status: map[string]int{}, violations: map[string][]string{}}
}

func (rec *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if rec.readOnly && !readOnlyRequest(r, rec.soap) {
		return nil, errWriteRefused
	}
	if rec.soap {
		return rec.roundTripSOAP(r)
	}
	op := path.Base(r.URL.Path)
	rec.mu.Lock()
	tamper := rec.tamper == op && r.Header.Get("Authorization") != ""
	if tamper {
		rec.tamper = ""
	}
	rec.mu.Unlock()
	if tamper {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", staleToken)
	}

	resp, err := rec.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	var violation string
	if resp.StatusCode == http.StatusOK && op != "Authenticate" {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if len(bytes.TrimSpace(body)) == 0 {
			ct = "" // an empty answer reads as null, which NetServer accepts
		}
		if err := openapi.ValidateResponse("/"+op, resp.StatusCode, ct, body); err != nil {
			violation = err.Error()
		} else if missing := missingMembers(op, resp.StatusCode, ct, body); missing != "" {
			violation = missing
		}
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.status[op] = resp.StatusCode
	if tamper {
		rec.tampered = resp.StatusCode
	}
	if resp.StatusCode == http.StatusOK && op != "Authenticate" {
		rec.validated++
		if violation != "" {
			rec.violations[op] = append(rec.violations[op], violation)
		}
	}
	return resp, nil
}

// readOnlyRequest reports whether r calls /Authenticate or one of ReadOnlyOperations
// (over SOAP: names one in its SOAPAction, or is not a POST, as GET ?wsdl).
func readOnlyRequest(r *http.Request, soap bool) bool {
	op := path.Base(r.URL.Path)
	if soap {
		if r.Method != http.MethodPost {
			return true
		}
		action := strings.Trim(strings.TrimSpace(r.Header.Get("SOAPAction")), `"`)
		op = path.Base(action)
		if _, known := connector.Lookup(op); !known && action != "" {
			return true // the unknown-action probe: no operation runs
		}
	} else if op == "Authenticate" {
		return true
	}
	return slices.Contains(ReadOnlyOperations, op)
}

// missingMembers says which members of the contract's carriers an answer leaves out, or
// "". .NET writes every member of a data contract, zero values and nulls included, and a
// .NET reader with required members or constructor-bound records refuses an answer
// without them.
func missingMembers(op string, status int, contentType string, body []byte) string {
	rep, err := openapi.CheckMembers("/"+op, status, contentType, body)
	if err != nil || len(rep.Missing) == 0 {
		return ""
	}
	const most = 5
	list := rep.Missing
	more := ""
	if len(list) > most {
		list, more = list[:most], fmt.Sprintf(" and %d more", len(rep.Missing)-most)
	}
	return fmt.Sprintf("the answer leaves out members .NET writes and a strict reader requires: %s%s",
		strings.Join(list, ", "), more)
}

// roundTripSOAP records the status of a SOAP request under the operation its SOAPAction
// names. WCF's strictness is the SOAP client's own: nothing is validated here.
func (rec *recorder) roundTripSOAP(r *http.Request) (*http.Response, error) {
	resp, err := rec.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	action := strings.Trim(strings.TrimSpace(r.Header.Get("SOAPAction")), `"`)
	if op := path.Base(action); action != "" && r.Method == http.MethodPost {
		rec.mu.Lock()
		rec.status[op] = resp.StatusCode
		rec.mu.Unlock()
	}
	return resp, nil
}

// takeViolations returns and forgets op's contract deviations.
func (rec *recorder) takeViolations(op string) []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	v := rec.violations[op]
	delete(rec.violations, op)
	return v
}

// tamperNext makes the next request to op carry staleToken.
func (rec *recorder) tamperNext(op string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.tamper, rec.tampered = op, 0
}

func (rec *recorder) tamperedStatus() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.tampered
}

func (rec *recorder) validatedCount() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.validated
}

// lastStatus returns the status of op's last answer, if it had one.
func (rec *recorder) lastStatus(op string) (int, bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	status, ok := rec.status[op]
	return status, ok
}
