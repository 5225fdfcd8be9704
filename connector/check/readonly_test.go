package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/connector/check"
	"github.com/quotekit/quotekit/connector/netserver"
	"github.com/quotekit/quotekit/internal/servetest"
)

// recording is a reverse proxy in front of the real server that records the operation
// of every POST it forwards: the path's last element, or the SOAPAction's.
type recording struct {
	mu  sync.Mutex
	ops []string
}

func (rec *recording) serve(t *testing.T, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			op := path.Base(r.URL.Path)
			if a := strings.Trim(r.Header.Get("SOAPAction"), `"`); a != "" {
				op = path.Base(a)
			}
			rec.mu.Lock()
			rec.ops = append(rec.ops, op)
			rec.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (rec *recording) received() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.ops)
}

// writers returns the operations of ops that the operation table marks as writing,
// and those outside ReadOnlyOperations (Authenticate and unknown SOAP actions aside).
func writers(ops []string) (writes, outside []string) {
	for _, op := range ops {
		o, known := connector.Lookup(op)
		if !known {
			continue
		}
		if o.Writes {
			writes = append(writes, op)
		}
		if !slices.Contains(check.ReadOnlyOperations, op) {
			outside = append(outside, op)
		}
	}
	return writes, outside
}

// TestReadOnlyCallsNoWritingOperation runs the check against a real server through a
// proxy that records what the server receives: a full run calls the writing operations
// (so the recording would see them), a read-only run calls none and nothing outside
// ReadOnlyOperations, over REST and over SOAP.
func TestReadOnlyCallsNoWritingOperation(t *testing.T) {
	srv := servetest.Start(t, servetest.Crate{})
	for _, soap := range []bool{false, true} {
		name := "rest"
		if soap {
			name = "soap"
		}
		t.Run(name, func(t *testing.T) {
			run := func(readOnly bool) (*check.Report, []string) {
				rec := &recording{}
				base := rec.serve(t, srv.URL)
				opts := check.Options{URL: base, AllowHTTP: true, Search: "nut", ReadOnly: readOnly,
					Credentials: netserver.SharedSecret(srv.Secret), Refused: netserver.SharedSecret(srv.Secret + "x")}
				if soap {
					opts = check.Options{URL: base + "/Services/QuoteConnector.svc", AllowHTTP: true, Search: "nut", ReadOnly: readOnly,
						SOAP: true, Tenant: servetest.TenantID, Secret: srv.Secret}
				}
				report, err := check.Run(context.Background(), opts)
				if err != nil {
					t.Fatal(err)
				}
				return report, rec.received()
			}

			_, full := run(false)
			if writes, _ := writers(full); !slices.Contains(writes, "OnBeforeCreateQuote") || !slices.Contains(writes, "PlaceOrder") {
				t.Fatalf("a full run sent the writing operations %v; want OnBeforeCreateQuote and PlaceOrder among them (received %v)", writes, full)
			}

			report, got := run(true)
			writes, outside := writers(got)
			if len(writes) > 0 || len(outside) > 0 {
				t.Errorf("a read-only run sent %v (writing) and %v (outside ReadOnlyOperations); received %v", writes, outside, got)
			}
			for _, want := range []string{"FindProduct", "GetProduct", "GetQuoteLinesFromProduct", "TestConnection"} {
				if !slices.Contains(got, want) {
					t.Errorf("a read-only run did not call %s: %v", want, got)
				}
			}
			var skipped bool
			for _, c := range report.Checks {
				if c.ID == "read-only" && c.Result == check.Skip {
					skipped = true
				}
				if c.Result == check.Fail && c.Required {
					t.Errorf("a read-only run failed %s: %s", c.ID, c.Why)
				}
			}
			if !skipped || !report.Passed {
				t.Errorf("the read-only run reports passed=%v, the skipped writing steps %v", report.Passed, skipped)
			}
		})
	}
}

// TestReadOnlyOperationsWriteNothing holds ReadOnlyOperations to the operation table:
// each is an operation, and none is marked as writing.
func TestReadOnlyOperationsWriteNothing(t *testing.T) {
	for _, name := range check.ReadOnlyOperations {
		op, ok := connector.Lookup(name)
		if !ok || op.Writes {
			t.Errorf("%s: known %v, writes %v", name, ok, op.Writes)
		}
	}
}
