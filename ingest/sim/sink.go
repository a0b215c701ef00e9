package sim

import (
	"context"
	"maps"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Sink receives generated events. The simulator reuses *ev for the next
// event as soon as Emit returns, so a sink that keeps the event must copy
// it (CloneEvent). Its strings are immutable and may be kept as they are;
// its Attrs map is shared between events and must not be modified.
type Sink interface {
	Emit(ctx context.Context, ev *event.Event) error
}

// Label is the ground truth of one event, passed on a side channel and never
// in the event: the template that produced its error message and the
// scenario that caused it.
type Label struct {
	Template int // -1: no message
	Scenario int // index into Simulator.Truth(); -1: baseline
}

// LabeledSink is a Sink that also wants each event's Label. The simulator
// calls EmitLabeled instead of Emit on sinks that implement it.
type LabeledSink interface {
	EmitLabeled(ctx context.Context, ev *event.Event, l Label) error
}

// CloneEvent copies an event so it can outlive the Emit call, with its own
// Attrs map for code that modifies it (event.Validate does).
func CloneEvent(ev *event.Event) *event.Event {
	c := *ev
	if ev.Attrs != nil {
		c.Attrs = maps.Clone(ev.Attrs)
	}
	return &c
}

// Discard drops every event: the benchmark sink.
type Discard struct{}

func (Discard) Emit(context.Context, *event.Event) error { return nil }
