package alert

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// Drop reasons (the reason label of opswarehouse_alert_dropped_total).
// Finding reasons mean a reported finding was not alerted on; rejected
// means Alertmanager refused a post's alerts (a bug here, since alerts are
// validated before they are sent).
const (
	DropMissingKey  = "missing_key"
	DropMissingKind = "missing_kind"
	DropBadSeverity = "bad_severity"
	DropBadState    = "bad_state"
	DropSuperseded  = "superseded" // another finding with the same key and a newer UpdatedAt was in the same Sync
	DropRejected    = "rejected"
)

var dropReasons = []string{DropMissingKey, DropMissingKind, DropBadSeverity, DropBadState, DropSuperseded, DropRejected}

type postCounters struct {
	ok, rejected, failed prometheus.Counter
}

type metrics struct {
	posts   postCounters
	dropped *prometheus.CounterVec
	// sent counts alerts Alertmanager accepted, firing or resolved.
	sent        *prometheus.CounterVec
	open        *prometheus.GaugeVec
	transitions *prometheus.CounterVec
	// openSeen remembers every kind/severity pair the open gauge has
	// shown, so a pair with no open finding reads 0 instead of vanishing.
	openSeen map[[2]string]bool
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	posts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "opswarehouse_alert_posts_total",
		Help: "POSTs of alerts to Alertmanager by result: ok, rejected (4xx, not retried), error (network or 5xx/429, retried).",
	}, []string{"result"})
	m := &metrics{
		posts: postCounters{
			ok:       posts.WithLabelValues("ok"),
			rejected: posts.WithLabelValues("rejected"),
			failed:   posts.WithLabelValues("error"),
		},
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_alert_dropped_total",
			Help: "Findings not alerted on, or alerts Alertmanager rejected, by reason.",
		}, []string{"reason"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_alert_alerts_total",
			Help: "Alerts Alertmanager accepted, by status (firing, resolved).",
		}, []string{"status"}),
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "opswarehouse_findings_open",
			Help: "Open findings reported by the latest sync, by kind and severity.",
		}, []string{"kind", "severity"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_findings_total",
			Help: "Finding transitions (opened, escalated, deescalated, resolved), by kind.",
		}, []string{"kind", "transition"}),
		openSeen: map[[2]string]bool{},
	}
	for _, r := range dropReasons {
		m.dropped.WithLabelValues(r)
	}
	m.sent.WithLabelValues("firing")
	m.sent.WithLabelValues("resolved")
	for _, c := range []prometheus.Collector{posts, m.dropped, m.sent, m.open, m.transitions} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering alert metrics: %w", err)
		}
	}
	return m, nil
}

// setOpen sets the open gauge from the open findings of one sync.
func (m *metrics) setOpen(findings []*finding.Finding) {
	counts := map[[2]string]int{}
	for _, f := range findings {
		if f.State == finding.Open {
			counts[[2]string{string(f.Kind), string(f.Severity)}]++
		}
	}
	for pair := range counts {
		m.openSeen[pair] = true
	}
	for pair := range m.openSeen {
		m.open.WithLabelValues(pair[0], pair[1]).Set(float64(counts[pair]))
	}
}

func (m *metrics) transition(kind finding.Kind, t transition) {
	m.transitions.WithLabelValues(string(kind), string(t)).Inc()
}
