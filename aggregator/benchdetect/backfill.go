package benchdetect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/sim"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// writerSink backfills simulated events straight into ClickHouse with the
// ingester's per-event work (scrubbing, fingerprinting) and its columnar
// writer, without Kafka: the benchmark measures the detectors, not ingest.
type writerSink struct {
	ctx    context.Context
	limit  int64 // events wanted: Emit ends the run after them
	scrub  *guard.Guard
	fp     *fingerprint.Fingerprinter
	mu     sync.Mutex
	rows   []store.Row
	size   int
	out    chan []store.Row
	offset int64
}

func newWriterSink(ctx context.Context, g *guard.Guard, size int) *writerSink {
	return &writerSink{ctx: ctx, scrub: g, fp: fingerprint.New(fingerprint.Config{}), size: size, out: make(chan []store.Row, 2)}
}

// Emit copies, scrubs and fingerprints one event and queues it.
func (s *writerSink) Emit(ctx context.Context, ev *event.Event) error {
	e := sim.CloneEvent(ev)
	s.scrub.ScrubEvent(e)
	r := store.Row{Event: *e, IngestedAt: e.Time}
	if e.ErrorMessage != "" {
		r.Fingerprint, r.Template = s.fp.Fingerprint(e.ErrorMessage)
	}
	s.mu.Lock()
	if s.offset >= s.limit {
		s.mu.Unlock()
		return errEnough
	}
	s.offset++
	r.Source = store.Source{Topic: "backfill", Offset: s.offset, BatchEnd: s.offset}
	s.rows = append(s.rows, r)
	var full []store.Row
	if len(s.rows) >= s.size {
		full, s.rows = s.rows, make([]store.Row, 0, s.size)
	}
	s.mu.Unlock()
	if full != nil {
		select {
		case s.out <- full:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// errEnough ends a backfill once it has its events.
var errEnough = errors.New("backfill has its events")

// flush queues what is left.
func (s *writerSink) flush() {
	s.mu.Lock()
	rest := s.rows
	s.rows = nil
	s.mu.Unlock()
	if len(rest) > 0 {
		s.out <- rest
	}
	close(s.out)
}

// backfill simulates cfg into conn until it has written events events and
// returns how many it wrote.
func backfill(ctx context.Context, conn store.Conn, cfg sim.Config, events uint64, g *guard.Guard) (uint64, error) {
	s, err := sim.New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return 0, err
	}
	sink := newWriterSink(ctx, g, 200_000)
	sink.limit = int64(events)
	w := store.NewWriter(conn)
	errc := make(chan error, 1)
	var written uint64
	go func() {
		var werr error
		for rows := range sink.out {
			if werr == nil {
				if werr = w.WriteRows(ctx, rows); werr == nil {
					written += uint64(len(rows))
				}
			}
		}
		errc <- werr
	}()
	runErr := s.Run(ctx, sink, nil)
	if errors.Is(runErr, errEnough) {
		runErr = nil
	}
	sink.flush()
	if err := <-errc; err != nil {
		return written, fmt.Errorf("writing backfill: %w", err)
	}
	if runErr != nil {
		return written, fmt.Errorf("simulating: %w", runErr)
	}
	return written, nil
}

// simConfig is a run of the default fleet at rate events per second,
// long enough for events events whatever the time of day (the run stops
// once it has them) and ending by end.
func simConfig(events uint64, rate float64, end time.Time, seed uint64) sim.Config {
	c := sim.DefaultConfig()
	c.Mode, c.Rate, c.Seed, c.Mix = sim.ModeBackfill, rate, seed, "default"
	c.Duration = 2 * time.Duration(float64(events)/rate*float64(time.Second)).Truncate(time.Minute)
	c.Start = end.Add(-c.Duration)
	return c
}
