package sim

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

var errEnough = errors.New("enough events")

// limitSink discards events and stops the run after limit of them.
type limitSink struct{ n, limit atomic.Int64 }

func (s *limitSink) Emit(context.Context, *event.Event) error {
	if s.n.Add(1) >= s.limit.Load() {
		return errEnough
	}
	return nil
}

// BenchmarkGenerate measures the simulator's hot path into a discarding
// sink: one op is one event. The default fleet with every scenario mixed in,
// in backfill mode, at a rate high enough that per-tick work is amortised
// the way it is when feeding the ingest ceiling.
func BenchmarkGenerate(b *testing.B) {
	for _, bc := range []struct {
		rate    float64
		workers int
	}{{20000, 1}, {500000, 1}, {500000, 2}} {
		rate := bc.rate
		b.Run("rate="+formatRate(rate)+"/workers="+strconv.Itoa(bc.workers), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Mode = ModeBackfill
			cfg.Start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
			cfg.Duration = 30 * 24 * time.Hour
			cfg.Rate = rate
			cfg.Mix = "default"
			cfg.Workers = bc.workers
			s, err := New(cfg, slog.New(slog.DiscardHandler), nil)
			if err != nil {
				b.Fatal(err)
			}
			sink := &limitSink{}
			sink.limit.Store(int64(b.N))
			b.ReportAllocs()
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime(b)
			if err := s.Run(context.Background(), sink, nil); err != nil && !errors.Is(err, errEnough) {
				b.Fatal(err)
			}
			// Wall-clock throughput suffers when other work shares the two
			// cores; CPU time per event is what the simulator costs.
			cpu := cpuTime(b) - cpu0
			b.ReportMetric(float64(sink.n.Load())/time.Since(start).Seconds(), "events/s")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(sink.n.Load()), "cpu-ns/event")
			b.ReportMetric(float64(sink.n.Load())/cpu.Seconds(), "events/cpu-s")
		})
	}
}

// cpuTime is the process's user+system CPU time, GC included.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func formatRate(r float64) string { return strconv.Itoa(int(r/1000)) + "k" }

// BenchmarkEncodeReference encodes simulated events with event.Marshal, the
// least work any ingest path does per event, as a yardstick measured in the
// same run as BenchmarkGenerate: the simulator must cost well under it.
func BenchmarkEncodeReference(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Mode, cfg.Start, cfg.Duration, cfg.Rate, cfg.Mix = ModeBackfill, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), 2*time.Minute, 500, "default"
	events := collect(b, cfg)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for i := 0; i < b.N; i++ {
		if _, err := event.Marshal(events[i%len(events)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/event")
}
