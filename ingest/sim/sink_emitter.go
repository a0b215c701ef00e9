package sim

import (
	"context"
	"errors"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Emitter is the part of the project's emitter (ingest/emitter) the
// simulator uses.
type Emitter interface {
	Emit(ev *event.Event) bool
	EmitWait(ctx context.Context, ev *event.Event) error
}

// EmitterSink sends events through the project's public path: the emitter
// validates, scrubs, encodes and produces them to Kafka. Blocking (EmitWait,
// backpressure) suits backfill and accelerated runs; non-blocking (Emit)
// suits real time, where a full buffer drops the event as a service would.
type EmitterSink struct {
	e        Emitter
	blocking bool
	m        *SinkMetrics
}

// NewEmitterSink wraps an emitter; m may be nil.
func NewEmitterSink(e Emitter, blocking bool, m *SinkMetrics) *EmitterSink {
	return &EmitterSink{e: e, blocking: blocking, m: m}
}

// Emit hands one event to the emitter. The emitter may modify the event
// (truncation, scrubbing), so events with the simulator's shared attribute
// maps get their own copy. A rejected event is counted and skipped; any
// other emitter error ends the run.
func (s *EmitterSink) Emit(ctx context.Context, ev *event.Event) error {
	if ev.Attrs != nil {
		ev = CloneEvent(ev)
	}
	if !s.blocking {
		if s.e.Emit(ev) {
			s.m.sent(1)
		} else {
			s.m.drop("emitter_refused", 1)
		}
		return nil
	}
	err := s.e.EmitWait(ctx, ev)
	var rej *event.Rejection
	switch {
	case err == nil:
		s.m.sent(1)
		return nil
	case errors.As(err, &rej):
		s.m.drop("rejected_"+string(rej.Reason), 1)
		return nil
	default:
		s.m.drop("emitter_error", 1)
		return err
	}
}
