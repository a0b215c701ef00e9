package emitter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/segmentio/kafka-go"
)

// newWriter builds an asynchronous kafka-go Writer. kafka-go batches per
// partition, retries retriable produce errors with backoff, and reports
// every batch's outcome to completion exactly once, which is what makes the
// acked and failed counts exact.
func newWriter(cfg Config, completion func([]kafka.Message, error), log *slog.Logger) (*kafka.Transport, *kafka.Writer) {
	codec, _ := compressionCodec(cfg.Compression) // checked by Validate
	transport := &kafka.Transport{ClientID: cfg.ClientID, DialTimeout: cfg.WriteTimeout}
	w := &kafka.Writer{
		Addr:            kafka.TCP(cfg.Brokers...),
		Topic:           cfg.Topic,
		Balancer:        &kafka.Hash{}, // same event id, same partition: the ingester's duplicate window relies on it
		RequiredAcks:    kafka.RequireAll,
		Async:           true,
		Completion:      completion,
		Compression:     codec,
		BatchSize:       cfg.BatchSize,
		BatchBytes:      int64(cfg.BatchBytes),
		BatchTimeout:    cfg.BatchTimeout,
		ReadTimeout:     cfg.WriteTimeout,
		WriteTimeout:    cfg.WriteTimeout,
		MaxAttempts:     cfg.MaxAttempts,
		WriteBackoffMin: cfg.RetryBackoffMin,
		WriteBackoffMax: cfg.RetryBackoffMax,
		Transport:       transport,
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...any) {
			// Each retry is logged by kafka-go; the final outcome is logged by completion.
			if log.Enabled(context.Background(), slog.LevelDebug) {
				log.Debug(fmt.Sprintf(msg, args...))
			}
		}),
	}
	return transport, w
}

// run moves events from the queue into the writer until Close closes the
// queue, then closes the writer, which flushes partial batches and waits
// for every completion.
func (e *Emitter) run() {
	defer close(e.done)
	batch := make([]kafka.Message, 0, e.cfg.BatchSize)
	for msg := range e.queue {
		batch = append(batch[:0], msg)
		batch = e.fill(batch)
		e.handOff(batch)
		clear(batch) // drop references to handed-off values
	}
	if err := e.writer.Close(); err != nil {
		e.log.Error("closing kafka writer", "err", err)
	}
	e.transport.CloseIdleConnections()
	e.losses.flush()
}

// fill appends what the queue holds right now, up to a batch.
func (e *Emitter) fill(batch []kafka.Message) []kafka.Message {
	for len(batch) < cap(batch) {
		select {
		case msg, ok := <-e.queue:
			if !ok {
				return batch
			}
			batch = append(batch, msg)
		default:
			return batch
		}
	}
	return batch
}

// handOff gives batch to the asynchronous writer. That fails only before
// any message was taken (no metadata for the topic: broker unreachable,
// unknown topic), so the whole batch is retried with backoff, then failed.
func (e *Emitter) handOff(batch []kafka.Message) {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval = e.cfg.RetryBackoffMin, e.cfg.RetryBackoffMax
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(e.abortCtx, e.cfg.WriteTimeout)
		err := e.writer.WriteMessages(ctx, batch...)
		cancel()
		switch {
		case err == nil:
			return
		case e.abortCtx.Err() != nil:
			e.fail(batch, DropCloseAborted, err)
			return
		case attempt >= e.cfg.MaxAttempts:
			e.fail(batch, failureReason(err), err)
			return
		}
		if !e.sleep(bo.NextBackOff()) {
			e.fail(batch, DropCloseAborted, err)
			return
		}
	}
}

// sleep waits d unless Close's context ends first.
func (e *Emitter) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-e.abortCtx.Done():
		return false
	}
}

// completion is called by kafka-go once per produced batch, from its
// goroutines, after its own retries.
func (e *Emitter) completion(msgs []kafka.Message, err error) {
	if err != nil {
		e.fail(msgs, failureReason(err), err)
		return
	}
	e.observe(msgs)
	e.m.acked.Add(float64(len(msgs)))
	e.release(len(msgs))
}

func (e *Emitter) fail(msgs []kafka.Message, reason string, err error) {
	e.observe(msgs)
	e.m.failed.Add(float64(len(msgs)))
	e.m.dropped.WithLabelValues(reason).Add(float64(len(msgs)))
	e.losses.report(len(msgs), reason, err)
	e.release(len(msgs))
}

func (e *Emitter) observe(msgs []kafka.Message) {
	now := time.Now()
	for i := range msgs {
		e.m.produce.Observe(now.Sub(msgs[i].Time).Seconds())
	}
}

// release frees the buffer slots of n resolved events; it comes last so
// that counters are final once the buffer is empty.
func (e *Emitter) release(n int) {
	for range n {
		<-e.slots
	}
}

func failureReason(err error) string {
	var kerr kafka.Error
	var nerr net.Error
	switch {
	case errors.As(err, &kerr):
		return DropRejected
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &nerr) && nerr.Timeout():
		return DropTimeout
	}
	return DropUnreachable
}

func msgSize(m kafka.Message) int { return len(m.Key) + len(m.Value) + 64 }

// lossLog logs lost events at most once per second, so that a broker
// outage yields a line per second rather than one per batch. The counters
// are exact either way.
type lossLog struct {
	log     *slog.Logger
	mu      sync.Mutex
	last    time.Time
	pending int
	reason  string
	err     error
}

func (l *lossLog) report(n int, reason string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending += n
	l.reason, l.err = reason, err
	if now := time.Now(); now.Sub(l.last) >= time.Second {
		l.last = now
		l.emit()
	}
}

func (l *lossLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.emit()
}

func (l *lossLog) emit() {
	if l.pending == 0 {
		return
	}
	l.log.Warn("events lost after retries", "events", l.pending, "last_reason", l.reason, "last_err", l.err)
	l.pending = 0
}
