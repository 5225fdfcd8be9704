package main

import (
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// failure names one kind of failed request: the operation and the status it got, 0
// for a transport error, -1 for an answer the client could not use.
type failure struct {
	op     string
	status int
}

func (f failure) String() string {
	switch f.status {
	case 0:
		return f.op + " transport error"
	case -1:
		return f.op + " unusable answer"
	}
	return fmt.Sprintf("%s %d %s", f.op, f.status, http.StatusText(f.status))
}

// maxExamples is how many failure messages a phase keeps to print.
const maxExamples = 10

// phase collects what happened in one part of the run: the latency of every HTTP
// request by operation, the calls the users made, and the failures.
type phase struct {
	name string

	mu       sync.Mutex
	ops      map[string]*histogram
	failures map[failure]int
	examples []string
	calls    int
	// Quotes finished in this phase: done reached their last step, cut ended early on a
	// failure (a quote the run's end stops is neither).
	quotesDone, quotesCut int
	lag                   histogram // open loop: how long calls waited past their scheduled start
	started               time.Time
	ended                 time.Time
}

func newPhase(name string) *phase {
	return &phase{name: name, ops: make(map[string]*histogram), failures: make(map[failure]int)}
}

func (p *phase) request(op string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.ops[op]
	if h == nil {
		h = &histogram{}
		p.ops[op] = h
	}
	h.add(d)
}

func (p *phase) fail(f failure, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failures[f]++
	if len(p.examples) < maxExamples {
		detail = strings.Join(strings.Fields(detail), " ")
		if len(detail) > 240 {
			detail = detail[:240] + "…"
		}
		p.examples = append(p.examples, f.String()+": "+detail)
	}
}

// call counts one call a user made, and how late it started (0 in a closed loop).
func (p *phase) call(lag time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if lag > 0 {
		p.lag.add(lag)
	}
}

// quoteEnded counts a quote that reached its last step (done) or ended early on a failure.
func (p *phase) quoteEnded(done bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done {
		p.quotesDone++
	} else {
		p.quotesCut++
	}
}

// quotes returns the quotes done and cut short in this phase.
func (p *phase) quotes() (done, cut int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.quotesDone, p.quotesCut
}

func (p *phase) callCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

func (p *phase) errors() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.failures {
		n += c
	}
	return n
}

func (p *phase) requests() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n uint64
	for _, h := range p.ops {
		n += h.n
	}
	return n
}

// recorder is the HTTP transport of every simulated client: it times each request
// until its body is closed and counts any answer outside 2xx, in the current phase.
type recorder struct {
	next    http.RoundTripper
	current atomic.Pointer[phase]
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	p := r.current.Load()
	op := path.Base(req.URL.Path)
	start := time.Now()
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		p.request(op, time.Since(start))
		p.fail(failure{op: op}, err.Error())
		return nil, err
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, done: func(body []byte) {
		p.request(op, time.Since(start))
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			p.fail(failure{op: op, status: resp.StatusCode}, string(body))
		}
	}, keep: resp.StatusCode < 200 || resp.StatusCode > 299}
	return resp, nil
}

// timedBody calls done once, when the body is closed, with the start of the body when
// keep is set (a failure's problem document, for the report).
type timedBody struct {
	io.ReadCloser
	done func(body []byte)
	keep bool
	head []byte
	once sync.Once
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.keep && len(b.head) < 512 {
		b.head = append(b.head, p[:min(n, 512-len(b.head))]...)
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.done(b.head) })
	return err
}
