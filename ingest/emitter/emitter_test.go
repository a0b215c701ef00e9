package emitter

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/emitter/emittertest"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

// TestEmitDelivers emits events, closes, and reads the topic back: exactly
// the events emitted, as strict contract JSON, scrubbed, keyed by id, with
// copies of an id on one partition; and the metrics say the same.
func TestEmitDelivers(t *testing.T) {
	k := testenv.Kafka(t)
	for _, codec := range []string{"lz4", "zstd", "snappy", "gzip", "none"} {
		t.Run(codec, func(t *testing.T) {
			const n, dups = 2999, 200 // n is not a multiple of the partitions: round-robin would split copies
			topic := k.CreateTopic(t, 4)
			e, reg := newTestEmitter(t, Config{Brokers: k.Brokers, Topic: topic, Compression: codec, BatchSize: 500})
			for i := range n {
				if !e.Emit(testEvent(i)) {
					t.Fatalf("Emit(%d) dropped", i)
				}
			}
			for i := range dups { // the same id again must land on the same partition
				if !e.Emit(testEvent(i)) {
					t.Fatalf("Emit(dup %d) dropped", i)
				}
			}
			closeEmitter(t, e)

			msgs := emittertest.ReadTopic(t, k.Brokers, topic)
			if len(msgs) != n+dups {
				t.Fatalf("read %d records, emitted %d", len(msgs), n+dups)
			}
			partitionOf := map[string]int{}
			seen := map[string]int{}
			for _, m := range msgs {
				ev, rej := event.Decode(m.Value, time.Now(), event.DefaultLimits)
				if rej != nil {
					t.Fatalf("record is not contract JSON: %v: %s", rej, m.Value)
				}
				if string(m.Key) != ev.ID {
					t.Fatalf("key %q, id %q", m.Key, ev.ID)
				}
				if strings.Contains(string(m.Value), clientEmail) {
					t.Fatalf("client data reached Kafka: %s", m.Value)
				}
				if p, ok := partitionOf[ev.ID]; ok && p != m.Partition {
					t.Fatalf("id %s on partitions %d and %d", ev.ID, p, m.Partition)
				}
				partitionOf[ev.ID] = m.Partition
				seen[ev.ID]++
			}
			if len(seen) != n {
				t.Fatalf("%d distinct ids, want %d", len(seen), n)
			}
			for name, want := range map[string]float64{"enqueued": n + dups, "acked": n + dups, "failed": 0} {
				if got := metricValue(t, reg, "opswarehouse_emitter_events_total", "result", name); got != want {
					t.Errorf("events_total{result=%q} = %v, want %v", name, got, want)
				}
			}
			if got := metricValue(t, reg, "opswarehouse_emitter_buffer_events"); got != 0 {
				t.Errorf("buffer_events = %v after Close", got)
			}
			if got := metricValue(t, reg, "opswarehouse_emitter_produce_seconds"); got != n+dups {
				t.Errorf("produce_seconds count = %v, want %d", got, n+dups)
			}
		})
	}
}

// TestEmitNeverBlocks fills a tiny buffer in front of a dead broker: Emit
// keeps returning at once, every event is either dropped (buffer_full) or
// accepted, and every accepted one ends failed with a produce reason.
func TestEmitNeverBlocks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		silent bool
	}{{"refusing broker", false}, {"silent broker", true}} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 20000
			// A produce attempt against the silent broker hangs for
			// WriteTimeout: an Emit that waited for it could not hide in
			// scheduler noise.
			cfg := Config{
				Brokers: []string{deadBroker(t, tc.silent)}, Topic: "never", BufferSize: 16, BatchSize: 4,
				WriteTimeout: 10 * time.Second, MaxAttempts: 3, RetryBackoffMin: time.Millisecond, RetryBackoffMax: time.Millisecond,
			}
			e, reg := newTestEmitter(t, cfg)
			var accepted int
			took := make([]time.Duration, n)
			for i := range n {
				start := time.Now()
				if e.Emit(testEvent(i)) {
					accepted++
				}
				took[i] = time.Since(start)
			}
			slices.Sort(took)
			p99, slowest := took[n*99/100], took[n-1]
			t.Logf("Emit p50 %v, p99 %v, max %v", took[n/2], p99, slowest)
			if p99 > 5*time.Millisecond || slowest > time.Second {
				t.Errorf("Emit p99 %v, max %v: it waits for the broker", p99, slowest)
			}
			full := metricValue(t, reg, "opswarehouse_emitter_dropped_total", "reason", DropBufferFull)
			if full == 0 || accepted+int(full) != n {
				t.Fatalf("accepted %d + buffer_full %v != %d emitted", accepted, full, n)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_ = e.Close(ctx) // the silent broker holds events past this deadline: they end close_aborted
			<-e.done
			var lost float64
			for _, r := range produceDropReasons {
				lost += metricValue(t, reg, "opswarehouse_emitter_dropped_total", "reason", r)
			}
			failed := metricValue(t, reg, "opswarehouse_emitter_events_total", "result", "failed")
			acked := metricValue(t, reg, "opswarehouse_emitter_events_total", "result", "acked")
			if failed != float64(accepted) || lost != failed || acked != 0 {
				t.Fatalf("accepted %d, failed %v, produce drops %v, acked %v", accepted, failed, lost, acked)
			}
		})
	}
}

