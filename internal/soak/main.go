// Command soak drives a running quote connector for a long time with the calls
// SuperOffice NetServer makes while sales users build quotes, and reports whether the
// server stayed healthy: no failed request, a flat resident set, a steady number of
// goroutines. scripts/soak.sh builds and starts the shared-secret sample for it.
//
// It first measures the server's capacity in a closed loop (every user calls again as
// soon as its answer is in), then calls open-loop at a share of that rate (-load) for
// -duration: calls are due at fixed times whatever the answers do, and a call that
// waits for a free user is counted as late. The first -warmup of the open loop is not
// measured. Latencies are those of single HTTP requests, body read.
//
// The server's resident set is read from /proc/<pid>/status, its goroutines from
// go_goroutines at -metrics-url (the sample serves them on --metrics-addr). The exit
// status is 1 when a gate fails (see gate): a request failed, a quote ended early or none
// was finished, a due call was dropped, the server's goroutines grew by more than
// -max-goroutines between the idle start and the idle end of the measurement, or its
// resident set grew more than -max-growth (the median of the readings of the run's last
// fifth against that of its first fifth); 2 for a usage error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/quotekit/quotekit/connector/netserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var usage usageError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// config is the command line.
type config struct {
	url        string
	metricsURL string
	secretFile string
	pid        int
	duration   time.Duration
	capacity   time.Duration
	warmup     time.Duration
	load       float64
	users      int
	fresh      float64
	orders     float64
	maxGrowth  float64
	maxGorout  int
	maxDropped int64
	timeout    time.Duration
	seed       uint64
	progress   time.Duration
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "", "base URL of the connector, on a loopback address (required)")
	fs.StringVar(&c.metricsURL, "metrics-url", "", "URL of the server's Prometheus metrics, on a loopback address (required: the sample serves them on --metrics-addr)")
	fs.StringVar(&c.secretFile, "secret-file", "", "file with the tenant's shared secret: the output of 'quotekit secret create --json', or the secret alone (required)")
	fs.IntVar(&c.pid, "pid", 0, "process id of the server, for its resident set (required)")
	fs.DurationVar(&c.duration, "duration", 10*time.Minute, "how long the open loop runs after the warm-up")
	fs.DurationVar(&c.capacity, "capacity", 5*time.Second, "how long the closed loop measures capacity")
	fs.DurationVar(&c.warmup, "warmup", 10*time.Second, "open-loop time before the measurement starts")
	fs.Float64Var(&c.load, "load", 0.7, "open-loop rate as a share of the measured capacity")
	fs.IntVar(&c.users, "users", 16, "simulated sales users calling at the same time")
	fs.Float64Var(&c.fresh, "fresh", 0.05, "chance that a user's next quote starts with a new client (a new Authenticate)")
	fs.Float64Var(&c.orders, "orders", 0.3, "chance that a quote ends with PlaceOrder")
	fs.Float64Var(&c.maxGrowth, "max-growth", 0.10, "largest accepted growth of the resident set, as a share")
	fs.IntVar(&c.maxGorout, "max-goroutines", 16, "largest accepted growth of the server's goroutines, idle start to idle end")
	fs.Int64Var(&c.maxDropped, "max-dropped", 0, "largest accepted number of due calls dropped because no user was free")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "deadline of one call")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the users' choices")
	fs.DurationVar(&c.progress, "progress", time.Minute, "how often to print the server's state during the run")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return c, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case c.url == "" || c.metricsURL == "" || c.secretFile == "" || c.pid <= 0:
		return c, usageError{"-url, -metrics-url, -secret-file and -pid are required"}
	case !loopbackURL(c.url) || !loopbackURL(c.metricsURL):
		return c, usageError{fmt.Sprintf("-url %q or -metrics-url %q is not on a loopback address: the soak only drives a local server", c.url, c.metricsURL)}
	case c.maxGorout < 0 || c.maxDropped < 0:
		return c, usageError{"-max-goroutines and -max-dropped are not negative"}
	case c.duration <= 0 || c.capacity <= 0 || c.warmup < 0 || c.timeout <= 0 || c.progress < time.Second:
		return c, usageError{"-duration, -capacity and -timeout must be positive, -warmup not negative, -progress at least 1s"}
	case c.duration > 24*time.Hour:
		return c, usageError{"-duration is at most 24h"}
	case c.load <= 0 || c.load > 1:
		return c, usageError{"-load is a share in (0, 1]"}
	case c.users < 1 || c.users > 256:
		return c, usageError{"-users is 1 to 256"}
	case c.fresh < 0 || c.fresh > 1 || c.orders < 0 || c.orders > 1 || c.maxGrowth <= 0:
		return c, usageError{"-fresh and -orders are shares in [0, 1], -max-growth is positive"}
	}
	return c, nil
}

