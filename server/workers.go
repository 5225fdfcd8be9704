package server

import (
	"sync/atomic"
	"time"
)

// workerIdle is how long a worker waits for the next call before it ends.
const workerIdle = 2 * time.Second

// workers runs connector calls on goroutines kept for a while between calls. A call on a
// fresh goroutine starts on a small stack and grows it, copying, to the depth a
// connector's database driver needs; a reused worker has grown it already. There is no
// bound on how many run at once: a call that finds no idle worker starts one, so a
// connector that hangs only ties up its own workers. A worker ends after workerIdle
// without a call.
type workers struct {
	idle    chan func()
	wait    time.Duration
	started atomic.Int64 // workers started, for tests
}

func newWorkers() *workers { return &workers{idle: make(chan func()), wait: workerIdle} }

// run runs fn on an idle worker, or on a new one when none is waiting.
func (w *workers) run(fn func()) {
	select {
	case w.idle <- fn:
	default:
		w.started.Add(1)
		go w.work(fn)
	}
}

func (w *workers) work(fn func()) {
	t := time.NewTimer(w.wait)
	defer t.Stop()
	for {
		fn()
		t.Reset(w.wait)
		select {
		case fn = <-w.idle:
		case <-t.C:
			return
		}
	}
}
