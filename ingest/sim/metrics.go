package sim

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the simulator's Prometheus metrics.
type metrics struct {
	events    prometheus.Counter
	simTime   prometheus.Gauge
	scenarios prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_simulator_events_total", Help: "Events generated and handed to the sink.",
		}),
		simTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "opswarehouse_simulator_sim_time_seconds", Help: "Simulated clock, unix seconds.",
		}),
		scenarios: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "opswarehouse_simulator_active_scenarios", Help: "Scenarios currently injected.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.events, m.simTime, m.scenarios} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering simulator metrics: %w", err)
		}
	}
	return m, nil
}

// SinkMetrics count what the sinks delivered and dropped. A nil
// *SinkMetrics counts nothing.
type SinkMetrics struct {
	delivered prometheus.Counter
	dropped   *prometheus.CounterVec
}

// NewSinkMetrics registers the sink metrics on reg (may be nil).
func NewSinkMetrics(reg prometheus.Registerer) (*SinkMetrics, error) {
	m := &SinkMetrics{
		delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_simulator_sink_delivered_total", Help: "Events the sink accepted.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_simulator_sink_dropped_total", Help: "Events the sink did not take, by reason.",
		}, []string{"reason"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.delivered, m.dropped} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering simulator sink metrics: %w", err)
		}
	}
	return m, nil
}

func (m *SinkMetrics) sent(n int) {
	if m != nil && n > 0 {
		m.delivered.Add(float64(n))
	}
}

func (m *SinkMetrics) drop(reason string, n int) {
	if m != nil && n > 0 {
		m.dropped.WithLabelValues(reason).Add(float64(n))
	}
}
