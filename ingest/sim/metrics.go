package sim

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the simulator's Prometheus metrics.
type metrics struct {
	events    prometheus.Counter
	dropped   *prometheus.CounterVec
	simTime   prometheus.Gauge
	scenarios prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_simulator_events_total", Help: "Events generated and handed to the sink.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_simulator_dropped_total", Help: "Events the sink did not take, by reason.",
		}, []string{"reason"}),
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
	for _, c := range []prometheus.Collector{m.events, m.dropped, m.simTime, m.scenarios} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering simulator metrics: %w", err)
		}
	}
	return m, nil
}
