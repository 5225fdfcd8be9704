package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server"
)

// misbehaving is an ERP adapter at its worst: FindProduct ignores its context and
// blocks until released; GetProduct panics, with a string holding something secret or
// with a runtime error (an index out of range).
type misbehaving struct {
	connector.Unsupported
	release chan struct{}
	blocked atomic.Int32
}

func (m *misbehaving) FindProduct(context.Context, *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	m.blocked.Add(1)
	defer m.blocked.Add(-1)
	<-m.release
	return nil, nil
}

func (m *misbehaving) GetProduct(_ context.Context, req *connector.GetProductRequest) (*connector.ProductInfo, error) {
	if req.ErpProductKey == "index" {
		return &connector.ProductInfo{ERPProductKey: strings.Fields(req.ErpProductKey)[1]}, nil
	}
	panic("ERP adapter bug; password=hunter2")
}

// TestMisbehavingConnector: concurrent calls into a connector that hangs (ignoring its
// context) all answer 504 at the call deadline, concurrent panics all answer a 500 problem
// that tells nothing of the panic, the server keeps serving through both, and once the
// hung calls return, every goroutine they held is gone. TestDeadlineAndPanic covers one
// call of each; examples/sharedsecret's TestHungERPCall a connector that honours its
// context.
func TestMisbehavingConnector(t *testing.T) {
	conn := &misbehaving{release: make(chan struct{})}
	released := sync.OnceFunc(func() { close(conn.release) })
	t.Cleanup(released)
	h, err := server.New(conn, &fakeAuth{}, server.WithCallTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	// Connections are not kept alive, so the goroutine count settles once answers are in.
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	srv := ts.URL
	// post may run on any goroutine: a request without an answer is reported, status 0.
	post := func(op, body string) (int, http.Header, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv+"/"+op, strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return 0, nil, nil
		}
		req.Header.Set("Authorization", "Bearer good")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s: %v", op, err)
			return 0, nil, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	serving := func(when string) {
		t.Helper()
		if status, _, body := post("GetCapabilities", ""); status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", when, status, body)
		}
	}
	serving("at start")
	before := runtime.NumGoroutine()

	type answer struct {
		what, op, body string
		status         int
		header         http.Header
		got            []byte
	}
	var calls []*answer
	const n = 8
	for range n {
		calls = append(calls, &answer{what: "hung call", op: "FindProduct", body: `{"UserInput":"pump"}`},
			&answer{what: "panic", op: "GetProduct", body: `{"ErpProductKey":"panic"}`},
			&answer{what: "runtime error", op: "GetProduct", body: `{"ErpProductKey":"index"}`})
	}
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Go(func() { c.status, c.header, c.got = post(c.op, c.body) })
	}
	wg.Wait()
	for _, c := range calls {
		status, want, problem := c.status, http.StatusInternalServerError, "internal"
		if c.op == "FindProduct" {
			want, problem = http.StatusGatewayTimeout, "timeout"
		}
		if status != want {
			t.Errorf("%s: status %d, want %d: %s", c.what, status, want, c.got)
			continue
		}
		if p := problemOf(t, status, c.header, c.got); p["type"] != server.ProblemTypeBase+problem {
			t.Errorf("%s: problem type %v", c.what, p["type"])
		}
		for _, leak := range []string{"hunter2", "panic", "index out of range", "goroutine"} {
			if bytes.Contains(c.got, []byte(leak)) {
				t.Errorf("%s: the answer tells %q: %s", c.what, leak, c.got)
			}
		}
	}
	if b := conn.blocked.Load(); b != n {
		t.Errorf("%d calls still blocked in the connector, want %d: the 504s came before the connector returned", b, n)
	}
	serving("with hung calls in the connector")

	released()
	// Goroutines wind down asynchronously; wait a bounded while for the count to settle.
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); (after > before || conn.blocked.Load() > 0) && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before the misbehaving calls, %d after them:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
	serving("after the hung calls returned")
}
