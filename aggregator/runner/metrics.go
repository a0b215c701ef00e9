package runner

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// Metrics are the aggregator loop's metrics.
type Metrics struct {
	ticks       *prometheus.CounterVec
	tickSeconds prometheus.Histogram
	lag         prometheus.Gauge
	findings    *prometheus.CounterVec
	open        prometheus.Gauge
}

// NewMetrics registers the metrics on reg (may be nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		ticks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_aggregator_ticks_total",
			Help: "Evaluation ticks by result: evaluated, failed (retried next loop), skipped (older than the catch-up window).",
		}, []string{"result"}),
		tickSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "opswarehouse_aggregator_tick_seconds", Help: "Time to evaluate one tick: every detector, correlation and the writes.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 10),
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "opswarehouse_aggregator_lag_seconds", Help: "Wall clock minus the newest evaluated tick.",
		}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_aggregator_findings_total", Help: "Finding versions written, by kind and state.",
		}, []string{"kind", "state"}),
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "opswarehouse_aggregator_open_findings", Help: "Findings open after the newest tick.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.ticks, m.tickSeconds, m.lag, m.findings, m.open)
	}
	return m
}

func (m *Metrics) written(fs []finding.Finding) {
	open := 0
	for _, f := range fs {
		m.findings.WithLabelValues(string(f.Kind), string(f.State)).Inc()
		if f.State == finding.Open {
			open++
		}
	}
	m.open.Set(float64(open))
}
