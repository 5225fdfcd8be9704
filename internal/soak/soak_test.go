package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	if got := h.quantile(0.5); got != 0 {
		t.Errorf("empty: %v", got)
	}
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		got := h.quantile(c.q)
		if diff := float64(got-c.want) / float64(c.want); diff < -0.01 || diff > 0.01 {
			t.Errorf("q%.2f = %v, want %v within 1 %%", c.q, got, c.want)
		}
	}
	var merged histogram
	merged.merge(&h)
	merged.merge(&histogram{})
	if merged.n != h.n || merged.max != h.max || merged.quantile(0.5) != h.quantile(0.5) {
		t.Errorf("merge: n %d max %v, want %d %v", merged.n, merged.max, h.n, h.max)
	}
	h.add(time.Hour) // past the last bucket: counted there, max kept exactly
	if h.max != time.Hour || h.quantile(1) > time.Hour {
		t.Errorf("beyond the range: max %v, q1 %v", h.max, h.quantile(1))
	}
}

func TestParseVMRSS(t *testing.T) {
	got, err := parseVMRSS("Name:\tsharedsecret\nVmPeak:\t 1000 kB\nVmRSS:\t   38332 kB\nThreads:\t7\n")
	if err != nil || got != 38332<<10 {
		t.Errorf("got %d, %v", got, err)
	}
	for _, bad := range []string{"Name:\tx\n", "VmRSS:\t12 MB\n", "VmRSS:\tmany kB\n"} {
		if _, err := parseVMRSS(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestMetric(t *testing.T) {
	m := "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines 31\n" +
		"go_gc_duration_seconds{quantile=\"0\"} 1e-05\ngo_memstats_heap_inuse_bytes 6.6e+06\n"
	if g, err := metric(m, "go_goroutines"); err != nil || g != 31 {
		t.Errorf("go_goroutines: %v, %v", g, err)
	}
	if h, err := metric(m, "go_memstats_heap_inuse_bytes"); err != nil || h != 6.6e6 {
		t.Errorf("heap: %v, %v", h, err)
	}
	if _, err := metric(m, "go_threads"); err == nil {
		t.Error("a missing metric: no error")
	}
}

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, content, want string
	}{
		{"json", `{"id":1,"tenant":"Cust12345","secret":"qk_sk_test_abc"}` + "\n", "qk_sk_test_abc"},
		{"plain", "qk_sk_test_def\n", "qk_sk_test_def"},
		{"no secret", `{"id":1}`, ""},
		{"empty", "\n", ""},
	} {
		got, err := readSecret(write(c.name, c.content))
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	for u, want := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://localhost:1": true, "http://[::1]:80": true,
		"https://erp.example.com": false, "http://10.0.0.1:8080": false, "::": false,
	} {
		if got := loopbackURL(u); got != want {
			t.Errorf("%s: %v", u, got)
		}
	}
}

func TestRSSWindows(t *testing.T) {
	// A saw-tooth without growth: the medians of the first and last fifth agree although
	// single readings differ by 10 %.
	var flat []int64
	for i := range 100 {
		flat = append(flat, 40+int64(i%3)*2)
	}
	if first, last := rssWindows(flat); first != last {
		t.Errorf("flat: %d → %d", first, last)
	}
	// Steady growth shows.
	var growing []int64
	for i := range 100 {
		growing = append(growing, 100+int64(i))
	}
	if first, last := rssWindows(growing); first != 110 || last != 190 {
		t.Errorf("growing: %d → %d, want 110 → 190", first, last)
	}
	if first, last := rssWindows([]int64{7}); first != 7 || last != 7 {
		t.Errorf("one sample: %d → %d", first, last)
	}
}
