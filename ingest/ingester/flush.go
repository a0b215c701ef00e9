package ingester

import (
	"context"
	"time"
)

// flush stores the open batch: dead letters first, then the rows as one
// insert whose rows all carry the batch's last offset (the ledger entry).
// Every step retries with backoff until it succeeds or ctx ends; while it
// retries the partition does not fetch, so memory stays bounded by one batch.
// It reports whether the batch was stored.
func (p *partition) flush(ctx context.Context) bool {
	b := &p.batch
	if b.empty() {
		return true
	}
	if !p.retry(ctx, "dead_letter", func(ctx context.Context) error { return p.in.deps.DeadLetters.WriteDeadLetters(ctx, b.deadLetters) }) {
		return false
	}
	now := p.in.now()
	b.rows.SetBatchEnd(b.last, now)
	began := time.Now()
	store := func(ctx context.Context) error {
		if b.rows.Len() == 0 {
			return p.in.deps.Writer.WriteLedger(ctx, p.in.cfg.Topic, p.id, b.first, b.last, now)
		}
		return p.in.deps.Writer.Write(ctx, b.rows)
	}
	if !p.retry(ctx, "insert", store) {
		return false
	}
	p.observe(began)
	p.commits.acked(p.id, b.last+1)
	b.reset()
	return true
}

func (p *partition) observe(began time.Time) {
	m := p.in.deps.Metrics
	b := &p.batch
	m.batchSeconds.Observe(time.Since(began).Seconds())
	m.batchSize.Observe(float64(b.rows.Len()))
	m.inserted.Add(float64(b.rows.Len()))
	for _, dl := range b.deadLetters {
		m.deadLettered.WithLabelValues(string(dl.Reason)).Inc()
	}
	if b.rows.Len() > 0 {
		m.ingestLatency.Observe(time.Since(b.newest).Seconds())
	}
}

// retry runs fn until it succeeds or ctx ends. Each attempt runs to its own
// timeout even if ctx ends meanwhile: an insert abandoned half-way could still
// land after the partition's next owner read the ledger. The attempt timeout
// is below the group's rebalance timeout, so the group waits for it.
func (p *partition) retry(ctx context.Context, op string, fn func(context.Context) error) bool {
	bo := newBackoff(p.in.cfg.RetryMin, p.in.cfg.RetryMax)
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.in.cfg.AttemptTimeout)
		err := fn(attemptCtx)
		cancel()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if op == "insert" {
			p.in.deps.Metrics.insertErrors.Inc()
		} else {
			p.in.deps.Metrics.kafkaErrors.WithLabelValues(op).Inc()
		}
		if attempt == 1 || attempt%20 == 0 {
			p.in.logger.Warn("storing batch failed; retrying", "op", op, "partition", p.id,
				"first", p.batch.first, "last", p.batch.last, "attempt", attempt, "err", err)
		}
		if !bo.wait(ctx) {
			return false
		}
	}
}