func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

// readSecret reads the secret from the JSON 'quotekit secret create --json' prints, or
// from a file holding just the secret.
func readSecret(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	text := strings.TrimSpace(string(raw))
	if strings.HasPrefix(text, "{") {
		var out struct {
			Secret string `json:"secret"`
		}
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		text = out.Secret
	}
	if text == "" || strings.ContainsAny(text, " \t\r\n") {
		return "", fmt.Errorf("%s holds no shared secret", path)
	}
	return text, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	secret, err := readSecret(cfg.secretFile)
	if err != nil {
		return err
	}
	// Every wait below ends by itself; this deadline is the backstop for a server that
	// stops answering altogether.
	ctx, cancel := context.WithTimeout(ctx, cfg.capacity+cfg.warmup+cfg.duration+2*cfg.timeout+time.Minute)
	defer cancel()

	rec := &recorder{next: &http.Transport{
		MaxIdleConnsPerHost: cfg.users,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
	hc := &http.Client{Transport: rec, Timeout: cfg.timeout}
	probe := &http.Client{Timeout: 5 * time.Second} // /metrics, outside the measurement
	capacity, warmup, soak := newPhase("capacity"), newPhase("warm-up"), newPhase("soak")
	rec.current.Store(capacity)
	var current atomic.Pointer[phase]
	var inflight atomic.Int64
	setPhase := func(p *phase) {
		now := time.Now()
		if old := current.Load(); old != nil {
			old.ended = now
		}
		p.started = now
		rec.current.Store(p)
		current.Store(p)
	}
	setPhase(capacity)

	// tickets hands the users their calls: as fast as they take them in the closed
	// loop, at their due time in the open loop. It holds at most a few seconds of calls.
	tickets := make(chan time.Time, 4096)
	var wg sync.WaitGroup
	for i := range cfg.users {
		u := &user{
			id:   netserver.User{AssociateID: int32(101 + i), Email: fmt.Sprintf("sales%d@example.com", i+1)},
			base: cfg.url, secret: secret, http: hc, tickets: tickets, phase: &current, inflight: &inflight,
			rng:   rand.New(rand.NewPCG(cfg.seed, uint64(i))),
			fresh: cfg.fresh, orders: cfg.orders, timeout: cfg.timeout,
		}
		wg.Go(func() { u.run(ctx) })
	}
	// stopUsers lets the users finish the call they are in (each has a deadline) and
	// waits for them.
	stopUsers := sync.OnceFunc(func() {
		close(tickets)
		wg.Wait()
	})
	defer stopUsers()

	fmt.Fprintf(stdout, "soak: %s, %d users: measuring capacity for %s (closed loop)\n", cfg.url, cfg.users, cfg.capacity)
	closedLoop(ctx, tickets, time.Now().Add(cfg.capacity))
	drain(tickets)
	rate := float64(capacity.callCount()) / time.Since(capacity.started).Seconds()
	if capacity.callCount() == 0 || capacity.errors() > 0 {
		stopUsers()
		capacity.ended = time.Now()
		report(stdout, cfg, 0, []*phase{capacity}, nil, sample{}, sample{}, 0, 0)
		return errors.New("the server failed during the capacity measurement")
	}
	target := cfg.load * rate
	fmt.Fprintf(stdout, "soak: capacity %.0f calls/s; open loop at %.0f calls/s: %s warm-up, then %s\n", rate, target, cfg.warmup, cfg.duration)

	var dropped atomic.Int64
	setPhase(warmup)
	openLoop(ctx, tickets, target, time.Now().Add(cfg.warmup), &dropped)

	// The start is taken, like the end, with no call under way, so both count the
	// server's goroutines with the same idle keep-alive connections.
	drain(tickets)
	waitIdle(ctx, &inflight, cfg.timeout)
	start, err := measure(context.WithoutCancel(ctx), probe, cfg.metricsURL, cfg.pid)
	setPhase(soak)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "soak: measuring; server %s\n", start)
	peak := start.rss
	end := time.Now().Add(cfg.duration)
	progress := time.NewTicker(cfg.progress)
	defer progress.Stop()
	stopRSS := make(chan struct{})
	var rssDone sync.WaitGroup
	var rssSamples []int64 // one a second during the measured run
	rssDone.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopRSS:
				return
			case <-t.C:
				if r, err := readRSS(cfg.pid); err == nil && time.Now().Before(end) {
					peak = max(peak, r)
					rssSamples = append(rssSamples, r)
				}
			}
		}
	})
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		openLoop(ctx, tickets, target, end, &dropped)
	}()
