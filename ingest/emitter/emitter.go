// Package emitter is the Go client services use to send operational events
// to Kafka. Emit never blocks or slows the caller: it validates, scrubs and
// encodes the event, then hands it to a bounded buffer that a background
// producer drains in compressed batches with acks=all. Every event is
// accounted exactly once: dropped at Emit (with a reason), acknowledged by
// the broker, or failed after bounded retries (with a reason).
package emitter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// Scrubber removes client data from an event's free-text fields in place.
type Scrubber interface {
	ScrubEvent(*event.Event) guard.Report
}

var (
	// ErrClosed is returned by EmitWait after Close has begun.
	ErrClosed = errors.New("emitter is closed")
	// ErrBufferFull is returned by EmitWait when its context ends before
	// buffer space frees up.
	ErrBufferFull = errors.New("emitter buffer is full")
)

// Emitter produces events to Kafka. It is safe for concurrent use.
type Emitter struct {
	cfg   Config
	scrub Scrubber
	log   *slog.Logger
	m     *metrics

	losses    *lossLog
	writer    *kafka.Writer
	transport *kafka.Transport

	// slots is a counting semaphore: one token per event accepted and not yet
	// acknowledged or failed. It is what bounds memory, including the
	// batches kafka-go holds.
	slots chan struct{}
	queue chan kafka.Message // never blocks a holder of a slot: cap(queue) == cap(slots)

	mu        sync.RWMutex // held shared while enqueueing, exclusively to close queue
	closed    bool
	isClosing atomic.Bool
	closing   chan struct{}   // closed when Close begins; wakes EmitWait
	abortCtx  context.Context // cancelled when Close's context ends; stops retries
	abortFn   context.CancelFunc
	done      chan struct{} // closed when every accepted event is acked or failed
	closeOnce sync.Once
}

