package ingester

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// BenchmarkPartitionAdd measures the ingester's own work per message:
// decode, validate, dedup window, scrub, fingerprint and column append.
func BenchmarkPartitionAdd(b *testing.B) {
	g, err := guard.New(guard.Config{PseudonymKey: "bench-key-0123456789abcdef"})
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	in := &Ingester{cfg: cfg, now: time.Now, logger: slog.New(slog.NewTextHandler(io.Discard, nil)), deps: Deps{
		Fingerprint: fingerprint.New(fingerprint.Config{}), Scrub: g, Metrics: NewMetrics(prometheus.NewRegistry()),
	}}
	p := &partition{in: in, window: newIDWindow(cfg.DedupWindow)}
	p.spare[0].rows = store.NewBatch(cfg.BatchSize)
	p.fill = &p.spare[0]
	p.fill.reset()
	// One batch's worth of distinct ids: the window is reset with the batch,
	// so no message is skipped as a duplicate.
	msgs := benchMessages(cfg.BatchSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m := msgs[i%len(msgs)]
		m.Offset = int64(i)
		p.add(m)
		if p.fill.size() >= cfg.BatchSize {
			p.fill.reset()
			p.window = newIDWindow(cfg.DedupWindow)
		}
	}
}

func benchMessages(n int) []kafka.Message {
	now := time.Now().UTC()
	out := make([]kafka.Message, n)
	for i := range out {
		e := event.Event{V: 1, ID: fmt.Sprintf("bench-%d", i), Time: now, Tenant: fmt.Sprintf("t-%04d", i%500),
			Service: "billing", Cell: fmt.Sprintf("cell-%d", i%8), Host: fmt.Sprintf("host-%03d", i%120), Version: "v2.14.1",
			Kind: event.KindJobState, JobID: fmt.Sprintf("job-%d", i), JobType: "invoice.render", State: event.StateSucceeded,
			Attempt: 1, DurationMs: float64(i % 700), QueueMs: float64(i % 90)}
		if i%10 == 9 {
			e.Kind, e.State, e.ErrorClass = event.KindError, "", "Timeout"
			e.ErrorMessage = fmt.Sprintf("upstream timed out after %dms talking to db-%d.cell-2:5432", 100+i%900, i%13)
		}
		v, _ := event.Marshal(&e)
		out[i] = kafka.Message{Topic: "bench", Partition: 0, Value: v}
	}
	return out
}
