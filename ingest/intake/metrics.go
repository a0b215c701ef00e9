package intake

import (
	"fmt"
	"strconv"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/prometheus/client_golang/prometheus"
)

// Line results (the result label of opswarehouse_intake_lines_total).
const (
	resultAccepted = "accepted"  // handed to the emitter
	resultRejected = "rejected"  // invalid, or not allowed for the token
	resultNotTaken = "not_taken" // valid, but not handed over (buffer full, shutdown, refused request)
)

type metrics struct {
	requests *prometheus.CounterVec
	lines    *prometheus.CounterVec
	rejected *prometheus.CounterVec
	duration prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_intake_requests_total",
			Help: "HTTP requests by status code.",
		}, []string{"code"}),
		lines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_intake_lines_total",
			Help: "NDJSON lines by result: accepted, rejected, not_taken.",
		}, []string{"result"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_intake_rejected_total",
			Help: "Rejected lines by reason.",
		}, []string{"reason"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "opswarehouse_intake_request_seconds",
			Help:    "Time to answer a request to /v1/events.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.lines, m.rejected, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering intake metrics: %w", err)
		}
	}
	for _, code := range []int{202, 400, 401, 403, 405, 413, 415, 429, 503} {
		m.requests.WithLabelValues(strconv.Itoa(code))
	}
	for _, r := range []string{resultAccepted, resultRejected, resultNotTaken} {
		m.lines.WithLabelValues(r)
	}
	for _, r := range event.Reasons {
		m.rejected.WithLabelValues(string(r))
	}
	m.rejected.WithLabelValues(ReasonTenantNotAllowed)
	m.rejected.WithLabelValues(ReasonUnencodable)
	return m, nil
}
