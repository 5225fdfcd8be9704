package main

import (
	"math"
	"time"
)

// Latencies are counted in logarithmic buckets: bucket i holds durations in
// [histLow·histGrowth^i, histLow·histGrowth^(i+1)), so a quantile is known to within
// 1 % whatever the run's length, in a fixed amount of memory.
const (
	histLow    = time.Microsecond
	histGrowth = 1.01
	histMax    = 2 * time.Minute
)

var histBuckets = int(math.Ceil(math.Log(float64(histMax)/float64(histLow))/math.Log(histGrowth))) + 1

// histogram counts durations. The zero value is empty and ready; it is not safe for
// concurrent use.
type histogram struct {
	counts []uint64
	n      uint64
	max    time.Duration
}

func bucketOf(d time.Duration) int {
	if d <= histLow {
		return 0
	}
	i := int(math.Log(float64(d)/float64(histLow)) / math.Log(histGrowth))
	return min(i, histBuckets-1)
}

func (h *histogram) add(d time.Duration) {
	if h.counts == nil {
		h.counts = make([]uint64, histBuckets)
	}
	h.counts[bucketOf(d)]++
	h.n++
	h.max = max(h.max, d)
}

// merge adds o's counts to h.
func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]uint64, histBuckets)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the duration below which a share q (0 < q ≤ 1) of the durations fall:
// the geometric middle of the bucket that holds it, never more than the largest
// duration seen. It is 0 for an empty histogram.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			mid := float64(histLow) * math.Pow(histGrowth, float64(i)+0.5)
			return min(time.Duration(mid), h.max)
		}
	}
	return h.max
}
