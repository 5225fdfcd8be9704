package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// A ratio target compares the median throughput of two series of the same run.
type ratioTarget struct {
	name, what string
	num, den   string // series
	min        float64
}

// The targets of the load benchmark; docs/PERFORMANCE.md explains each. The series
// "getproduct/…" send the 4.6 kB GetProduct request, "getproduct-10k/…" the 10.7 kB one.
// A target whose series the run lacks is reported as not run. Authenticate has no
// target: its series are reported (throughput and p99) so that regressions show.
var ratioTargets = []ratioTarget{
	{"GetProduct 4.6 kB, authenticated", "quotekit (1,000 tokens stored) / bare echo decoding into the same types", "getproduct/quotekit-1k", "getproduct/baseline", 1.00},
	{"GetProduct 4.6 kB, authenticated", "quotekit (1,000 tokens stored) / bare echo decoding into any", "getproduct/quotekit-1k", "getproduct/baseline-any", 1.00},
	{"GetProduct 10.7 kB, authenticated", "quotekit (1,000 tokens stored) / bare echo decoding into the same types", "getproduct-10k/quotekit-1k", "getproduct-10k/baseline", 1.00},
	{"GetProduct 10.7 kB, authenticated", "quotekit (1,000 tokens stored) / bare echo decoding into any", "getproduct-10k/quotekit-1k", "getproduct-10k/baseline-any", 1.00},
	{"1,000,000 stored tokens", "GetProduct with 1,000,000 tokens / with 1,000", "getproduct/quotekit-1m", "getproduct/quotekit-1k", 0.90},
	{"GetProduct on PostgreSQL", "quotekit on the PostgreSQL store / on SQLite, same request", "getproduct/quotekit-pg", "getproduct/quotekit-1k", 0.90},
	{"GetProduct over SOAP", "quotekit SOAP / quotekit REST, same request, same server", "getproduct/quotekit-soap", "getproduct/quotekit-1k", 0.80},
}

const (
	maxRSSMB   = 100.0 // VmHWM of each quotekit server during the run
	maxReadyMS = 300.0 // median time from exec to /readyz answering 200
)

// sample is one line of the samples file: series, repetition, value (requests per
// second, kB or ms), median latency in ms, the count of failed requests, the server's
// CPU use during the run in percent of one core, and the 99th percentile of latency in
// ms (0 when the line has no seventh field).
type sample struct {
	rep   int
	value float64
	p50   float64
	bad   int
	cpu   float64
	p99   float64
}

