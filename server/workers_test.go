package server

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestWorkersReuse: calls at the same time get a worker each, without a bound; when they
// are done, the same workers wait for the next calls and take them, all at once again.
func TestWorkersReuse(t *testing.T) {
	w := newWorkers()
	const n = 8
	// blocking returns a call that reports it runs and waits for release, and the wait
	// group of n such calls.
	blocking := func(release <-chan struct{}) (*sync.WaitGroup, func()) {
		var running sync.WaitGroup
		running.Add(n)
		return &running, func() { running.Done(); <-release }
	}
	release := make(chan struct{})
	running, call := blocking(release)
	for range n {
		w.run(call)
	}
	running.Wait() // all n run at once: none waited for another
	close(release)
	if got := w.started.Load(); got != n {
		t.Errorf("%d workers started for %d calls at once, want %d", got, n, n)
	}

	for range 3 {
		release := make(chan struct{})
		running, call := blocking(release)
		for range n {
			handToIdle(t, w, call)
		}
		running.Wait()
		close(release)
	}
	if got := w.started.Load(); got != n {
		t.Errorf("%d workers started in all, want the first %d only", got, n)
	}

	// With a worker waiting, run hands it the call instead of starting another.
	done := make(chan struct{})
	handToIdle(t, w, func() { close(done) })
	<-done
	for deadline := time.Now().Add(5 * time.Second); ; {
		before := w.started.Load()
		finished := make(chan struct{})
		w.run(func() { close(finished) })
		<-finished
		if w.started.Load() == before {
			break // an idle worker took it
		}
		if time.Now().After(deadline) {
			t.Fatal("run never handed a call to an idle worker")
		}
	}
}

// TestWorkersEnd: a worker without calls ends after its idle time.
func TestWorkersEnd(t *testing.T) {
	before := runtime.NumGoroutine()
	w := newWorkers()
	w.wait = 20 * time.Millisecond
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		w.run(func() { wg.Done(); time.Sleep(time.Millisecond) })
	}
	wg.Wait()
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(5 * time.Millisecond)
	}
	if after > before {
		t.Errorf("%d goroutines before, %d after the workers' idle time", before, after)
	}
}

// handToIdle gives fn to a worker of w that waits for a call, waiting a bounded while for
// one to come back; it fails the test if none does.
func handToIdle(t *testing.T, w *workers, fn func()) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case w.idle <- fn:
			return
		case <-deadline:
			t.Fatal("no worker came back to wait for a call")
		case <-time.After(time.Millisecond):
		}
	}
}
