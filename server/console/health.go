package console

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/quotekit/quotekit/server"
)

type healthPage struct {
	Report     server.HealthReport
	Operations []healthRow
	Refusals   []refusalRow
	Requests   int
	Errors     int
}

type healthRow struct {
	server.OperationHealth
	RequestsChart, LatencyChart template.HTML
}

type refusalRow struct {
	server.RefusalHealth
	Chart template.HTML
}

// health shows the public listener's last hour: per operation the requests, failures,
// error rate and p50/p99 latency with a small chart each, and the refused credentials
// by reason. The charts are SVG drawn here: they need no script.
func (c *Console) health(w http.ResponseWriter, _ *http.Request, v *view) error {
	var p healthPage
	if c.cfg.Health != nil {
		p.Report = c.cfg.Health.Report()
	}
	for _, o := range p.Report.Operations {
		p.Requests += o.Requests
		p.Errors += o.Errors
		req := make([]float64, len(o.PerMinute))
		errs := make([]float64, len(o.PerMinute))
		p50 := make([]float64, len(o.PerMinute))
		p99 := make([]float64, len(o.PerMinute))
		for i, m := range o.PerMinute {
			req[i], errs[i] = float64(m.Requests), float64(m.Errors)
			p50[i], p99[i] = latencyMS(m.P50), latencyMS(m.P99)
		}
		p.Operations = append(p.Operations, healthRow{OperationHealth: o,
			RequestsChart: barChart(fmt.Sprintf("%s %s: requests per minute over the last hour, failures in red; %d requests, %d failed",
				o.Transport, o.Operation, o.Requests, o.Errors), req, errs),
			LatencyChart: lineChart(fmt.Sprintf("%s %s: p50 and p99 latency per minute over the last hour; p50 %s, p99 %s",
				o.Transport, o.Operation, Latency(o.P50), Latency(o.P99)), p50, p99),
		})
	}
	for _, rf := range p.Report.Refusals {
		n := make([]float64, len(rf.PerMinute))
		for i, x := range rf.PerMinute {
			n[i] = float64(x)
		}
		p.Refusals = append(p.Refusals, refusalRow{RefusalHealth: rf,
			Chart: barChart(fmt.Sprintf("%s: %d refusals over the last hour", rf.Reason, rf.Count), n, nil)})
	}
	v.Title, v.Nav, v.Data = "Health", "health", p
	c.render(w, http.StatusOK, "health", v)
	return nil
}

// latencyMS is a latency in milliseconds for a chart; the overflow is drawn at 30 s.
func latencyMS(d time.Duration) float64 {
	if d == server.LatencyOverflow {
		return 30000
	}
	return float64(d) / float64(time.Millisecond)
}

// Latency formats a latency estimate for people: "≤ 2.5 ms", "> 20 s", "–" for none.
func Latency(d time.Duration) string {
	switch {
	case d == server.LatencyOverflow:
		return "> 20 s"
	case d == 0:
		return "–"
	case d < time.Second:
		return fmt.Sprintf("≤ %g ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("≤ %g s", d.Seconds())
}

// Chart geometry: one bar or point per minute.
const (
	chartW   = 240
	chartH   = 40
	barWidth = 4 // chartW / 60
)

// barChart draws total per minute as grey bars with part (failures) in red on top of
// their base (part may be nil), as an SVG image labelled for screen readers.
func barChart(label string, total, part []float64) template.HTML {
	peak := 0.0
	for _, x := range total {
		peak = max(peak, x)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		template.HTMLEscapeString(label), chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<title>%s</title><rect x="0" y="0" width="%d" height="%d" fill="#f4f5f7"/>`, template.HTMLEscapeString(label), chartW, chartH)
	if peak > 0 {
		for i, x := range total {
			if x == 0 {
				continue
			}
			h := max(1, x/peak*float64(chartH-2))
			fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="#4a5568"/>`, i*barWidth, float64(chartH)-h, barWidth-1, h)
			if part != nil && part[i] > 0 {
				p := part[i]
				ph := max(1, p/peak*float64(chartH-2))
				fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="#c53030"/>`, i*barWidth, float64(chartH)-ph, barWidth-1, ph)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built here from numbers and an escaped label
}

// lineChart draws two series (p50 in blue, p99 in orange) per minute on one scale.
func lineChart(label string, a, bSeries []float64) template.HTML {
	peak := 0.0
	for i := range a {
		peak = max(peak, a[i], bSeries[i])
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		template.HTMLEscapeString(label), chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<title>%s</title><rect x="0" y="0" width="%d" height="%d" fill="#f4f5f7"/>`, template.HTMLEscapeString(label), chartW, chartH)
	if peak > 0 {
		for _, s := range []struct {
			values []float64
			color  string
		}{{bSeries, "#b7791f"}, {a, "#2b6cb0"}} {
			for i, x := range s.values {
				if x == 0 {
					continue
				}
				y := float64(chartH-1) - x/peak*float64(chartH-4)
				fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="2" fill="%s"/>`, i*barWidth, y, barWidth-1, s.color)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built here from numbers and an escaped label
}