// report reads the samples file the load script writes and prints, and writes as
// markdown, the medians, ranges and ratios with PASS or MISS per target.
func report(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	in := fs.String("samples", "", "samples file (TSV)")
	out := fs.String("out", "", "markdown file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" {
		return errors.New("report: -samples is required")
	}
	series, meta, err := readSamples(*in)
	if err != nil {
		return err
	}
	var md strings.Builder
	met, missed := 0, 0
	verdict := func(ok bool) string {
		if ok {
			met++
			return "PASS"
		}
		missed++
		return "MISS"
	}

	fmt.Fprintf(&md, "## Load benchmark results\n\n")
	for _, kv := range meta {
		fmt.Fprintf(&md, "- %s: %s\n", kv[0], kv[1])
	}
	fmt.Fprintf(&md, "\n### Throughput (requests/s, one server core)\n\n")
	fmt.Fprintf(&md, "| series | runs | median | min–max | median p50 latency | median p99 latency | server CPU (median) | failed requests |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	names := sortedKeys(series)
	for _, name := range names {
		if strings.HasPrefix(name, "rss/") || strings.HasPrefix(name, "ready/") {
			continue
		}
		s := series[name]
		vals, p50s, bad := values(s)
		var p99s []float64
		for _, x := range s {
			p99s = append(p99s, x.p99)
		}
		fmt.Fprintf(&md, "| %s | %d | %.0f | %.0f–%.0f | %.2f ms | %.2f ms | %.0f %% | %d |\n", name, len(s), median(vals), slices.Min(vals), slices.Max(vals), median(p50s), median(p99s), medianCPU(s), bad)
	}

	fmt.Fprintf(&md, "\n### Targets\n\n| target | measure | ratio of medians | paired runs min–max | server CPU (median, quotekit / compared) | target | result |\n|---|---|---:|---:|---:|---:|---|\n")
	for _, t := range ratioTargets {
		num, den := series[t.num], series[t.den]
		if len(num) == 0 || len(den) == 0 {
			fmt.Fprintf(&md, "| %s | %s | – | – | – | ≥ %.2f | not run |\n", t.name, t.what, t.min)
			continue
		}
		nv, _, nbad := values(num)
		dv, _, dbad := values(den)
		r := median(nv) / median(dv)
		lo, hi := pairedRange(num, den)
		res := verdict(r >= t.min && nbad+dbad == 0)
		if nbad+dbad > 0 {
			res += fmt.Sprintf(" (%d failed requests: not a valid run)", nbad+dbad)
		}
		fmt.Fprintf(&md, "| %s | %s | %.2f | %.2f–%.2f | %.0f %% / %.0f %% | ≥ %.2f | %s |\n", t.name, t.what, r, lo, hi, medianCPU(num), medianCPU(den), t.min, res)
	}
	for _, name := range names {
		switch {
		case strings.HasPrefix(name, "rss/"):
			vals, _, _ := values(series[name])
			mb := slices.Max(vals) / 1024
			res := "(baseline, for comparison)"
			target := "–"
			if !strings.Contains(name, "baseline") {
				res, target = verdict(mb <= maxRSSMB), fmt.Sprintf("≤ %.0f MB", maxRSSMB)
			}
			fmt.Fprintf(&md, "| peak RSS %s | VmHWM after its load | %.1f MB | – | – | %s | %s |\n", strings.TrimPrefix(name, "rss/"), mb, target, res)
		case strings.HasPrefix(name, "ready/"):
			vals, _, _ := values(series[name])
			med := median(vals)
			fmt.Fprintf(&md, "| start to ready, %s | exec → /readyz 200, %d starts | %.0f ms | %.0f–%.0f ms | – | ≤ %.0f ms | %s |\n",
				strings.TrimPrefix(name, "ready/"), len(vals), med, slices.Min(vals), slices.Max(vals), maxReadyMS, verdict(med <= maxReadyMS))
		}
	}
	fmt.Fprintf(&md, "\n%d targets met, %d missed.\n", met, missed)
	fmt.Fprintf(&md, "\nServer CPU is the share of its core a server used during its runs. A server well below\n"+
		"100 %% was waiting: for the disk, for a lock, for wrk, or for a machine busy with other work.\n")

	fmt.Fprint(stdout, md.String())
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md.String()), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// readSamples reads "series rep value p50 bad cpu [p99]" lines, and "#key<TAB>value"
// metadata.
func readSamples(path string) (map[string][]sample, [][2]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	series := map[string][]sample{}
	var meta [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "#"), "\t"); strings.HasPrefix(line, "#") && ok {
			meta = append(meta, [2]string{k, v})
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 && len(f) != 7 {
			continue
		}
		var s sample
		var errs [6]error
		if len(f) == 7 {
			s.p99, errs[5] = strconv.ParseFloat(f[6], 64)
		}
		s.rep, errs[0] = strconv.Atoi(f[1])
		s.value, errs[1] = strconv.ParseFloat(f[2], 64)
		s.p50, errs[2] = strconv.ParseFloat(f[3], 64)
		s.bad, errs[3] = strconv.Atoi(f[4])
		s.cpu, errs[4] = strconv.ParseFloat(f[5], 64)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, nil, fmt.Errorf("%s: %q: %w", path, line, err)
		}
		series[f[0]] = append(series[f[0]], s)
	}
	return series, meta, sc.Err()
}

func medianCPU(s []sample) float64 {
	var cpus []float64
	for _, x := range s {
		cpus = append(cpus, x.cpu)
	}
	return median(cpus)
}

func values(s []sample) (vals, p50s []float64, bad int) {
	for _, x := range s {
		vals = append(vals, x.value)
		p50s = append(p50s, x.p50)
		bad += x.bad
	}
	return vals, p50s, bad
}

// pairedRange is the smallest and largest ratio num/den over the repetitions both have:
// the runs of one repetition ran next to each other, under the same machine load.
func pairedRange(num, den []sample) (lo, hi float64) {
	byRep := map[int]float64{}
	for _, d := range den {
		byRep[d.rep] = d.value
	}
	var rs []float64
	for _, n := range num {
		if d, ok := byRep[n.rep]; ok && d > 0 {
			rs = append(rs, n.value/d)
		}
	}
	if len(rs) == 0 {
		return 0, 0
	}
	return slices.Min(rs), slices.Max(rs)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
