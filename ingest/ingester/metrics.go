package ingester

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Metrics are the ingester's Prometheus metrics.
type Metrics struct {
	consumed      prometheus.Counter
	inserted      prometheus.Counter
	deadLettered  *prometheus.CounterVec
	skipped       *prometheus.CounterVec
	scrubbed      prometheus.Counter
	batchSize     prometheus.Histogram
	batchSeconds  prometheus.Histogram
	insertBatches prometheus.Histogram
	flushWait     prometheus.Counter
	insertErrors  prometheus.Counter
	failedEnds    *prometheus.CounterVec
	kafkaErrors   *prometheus.CounterVec
	lag           *prometheus.GaugeVec
	assigned      prometheus.Gauge
	commits       prometheus.Counter
	ingestLatency prometheus.Histogram
}

// NewMetrics registers the ingester metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		consumed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_consumed_total", Help: "Kafka messages consumed (beyond the stored high-water mark)."}),
		inserted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_inserted_total", Help: "Events inserted into ClickHouse and acknowledged."}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_dead_lettered_total", Help: "Messages sent to the dead-letter topic, by reason."}, []string{"reason"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_skipped_total", Help: "Messages not stored because they already were, by reason."}, []string{"reason"}),
		scrubbed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_scrubbed_total", Help: "Client-data items the guard replaced at ingest (the emitter should have caught them)."}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "opswarehouse_ingester_batch_events", Help: "Events per inserted batch.",
			Buckets: prometheus.ExponentialBuckets(10, 4, 8)}),
		batchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "opswarehouse_ingester_insert_seconds", Help: "ClickHouse latency per acknowledged INSERT.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}),
		insertBatches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "opswarehouse_ingester_insert_batches", Help: "Partition batches combined into one acknowledged INSERT.",
			Buckets: prometheus.LinearBuckets(1, 1, 8)}),
		flushWait: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_flush_wait_seconds_total", Help: "Time partitions waited, not fetching, for their previous batch to be stored (ClickHouse back-pressure)."}),
		insertErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_insert_errors_total", Help: "Failed ClickHouse insert attempts (retried)."}),
		failedEnds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_failed_insert_ends_total", Help: "How failed INSERTs ended on the server before the ledger was read: gone, killed, or unknown (the server could not be asked)."}, []string{"outcome"}),
		kafkaErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_kafka_errors_total", Help: "Kafka errors, by operation (retried)."}, []string{"op"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "opswarehouse_ingester_lag_messages", Help: "Messages behind the partition high watermark."}, []string{"partition"}),
		assigned: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "opswarehouse_ingester_assigned_partitions", Help: "Partitions assigned to this replica."}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "opswarehouse_ingester_commits_total", Help: "Offset commits to Kafka."}),
		ingestLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "opswarehouse_ingester_event_age_seconds", Help: "Event age (now - ts) when its batch was acknowledged.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)}),
	}
	reg.MustRegister(m.consumed, m.inserted, m.deadLettered, m.skipped, m.scrubbed, m.batchSize,
		m.batchSeconds, m.insertBatches, m.flushWait, m.insertErrors, m.failedEnds, m.kafkaErrors, m.lag, m.assigned, m.commits, m.ingestLatency)
	for _, r := range event.Reasons {
		m.deadLettered.WithLabelValues(string(r))
	}
	for _, o := range []string{endGone, endKilled, endUnknown} {
		m.failedEnds.WithLabelValues(o)
	}
	m.skipped.WithLabelValues(skipStored)
	m.skipped.WithLabelValues(skipDuplicateID)
	return m
}

const (
	endGone    = "gone"
	endKilled  = "killed"
	endUnknown = "unknown"
)

const (
	skipStored      = "already_stored"
	skipDuplicateID = "duplicate_event_id"
)