wait:
	for {
		select {
		case <-loopDone:
			break wait
		case <-progress.C:
			now, err := measure(ctx, probe, cfg.metricsURL, cfg.pid)
			if err != nil {
				fmt.Fprintf(stdout, "soak: %v\n", err)
				continue
			}
			fmt.Fprintf(stdout, "soak: %s left, %d requests, %d errors, server %s\n",
				time.Until(end).Round(time.Second), soak.requests(), soak.errors()+warmup.errors(), now)
		}
	}
	drain(tickets)
	stopUsers()
	soak.ended = time.Now()
	time.Sleep(idleSettle)
	final, err := measure(context.WithoutCancel(ctx), probe, cfg.metricsURL, cfg.pid)
	close(stopRSS)
	rssDone.Wait()
	if err != nil {
		return err
	}
	peak = max(peak, final.rss)

	errs := report(stdout, cfg, target, []*phase{capacity, warmup, soak}, soak, start, final, peak, dropped.Load())
	// The resident set saw-tooths with each garbage collection and each return of
	// memory to the kernel; single readings at the start and the end can differ by
	// several per cent without any growth. The gate compares the medians of the
	// readings of the first and the last fifth of the run.
	first, last := rssWindows(rssSamples)
	fmt.Fprintf(stdout, "server RSS, median of the first and the last fifth of the run: %s → %s (%+.1f %%)\n",
		mib(first), mib(last), 100*float64(last-first)/float64(first))
	m := measured{failed: errs, rssFirst: first, rssLast: last, goroutinesStart: start.goroutines, goroutinesEnd: final.goroutines,
		dropped: dropped.Load()}
	for _, p := range []*phase{warmup, soak} {
		done, cut := p.quotes()
		m.quotesCut += cut
		if p == soak {
			m.quotesDone = done
		}
	}
	fmt.Fprintf(stdout, "quotes: %d finished in the measured run, %d ended early\n", m.quotesDone, m.quotesCut)
	if ctx.Err() != nil {
		m.interrupted = context.Cause(ctx)
	}
	if failed := gate(cfg, m); len(failed) > 0 {
		fmt.Fprintln(stdout, "FAIL:", strings.Join(failed, "; "))
		return errors.New(strings.Join(failed, "; "))
	}
	fmt.Fprintln(stdout, "PASS")
	return nil
}

// measured is what a run measured that the gates judge.
type measured struct {
	failed                         int   // failed requests, all phases
	rssFirst, rssLast              int64 // medians of the resident set's first and last fifth
	goroutinesStart, goroutinesEnd int   // the server's goroutines, idle, at the start and the end
	dropped                        int64 // due calls dropped because no user was free
	quotesDone                     int   // quotes that reached their last step in the measured run
	quotesCut                      int   // quotes that ended early on a failure, warm-up and measured run
	interrupted                    error // why the run was cut short, if it was
}

