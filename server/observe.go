package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/quotekit/quotekit/connector"
)

// Metrics are the server's Prometheus collectors. Labels never carry a tenant, user or
// credential: they would leak who calls and grow without bound.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	registry *prometheus.Registry
}

// NewMetrics registers the server's collectors (and the Go and process collectors) in a
// registry of its own, served by Handler.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "quotekit", Name: "requests_total",
			Help: "Requests answered, by transport (rest, soap), operation (or route) and status code.",
		}, []string{"transport", "operation", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "quotekit", Name: "request_duration_seconds",
			Help:    "Time to answer a request, by transport (rest, soap) and operation (or route).",
			Buckets: latencyBuckets[:],
		}, []string{"transport", "operation"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registerer lets other parts (authentication) add their collectors to the same registry.
func (m *Metrics) Registerer() prometheus.Registerer { return m.registry }

// WithMetrics records request counts and latencies in m. The handler does not serve them:
// m.Handler does, on a listener of its own.
func WithMetrics(m *Metrics) Option { return func(c *config) { c.metrics = m } }

// WithReadiness adds a check /readyz runs: the store is reachable, keys are loaded, …
// Each check gets a short deadline; any error makes /readyz answer 503.
func WithReadiness(name string, check func(context.Context) error) Option {
	return func(c *config) { c.ready = append(c.ready, readyCheck{name, check}) }
}

type readyCheck struct {
	name  string
	check func(context.Context) error
}

// operationOf names the route of a request for logs and metrics: the operation for the
// REST operations and for a SOAP call whose envelope named a known one, the path for the
// rest, and "unknown" for paths that match no route, so a scan of random paths or
// SOAPActions cannot blow up the label set.
func operationOf(c echo.Context) string {
	if op, ok := c.Get(ctxOperation).(string); ok {
		return op
	}
	path := c.Path()
	if path == "" || strings.Contains(path, "*") {
		return "unknown"
	}
	return strings.TrimPrefix(path, "/")
}

// observe logs one line per request and records its metrics. The line carries the
// request id, operation, tenant, status and latency; never a header, body or query, so a
// credential or a user's ticket cannot reach it.
func observe(log *slog.Logger, m *Metrics, h *Health) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // answer now, so the status below is the one sent
			}
			status := c.Response().Status
			op := operationOf(c)
			transport := "rest"
			if isSOAP(c) {
				transport = "soap"
			}
			elapsed := time.Since(start)
			if m != nil {
				m.requests.WithLabelValues(transport, op, strconv.Itoa(status)).Inc()
				m.latency.WithLabelValues(transport, op).Observe(elapsed.Seconds())
			}
			// Room for the tenant and the associate, so that adding them does not copy.
			attrs := make([]slog.Attr, 0, 9)
			attrs = append(attrs,
				slog.String("request_id", requestIDFrom(c)),
				slog.String("method", c.Request().Method),
				slog.String("transport", transport),
				slog.String("operation", op),
				slog.Int("status", status),
				slog.Float64("latency_ms", float64(elapsed.Microseconds())/1000),
				slog.Int64("bytes", c.Response().Size),
			)
			t, hasTenant := connector.TenantFrom(c.Request().Context())
			if h != nil {
				tenant := ""
				if hasTenant {
					tenant = t.ID
				}
				h.Record(transport, op, tenant, status, elapsed)
			}
			if hasTenant {
				attrs = append(attrs, slog.String("tenant", t.ID))
				if t.User != nil && t.User.AssociateID != 0 {
					attrs = append(attrs, slog.Int("associate_id", int(t.User.AssociateID)))
				}
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		}
	}
}

// health answers /healthz: the process is up.
func health(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

// readiness answers /readyz: every check passes within a second.
func readiness(checks []readyCheck) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), time.Second)
		defer cancel()
		for _, rc := range checks {
			if err := rc.check(ctx); err != nil {
				return c.String(http.StatusServiceUnavailable, "not ready: "+rc.name+"\n")
			}
		}
		return c.String(http.StatusOK, "ready\n")
	}
}

// Handler serves the metrics at GET /metrics and answers 404 to every other path. It is
// meant for a listener of its own (app's --metrics-addr), never the one SuperOffice
// calls: the metrics count refusals by reason, which the answers to callers deliberately
// do not tell apart.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	return mux
}
