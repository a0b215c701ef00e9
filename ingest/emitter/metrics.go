package emitter

import (
	"fmt"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/prometheus/client_golang/prometheus"
)

// Drop reasons (the reason label of opswarehouse_emitter_dropped_total).
// Emit-time reasons mean the event was never accepted; produce-time reasons
// mean it was accepted, tried MaxAttempts times, and lost.
const (
	DropBufferFull   = "buffer_full"
	DropClosed       = "closed"
	DropNilEvent     = "nil_event"
	DropEncodeError  = "encode_error"
	DropTooLarge     = "too_large"
	DropTimeout      = "produce_timeout"  // the broker did not answer in time
	DropRejected     = "produce_rejected" // the broker answered with an error code
	DropUnreachable  = "produce_unreachable"
	DropCloseAborted = "close_aborted" // Close's context ended while the event still waited for a retry
	dropInvalid      = "invalid:"      // + event.Reason
)

var produceDropReasons = []string{DropTimeout, DropRejected, DropUnreachable, DropCloseAborted}

type metrics struct {
	enqueued prometheus.Counter
	acked    prometheus.Counter
	failed   prometheus.Counter

	dropped *prometheus.CounterVec
	// Resolved once: Emit's hot paths must not hash label values.
	bufferFull prometheus.Counter
	closed     prometheus.Counter
	invalid    map[event.Reason]prometheus.Counter

	produce prometheus.Histogram
	// scrubbed counts the guard's replacements, by kind of finding.
	scrubbed []prometheus.Counter // indexed by guard.Kind
}

func newMetrics(reg prometheus.Registerer, buffered func() float64) (*metrics, error) {
	events := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "opswarehouse_emitter_events_total",
		Help: "Events by outcome: enqueued (accepted by Emit), acked (written with acks=all), failed (lost after retries).",
	}, []string{"result"})
	dropped := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "opswarehouse_emitter_dropped_total",
		Help: "Events dropped, by reason: refused by Emit (buffer_full, closed, invalid:<reason>, ...) or lost after produce retries (produce_*).",
	}, []string{"reason"})
	produce := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "opswarehouse_emitter_produce_seconds",
		Help:    "Time from Emit to the broker's acknowledgement or the final failure, per event.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
	})
	scrubbed := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "opswarehouse_emitter_scrubbed_total",
		Help: "Client-data findings the guard replaced in emitted events, by kind.",
	}, []string{"kind"})
	buffer := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "opswarehouse_emitter_buffer_events",
		Help: "Events accepted by Emit and not yet acknowledged or failed.",
	}, buffered)
	if reg != nil {
		for _, c := range []prometheus.Collector{events, dropped, produce, scrubbed, buffer} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering emitter metrics: %w", err)
			}
		}
	}
	m := &metrics{
		enqueued:   events.WithLabelValues("enqueued"),
		acked:      events.WithLabelValues("acked"),
		failed:     events.WithLabelValues("failed"),
		dropped:    dropped,
		bufferFull: dropped.WithLabelValues(DropBufferFull),
		closed:     dropped.WithLabelValues(DropClosed),
		invalid:    make(map[event.Reason]prometheus.Counter, len(event.Reasons)),
		produce:    produce,
	}
	for _, k := range guard.Kinds {
		for int(k) >= len(m.scrubbed) {
			m.scrubbed = append(m.scrubbed, nil)
		}
		m.scrubbed[k] = scrubbed.WithLabelValues(k.String())
	}
	for _, r := range event.Reasons {
		m.invalid[r] = dropped.WithLabelValues(dropInvalid + string(r))
	}
	for _, r := range append([]string{DropNilEvent, DropEncodeError, DropTooLarge}, produceDropReasons...) {
		dropped.WithLabelValues(r)
	}
	return m, nil
}

func (m *metrics) countScrubbed(r guard.Report) {
	if r.Total() == 0 {
		return
	}
	for k, c := range m.scrubbed {
		if n := r.Count(guard.Kind(k)); n > 0 && c != nil {
			c.Add(float64(n))
		}
	}
}

func (m *metrics) dropInvalid(r event.Reason) {
	if c, ok := m.invalid[r]; ok {
		c.Inc()
		return
	}
	m.dropped.WithLabelValues(dropInvalid + string(r)).Inc()
}