// gate judges a run and returns why it fails, empty when it passes: any failed request;
// any quote cut short, or none finished in the measured run (an empty search, for one,
// would otherwise quietly make the quotes shorter and the load lighter); more due calls
// dropped than cfg.maxDropped (the load was not what it claims); the server's goroutines
// grown by more than cfg.maxGorout; its resident set grown by more than cfg.maxGrowth; an
// interruption.
func gate(cfg config, m measured) []string {
	var failed []string
	if m.failed > 0 {
		failed = append(failed, fmt.Sprintf("%d failed requests", m.failed))
	}
	if m.quotesCut > 0 {
		failed = append(failed, fmt.Sprintf("%d quotes ended early", m.quotesCut))
	}
	if m.quotesDone == 0 {
		failed = append(failed, "no quote was finished in the measured run")
	}
	if m.dropped > cfg.maxDropped {
		failed = append(failed, fmt.Sprintf("%d due calls were dropped (at most %d): the users could not keep up", m.dropped, cfg.maxDropped))
	}
	if grown := m.goroutinesEnd - m.goroutinesStart; grown > cfg.maxGorout {
		failed = append(failed, fmt.Sprintf("the server's goroutines grew by %d, %d → %d (at most %d)", grown, m.goroutinesStart, m.goroutinesEnd, cfg.maxGorout))
	}
	if growth := float64(m.rssLast-m.rssFirst) / float64(m.rssFirst); growth > cfg.maxGrowth {
		failed = append(failed, fmt.Sprintf("the resident set grew %.1f %% (at most %.0f %%)", 100*growth, 100*cfg.maxGrowth))
	}
	if m.interrupted != nil {
		failed = append(failed, "interrupted: "+m.interrupted.Error())
	}
	return failed
}

// rssWindows returns the medians of the first and the last fifth of samples (at least
// one sample each; the first and only sample twice when there is one).
func rssWindows(samples []int64) (first, last int64) {
	if len(samples) == 0 {
		return 1, 1
	}
	n := max(1, len(samples)/5)
	return median(samples[:n]), median(samples[len(samples)-n:])
}

func median(v []int64) int64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// closedLoop offers the users a ticket whenever one is free, until end.
func closedLoop(ctx context.Context, tickets chan<- time.Time, end time.Time) {
	timer := time.NewTimer(time.Until(end))
	defer timer.Stop()
	for {
		select {
		case tickets <- time.Time{}:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// openLoop makes a call due every 1/rate seconds until end, whether or not the users
// keep up; a call that finds the queue full is dropped and counted.
func openLoop(ctx context.Context, tickets chan<- time.Time, rate float64, end time.Time, dropped *atomic.Int64) {
	interval := time.Duration(float64(time.Second) / rate)
	interval = max(interval, time.Microsecond)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for next := time.Now(); next.Before(end); {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		for now := time.Now(); !next.After(now) && next.Before(end); next = next.Add(interval) {
			select {
			case tickets <- next:
			default:
				dropped.Add(1)
			}
		}
		timer.Reset(time.Until(next))
	}
}

// idleSettle is how long the server gets to finish its bookkeeping of the last answers
// before its goroutines are counted.
const idleSettle = 200 * time.Millisecond

// waitIdle waits until no call is under way, for at most limit.
func waitIdle(ctx context.Context, inflight *atomic.Int64, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for inflight.Load() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(idleSettle)
}

// drain takes back the tickets nobody used.
func drain(tickets chan time.Time) {
	for {
		select {
		case <-tickets:
		default:
			return
		}
	}
}

// sample is the server's state at one moment.
type sample struct {
	rss        int64 // resident set, bytes
	heap       int64 // Go heap in use, bytes; the rest of the resident set is the runtime's, SQLite's, code
	goroutines int
}

func measure(ctx context.Context, c *http.Client, metricsURL string, pid int) (sample, error) {
	rss, err := readRSS(pid)
	if err != nil {
		return sample{}, err
	}
	m, err := scrape(ctx, c, metricsURL)
	if err != nil {
		return sample{}, err
	}
	g, err := metric(m, "go_goroutines")
	if err != nil {
		return sample{}, err
	}
	heap, err := metric(m, "go_memstats_heap_inuse_bytes")
	if err != nil {
		return sample{}, err
	}
	return sample{rss: rss, heap: int64(heap), goroutines: int(g)}, nil
}

func (s sample) String() string {
	return fmt.Sprintf("RSS %s (Go heap %s), %d goroutines", mib(s.rss), mib(s.heap), s.goroutines)
}

// readRSS returns VmRSS of process pid in bytes.
func readRSS(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("server resident set: %w", err)
	}
	return parseVMRSS(string(raw))
}

func parseVMRSS(status string) (int64, error) {
	for line := range strings.Lines(status) {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		var kb int64
		var unit string
		if _, err := fmt.Sscan(rest, &kb, &unit); err != nil || unit != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", strings.TrimSpace(line))
		}
		return kb << 10, nil
	}
	return 0, errors.New("no VmRSS in the process status")
}

// scrape reads the server's metrics at metricsURL.
func scrape(ctx context.Context, c *http.Client, metricsURL string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, http.NoBody)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("metrics: %s", resp.Status)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", fmt.Errorf("metrics: %w", err)
	}
	return string(raw), nil
}