// TestCloseFlushesPartialBatches: Close must not wait for a batch to fill
// or for its timeout.
func TestCloseFlushesPartialBatches(t *testing.T) {
	k := testenv.Kafka(t)
	topic := k.CreateTopic(t, 3)
	e, reg := newTestEmitter(t, Config{Brokers: k.Brokers, Topic: topic, BatchSize: 100000, BatchTimeout: time.Hour})
	const n = 137
	for i := range n {
		if !e.Emit(testEvent(i)) {
			t.Fatalf("Emit(%d) dropped", i)
		}
	}
	start := time.Now()
	closeEmitter(t, e)
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("Close took %v", d)
	}
	if got := len(emittertest.ReadTopic(t, k.Brokers, topic)); got != n {
		t.Fatalf("read %d records after Close, emitted %d", got, n)
	}
	if got := metricValue(t, reg, "opswarehouse_emitter_events_total", "result", "acked"); got != n {
		t.Fatalf("acked %v, want %d", got, n)
	}
}

func TestEmitAfterClose(t *testing.T) {
	e, reg := newTestEmitter(t, Config{Brokers: []string{deadBroker(t, false)}, Topic: "never"})
	closeEmitter(t, e)
	if e.Emit(testEvent(1)) {
		t.Fatal("Emit after Close accepted")
	}
	if err := e.EmitWait(context.Background(), testEvent(2)); !errors.Is(err, ErrClosed) {
		t.Fatalf("EmitWait after Close: %v", err)
	}
	if got := metricValue(t, reg, "opswarehouse_emitter_dropped_total", "reason", DropClosed); got != 2 {
		t.Fatalf("dropped{closed} = %v, want 2", got)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestEmitRejectsInvalid(t *testing.T) {
	e, reg := newTestEmitter(t, Config{Brokers: []string{deadBroker(t, false)}, Topic: "never"})
	tests := []struct {
		name   string
		mutate func(*event.Event)
		want   event.Reason
	}{
		{"missing tenant", func(ev *event.Event) { ev.Tenant = "" }, event.ReasonMissingTenant},
		{"future ts", func(ev *event.Event) { ev.Time = time.Now().Add(time.Hour) }, event.ReasonFutureTimestamp},
		{"unknown attr", func(ev *event.Event) { ev.Attrs = map[string]string{"email": "x"} }, event.ReasonUnknownAttribute},
		{"bad version", func(ev *event.Event) { ev.V = 2 }, event.ReasonUnsupportedVersion},
		{"bad identifier", func(ev *event.Event) { ev.Service = "bill ing" }, event.ReasonInvalidField},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := testEvent(1)
			tc.mutate(ev)
			if e.Emit(ev) {
				t.Fatal("invalid event accepted")
			}
			ev = testEvent(2)
			tc.mutate(ev)
			var rej *event.Rejection
			if err := e.EmitWait(context.Background(), ev); !errors.As(err, &rej) || rej.Reason != tc.want {
				t.Fatalf("EmitWait: %v, want reason %s", err, tc.want)
			}
			if got := metricValue(t, reg, "opswarehouse_emitter_dropped_total", "reason", "invalid:"+string(tc.want)); got != 2 {
				t.Fatalf("dropped{invalid:%s} = %v, want 2", tc.want, got)
			}
		})
	}
	if e.Emit(nil) {
		t.Fatal("nil event accepted")
	}
	if got := metricValue(t, reg, "opswarehouse_emitter_events_total", "result", "enqueued"); got != 0 {
		t.Fatalf("enqueued = %v", got)
	}
}

// TestEmitWaitBackpressure: with the buffer full, EmitWait waits for its
// context and then reports ErrBufferFull.
func TestEmitWaitBackpressure(t *testing.T) {
	e, reg := newTestEmitter(t, Config{
		Brokers: []string{deadBroker(t, true)}, Topic: "never", BufferSize: 1,
		WriteTimeout: 2 * time.Second, MaxAttempts: 1,
	})
	if err := e.EmitWait(context.Background(), testEvent(1)); err != nil {
		t.Fatalf("first EmitWait: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := e.EmitWait(ctx, testEvent(2))
	if !errors.Is(err, ErrBufferFull) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("EmitWait on a full buffer: %v", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Fatalf("EmitWait gave up after %v, before its context ended", d)
	}
	if got := metricValue(t, reg, "opswarehouse_emitter_dropped_total", "reason", DropBufferFull); got != 1 {
		t.Fatalf("dropped{buffer_full} = %v", got)
	}
}

// TestCloseDeadline: when Close's context ends while events wait for a
// retry, Close returns and the events are counted failed (close_aborted).
func TestCloseDeadline(t *testing.T) {
	e, reg := newTestEmitter(t, Config{
		Brokers: []string{deadBroker(t, true)}, Topic: "never",
		WriteTimeout: 10 * time.Second, MaxAttempts: 10,
	})
	for i := range 10 {
		if !e.Emit(testEvent(i)) {
			t.Fatal("Emit dropped")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := e.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v past its deadline", d)
	}
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		t.Fatal("background producer did not stop after Close's deadline")
	}
	if got := metricValue(t, reg, "opswarehouse_emitter_dropped_total", "reason", DropCloseAborted); got != 10 {
		t.Fatalf("dropped{close_aborted} = %v, want 10", got)
	}
}
