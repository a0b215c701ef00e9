package emitter

import (
	"context"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkEmit measures the caller's cost of Emit against the real broker
// with a buffer large enough that nothing is dropped: validation, scrubbing,
// encoding and enqueueing. Close is outside the timer.
func BenchmarkEmit(b *testing.B) {
	k := testenv.Kafka(b)
	e, reg := newTestEmitter(b, Config{Brokers: k.Brokers, Topic: k.CreateTopic(b, 4), BufferSize: 1 << 20})
	events := benchEvents()
	var ev event.Event
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev = events[i%len(events)]
		e.Emit(&ev)
	}
	b.StopTimer()
	closeEmitter(b, e)
	reportDropped(b, reg)
}

// BenchmarkEmitDrop measures Emit when the buffer is full: the cost a
// service pays while the broker is down.
func BenchmarkEmitDrop(b *testing.B) {
	e, _ := newTestEmitter(b, Config{
		Brokers: []string{deadBroker(b, true)}, Topic: "never", BufferSize: 1,
		WriteTimeout: time.Minute, MaxAttempts: 1,
	})
	e.Emit(testEvent(0))
	events := benchEvents()
	var ev event.Event
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev = events[i%len(events)]
		e.Emit(&ev)
	}
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_ = e.Close(ctx) // the dead broker never acknowledges; abort its retries
}

// BenchmarkEmitWaitThroughput is the sustained end-to-end rate with
// backpressure: every event is acknowledged by the broker before the timer
// stops, so ns/op is the inverse of acknowledged events per second.
func BenchmarkEmitWaitThroughput(b *testing.B) {
	k := testenv.Kafka(b)
	e, reg := newTestEmitter(b, Config{Brokers: k.Brokers, Topic: k.CreateTopic(b, 4), BufferSize: 16384})
	events := benchEvents()
	var ev event.Event
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev = events[i%len(events)]
		if err := e.EmitWait(ctx, &ev); err != nil {
			b.Fatal(err)
		}
	}
	closeEmitter(b, e)
	b.StopTimer()
	if acked := metricValue(b, reg, "opswarehouse_emitter_events_total", "result", "acked"); acked != float64(b.N) {
		b.Fatalf("acked %v of %d", acked, b.N)
	}
}

// benchEvents returns distinct event values; a benchmark copies one into
// a reused variable per iteration, since Emit modifies (scrubs) its event.
func benchEvents() []event.Event {
	out := make([]event.Event, 4096)
	for i := range out {
		out[i] = *testEvent(i)
	}
	return out
}

func reportDropped(b *testing.B, reg prometheus.Gatherer) {
	acked := metricValue(b, reg, "opswarehouse_emitter_events_total", "result", "acked")
	b.ReportMetric(1-acked/float64(b.N), "dropped/op")
}

// BenchmarkEmitBaseline is the work Emit cannot avoid (validate, scrub,
// encode) without the buffer and producer, for a side-by-side ratio.
func BenchmarkEmitBaseline(b *testing.B) {
	g := newGuard(b)
	events := benchEvents()
	var ev event.Event
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev = events[i%len(events)]
		if rej := ev.Validate(time.Now(), event.DefaultLimits); rej != nil {
			b.Fatal(rej)
		}
		g.ScrubEvent(&ev)
		if _, err := event.Marshal(&ev); err != nil {
			b.Fatal(err)
		}
	}
}