// metric returns the value of the unlabelled metric name in a Prometheus text exposition.
func metric(metrics, name string) (float64, error) {
	for line := range strings.Lines(metrics) {
		rest, ok := strings.CutPrefix(line, name+" ")
		if !ok {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(rest, &v); err != nil {
			return 0, fmt.Errorf("unexpected %s line %q", name, strings.TrimSpace(line))
		}
		return v, nil
	}
	return 0, fmt.Errorf("no %s in /metrics", name)
}

// report prints the figures of the run and returns the number of failed requests.
func report(w io.Writer, cfg config, target float64, phases []*phase, measured *phase, start, end sample, peak, dropped int64) int {
	fmt.Fprintln(w)
	errs := 0
	fmt.Fprintf(w, "%-10s %10s %10s %8s %7s\n", "phase", "duration", "requests", "calls/s", "errors")
	for _, p := range phases {
		d := p.ended.Sub(p.started)
		n := p.errors()
		errs += n
		fmt.Fprintf(w, "%-10s %10s %10d %8.0f %7d\n", p.name, d.Round(100*time.Millisecond), p.requests(), float64(p.callCount())/d.Seconds(), n)
	}
	for _, p := range phases {
		for _, f := range sortedFailures(p) {
			fmt.Fprintf(w, "  %s: %s %d×\n", p.name, f.key, f.n)
		}
		for _, e := range p.examples {
			fmt.Fprintf(w, "  %s: e.g. %s\n", p.name, e)
		}
	}
	if measured == nil {
		return errs
	}

	fmt.Fprintf(w, "\nlatency in the measured %s at %.0f calls/s (%.0f %% of capacity)\n", cfg.duration, target, 100*cfg.load)
	fmt.Fprintf(w, "%-28s %10s %9s %9s %9s\n", "operation", "requests", "p50", "p99", "max")
	var all histogram
	for _, op := range slices.Sorted(maps.Keys(measured.ops)) {
		h := measured.ops[op]
		all.merge(h)
		fmt.Fprintf(w, "%-28s %10d %9s %9s %9s\n", op, h.n, ms(h.quantile(0.5)), ms(h.quantile(0.99)), ms(h.max))
	}
	fmt.Fprintf(w, "%-28s %10d %9s %9s %9s\n", "all", all.n, ms(all.quantile(0.5)), ms(all.quantile(0.99)), ms(all.max))
	if measured.lag.n > 0 {
		fmt.Fprintf(w, "%-28s %10d %9s %9s %9s\n", "(start past due time)", measured.lag.n, ms(measured.lag.quantile(0.5)), ms(measured.lag.quantile(0.99)), ms(measured.lag.max))
	}
	growth := 100 * float64(end.rss-start.rss) / float64(start.rss)
	fmt.Fprintf(w, "\nserver RSS: start %s, end %s (%+.1f %%), peak %s\n", mib(start.rss), mib(end.rss), growth, mib(peak))
	fmt.Fprintf(w, "server Go heap in use: start %s, end %s\n", mib(start.heap), mib(end.heap))
	fmt.Fprintf(w, "server goroutines: start %d, end %d\n", start.goroutines, end.goroutines)
	fmt.Fprintf(w, "requests: %d measured, %d in all; errors: %d\n", measured.requests(), sumRequests(phases), errs)
	if dropped > 0 {
		fmt.Fprintf(w, "%d due calls were dropped: the users could not keep up (try more -users or a lower -load)\n", dropped)
	}
	return errs
}

type failureCount struct {
	key string
	n   int
}

func sortedFailures(p *phase) []failureCount {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]failureCount, 0, len(p.failures))
	for f, n := range p.failures {
		out = append(out, failureCount{f.String(), n})
	}
	slices.SortFunc(out, func(a, b failureCount) int { return strings.Compare(a.key, b.key) })
	return out
}

func sumRequests(phases []*phase) uint64 {
	var n uint64
	for _, p := range phases {
		n += p.requests()
	}
	return n
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

func mib(b int64) string {
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