// New starts an Emitter. scrub is required: nothing leaves a service
// unscrubbed. A nil reg skips metric registration.
func New(cfg Config, scrub Scrubber, logger *slog.Logger, reg prometheus.Registerer) (*Emitter, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("emitter config: %w", err)
	}
	if scrub == nil {
		return nil, errors.New("emitter: a Scrubber is required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Emitter{
		cfg:     cfg,
		scrub:   scrub,
		log:     logger.With("component", "emitter", "topic", cfg.Topic),
		slots:   make(chan struct{}, cfg.BufferSize),
		queue:   make(chan kafka.Message, cfg.BufferSize),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	m, err := newMetrics(reg, func() float64 { return float64(len(e.slots)) })
	if err != nil {
		return nil, err
	}
	e.m = m
	e.abortCtx, e.abortFn = context.WithCancel(context.Background())
	e.losses = &lossLog{log: e.log}
	e.transport, e.writer = newWriter(cfg, e.completion, e.log)
	go e.run()
	return e, nil
}

// Emit accepts ev for sending and reports whether it did. It never blocks:
// an invalid event, a full buffer or a closed emitter make it return false
// and count the drop with its reason. Emit may modify ev (truncation of long
// free text, scrubbing) and does not keep it after returning.
func (e *Emitter) Emit(ev *event.Event) bool {
	// While the broker is down the buffer stays full: drop before paying
	// for validation, scrubbing and encoding.
	if len(e.slots) == cap(e.slots) && !e.isClosing.Load() {
		e.m.bufferFull.Inc()
		return false
	}
	msg, err := e.prepare(ev)
	if err != nil {
		return false
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		e.m.closed.Inc()
		return false
	}
	select {
	case e.slots <- struct{}{}:
	default:
		e.m.bufferFull.Inc()
		return false
	}
	e.enqueue(msg)
	return true
}

// EmitWait is Emit for callers that want backpressure (simulators,
// backfills, the HTTP intake): it waits for buffer space until ctx ends.
// Errors: a *event.Rejection for an invalid event, ErrBufferFull (wrapping
// ctx's error) when no space freed up in time, ErrClosed after Close began.
// Every error is a counted drop.
func (e *Emitter) EmitWait(ctx context.Context, ev *event.Event) error {
	msg, err := e.prepare(ev)
	if err != nil {
		return err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		e.m.closed.Inc()
		return ErrClosed
	}
	select {
	case e.slots <- struct{}{}:
	default:
		select {
		case e.slots <- struct{}{}:
		case <-ctx.Done():
			e.m.bufferFull.Inc()
			return fmt.Errorf("%w: %w", ErrBufferFull, ctx.Err())
		case <-e.closing:
			e.m.closed.Inc()
			return ErrClosed
		}
	}
	e.enqueue(msg)
	return nil
}

// prepare validates, scrubs and encodes ev; on failure it counts the drop.
func (e *Emitter) prepare(ev *event.Event) (kafka.Message, error) {
	if e.isClosing.Load() {
		e.m.closed.Inc()
		return kafka.Message{}, ErrClosed
	}
	if ev == nil {
		e.m.dropped.WithLabelValues(DropNilEvent).Inc()
		return kafka.Message{}, errors.New("nil event")
	}
	now := time.Now()
	if rej := ev.Validate(now, event.DefaultLimits); rej != nil {
		e.m.dropInvalid(rej.Reason)
		return kafka.Message{}, rej
	}
	e.m.countScrubbed(e.scrub.ScrubEvent(ev))
	value, err := event.Marshal(ev)
	if err != nil {
		e.m.dropped.WithLabelValues(DropEncodeError).Inc()
		return kafka.Message{}, fmt.Errorf("encoding event: %w", err)
	}
	msg := kafka.Message{Key: []byte(ev.ID), Value: value, Time: now}
	if msgSize(msg) > e.cfg.BatchBytes {
		e.m.dropped.WithLabelValues(DropTooLarge).Inc()
		return kafka.Message{}, fmt.Errorf("encoded event is %d bytes, batch_bytes is %d", msgSize(msg), e.cfg.BatchBytes)
	}
	return msg, nil
}

// enqueue is called holding a slot and e.mu shared; it cannot block
// because the queue has room for every slot.
func (e *Emitter) enqueue(msg kafka.Message) {
	e.m.enqueued.Inc()
	e.queue <- msg
}

// Close stops accepting events, flushes everything buffered and closes the
// producer. If ctx ends first, events still waiting for a retry are counted
// as failed (close_aborted) and Close returns how many were unresolved; a
// produce request already on the wire finishes in the background.
func (e *Emitter) Close(ctx context.Context) error {
	e.closeOnce.Do(func() {
		e.isClosing.Store(true)
		close(e.closing)
		e.mu.Lock()
		e.closed = true
		close(e.queue)
		e.mu.Unlock()
	})
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		e.abortFn()
		return fmt.Errorf("closing emitter: %d events not yet acknowledged: %w", len(e.slots), ctx.Err())
	}
}

// Ready reports whether the broker answers and knows the topic.
func (e *Emitter) Ready(ctx context.Context) error {
	if e.isClosing.Load() {
		return ErrClosed
	}
	client := &kafka.Client{Addr: e.writer.Addr, Transport: e.transport, Timeout: e.cfg.WriteTimeout}
	res, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{e.cfg.Topic}})
	if err != nil {
		return fmt.Errorf("fetching metadata for %s: %w", e.cfg.Topic, err)
	}
	for _, t := range res.Topics {
		if t.Name == e.cfg.Topic && t.Error == nil && len(t.Partitions) > 0 {
			return nil
		}
		if t.Name == e.cfg.Topic && t.Error != nil {
			return fmt.Errorf("topic %s: %w", e.cfg.Topic, t.Error)
		}
	}
	return fmt.Errorf("topic %s has no partitions", e.cfg.Topic)
}

// Buffered returns the number of events accepted and not yet acknowledged
// or failed.
func (e *Emitter) Buffered() int { return len(e.slots) }
